package subproblems

import (
	"context"
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// stiefelTol bounds ‖WᵀW − I‖_F after a polar factor computed by SVD: the
// product of two orthonormal factors, each orthonormal to a few ε.
const stiefelTol = 1e-12

// tinyRho makes the proximal pull negligible, so the W-step becomes PCA.
const tinyRho = 1e-9

func TestStiefelGPIDiagonal(t *testing.T) {
	// Σ = diag(1, 5, 3): the top eigenvector is e₂, the top two span
	// {e₂, e₃}.
	cov := covarianceWithEigen(mat.NewDense(3, 3, []float64{0, 1, 0, 1, 0, 0, 0, 0, 1}), []float64{5, 1, 3})
	for _, tc := range []struct {
		name  string
		k     int
		basis *mat.Dense
		want  float64 // tr(WᵀΣW) at the top-k eigenspace
	}{
		{"k=1", 1, mat.NewDense(3, 1, []float64{0, 1, 0}), 5},
		{"k=2", 2, mat.NewDense(3, 2, []float64{0, 0, 1, 0, 0, 1}), 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rnd := newRand(2)
			s, err := NewStiefelGPI(cov, 1, GPIOptions{MaxIter: 500, Tol: 1e-300})
			if err != nil {
				t.Fatal(err)
			}
			w := randomDense(3, tc.k, rnd)
			m := randomDense(3, tc.k, rnd)
			if err := s.Prox(context.Background(), w, m, tinyRho); err != nil {
				t.Fatal(err)
			}
			// The ρM term moves the maximizer by O(ρ/gap) = O(1e-9).
			const objTol = 1e-8
			if got := pcaObjective(cov, w); math.Abs(got-tc.want) > objTol {
				t.Errorf("tr(WᵀΣW) = %.12g, want %v", got, tc.want)
			}
			if dist := subspaceDist(t, w, tc.basis); dist > 1e-8 {
				t.Errorf("subspace distance to the top-%d eigenspace = %g, want ≤ 1e-8", tc.k, dist)
			}
			if viol := stiefelViolation(w); viol > stiefelTol {
				t.Errorf("‖WᵀW − I‖ = %g, want ≤ %g", viol, stiefelTol)
			}
		})
	}
}

func TestStiefelGPISpiked(t *testing.T) {
	rnd := newRand(3)
	const d, k = 30, 4
	lambdas := make([]float64, d)
	for i := range lambdas {
		if i < k {
			lambdas[i] = 20 - 3*float64(i) // 20, 17, 14, 11
		} else {
			lambdas[i] = 1 / float64(i) // at most 1/4
		}
	}
	q := randomOrthogonal(d, rnd)
	cov := covarianceWithEigen(q, lambdas)
	// Tol below rounding runs the iteration until φ stops rising; the
	// contraction factor Λ₅/Λ₄ < 0.03 makes that a few dozen iterations.
	s, err := NewStiefelGPI(cov, 0.5, GPIOptions{MaxIter: 200, Tol: 1e-300})
	if err != nil {
		t.Fatal(err)
	}
	w := randomDense(d, k, rnd)
	if err := s.Prox(context.Background(), w, randomDense(d, k, rnd), tinyRho); err != nil {
		t.Fatal(err)
	}
	if dist := subspaceDist(t, w, topColumns(q, k)); dist > 1e-8 {
		t.Errorf("subspace distance = %g, want ≤ 1e-8", dist)
	}
	if viol := stiefelViolation(w); viol > stiefelTol {
		t.Errorf("‖WᵀW − I‖ = %g, want ≤ %g", viol, stiefelTol)
	}
	if s.Iterations() < 2 || s.Iterations() >= 200 {
		t.Errorf("Iterations() = %d, want between 2 and 199", s.Iterations())
	}
}

func TestStiefelGPIMonotone(t *testing.T) {
	rnd := newRand(4)
	for inst := 0; inst < 100; inst++ {
		d := 2 + rnd.IntN(9)
		k := 1 + rnd.IntN(d)
		cov := NewFullCovariance(randomDense(d+rnd.IntN(10), d, rnd))
		lambda := rnd.Float64() * 3
		rho := math.Pow(10, -3+5*rnd.Float64())
		s, err := NewStiefelGPI(cov, lambda, GPIOptions{MaxIter: 50, Tol: 1e-300})
		if err != nil {
			t.Fatal(err)
		}
		var phis []float64
		s.observe = func(_ int, phi float64) { phis = append(phis, phi) }
		w := randomDense(d, k, rnd)
		if err := s.Prox(context.Background(), w, randomDense(d, k, rnd), rho); err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(phis); i++ {
			// Rounding in ⟨W, ΣW⟩ and ⟨W, M⟩: a few ε times the terms.
			slack := 1e-12 * (math.Abs(phis[i]) + 1)
			if phis[i] < phis[i-1]-slack {
				t.Errorf("instance %d (d=%d, k=%d): φ fell from %.15g to %.15g at iteration %d", inst, d, k, phis[i-1], phis[i], i+1)
			}
		}
		if viol := stiefelViolation(w); viol > stiefelTol {
			t.Errorf("instance %d: ‖WᵀW − I‖ = %g, want ≤ %g", inst, viol, stiefelTol)
		}
	}
}

