package constraints

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestMaximizeTraceOverSets runs projected gradient ascent on tr(WᵀΣW) over
// each set and checks the maximum value and maximizer that the type
// documentation states. A change of a set's projection, or a wrong line in
// its documentation, shows up here.
func TestMaximizeTraceOverSets(t *testing.T) {
	// Σ = diag(λ) has eigenvectors e₁, …, e₅. With λ₂ > λ₃ the top-2
	// eigenspace is span(e₁, e₂).
	lambda := []float64{4, 3, 2, 1, 0.5}
	sigma := mat.NewDiagDense(len(lambda), lambda)
	const (
		d, k   = 5, 2
		radius = 2.0
		// Gradient ascent W ← P(W + η·2ΣW) with η = 1/2 multiplies the
		// coordinates by 1 + λᵢ before the projection. The slowest ratio
		// that must die out is (1 + λ₃)/(1 + λ₂) = 3/4 for the Stiefel set
		// and (1 + λ₂)/(1 + λ₁) = 4/5 for the sets that collapse onto e₁,
		// so 400 steps shrink the unwanted coordinates by (4/5)⁴⁰⁰ < 1e-38.
		eta   = 0.5
		steps = 400
		// valueTol is relative to the maximum. The iteration has converged
		// far below it, so it only absorbs rounding.
		valueTol = 1e-12
	)
	topK := lambda[0] + lambda[1]

	tests := []struct {
		set  Set
		want float64 // the documented maximum of tr(WᵀΣW)
		// rank is the documented rank of the maximizer.
		rank int
	}{
		{Stiefel{}, topK, k},
		{SpectralBall{Radius: radius}, radius * radius * topK, k},
		{FrobeniusBall{Radius: radius}, radius * radius * lambda[0], 1},
		{UnitColumns{}, k * lambda[0], 1},
	}
	for _, tt := range tests {
		t.Run(tt.set.String(), func(t *testing.T) {
			w := gaussian(newRand(9), d, k)
			w.Scale(0.1, w)
			var grad mat.Dense
			for i := 0; i < steps; i++ {
				grad.Mul(sigma, w)
				grad.Scale(2*eta, &grad)
				w.Add(w, &grad)
				tt.set.Project(w, w)
			}

			var sw, value mat.Dense
			sw.Mul(sigma, w)
			value.Mul(w.T(), &sw)
			if got := mat.Trace(&value); math.Abs(got-tt.want) > valueTol*tt.want {
				t.Errorf("max tr(WᵀΣW) = %.17g, want %.17g", got, tt.want)
			}

			// Every maximizer lies in span(e₁, …, e_rank): the rows of W
			// beyond the documented rank vanish.
			tail := w.Slice(tt.rank, d, 0, k)
			if got := mat.Norm(tail, 2); got > roundTol {
				t.Errorf("W has mass %g outside span(e₁, …, e_%d), want 0:\n%v", got, tt.rank, mat.Formatted(w))
			}
			s := singularValues(t, w)
			if tt.rank < k && s[tt.rank] > roundTol {
				t.Errorf("singular values %v, want rank %d", s, tt.rank)
			}
		})
	}
}
