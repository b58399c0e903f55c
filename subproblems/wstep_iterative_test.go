package subproblems

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/admm-go/admm/constraints"
)

// spikedCovariance returns Σ = QΛQᵀ with d eigenvalues: k spikes 20, 17,
// 14, … and the rest at most 1/k, so the top-k eigenspace (the first k
// columns of Q) is well separated.
func spikedCovariance(d, k int, seed uint64) (*FullCovariance, *mat.Dense) {
	lambdas := make([]float64, d)
	for i := range lambdas {
		if i < k {
			lambdas[i] = 20 - 3*float64(i)
		} else {
			lambdas[i] = 1 / float64(i)
		}
	}
	q := randomOrthogonal(d, newRand(seed))
	return covarianceWithEigen(q, lambdas), q
}

func TestMinibatchCovariance(t *testing.T) {
	rnd := newRand(20)
	const n, d, batch, k = 12, 5, 4, 2
	x := randomDense(n, d, rnd)
	c, err := NewMinibatchCovariance(x, batch, newRand(21))
	if err != nil {
		t.Fatal(err)
	}
	seen := make(map[[d]float64]int)
	for epoch := 0; epoch < n/batch; epoch++ {
		if epoch > 0 {
			c.Advance()
		}
		xb := mat.DenseCopyOf(c.s.xb)
		for i := 0; i < batch; i++ {
			var key [d]float64
			copy(key[:], xb.RawRowView(i))
			seen[key]++
		}

		// Σ_B W against the explicit X_BᵀX_B/|B|.
		var sigmaB mat.SymDense
		sigmaB.SymOuterK(1.0/batch, xb.T())
		w := randomDense(d, k, rnd)
		want := mat.NewDense(d, k, nil)
		want.Mul(&sigmaB, w)
		got := mat.NewDense(d, k, nil)
		c.MulTo(got, w)
		if !mat.EqualApprox(got, want, 1e-12) {
			t.Errorf("batch %d: MulTo = %v, want %v", epoch, mat.Formatted(got), mat.Formatted(want))
		}

		var eig mat.EigenSym
		eig.Factorize(&sigmaB, false)
		values := eig.Values(nil)
		if top := values[len(values)-1]; c.MaxEigenvalueBound() < top*(1-1e-12) {
			t.Errorf("batch %d: MaxEigenvalueBound() = %v below the top eigenvalue %v", epoch, c.MaxEigenvalueBound(), top)
		}
	}
	// One epoch of batches covers every sample once.
	if len(seen) != n {
		t.Errorf("one epoch drew %d distinct samples, want %d", len(seen), n)
	}
	if c.Samples() != n {
		t.Errorf("Samples() = %d, want %d", c.Samples(), n)
	}

	for _, b := range []int{0, -1, n + 1} {
		if _, err := NewMinibatchCovariance(x, b, rnd); err == nil {
			t.Errorf("batch size %d: no error", b)
		}
	}
}

func TestMinibatchCovarianceFullBatch(t *testing.T) {
	// With |B| = n the estimate is the full covariance, whatever the order.
	rnd := newRand(22)
	x := randomDense(9, 4, rnd)
	c, err := NewMinibatchCovariance(x, 9, rnd)
	if err != nil {
		t.Fatal(err)
	}
	full := NewFullCovariance(x)
	w := randomDense(4, 3, rnd)
	got, want := mat.NewDense(4, 3, nil), mat.NewDense(4, 3, nil)
	c.MulTo(got, w)
	full.MulTo(want, w)
	if !mat.EqualApprox(got, want, 1e-12) {
		t.Errorf("MulTo = %v, want the full covariance product %v", mat.Formatted(got), mat.Formatted(want))
	}
}

