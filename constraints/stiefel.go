package constraints

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Stiefel is the set of d×k matrices with orthonormal columns, WᵀW = I_k.
//
// Maximizing tr(WᵀΣW) over it gives the top-k eigenspace of Σ, with value
// the sum of the k largest eigenvalues (Ky Fan's maximum principle).
type Stiefel struct{}

// Project sets dst to the polar factor UVᵀ of w = USVᵀ, the nearest matrix
// with orthonormal columns in the Frobenius norm (Higham 1986, "Computing
// the polar decomposition, with applications", SIAM J. Sci. Stat. Comput.
// 7(4)). A rank-deficient
// w has several nearest points and Project returns one of them, because it
// never divides by a singular value. Project panics if w has more columns
// than rows. If the SVD fails to converge, Project sets dst to NaN.
func (Stiefel) Project(dst, w *mat.Dense) {
	finite := prepare(dst, w)
	if d, k := w.Dims(); k > d {
		panic(fmt.Sprintf("constraints: Stiefel projection of a %d×%d matrix needs rows ≥ columns", d, k))
	}
	if !finite {
		return
	}

	var svd mat.SVD
	if !svd.Factorize(w, mat.SVDThin) {
		fillNaN(dst)
		return
	}
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	dst.Mul(&u, v.T())
}

// Violation returns ‖WᵀW − I‖_F.
func (Stiefel) Violation(w *mat.Dense) float64 {
	if v := nonFinite(w); v != 0 {
		return v
	}
	_, k := w.Dims()
	var g mat.SymDense
	g.SymOuterK(1, w.T())
	var sum float64
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			e := g.At(i, j)
			if i == j {
				e--
			}
			sum += e * e
		}
	}
	return math.Sqrt(sum)
}

// Contains reports whether ‖WᵀW − I‖_F ≤ tol.
func (s Stiefel) Contains(w *mat.Dense, tol float64) bool { return s.Violation(w) <= tol }

func (Stiefel) String() string { return "stiefel" }
