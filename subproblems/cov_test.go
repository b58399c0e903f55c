package subproblems

import (
	"testing"

	"gonum.org/v1/gonum/mat"
)

// eigenTol bounds ‖Σv − λv‖ and ‖VᵀV − I‖ for the LAPACK-style symmetric
// eigensolver on well-scaled matrices with d ≤ 30: backward error a small
// multiple of d·ε·‖Σ‖ with ε ≈ 2.2e-16.
const eigenTol = 1e-11

func TestFullCovarianceSigma(t *testing.T) {
	x := mat.NewDense(4, 2, []float64{
		1, 2,
		-1, 0,
		2, -2,
		-2, 0,
	})
	// XᵀX = [[10, −2], [−2, 8]], divided by n = 4.
	want := mat.NewSymDense(2, []float64{2.5, -0.5, -0.5, 2})
	c := NewFullCovariance(x)
	if !mat.EqualApprox(c.Sym(), want, 1e-15) {
		t.Errorf("Sym() = %v, want %v", mat.Formatted(c.Sym()), mat.Formatted(want))
	}
	w := mat.NewDense(2, 1, []float64{1, -1})
	got := mat.NewDense(2, 1, nil)
	c.MulTo(got, w)
	if want := mat.NewDense(2, 1, []float64{3, -2.5}); !mat.EqualApprox(got, want, 1e-15) {
		t.Errorf("MulTo = %v, want %v", mat.Formatted(got), mat.Formatted(want))
	}
}

func TestFullCovarianceEigen(t *testing.T) {
	for _, tc := range []struct {
		name string
		n, d int
	}{
		{"tall", 50, 10},
		{"wide rank deficient", 5, 30},
		{"one column", 7, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rnd := newRand(1)
			c := NewFullCovariance(randomDense(tc.n, tc.d, rnd))
			values, vectors := c.Eigen()
			if len(values) != tc.d {
				t.Fatalf("got %d eigenvalues, want %d", len(values), tc.d)
			}
			for i := 1; i < len(values); i++ {
				if values[i] > values[i-1] {
					t.Errorf("eigenvalues not descending at %d: %v > %v", i, values[i], values[i-1])
				}
			}
			scale := values[0]
			for j := 0; j < tc.d; j++ {
				v := mat.NewDense(tc.d, 1, mat.Col(nil, j, vectors))
				sv := mat.NewDense(tc.d, 1, nil)
				c.MulTo(sv, v)
				var r mat.Dense
				r.Scale(values[j], v)
				r.Sub(sv, &r)
				if res := mat.Norm(&r, 2); res > eigenTol*scale {
					t.Errorf("‖Σv − λv‖ = %g for eigenpair %d, want ≤ %g", res, j, eigenTol*scale)
				}
			}
			if viol := stiefelViolation(vectors); viol > eigenTol {
				t.Errorf("‖VᵀV − I‖ = %g, want ≤ %g", viol, eigenTol)
			}
			if got := c.MaxEigenvalueBound(); got != values[0] {
				t.Errorf("MaxEigenvalueBound() = %v, want %v", got, values[0])
			}
			// The decomposition is computed once and shared.
			if v2, _ := c.Eigen(); &v2[0] != &values[0] {
				t.Error("second Eigen call recomputed the decomposition")
			}
		})
	}
}
