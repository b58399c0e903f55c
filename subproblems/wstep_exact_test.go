package subproblems

import (
	"context"
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/admm-go/admm/constraints"
)

// kktTol bounds the relative KKT residuals of the exact solvers: the
// rotations by Q and the secular iteration are accurate to a few hundred ε
// times d ≤ 50.
const kktTol = 1e-9

// wstepObjective returns −λ tr(WᵀΣW) + (ρ/2)‖W − M‖²_F.
func wstepObjective(cov Covariance, lambda, rho float64, w, m *mat.Dense) float64 {
	var diff mat.Dense
	diff.Sub(w, m)
	n := mat.Norm(&diff, 2)
	return -lambda*pcaObjective(cov, w) + rho/2*n*n
}

// stationarity returns ‖−2λΣW + ρ(W − M) + 2WD‖_F with D = diag(mu) and a
// scale for it, ρ‖M‖ + (ρ + 2 max|μ| + 2λΛ_max)‖W‖.
func stationarity(cov *FullCovariance, lambda, rho float64, mu []float64, w, m *mat.Dense) (res, scale float64) {
	d, k := w.Dims()
	g := mat.NewDense(d, k, nil)
	cov.MulTo(g, w)
	g.Scale(-2*lambda, g)
	var pull mat.Dense
	pull.Sub(w, m)
	pull.Scale(rho, &pull)
	g.Add(g, &pull)
	maxMu := 0.0
	for j := 0; j < k; j++ {
		col := g.ColView(j).(*mat.VecDense)
		col.AddScaledVec(col, 2*mu[j], w.ColView(j))
		maxMu = math.Max(maxMu, math.Abs(mu[j]))
	}
	values, _ := cov.Eigen()
	scale = rho*mat.Norm(m, 2) + (rho+2*maxMu+2*lambda*values[0])*mat.Norm(w, 2)
	return mat.Norm(g, 2), scale
}

func repeat(x float64, k int) []float64 {
	s := make([]float64, k)
	for i := range s {
		s[i] = x
	}
	return s
}

func TestFrobeniusBallExactBruteForce(t *testing.T) {
	// d = 2, k = 1: W = r(cos θ, sin θ) on a polar grid over the disc.
	const steps = 400
	rnd := newRand(10)
	for _, tc := range []struct {
		name        string
		lambda, rho float64
		c           float64
		sigma       []float64 // eigenvalues, on a random basis
	}{
		{"interior", 0.1, 5, 3, []float64{2, 1}},
		{"boundary convex", 0.5, 3, 0.5, []float64{2, 1}},
		{"boundary nonconvex", 2, 1, 1.5, []float64{3, 0.5}},
		{"equal eigenvalues", 1, 1, 1, []float64{2, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cov := covarianceWithEigen(randomOrthogonal(2, rnd), tc.sigma)
			m := randomDense(2, 1, rnd)
			s, err := NewFrobeniusBallExact(cov, tc.lambda, tc.c)
			if err != nil {
				t.Fatal(err)
			}
			w := randomDense(2, 1, rnd)
			if err := s.Prox(context.Background(), w, m, tc.rho); err != nil {
				t.Fatal(err)
			}
			got := wstepObjective(cov, tc.lambda, tc.rho, w, m)
			best := math.Inf(1)
			p := mat.NewDense(2, 1, nil)
			for i := 0; i <= steps; i++ {
				r := tc.c * float64(i) / steps
				for j := 0; j < 4*steps; j++ {
					theta := 2 * math.Pi * float64(j) / (4 * steps)
					p.Set(0, 0, r*math.Cos(theta))
					p.Set(1, 0, r*math.Sin(theta))
					best = math.Min(best, wstepObjective(cov, tc.lambda, tc.rho, p, m))
				}
			}
			// The exact minimizer is never beaten by a grid point (up to
			// rounding), and the grid with spacing h = c/400 comes within
			// O(L·h) of it, L ≤ 20 the Lipschitz constant here.
			if got > best+1e-12 {
				t.Errorf("objective %.12g above the grid minimum %.12g", got, best)
			}
			if best-got > 20*tc.c/steps {
				t.Errorf("objective %.12g far below the grid minimum %.12g", got, best)
			}
			if n := mat.Norm(w, 2); n > tc.c*(1+1e-12) {
				t.Errorf("‖W‖_F = %v, want ≤ %v", n, tc.c)
			}
		})
	}
}