func TestEWMACovariance(t *testing.T) {
	rnd := newRand(23)
	const n, d, batch = 10, 3, 5
	x := randomDense(n, d, rnd)
	c, err := NewEWMACovariance(x, batch, 0.25, newRand(24))
	if err != nil {
		t.Fatal(err)
	}
	batchCov := func() *mat.SymDense {
		var s mat.SymDense
		s.SymOuterK(1.0/batch, c.s.xb.T())
		return &s
	}
	// First batch: Σ = Σ_B1. Then Σ = 0.75Σ_B1 + 0.25Σ_B2.
	want := mat.NewSymDense(d, nil)
	want.CopySym(batchCov())
	if !mat.EqualApprox(c.Sym(), want, 1e-12) {
		t.Errorf("after one batch Σ = %v, want %v", mat.Formatted(c.Sym()), mat.Formatted(want))
	}
	c.Advance()
	want.ScaleSym(0.75, want)
	var b2 mat.SymDense
	b2.ScaleSym(0.25, batchCov())
	want.AddSym(want, &b2)
	if !mat.EqualApprox(c.Sym(), want, 1e-12) {
		t.Errorf("after two batches Σ = %v, want %v", mat.Formatted(c.Sym()), mat.Formatted(want))
	}
	var trace float64
	for i := 0; i < d; i++ {
		trace += want.At(i, i)
	}
	if got := c.MaxEigenvalueBound(); math.Abs(got-trace) > 1e-12*trace {
		t.Errorf("MaxEigenvalueBound() = %v, want the trace %v", got, trace)
	}

	for _, beta := range []float64{0, -0.5, 1.5, math.NaN()} {
		if _, err := NewEWMACovariance(x, batch, beta, rnd); err == nil {
			t.Errorf("beta %v: no error", beta)
		}
	}
}

func TestProjectedAscentMatchesExact(t *testing.T) {
	// In the convex regime ρ > 2λΛ_max the W-step on a Frobenius ball has
	// one minimizer, which projected gradient reaches linearly.
	rnd := newRand(25)
	cov := NewFullCovariance(randomDense(20, 6, rnd))
	values, _ := cov.Eigen()
	const lambda = 1
	rho := 3 * values[0]
	m := randomDense(6, 2, rnd)
	c := 0.5 * mat.Norm(m, 2)

	exact, _ := NewFrobeniusBallExact(cov, lambda, c)
	want := mat.NewDense(6, 2, nil)
	if err := exact.Prox(context.Background(), want, m, rho); err != nil {
		t.Fatal(err)
	}
	p, err := NewProjectedAscent(constraints.FrobeniusBall{Radius: c}, cov, lambda, AscentOptions{Steps: 400})
	if err != nil {
		t.Fatal(err)
	}
	got := mat.NewDense(6, 2, nil)
	if err := p.Prox(context.Background(), got, m, rho); err != nil {
		t.Fatal(err)
	}
	// Contraction factor 1 − (ρ − 2λΛ_max)/(ρ + 2λΛ_max) = 0.8 per step.
	if !mat.EqualApprox(got, want, 1e-10) {
		t.Errorf("projected ascent W = %v, want the exact %v", mat.Formatted(got), mat.Formatted(want))
	}
}

func TestProjectedAscentStiefelPCA(t *testing.T) {
	const d, k = 15, 3
	cov, q := spikedCovariance(d, k, 26)
	p, err := NewProjectedAscent(constraints.Stiefel{}, cov, 1, AscentOptions{Steps: 300})
	if err != nil {
		t.Fatal(err)
	}
	rnd := newRand(27)
	w := randomDense(d, k, rnd)
	if err := p.Prox(context.Background(), w, randomDense(d, k, rnd), tinyRho); err != nil {
		t.Fatal(err)
	}
	// Power iteration on I + Σ/Λ_max: factor (1 + 1/60)/(1 + 14/20) < 0.6.
	if dist := subspaceDist(t, w, topColumns(q, k)); dist > 1e-8 {
		t.Errorf("subspace distance = %g, want ≤ 1e-8", dist)
	}
}

