package constraints

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestStiefelProjectAllOnes(t *testing.T) {
	// W = 1₃1₂ᵀ = √6·(1₃/√3)(1₂/√2)ᵀ has rank one, singular values √6 and
	// 0. Any polar factor UVᵀ of W = USVᵀ satisfies
	// ‖W − UVᵀ‖²_F = ‖U(S − I)Vᵀ‖²_F = ‖S − I‖²_F = (√6 − 1)² + (0 − 1)²,
	// which is 8 − 2√6 whichever unit vector completes U.
	w := mat.NewDense(3, 2, []float64{1, 1, 1, 1, 1, 1})
	want := 8 - 2*math.Sqrt(6)

	var p mat.Dense
	Stiefel{}.Project(&p, w)

	if hasNaN(&p) {
		t.Fatalf("projection contains NaN:\n%v", mat.Formatted(&p))
	}
	if e := gramError(&p); e > roundTol {
		t.Errorf("‖WᵀW − I‖_F = %g, want ≤ %g", e, roundTol)
	}
	if got := math.Pow(distance(w, &p), 2); math.Abs(got-want) > roundTol {
		t.Errorf("squared distance = %.17g, want 8 − 2√6 = %.17g", got, want)
	}
}

// TestStiefelProjectBruteForce compares the projection of a single column
// (k = 1, the unit sphere) with the nearest point of a fine grid.
func TestStiefelProjectBruteForce(t *testing.T) {
	rnd := newRand(1)
	tests := []struct {
		name string
		w    *mat.Dense
	}{
		{"2x1 random", gaussian(rnd, 2, 1)},
		{"2x1 tiny", mat.NewDense(2, 1, []float64{3e-9, -4e-9})},
		{"3x1 random", gaussian(rnd, 3, 1)},
		{"3x1 near pole", mat.NewDense(3, 1, []float64{1e-3, -2e-3, 5})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p mat.Dense
			Stiefel{}.Project(&p, tt.w)

			best, spacing := nearestGridPoint(tt.w)

			// The grid point nearest to w is at most one spacing h from the
			// true nearest point p. Near p the distance to w grows as
			// ‖w‖·‖q − p‖², so a point within h of p beats every point
			// farther than h. 2h leaves room for the uneven spacing near the
			// poles.
			if got := distance(&p, best); got > 2*spacing {
				t.Errorf("projection %v is %g from the best grid point %v, want ≤ %g",
					mat.Formatted(p.T()), got, mat.Formatted(best.T()), 2*spacing)
			}
			if dp, db := distance(tt.w, &p), distance(tt.w, best); dp > db+roundTol {
				t.Errorf("projection is %.17g from w, the best grid point %.17g", dp, db)
			}
		})
	}
}

// nearestGridPoint returns the point of a grid on the unit circle (d = 2)
// or sphere (d = 3) nearest to w, and the grid's angular spacing.
func nearestGridPoint(w *mat.Dense) (*mat.Dense, float64) {
	d, _ := w.Dims()
	best := mat.NewDense(d, 1, nil)
	bestDist := math.Inf(1)
	consider := func(q []float64) {
		var dist float64
		for i, qi := range q {
			e := w.At(i, 0) - qi
			dist += e * e
		}
		if dist < bestDist {
			bestDist = dist
			best.SetCol(0, q)
		}
	}

	switch d {
	case 2:
		const n = 200000
		for i := 0; i < n; i++ {
			a := 2 * math.Pi * float64(i) / n
			consider([]float64{math.Cos(a), math.Sin(a)})
		}
		return best, 2 * math.Pi / n
	case 3:
		// θ from the pole in [0, π], φ around it in [0, 2π).
		const n = 600
		q := make([]float64, 3)
		for i := 0; i <= n; i++ {
			theta := math.Pi * float64(i) / n
			for j := 0; j < 2*n; j++ {
				phi := math.Pi * float64(j) / n
				q[0] = math.Sin(theta) * math.Cos(phi)
				q[1] = math.Sin(theta) * math.Sin(phi)
				q[2] = math.Cos(theta)
				consider(q)
			}
		}
		return best, math.Pi / n
	}
	panic("nearestGridPoint: d must be 2 or 3")
}

func TestStiefelViolation(t *testing.T) {
	tests := []struct {
		name string
		w    *mat.Dense
		want float64
	}{
		{"identity", mat.NewDense(3, 2, []float64{1, 0, 0, 1, 0, 0}), 0},
		// WᵀW = diag(4, 1), so WᵀW − I = diag(3, 0).
		{"scaled column", mat.NewDense(3, 2, []float64{2, 0, 0, 1, 0, 0}), 3},
		// WᵀW = [[1, 1], [1, 1]], so WᵀW − I has two off-diagonal ones.
		{"repeated column", mat.NewDense(2, 2, []float64{1, 1, 0, 0}), math.Sqrt2},
		{"NaN", mat.NewDense(2, 1, []float64{math.NaN(), 1}), math.NaN()},
		{"Inf", mat.NewDense(2, 1, []float64{math.Inf(-1), 1}), math.Inf(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Stiefel{}.Violation(tt.w)
			if !sameFloat(got, tt.want, roundTol) {
				t.Errorf("Violation = %g, want %g", got, tt.want)
			}
		})
	}
}

func TestStiefelProjectWideMatrixPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Project of a 2×3 matrix did not panic")
		}
	}()
	var p mat.Dense
	Stiefel{}.Project(&p, mat.NewDense(2, 3, nil))
}

// sameFloat reports whether got and want are both NaN, equal infinities, or
// within tol of each other.
func sameFloat(got, want, tol float64) bool {
	switch {
	case math.IsNaN(want):
		return math.IsNaN(got)
	case math.IsInf(want, 0):
		return got == want
	}
	return math.Abs(got-want) <= tol
}