func TestUnitColumnsExactBruteForce(t *testing.T) {
	// d = 3, k = 2: each column on a grid of the unit sphere.
	const steps = 300
	rnd := newRand(11)
	for _, tc := range []struct {
		name        string
		lambda, rho float64
	}{
		{"pull dominates", 0.1, 5},
		{"PCA dominates", 2, 0.5},
		{"balanced", 1, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cov := covarianceWithEigen(randomOrthogonal(3, rnd), []float64{3, 1.5, 0.2})
			m := randomDense(3, 2, rnd)
			s, err := NewUnitColumnsExact(cov, tc.lambda)
			if err != nil {
				t.Fatal(err)
			}
			w := randomDense(3, 2, rnd)
			if err := s.Prox(context.Background(), w, m, tc.rho); err != nil {
				t.Fatal(err)
			}
			for j := 0; j < 2; j++ {
				mj := mat.DenseCopyOf(m.Slice(0, 3, j, j+1))
				wj := mat.DenseCopyOf(w.Slice(0, 3, j, j+1))
				if n := mat.Norm(wj, 2); math.Abs(n-1) > 1e-12 {
					t.Errorf("column %d: ‖w‖ = %v, want 1", j, n)
				}
				got := wstepObjective(cov, tc.lambda, tc.rho, wj, mj)
				best := math.Inf(1)
				p := mat.NewDense(3, 1, nil)
				for a := 0; a <= steps; a++ {
					phi := math.Pi * float64(a) / steps
					for b := 0; b < 2*steps; b++ {
						theta := 2 * math.Pi * float64(b) / (2 * steps)
						p.Set(0, 0, math.Sin(phi)*math.Cos(theta))
						p.Set(1, 0, math.Sin(phi)*math.Sin(theta))
						p.Set(2, 0, math.Cos(phi))
						best = math.Min(best, wstepObjective(cov, tc.lambda, tc.rho, p, mj))
					}
				}
				// Grid spacing π/300 on the sphere, Lipschitz constant ≤ 20.
				if got > best+1e-12 {
					t.Errorf("column %d: objective %.12g above the grid minimum %.12g", j, got, best)
				}
				if best-got > 20*math.Pi/steps {
					t.Errorf("column %d: objective %.12g far below the grid minimum %.12g", j, got, best)
				}
			}
		})
	}
}

func TestFrobeniusBallExactKKT(t *testing.T) {
	rnd := newRand(12)
	for inst := 0; inst < 60; inst++ {
		d := 1 + rnd.IntN(50)
		k := 1 + rnd.IntN(d)
		cov := NewFullCovariance(randomDense(d+rnd.IntN(20), d, rnd))
		values, _ := cov.Eigen()
		lambda := rnd.Float64() * 2
		// ρ around 2λΛ_max, so both the convex and nonconvex regimes occur.
		rho := 2 * lambda * values[0] * math.Pow(10, -1+2*rnd.Float64())
		if rho == 0 {
			rho = 1
		}
		c := math.Pow(10, -1+2*rnd.Float64())
		m := randomDense(d, k, rnd)
		t.Run(fmt.Sprintf("d=%d,k=%d", d, k), func(t *testing.T) {
			s, err := NewFrobeniusBallExact(cov, lambda, c)
			if err != nil {
				t.Fatal(err)
			}
			w := randomDense(d, k, rnd)
			if err := s.Prox(context.Background(), w, m, rho); err != nil {
				t.Fatal(err)
			}
			mu := s.Multiplier()
			n := mat.Norm(w, 2)
			if n > c*(1+kktTol) {
				t.Errorf("‖W‖_F = %v, want ≤ c = %v", n, c)
			}
			if mu < 0 {
				t.Errorf("μ = %v, want ≥ 0", mu)
			}
			if mu > 0 && math.Abs(n-c) > kktTol*c {
				t.Errorf("complementarity: μ = %v > 0 but ‖W‖_F = %v ≠ c = %v", mu, n, c)
			}
			if second := rho + 2*mu - 2*lambda*values[0]; second < -kktTol*rho {
				t.Errorf("second order: ρ + 2μ − 2λΛ_max = %v, want ≥ 0", second)
			}
			if res, scale := stationarity(cov, lambda, rho, repeat(mu, k), w, m); res > kktTol*scale {
				t.Errorf("stationarity residual %g, want ≤ %g", res, kktTol*scale)
			}
		})
	}
}