func TestSpectralBallFISTA(t *testing.T) {
	rnd := newRand(28)

	t.Run("lambda zero is projection", func(t *testing.T) {
		cov := NewFullCovariance(randomDense(10, 5, rnd))
		m := randomDense(5, 3, rnd)
		s, err := NewSpectralBallFISTA(cov, 0, 0.7, FISTAOptions{})
		if err != nil {
			t.Fatal(err)
		}
		w := randomDense(5, 3, rnd)
		if err := s.Prox(context.Background(), w, m, 2); err != nil {
			t.Fatal(err)
		}
		want := mat.NewDense(5, 3, nil)
		constraints.SpectralBall{Radius: 0.7}.Project(want, m)
		if !mat.EqualApprox(w, want, 1e-12) {
			t.Errorf("W = %v, want the projection %v", mat.Formatted(w), mat.Formatted(want))
		}
	})

	t.Run("isotropic nonconvex", func(t *testing.T) {
		// Σ = 2I, 2λΣ > ρ: every singular value goes to c, W = c·polar(M).
		cov := covarianceWithEigen(randomOrthogonal(4, rnd), []float64{2, 2, 2, 2})
		m := randomDense(4, 2, rnd)
		s, _ := NewSpectralBallFISTA(cov, 1, 1.5, FISTAOptions{})
		w := mat.NewDense(4, 2, nil)
		w.Copy(m)
		if err := s.Prox(context.Background(), w, m, 1); err != nil {
			t.Fatal(err)
		}
		want := mat.NewDense(4, 2, nil)
		constraints.Stiefel{}.Project(want, m)
		want.Scale(1.5, want)
		if !mat.EqualApprox(w, want, 1e-8) {
			t.Errorf("W = %v, want c·polar(M) = %v", mat.Formatted(w), mat.Formatted(want))
		}
	})

	t.Run("convex matches projected ascent", func(t *testing.T) {
		cov := NewFullCovariance(randomDense(20, 6, rnd))
		values, _ := cov.Eigen()
		rho := 2.5 * values[0]
		m := randomDense(6, 3, rnd)
		set := constraints.SpectralBall{Radius: 0.5}
		s, _ := NewSpectralBallFISTA(cov, 1, 0.5, FISTAOptions{Tol: 1e-14})
		got := mat.NewDense(6, 3, nil)
		if err := s.Prox(context.Background(), got, m, rho); err != nil {
			t.Fatal(err)
		}
		p, _ := NewProjectedAscent(set, cov, 1, AscentOptions{Steps: 2000})
		want := mat.NewDense(6, 3, nil)
		if err := p.Prox(context.Background(), want, m, rho); err != nil {
			t.Fatal(err)
		}
		if !mat.EqualApprox(got, want, 1e-9) {
			t.Errorf("FISTA W = %v, want %v", mat.Formatted(got), mat.Formatted(want))
		}
		if s.Iterations() >= defaultFISTAMaxIter {
			t.Errorf("FISTA hit the iteration limit")
		}
	})

	t.Run("spiked PCA", func(t *testing.T) {
		const d, k, c = 12, 3, 2.0
		cov, q := spikedCovariance(d, k, 29)
		s, _ := NewSpectralBallFISTA(cov, 1, c, FISTAOptions{Tol: 1e-14})
		w := randomDense(d, k, rnd)
		if err := s.Prox(context.Background(), w, randomDense(d, k, rnd), tinyRho); err != nil {
			t.Fatal(err)
		}
		if dist := subspaceDist(t, w, topColumns(q, k)); dist > 1e-6 {
			t.Errorf("subspace distance = %g, want ≤ 1e-6", dist)
		}
		var svd mat.SVD
		svd.Factorize(w, mat.SVDNone)
		for i, sv := range svd.Values(nil) {
			if math.Abs(sv-c) > 1e-8 {
				t.Errorf("singular value %d = %v, want the radius %v", i, sv, c)
			}
		}
	})

	t.Run("needs an eigenvalue bound", func(t *testing.T) {
		if _, err := NewSpectralBallFISTA(plainCovariance{NewFullCovariance(randomDense(5, 3, rnd))}, 1, 1, FISTAOptions{}); err == nil {
			t.Error("no error for a covariance without an eigenvalue bound")
		}
	})
}

// plainCovariance hides every method of a covariance except Dim and MulTo.
type plainCovariance struct{ c Covariance }

func (p plainCovariance) Dim() int                { return p.c.Dim() }
func (p plainCovariance) MulTo(dst, w *mat.Dense) { p.c.MulTo(dst, w) }

