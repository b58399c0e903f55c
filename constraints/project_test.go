package constraints

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// setCase is a set with a way to draw its points without calling its
// Project method.
type setCase struct {
	set Set
	// sample returns a random point of the set.
	sample func(rnd *rand.Rand, d, k int) *mat.Dense
	// near returns a point of the set close to the point p.
	near func(rnd *rand.Rand, p *mat.Dense) *mat.Dense
}

const testRadius = 1.5

func setCases() []setCase {
	return []setCase{
		{
			set:    Stiefel{},
			sample: orthonormal,
			near: func(rnd *rand.Rand, p *mat.Dense) *mat.Dense {
				return thinQ(perturb(rnd, p))
			},
		},
		{
			set: SpectralBall{Radius: testRadius},
			sample: func(rnd *rand.Rand, d, k int) *mat.Dense {
				// U·diag(s)·Vᵀ with orthonormal U, V and sᵢ ∈ [0, c].
				r := min(d, k)
				u, v := orthonormal(rnd, d, r), orthonormal(rnd, k, r)
				for j := 0; j < r; j++ {
					col := u.ColView(j).(*mat.VecDense)
					col.ScaleVec(testRadius*rnd.Float64(), col)
				}
				var w mat.Dense
				w.Mul(u, v.T())
				return &w
			},
			near: func(rnd *rand.Rand, p *mat.Dense) *mat.Dense {
				// Scaling by c/σ_max is feasible but is not the projection.
				q := perturb(rnd, p)
				var svd mat.SVD
				svd.Factorize(q, mat.SVDNone)
				q.Scale(math.Min(1, testRadius/svd.Values(nil)[0]), q)
				return q
			},
		},
		{
			set: FrobeniusBall{Radius: testRadius},
			sample: func(rnd *rand.Rand, d, k int) *mat.Dense {
				w := gaussian(rnd, d, k)
				w.Scale(testRadius*rnd.Float64()/mat.Norm(w, 2), w)
				return w
			},
			near: func(rnd *rand.Rand, p *mat.Dense) *mat.Dense {
				q := perturb(rnd, p)
				q.Scale(math.Min(1, testRadius/mat.Norm(q, 2)), q)
				return q
			},
		},
		{
			set:    UnitColumns{},
			sample: func(rnd *rand.Rand, d, k int) *mat.Dense { return normalizeColumns(gaussian(rnd, d, k)) },
			near: func(rnd *rand.Rand, p *mat.Dense) *mat.Dense {
				return normalizeColumns(perturb(rnd, p))
			},
		},
	}
}

// perturbScale is the size of the perturbations of a projection: large
// enough that distances change by about 1e-6, far above rounding, and
// small enough to probe the neighbourhood where a wrong projection would
// show first.
const perturbScale = 1e-3

func perturb(rnd *rand.Rand, p *mat.Dense) *mat.Dense {
	d, k := p.Dims()
	q := gaussian(rnd, d, k)
	q.Scale(perturbScale, q)
	q.Add(q, p)
	return q
}

func normalizeColumns(w *mat.Dense) *mat.Dense {
	_, k := w.Dims()
	for j := 0; j < k; j++ {
		col := w.ColView(j).(*mat.VecDense)
		col.ScaleVec(1/mat.Norm(col, 2), col)
	}
	return w
}

// outside returns a Gaussian d×k matrix scaled up so that it lies outside
// both balls of radius testRadius.
func outside(rnd *rand.Rand, d, k int) *mat.Dense {
	w := gaussian(rnd, d, k)
	w.Scale(3, w)
	return w
}

func TestProjectIsNearestPoint(t *testing.T) {
	const (
		d, k       = 5, 3
		candidates = 2000
	)
	for _, tc := range setCases() {
		t.Run(tc.set.String(), func(t *testing.T) {
			rnd := newRand(2)
			for trial := 0; trial < 5; trial++ {
				w := outside(rnd, d, k)
				var p mat.Dense
				tc.set.Project(&p, w)
				dist := distance(w, &p)

				for i := 0; i < candidates; i++ {
					q := tc.sample(rnd, d, k)
					if i%2 == 1 {
						q = tc.near(rnd, &p)
					}
					if !tc.set.Contains(q, roundTol) {
						t.Fatalf("candidate has violation %g, want a point of the set", tc.set.Violation(q))
					}
					if dq := distance(w, q); dq < dist-roundTol {
						t.Fatalf("trial %d: candidate %d is %.17g from w, closer than the projection at %.17g",
							trial, i, dq, dist)
					}
				}
			}
		})
	}
}