func TestUnitColumnsExactKKT(t *testing.T) {
	rnd := newRand(13)
	for inst := 0; inst < 60; inst++ {
		d := 1 + rnd.IntN(50)
		k := 1 + rnd.IntN(d)
		cov := NewFullCovariance(randomDense(d+rnd.IntN(20), d, rnd))
		values, _ := cov.Eigen()
		lambda := rnd.Float64() * 2
		rho := 2*lambda*values[0]*math.Pow(10, -1+2*rnd.Float64()) + 1e-3
		m := randomDense(d, k, rnd)
		m.Scale(math.Pow(10, -2+3*rnd.Float64()), m)
		t.Run(fmt.Sprintf("d=%d,k=%d", d, k), func(t *testing.T) {
			s, err := NewUnitColumnsExact(cov, lambda)
			if err != nil {
				t.Fatal(err)
			}
			w := randomDense(d, k, rnd)
			if err := s.Prox(context.Background(), w, m, rho); err != nil {
				t.Fatal(err)
			}
			mu := s.Multipliers()
			for j := 0; j < k; j++ {
				if n := mat.Norm(w.ColView(j), 2); math.Abs(n-1) > kktTol {
					t.Errorf("column %d: ‖w‖ = %v, want 1", j, n)
				}
				if second := rho + 2*mu[j] - 2*lambda*values[0]; second < -kktTol*rho {
					t.Errorf("column %d: second order ρ + 2μ − 2λΛ_max = %v, want ≥ 0", j, second)
				}
			}
			if res, scale := stationarity(cov, lambda, rho, mu, w, m); res > kktTol*scale {
				t.Errorf("stationarity residual %g, want ≤ %g", res, kktTol*scale)
			}
		})
	}
}

func TestExactHardCase(t *testing.T) {
	// Σ = diag(3, 1), λ = 1, ρ = 1, M = (0, 1)ᵀ: b = ρ − 2λΛ = (−5, −1), so
	// μ ≥ 5/2 and at μ = 5/2 the second row is ρ·1/(−1 + 5) = 1/4, below
	// any radius c > 1/4. The minimizer puts √(c² − 1/16) along e₁.
	cov := covarianceWithEigen(mat.NewDense(2, 2, []float64{1, 0, 0, 1}), []float64{3, 1})
	m := mat.NewDense(2, 1, []float64{0, 1})
	const lambda, rho = 1, 1

	for _, tc := range []struct {
		name string
		c    float64
		prox func(w *mat.Dense) (float64, error) // returns μ
	}{
		{"Frobenius ball", 2, func(w *mat.Dense) (float64, error) {
			s, err := NewFrobeniusBallExact(cov, lambda, 2)
			if err != nil {
				return 0, err
			}
			err = s.Prox(context.Background(), w, m, rho)
			return s.Multiplier(), err
		}},
		{"unit columns", 1, func(w *mat.Dense) (float64, error) {
			s, err := NewUnitColumnsExact(cov, lambda)
			if err != nil {
				return 0, err
			}
			err = s.Prox(context.Background(), w, m, rho)
			return s.Multipliers()[0], err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := mat.NewDense(2, 1, []float64{-0.1, 0.3}) // warm start picks the sign −
			mu, err := tc.prox(w)
			if err != nil {
				t.Fatal(err)
			}
			want := mat.NewDense(2, 1, []float64{-math.Sqrt(tc.c*tc.c - 1.0/16), 0.25})
			if !mat.EqualApprox(w, want, 1e-14) {
				t.Errorf("W = %v, want %v", mat.Formatted(w.T()), mat.Formatted(want.T()))
			}
			if math.Abs(mu-2.5) > 1e-14 {
				t.Errorf("μ = %v, want 2.5", mu)
			}
			if n := mat.Norm(w, 2); math.Abs(n-tc.c) > 1e-14 {
				t.Errorf("‖W‖ = %v, want c = %v", n, tc.c)
			}
		})
	}
}

