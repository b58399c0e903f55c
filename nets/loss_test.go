package nets

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gonum.org/v1/gonum/mat"
)

// lossTol is the relative tolerance for losses and gradients that have a
// closed form: each is a few floating-point operations from its exact
// value, so a few ulps (about 1e-15) would do, and 1e-12 leaves room.
// Margin 0 makes the comparison relative even for entries near 1e-65.
const lossTol = 1e-12

func TestSoftmaxCrossEntropyGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const n, c = 4, 5
	logits := randDense(n, c, rng)
	logits.Scale(3, logits)
	labels := []int{0, 4, 2, 2}

	grad := mat.NewDense(n, c, nil)
	SoftmaxCrossEntropy(logits, labels, grad)
	want := centralGradient(func(z []float64) float64 {
		return SoftmaxCrossEntropy(mat.NewDense(n, c, z), labels, nil)
	}, flatten(logits))
	compareGradient(t, "dZ", want, flatten(grad))
}

func TestSoftmaxCrossEntropyKnown(t *testing.T) {
	for _, tc := range []struct {
		name     string
		logits   [][]float64
		labels   []int
		wantLoss float64
		wantGrad [][]float64
	}{
		{
			name:     "uniform",
			logits:   [][]float64{{0, 0, 0}},
			labels:   []int{1},
			wantLoss: math.Ln2 * math.Log2(3),
			wantGrad: [][]float64{{1.0 / 3, -2.0 / 3, 1.0 / 3}},
		},
		{
			// exp(1e8) overflows, so only the max-shift gives ln 2.
			name:     "huge equal logits",
			logits:   [][]float64{{1e8, 1e8}},
			labels:   []int{1},
			wantLoss: math.Ln2,
			wantGrad: [][]float64{{0.5, -0.5}},
		},
		{
			// softmax underflows to 0 for the label, so the loss must come
			// from logsumexp(z) − z_y = 427 − (−431), never from a log of 0.
			name:     "spread logits",
			logits:   [][]float64{{-431, 279, 427}},
			labels:   []int{0},
			wantLoss: 858,
			wantGrad: [][]float64{{-1, math.Exp(279 - 427), 1}},
		},
		{
			name:     "mean over rows",
			logits:   [][]float64{{0, 0}, {1e8, 1e8}},
			labels:   []int{0, 1},
			wantLoss: math.Ln2,
			wantGrad: [][]float64{{-0.25, 0.25}, {0.25, -0.25}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logits := fromRows(tc.logits)
			r, c := logits.Dims()
			grad := mat.NewDense(r, c, nil)
			loss := SoftmaxCrossEntropy(logits, tc.labels, grad)

			approx := cmpopts.EquateApprox(lossTol, 0)
			if diff := cmp.Diff(tc.wantLoss, loss, approx); diff != "" {
				t.Errorf("loss mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantGrad, rows(grad), approx); diff != "" {
				t.Errorf("gradient mismatch (-want +got):\n%s", diff)
			}
			for _, g := range flatten(grad) {
				if math.IsNaN(g) || math.IsInf(g, 0) {
					t.Errorf("gradient entry %v is not finite", g)
				}
			}
			if got := SoftmaxCrossEntropy(logits, tc.labels, nil); got != loss {
				t.Errorf("loss without gradient = %v, with gradient %v", got, loss)
			}
		})
	}
}

func TestSoftmaxCrossEntropyPanics(t *testing.T) {
	logits := mat.NewDense(2, 3, nil)
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"label too large", func() { SoftmaxCrossEntropy(logits, []int{0, 3}, nil) }},
		{"negative label", func() { SoftmaxCrossEntropy(logits, []int{-1, 0}, nil) }},
		{"label count", func() { SoftmaxCrossEntropy(logits, []int{0}, nil) }},
		{"gradient shape", func() { SoftmaxCrossEntropy(logits, []int{0, 1}, mat.NewDense(2, 2, nil)) }},
		{"empty logits", func() { SoftmaxCrossEntropy(&mat.Dense{}, nil, nil) }},
		{"accuracy label", func() { Accuracy(logits, []int{0, 5}) }},
	} {
		t.Run(tc.name, func(t *testing.T) { mustPanic(t, tc.f) })
	}
}

func TestAccuracy(t *testing.T) {
	for _, tc := range []struct {
		name   string
		logits [][]float64
		labels []int
		want   float64
	}{
		{"all correct", [][]float64{{1, 0}, {0, 1}}, []int{0, 1}, 1},
		{"half correct", [][]float64{{1, 0}, {0, 1}}, []int{0, 0}, 0.5},
		{"tie to lowest index", [][]float64{{2, 5, 5}, {7, 7, 7}}, []int{1, 0}, 1},
		{"tie misses higher label", [][]float64{{2, 5, 5}}, []int{2}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Accuracy(fromRows(tc.logits), tc.labels); got != tc.want {
				t.Errorf("Accuracy = %v, want %v", got, tc.want)
			}
		})
	}
}

func fromRows(rs [][]float64) *mat.Dense {
	m := mat.NewDense(len(rs), len(rs[0]), nil)
	for i, r := range rs {
		m.SetRow(i, r)
	}
	return m
}