func TestProjectIdempotent(t *testing.T) {
	rnd := newRand(3)
	for _, tc := range setCases() {
		t.Run(tc.set.String(), func(t *testing.T) {
			w := outside(rnd, 6, 4)
			var p, pp mat.Dense
			tc.set.Project(&p, w)
			tc.set.Project(&pp, &p)
			if dist := distance(&p, &pp); dist > roundTol {
				t.Errorf("‖P(P(w)) − P(w)‖_F = %g, want ≤ %g", dist, roundTol)
			}
		})
	}
}

func TestViolationZeroOnProjection(t *testing.T) {
	rnd := newRand(4)
	for _, tc := range setCases() {
		t.Run(tc.set.String(), func(t *testing.T) {
			w := outside(rnd, 6, 4)
			if v := tc.set.Violation(w); v <= roundTol {
				t.Fatalf("Violation of a point outside the set = %g, want > %g", v, roundTol)
			}
			var p mat.Dense
			tc.set.Project(&p, w)
			if v := tc.set.Violation(&p); v > roundTol {
				t.Errorf("Violation(P(w)) = %g, want ≤ %g", v, roundTol)
			}
			if !tc.set.Contains(&p, roundTol) {
				t.Errorf("Contains(P(w), %g) = false, want true", roundTol)
			}
		})
	}
}

func TestProjectInPlace(t *testing.T) {
	rnd := newRand(5)
	for _, tc := range setCases() {
		t.Run(tc.set.String(), func(t *testing.T) {
			w := outside(rnd, 6, 4)
			var want mat.Dense
			tc.set.Project(&want, w)
			tc.set.Project(w, w)
			if !mat.Equal(&want, w) {
				t.Errorf("Project(w, w) =\n%v\nwant\n%v", mat.Formatted(w), mat.Formatted(&want))
			}
		})
	}
}

func TestProjectNonFinite(t *testing.T) {
	inputs := []struct {
		name string
		w    *mat.Dense
		want float64 // the violation
	}{
		{"NaN", mat.NewDense(3, 2, []float64{1, 2, 3, math.NaN(), 5, 6}), math.NaN()},
		{"Inf", mat.NewDense(3, 2, []float64{1, 2, 3, math.Inf(1), 5, 6}), math.Inf(1)},
		{"Inf and NaN", mat.NewDense(3, 2, []float64{math.Inf(-1), 2, 3, math.NaN(), 5, 6}), math.NaN()},
	}
	for _, tc := range setCases() {
		for _, in := range inputs {
			t.Run(tc.set.String()+"/"+in.name, func(t *testing.T) {
				var p mat.Dense
				tc.set.Project(&p, in.w)
				r, c := p.Dims()
				for i := 0; i < r; i++ {
					for j := 0; j < c; j++ {
						if !math.IsNaN(p.At(i, j)) {
							t.Fatalf("projection element (%d, %d) = %g, want NaN", i, j, p.At(i, j))
						}
					}
				}
				if got := tc.set.Violation(in.w); !sameFloat(got, in.want, 0) {
					t.Errorf("Violation = %g, want %g", got, in.want)
				}
				// NaN compares false with every tolerance, +Inf ≤ +Inf holds.
				got, want := tc.set.Contains(in.w, math.Inf(1)), !math.IsNaN(in.want)
				if got != want {
					t.Errorf("Contains(w, +Inf) = %t, want %t", got, want)
				}
			})
		}
	}
}

func TestProjectPanics(t *testing.T) {
	tests := []struct {
		name    string
		set     Set
		dst, w  *mat.Dense
		panicky bool
	}{
		{"nil w", UnitColumns{}, &mat.Dense{}, nil, true},
		{"nil dst", UnitColumns{}, nil, mat.NewDense(2, 2, nil), true},
		{"empty w", FrobeniusBall{Radius: 1}, &mat.Dense{}, &mat.Dense{}, true},
		{"dst shape", Stiefel{}, mat.NewDense(2, 3, nil), mat.NewDense(3, 2, nil), true},
		{"negative radius", SpectralBall{Radius: -1}, &mat.Dense{}, mat.NewDense(3, 2, nil), true},
		{"NaN radius", FrobeniusBall{Radius: math.NaN()}, &mat.Dense{}, mat.NewDense(3, 2, nil), true},
		// A zero radius is the closed set {0}, not a programmer error.
		{"zero radius", SpectralBall{}, &mat.Dense{}, mat.NewDense(3, 2, nil), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if r := recover(); (r != nil) != tt.panicky {
					t.Errorf("panic = %v, want a panic: %t", r, tt.panicky)
				}
			}()
			tt.set.Project(tt.dst, tt.w)
		})
	}
}