func TestFrobeniusBallExactSpecialCases(t *testing.T) {
	rnd := newRand(14)
	cov := NewFullCovariance(randomDense(12, 5, rnd))
	values, _ := cov.Eigen()

	t.Run("lambda zero is projection", func(t *testing.T) {
		m := randomDense(5, 3, rnd)
		c := 0.3 * mat.Norm(m, 2)
		s, _ := NewFrobeniusBallExact(cov, 0, c)
		w := mat.NewDense(5, 3, nil)
		if err := s.Prox(context.Background(), w, m, 2); err != nil {
			t.Fatal(err)
		}
		want := mat.NewDense(5, 3, nil)
		constraints.FrobeniusBall{Radius: c}.Project(want, m)
		if !mat.EqualApprox(w, want, 1e-12) {
			t.Errorf("W = %v, want the projection %v", mat.Formatted(w), mat.Formatted(want))
		}
	})

	t.Run("infinite radius interior", func(t *testing.T) {
		// ρ > 2λΛ_max: W = ρ(ρI − 2λΣ)⁻¹M.
		const lambda = 1
		rho := 4 * values[0]
		m := randomDense(5, 2, rnd)
		s, _ := NewFrobeniusBallExact(cov, lambda, math.Inf(1))
		w := mat.NewDense(5, 2, nil)
		if err := s.Prox(context.Background(), w, m, rho); err != nil {
			t.Fatal(err)
		}
		var a mat.Dense
		a.Scale(-2*lambda, cov.Sym())
		for i := 0; i < 5; i++ {
			a.Set(i, i, a.At(i, i)+rho)
		}
		var want mat.Dense
		if err := want.Solve(&a, m); err != nil {
			t.Fatal(err)
		}
		want.Scale(rho, &want)
		if !mat.EqualApprox(w, &want, 1e-12) {
			t.Errorf("W = %v, want %v", mat.Formatted(w), mat.Formatted(&want))
		}
		if s.Multiplier() != 0 {
			t.Errorf("μ = %v, want 0", s.Multiplier())
		}
	})

	t.Run("infinite radius unbounded", func(t *testing.T) {
		s, _ := NewFrobeniusBallExact(cov, 1, math.Inf(1))
		if err := s.Prox(context.Background(), mat.NewDense(5, 2, nil), randomDense(5, 2, rnd), values[0]); err == nil {
			t.Error("Prox on an unbounded problem returned no error")
		}
	})

	t.Run("zero radius", func(t *testing.T) {
		s, _ := NewFrobeniusBallExact(cov, 1, 0)
		w := randomDense(5, 2, rnd)
		if err := s.Prox(context.Background(), w, randomDense(5, 2, rnd), 1); err != nil {
			t.Fatal(err)
		}
		if n := mat.Norm(w, 2); n != 0 {
			t.Errorf("‖W‖ = %v, want 0", n)
		}
	})

	for _, c := range []float64{-1, math.NaN()} {
		t.Run(fmt.Sprintf("radius=%v", c), func(t *testing.T) {
			if _, err := NewFrobeniusBallExact(cov, 1, c); err == nil {
				t.Error("NewFrobeniusBallExact returned no error")
			}
		})
	}
}