func TestStiefelGPISpecialCases(t *testing.T) {
	rnd := newRand(5)
	cov := NewFullCovariance(randomDense(10, 4, rnd))

	t.Run("lambda zero gives polar of M", func(t *testing.T) {
		s, err := NewStiefelGPI(cov, 0, GPIOptions{})
		if err != nil {
			t.Fatal(err)
		}
		m := randomDense(4, 2, rnd)
		w := randomDense(4, 2, rnd)
		if err := s.Prox(context.Background(), w, m, 2); err != nil {
			t.Fatal(err)
		}
		want := orthonormalBasis(t, m)
		var svd mat.SVD
		svd.Factorize(m, mat.SVDThin)
		var v mat.Dense
		svd.VTo(&v)
		want.Mul(want, v.T())
		if !mat.EqualApprox(w, want, 1e-12) {
			t.Errorf("W = %v, want polar(M) = %v", mat.Formatted(w), mat.Formatted(want))
		}
	})

	t.Run("zero warm start", func(t *testing.T) {
		s, err := NewStiefelGPI(cov, 1, GPIOptions{MaxIter: 1})
		if err != nil {
			t.Fatal(err)
		}
		w := mat.NewDense(4, 2, nil) // zero: as far from the manifold as it gets
		if err := s.Prox(context.Background(), w, randomDense(4, 2, rnd), 1); err != nil {
			t.Fatal(err)
		}
		if viol := stiefelViolation(w); viol > stiefelTol {
			t.Errorf("‖WᵀW − I‖ = %g, want ≤ %g", viol, stiefelTol)
		}
	})

	t.Run("rerun is identical", func(t *testing.T) {
		s, err := NewStiefelGPI(cov, 1, GPIOptions{})
		if err != nil {
			t.Fatal(err)
		}
		w0 := randomDense(4, 3, rnd)
		m := randomDense(4, 3, rnd)
		w1, w2 := mat.DenseCopyOf(w0), mat.DenseCopyOf(w0)
		if err := s.Prox(context.Background(), w1, m, 1); err != nil {
			t.Fatal(err)
		}
		if err := s.Prox(context.Background(), w2, m, 1); err != nil {
			t.Fatal(err)
		}
		if !mat.Equal(w1, w2) {
			t.Error("two runs from the same start differ")
		}
	})

	for _, rho := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		t.Run(fmt.Sprintf("rho=%v", rho), func(t *testing.T) {
			s, _ := NewStiefelGPI(cov, 1, GPIOptions{})
			w := randomDense(4, 2, rnd)
			before := mat.DenseCopyOf(w)
			if err := s.Prox(context.Background(), w, randomDense(4, 2, rnd), rho); err == nil {
				t.Errorf("Prox with rho %v returned no error", rho)
			}
			if !mat.Equal(w, before) {
				t.Errorf("Prox with rho %v modified dst", rho)
			}
		})
	}

	for _, tc := range []struct {
		name   string
		lambda float64
		opts   GPIOptions
	}{
		{"negative lambda", -1, GPIOptions{}},
		{"NaN lambda", math.NaN(), GPIOptions{}},
		{"infinite lambda", math.Inf(1), GPIOptions{}},
		{"negative MaxIter", 1, GPIOptions{MaxIter: -1}},
		{"negative Tol", 1, GPIOptions{Tol: -1}},
		{"NaN Tol", 1, GPIOptions{Tol: math.NaN()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewStiefelGPI(cov, tc.lambda, tc.opts); err == nil {
				t.Error("NewStiefelGPI returned no error")
			}
		})
	}

	t.Run("canceled context", func(t *testing.T) {
		s, _ := NewStiefelGPI(cov, 1, GPIOptions{})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := s.Prox(ctx, randomDense(4, 2, rnd), randomDense(4, 2, rnd), 1); err == nil {
			t.Error("Prox with a canceled context returned no error")
		}
	})
}
