package constraints

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// roundTol bounds rounding error in the factorizations of the small (at
// most 10×10) matrices these tests use: a backward-stable SVD or QR is
// accurate to a modest multiple of d·k·ε ≈ 100·2.2e-16, far below 1e-12.
const roundTol = 1e-12

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// gaussian returns an r×c matrix of independent standard normal elements.
func gaussian(rnd *rand.Rand, r, c int) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			m.Set(i, j, rnd.NormFloat64())
		}
	}
	return m
}

// orthonormal returns the Q factor of a Gaussian d×k matrix, a random
// point of the Stiefel set built without the code under test.
func orthonormal(rnd *rand.Rand, d, k int) *mat.Dense {
	return thinQ(gaussian(rnd, d, k))
}

// thinQ returns the first k columns of the Q factor of the d×k matrix a.
func thinQ(a *mat.Dense) *mat.Dense {
	_, k := a.Dims()
	var qr mat.QR
	qr.Factorize(a)
	var q mat.Dense
	qr.QTo(&q)
	d, _ := q.Dims()
	return mat.DenseCopyOf(q.Slice(0, d, 0, k))
}

// distance returns ‖a − b‖_F.
func distance(a, b mat.Matrix) float64 {
	var diff mat.Dense
	diff.Sub(a, b)
	return mat.Norm(&diff, 2)
}

// gramError returns ‖WᵀW − I‖_F computed with a plain product, as a check
// that does not share code with Stiefel.Violation.
func gramError(w *mat.Dense) float64 {
	_, k := w.Dims()
	var g mat.Dense
	g.Mul(w.T(), w)
	for i := 0; i < k; i++ {
		g.Set(i, i, g.At(i, i)-1)
	}
	return mat.Norm(&g, 2)
}

// singularValues returns the singular values of a in decreasing order.
func singularValues(t *testing.T, a mat.Matrix) []float64 {
	t.Helper()
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDNone) {
		t.Fatal("SVD failed to converge")
	}
	return svd.Values(nil)
}

// hasNaN reports whether any element of a is NaN.
func hasNaN(a *mat.Dense) bool {
	r, c := a.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if a.At(i, j) != a.At(i, j) {
				return true
			}
		}
	}
	return false
}
