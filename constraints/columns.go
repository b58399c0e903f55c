package constraints

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// UnitColumns is the set of matrices whose every column has Euclidean norm
// one, ‖w_j‖ = 1 for j = 1, …, k. The columns need not be orthogonal.
//
// Maximizing tr(WᵀΣW) = Σ_j w_jᵀΣw_j over it does not recover a
// k-dimensional PCA. The columns decouple, each is maximized alone, and
// every column collapses to ±q₁, the top eigenvector, with value kλ₁.
type UnitColumns struct{}

// Project sets dst to w with every column divided by its norm. A zero
// column, which is equally far from every unit vector, maps to the
// standard basis vector e_{j mod d} (e_j when d ≥ k, counting from zero).
// Project accepts any shape.
func (UnitColumns) Project(dst, w *mat.Dense) {
	if !prepare(dst, w) {
		return
	}

	d, k := w.Dims()
	for j := 0; j < k; j++ {
		// mat.Norm of a vector with order 2 is BLAS dnrm2, which scales and
		// so neither overflows nor underflows to zero for a nonzero column.
		n := mat.Norm(w.ColView(j), 2)
		if n == 0 {
			for i := 0; i < d; i++ {
				dst.Set(i, j, 0)
			}
			dst.Set(j%d, j, 1)
			continue
		}
		// Divide rather than multiply by 1/n, which overflows when n is
		// subnormal.
		for i := 0; i < d; i++ {
			dst.Set(i, j, w.At(i, j)/n)
		}
	}
}

// Violation returns √Σ_j (‖w_j‖ − 1)², the Frobenius distance to the set.
func (UnitColumns) Violation(w *mat.Dense) float64 {
	if v := nonFinite(w); v != 0 {
		return v
	}
	_, k := w.Dims()
	var sum float64
	for j := 0; j < k; j++ {
		e := mat.Norm(w.ColView(j), 2) - 1
		sum += e * e
	}
	return math.Sqrt(sum)
}

// Contains reports whether √Σ_j (‖w_j‖ − 1)² ≤ tol.
func (c UnitColumns) Contains(w *mat.Dense, tol float64) bool { return c.Violation(w) <= tol }

func (UnitColumns) String() string { return "columns" }