func TestHebbianRulesConverge(t *testing.T) {
	// Step schedule: the constant default η = 1/(2(ρ + 2λΛ_max)), full Σ,
	// 300 steps from a Gaussian start, no projection.
	const d, k, steps = 20, 4, 300
	cov, q := spikedCovariance(d, k, 30)
	for _, tc := range []struct {
		name string
		rule func() (UpdateRule, error)
	}{
		{"oja", func() (UpdateRule, error) { return NewOja(0.5, 0) }},
		{"gha", func() (UpdateRule, error) { return NewGHA(0.5, 0) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rule, err := tc.rule()
			if err != nil {
				t.Fatal(err)
			}
			step, err := NewRuleStep(rule, cov, nil, steps)
			if err != nil {
				t.Fatal(err)
			}
			rnd := newRand(31)
			w := randomDense(d, k, rnd)
			w.Scale(0.1, w)
			if err := step.Prox(context.Background(), w, randomDense(d, k, rnd), tinyRho); err != nil {
				t.Fatal(err)
			}
			if dist := subspaceDist(t, w, topColumns(q, k)); dist > 1e-3 {
				t.Errorf("subspace distance = %g, want ≤ 1e-3", dist)
			}
			// Both rules reach orthonormal columns up to O(ρ).
			if viol := stiefelViolation(w); viol > 1e-3 {
				t.Errorf("‖WᵀW − I‖ = %g, want ≤ 1e-3", viol)
			}
			if tc.name == "gha" {
				// GHA orders the columns: column j is ±q_j.
				for j := 0; j < k; j++ {
					cos := math.Abs(mat.Dot(w.ColView(j), q.ColView(j))) / mat.Norm(w.ColView(j), 2)
					if 1-cos > 1e-6 {
						t.Errorf("column %d: |cos| with eigenvector %d = %v, want 1", j, j, cos)
					}
				}
			}
		})
	}
}

func TestNewWStep(t *testing.T) {
	rnd := newRand(32)
	x := randomDense(10, 4, rnd)
	full := NewFullCovariance(x)
	mini, err := NewMinibatchCovariance(x, 5, rnd)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		set  constraints.Set
		cov  Covariance
		want string // the type built, or "" for an error
	}{
		{"exact", constraints.FrobeniusBall{Radius: 1}, full, "*subproblems.FrobeniusBallExact"},
		{"exact", constraints.UnitColumns{}, full, "*subproblems.UnitColumnsExact"},
		{"exact", constraints.SpectralBall{Radius: 1}, mini, "*subproblems.SpectralBallFISTA"},
		{"power", constraints.Stiefel{}, mini, "*subproblems.StiefelGPI"},
		{"custom", constraints.UnitColumns{}, mini, "*subproblems.ProjectedAscent"},
		{"oja", constraints.Stiefel{}, full, "*subproblems.RuleStep"},
		{"gha", constraints.Stiefel{}, mini, "*subproblems.RuleStep"},
		{"exact", constraints.Stiefel{}, full, ""},
		{"exact", constraints.FrobeniusBall{Radius: 1}, mini, ""},
		{"power", constraints.SpectralBall{Radius: 1}, full, ""},
		{"oja", constraints.UnitColumns{}, full, ""},
		{"newton", constraints.Stiefel{}, full, ""},
	} {
		t.Run(fmt.Sprintf("%s/%s/%T", tc.name, tc.set, tc.cov), func(t *testing.T) {
			block, err := NewWStep(tc.name, tc.set, tc.cov, 1)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("built %T, want an error", block)
				}
				if !strings.HasPrefix(err.Error(), "subproblems: ") {
					t.Errorf("error %q lacks the package prefix", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprintf("%T", block); got != tc.want {
				t.Errorf("built %s, want %s", got, tc.want)
			}
			w := randomDense(4, 2, rnd)
			if err := block.Prox(context.Background(), w, randomDense(4, 2, rnd), 1); err != nil {
				t.Errorf("Prox: %v", err)
			}
			if viol := tc.set.Violation(w); viol > 1e-9 {
				t.Errorf("result violates %s by %g", tc.set, viol)
			}
		})
	}

	t.Run("error lists combinations", func(t *testing.T) {
		_, err := NewWStep("power", constraints.UnitColumns{}, full, 1)
		if err == nil || !strings.Contains(err.Error(), validWSteps) {
			t.Errorf("error %v does not list the valid W-steps", err)
		}
	})
}
