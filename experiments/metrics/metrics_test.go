package metrics

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// tol bounds round-off in sums and products of a handful of O(1) numbers:
// a few hundred ulps of 1.
const tol = 1e-13

// diagReference returns the reference of Σ = diag(values) for k, with the
// eigenvalues sorted in descending order as NewReference requires.
func diagReference(t *testing.T, values []float64, k int) *Reference {
	t.Helper()
	d := len(values)
	sigma := mat.NewSymDense(d, nil)
	for i, v := range values {
		sigma.SetSym(i, i, v)
	}
	var eig mat.EigenSym
	if !eig.Factorize(sigma, true) {
		t.Fatal("eigendecomposition failed")
	}
	asc := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	desc := make([]float64, d)
	sorted := mat.NewDense(d, d, nil)
	for j := 0; j < d; j++ {
		desc[j] = asc[d-1-j]
		for i := 0; i < d; i++ {
			sorted.Set(i, j, vecs.At(i, d-1-j))
		}
	}
	return NewReference(sigma, desc, sorted, k)
}

func columns(d int, cols ...[]float64) *mat.Dense {
	w := mat.NewDense(d, len(cols), nil)
	for j, c := range cols {
		w.SetCol(j, c)
	}
	return w
}

func TestMeasuresOnDiagonalCovariance(t *testing.T) {
	e1, e2, e3 := []float64{1, 0, 0}, []float64{0, 1, 0}, []float64{0, 0, 1}
	tests := []struct {
		name                string
		w                   *mat.Dense
		objective, evr, dst float64
	}{
		{"top subspace", columns(3, e1, e2), 8, 1, 0},
		// The second column of the top subspace is replaced by e₃: one
		// principal angle of 90°, so ‖sin Θ‖_F = 1.
		{"one direction swapped", columns(3, e1, e3), 6, 6.0 / 8, 1},
		// Scaling W changes the objective but not its range.
		{"scaled top subspace", columns(3, []float64{2, 0, 0}, []float64{0, 2, 0}), 32, 1, 0},
		// Rank 1: range(W) = span{e₁}, so evr = 5/8 and the distance is
		// √((1 + 2 − 2·1)/2).
		{"rank deficient", columns(3, e1, e1), 10, 5.0 / 8, math.Sqrt(0.5)},
		// A zero W has no range: evr 0 and the distance √(k/2).
		{"zero matrix", mat.NewDense(3, 2, nil), 0, 0, 1},
	}
	ref := diagReference(t, []float64{5, 3, 1}, 2)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ref.Objective(tc.w); math.Abs(got-tc.objective) > tol*32 {
				t.Errorf("Objective = %v, want %v", got, tc.objective)
			}
			if got := ref.EVR(tc.w); math.Abs(got-tc.evr) > tol {
				t.Errorf("EVR = %v, want %v", got, tc.evr)
			}
			if got := ref.SubspaceDist(tc.w); math.Abs(got-tc.dst) > tol {
				t.Errorf("SubspaceDist = %v, want %v", got, tc.dst)
			}
		})
	}
}

func TestEVRZeroVarianceIsFinite(t *testing.T) {
	ref := diagReference(t, []float64{0, 0, 0}, 2)
	w := columns(3, []float64{1, 0, 0}, []float64{0, 1, 0})
	if got := ref.EVR(w); got != 1 {
		t.Errorf("EVR with zero variance = %v, want 1", got)
	}
	if got := ref.SubspaceDist(w); math.IsNaN(got) {
		t.Errorf("SubspaceDist with zero variance is NaN")
	}
}

func TestSubspaceDistMatchesPrincipalAngles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const d, k = 7, 3
	values := []float64{9, 7, 5, 3, 2, 1, 0.5}
	ref := diagReference(t, values, k)
	for trial := 0; trial < 20; trial++ {
		w := mat.NewDense(d, k, nil)
		for i := 0; i < d; i++ {
			for j := 0; j < k; j++ {
				w.Set(i, j, rng.NormFloat64())
			}
		}
		// cos θᵢ are the singular values of Q_kᵀQ_W, so
		// ‖sin Θ‖²_F = Σ (1 − cos² θᵢ).
		var qr mat.QR
		qr.Factorize(w)
		var q mat.Dense
		qr.QTo(&q)
		qw := q.Slice(0, d, 0, k)
		var c mat.Dense
		c.Mul(ref.TopK().T(), qw)
		var svd mat.SVD
		if !svd.Factorize(&c, mat.SVDNone) {
			t.Fatal("SVD failed")
		}
		var want float64
		for _, cos := range svd.Values(nil) {
			want += 1 - cos*cos
		}
		want = math.Sqrt(want)
		// Random subspaces are far apart, so the distance is O(1) and both
		// formulas agree to a few hundred ulps.
		if got := ref.SubspaceDist(w); math.Abs(got-want) > 1e-12 {
			t.Errorf("trial %d: SubspaceDist = %v, want %v from principal angles", trial, got, want)
		}
	}
}

func TestSubspaceDistResolvesTinyAngles(t *testing.T) {
	ref := diagReference(t, []float64{5, 3, 1}, 1)
	// W = (cos θ, sin θ, 0) is at principal angle θ from e₁, so the
	// distance is sin θ even where θ² is below the float64 resolution of 1.
	for _, theta := range []float64{1e-3, 1e-9, 1e-15} {
		w := columns(3, []float64{math.Cos(theta), math.Sin(theta), 0})
		got := ref.SubspaceDist(w)
		if math.Abs(got-math.Sin(theta)) > 1e-3*math.Sin(theta) {
			t.Errorf("θ = %g: SubspaceDist = %g, want %g", theta, got, math.Sin(theta))
		}
	}
}
