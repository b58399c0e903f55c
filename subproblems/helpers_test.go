package subproblems

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// newRand returns the seeded generator every test uses.
func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// randomDense returns an r×c matrix of standard normal entries.
func randomDense(r, c int, rnd *rand.Rand) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			m.Set(i, j, rnd.NormFloat64())
		}
	}
	return m
}

// randomOrthogonal returns a d×d orthogonal matrix, the Q factor of a
// Gaussian matrix.
func randomOrthogonal(d int, rnd *rand.Rand) *mat.Dense {
	var qr mat.QR
	qr.Factorize(randomDense(d, d, rnd))
	var q mat.Dense
	qr.QTo(&q)
	return &q
}

// covarianceWithEigen returns the covariance QΛQᵀ, built from the data
// X = √d·Λ^{1/2}Qᵀ with d rows, so that XᵀX/d = QΛQᵀ.
func covarianceWithEigen(q *mat.Dense, lambdas []float64) *FullCovariance {
	d := len(lambdas)
	x := mat.NewDense(d, d, nil)
	x.CloneFrom(q.T())
	for i, l := range lambdas {
		row := x.RawRowView(i)
		for j := range row {
			row[j] *= math.Sqrt(float64(d) * l)
		}
	}
	return NewFullCovariance(x)
}

// orthonormalBasis returns an orthonormal basis of range(w), the U factor
// of its thin SVD.
func orthonormalBasis(t *testing.T, w *mat.Dense) *mat.Dense {
	t.Helper()
	var svd mat.SVD
	if !svd.Factorize(w, mat.SVDThin) {
		t.Fatal("SVD failed")
	}
	var u mat.Dense
	svd.UTo(&u)
	return &u
}

// subspaceDist returns ‖sin Θ‖_F between range(w) and range(u), where u
// has orthonormal columns of the same number as w. It computes
// ‖(I − UUᵀ)B‖_F for an orthonormal basis B of range(w), which equals
// ‖P_W − P_U‖_F/√2 without the cancellation of 2k − 2‖UᵀB‖²_F.
func subspaceDist(t *testing.T, w, u *mat.Dense) float64 {
	t.Helper()
	b := orthonormalBasis(t, w)
	var utb, r mat.Dense
	utb.Mul(u.T(), b)
	r.Mul(u, &utb)
	r.Sub(b, &r)
	return mat.Norm(&r, 2)
}

// topColumns returns the first k columns of q.
func topColumns(q *mat.Dense, k int) *mat.Dense {
	d, _ := q.Dims()
	return mat.DenseCopyOf(q.Slice(0, d, 0, k))
}

// pcaObjective returns tr(WᵀΣW).
func pcaObjective(cov Covariance, w *mat.Dense) float64 {
	d, k := w.Dims()
	sw := mat.NewDense(d, k, nil)
	cov.MulTo(sw, w)
	return frobDot(w, sw)
}

// stiefelViolation returns ‖WᵀW − I‖_F.
func stiefelViolation(w *mat.Dense) float64 {
	_, k := w.Dims()
	var g mat.Dense
	g.Mul(w.T(), w)
	for i := 0; i < k; i++ {
		g.Set(i, i, g.At(i, i)-1)
	}
	return mat.Norm(&g, 2)
}
