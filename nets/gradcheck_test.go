package nets

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

// gradTol bounds |analytic − numeric| / max(1, |numeric|) in gradient
// checks. Central differences with fd's default step h = 6e-6 have a
// truncation error of about h²/6 times the third derivative (1e-11 here)
// and a round-off error of about ε·|f|/h ≈ 4e-11·|f| for the O(1) losses
// used here, so 1e-6 leaves a wide margin while still failing on any wrong
// term.
const gradTol = 1e-6

// randDense returns an r×c matrix with entries uniform in [−1, 1).
func randDense(r, c int, rng *rand.Rand) *mat.Dense {
	data := make([]float64, r*c)
	for i := range data {
		data[i] = 2*rng.Float64() - 1
	}
	return mat.NewDense(r, c, data)
}

// centralGradient returns the central-difference gradient of f at x.
func centralGradient(f func([]float64) float64, x []float64) []float64 {
	return fd.Gradient(nil, f, x, &fd.Settings{Formula: fd.Central})
}

// compareGradient reports every entry where got differs from the numeric
// gradient want by more than gradTol relative to max(1, |want|).
func compareGradient(t *testing.T, what string, want, got []float64) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%s: gradient has %d entries, want %d", what, len(got), len(want))
	}
	for i := range want {
		if diff := math.Abs(got[i] - want[i]); !(diff <= gradTol*math.Max(1, math.Abs(want[i]))) {
			t.Errorf("%s[%d] = %.10g, central difference gives %.10g", what, i, got[i], want[i])
		}
	}
}

// flatten returns the entries of m in row-major order.
func flatten(m *mat.Dense) []float64 {
	r, c := m.Dims()
	out := make([]float64, 0, r*c)
	for i := 0; i < r; i++ {
		out = append(out, m.RawRowView(i)...)
	}
	return out
}

// setFlat writes the row-major values into m.
func setFlat(m *mat.Dense, values []float64) {
	r, c := m.Dims()
	for i := 0; i < r; i++ {
		copy(m.RawRowView(i), values[i*c:(i+1)*c])
	}
}

// checkLayerGradients checks Backward of l at input x against central
// differences of the scalar L = Σᵢⱼ Yᵢⱼ Rᵢⱼ, with R a fixed random matrix,
// so that ∂L/∂Y = R. It checks the gradient of every parameter and of x.
func checkLayerGradients(t *testing.T, l Layer, x *mat.Dense, rng *rand.Rand) {
	t.Helper()
	n, _ := l.Forward(x).Dims()
	_, out := l.Forward(x).Dims()
	weights := randDense(n, out, rng)
	loss := func() float64 { return mat.Sum(elementProduct(l.Forward(x), weights)) }

	l.Forward(x)
	dx := flatten(l.Backward(weights))
	var grads [][]float64
	for _, p := range l.Params() {
		grads = append(grads, flatten(p.Grad))
	}

	for k, p := range l.Params() {
		orig := flatten(p.Value)
		want := centralGradient(func(v []float64) float64 {
			setFlat(p.Value, v)
			return loss()
		}, orig)
		setFlat(p.Value, orig)
		compareGradient(t, "d"+p.Name, want, grads[k])
	}

	origX := flatten(x)
	want := centralGradient(func(v []float64) float64 {
		setFlat(x, v)
		return loss()
	}, origX)
	setFlat(x, origX)
	compareGradient(t, "dX", want, dx)
}

func elementProduct(a, b *mat.Dense) *mat.Dense {
	var p mat.Dense
	p.MulElem(a, b)
	return &p
}
