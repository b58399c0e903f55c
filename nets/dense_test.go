package nets

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/mat"
)

func TestDenseGradients(t *testing.T) {
	for _, tc := range []struct {
		name    string
		n, in   int
		out     int
		hasBias bool
	}{
		{name: "bias", n: 5, in: 4, out: 3, hasBias: true},
		{name: "no bias", n: 5, in: 4, out: 3},
		{name: "one sample", n: 1, in: 3, out: 2, hasBias: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			d := NewDense(tc.in, tc.out, tc.hasBias, rng)
			if tc.hasBias {
				// A nonzero bias, so that a wrong bias term shows in dX and dW.
				d.B.Copy(randDense(1, tc.out, rng))
			}
			checkLayerGradients(t, d, randDense(tc.n, tc.in, rng), rng)
		})
	}
}

func TestDenseForwardKnown(t *testing.T) {
	d := NewDense(2, 3, true, rand.New(rand.NewPCG(1, 2)))
	d.W.Copy(mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6}))
	d.B.Copy(mat.NewDense(1, 3, []float64{10, 20, 30}))
	x := mat.NewDense(2, 2, []float64{1, 0, 1, -1})

	// Row 1: [1 2 3] + b; row 2: [1 2 3] − [4 5 6] + b.
	want := [][]float64{{11, 22, 33}, {7, 17, 27}}
	if diff := cmp.Diff(want, rows(d.Forward(x))); diff != "" {
		t.Errorf("Forward mismatch (-want +got):\n%s", diff)
	}

	dy := mat.NewDense(2, 3, []float64{1, 0, 0, 0, 1, 1})
	wantDX := [][]float64{{1, 4}, {5, 11}}
	if diff := cmp.Diff(wantDX, rows(d.Backward(dy))); diff != "" {
		t.Errorf("Backward dX mismatch (-want +got):\n%s", diff)
	}
	wantDW := [][]float64{{1, 1, 1}, {0, -1, -1}}
	if diff := cmp.Diff(wantDW, rows(d.Params()[0].Grad)); diff != "" {
		t.Errorf("dW mismatch (-want +got):\n%s", diff)
	}
	wantDB := [][]float64{{1, 1, 1}}
	if diff := cmp.Diff(wantDB, rows(d.Params()[1].Grad)); diff != "" {
		t.Errorf("db mismatch (-want +got):\n%s", diff)
	}
}

func TestDenseWeightOverwrite(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	d := NewDense(3, 2, false, rng)
	x := randDense(4, 3, rng)
	d.Forward(x)

	// The ADMM loop copies its own W into the layer between steps.
	other := randDense(3, 2, rng)
	d.W.Copy(other)
	var want mat.Dense
	want.Mul(x, other)
	if diff := cmp.Diff(rows(&want), rows(d.Forward(x))); diff != "" {
		t.Errorf("Forward after W.Copy mismatch (-want +got):\n%s", diff)
	}

	// Assigning a new matrix works too, and Params reports it.
	replaced := randDense(3, 2, rng)
	d.W = replaced
	want.Mul(x, replaced)
	if diff := cmp.Diff(rows(&want), rows(d.Forward(x))); diff != "" {
		t.Errorf("Forward after assigning W mismatch (-want +got):\n%s", diff)
	}
	if d.Params()[0].Value != replaced {
		t.Error("Params()[0].Value is not the assigned W")
	}
}

func TestDenseBatchSizeChanges(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	d := NewDense(3, 2, true, rng)
	d.B.Copy(randDense(1, 2, rng))

	// A full batch, the smaller last batch of an epoch, then a full batch.
	for _, n := range []int{4, 2, 4, 1} {
		x := randDense(n, 3, rng)
		var want mat.Dense
		want.Mul(x, d.W)
		for i := 0; i < n; i++ {
			for j := 0; j < 2; j++ {
				want.Set(i, j, want.At(i, j)+d.B.At(0, j))
			}
		}
		if diff := cmp.Diff(rows(&want), rows(d.Forward(x))); diff != "" {
			t.Errorf("n = %d: Forward mismatch (-want +got):\n%s", n, diff)
		}

		dy := randDense(n, 2, rng)
		var wantDX mat.Dense
		wantDX.Mul(dy, d.W.T())
		if diff := cmp.Diff(rows(&wantDX), rows(d.Backward(dy))); diff != "" {
			t.Errorf("n = %d: Backward mismatch (-want +got):\n%s", n, diff)
		}
	}
}

func TestDenseGlorotInit(t *testing.T) {
	const in, out = 784, 32
	d := NewDense(in, out, true, rand.New(rand.NewPCG(7, 8)))
	limit := math.Sqrt(6.0 / (in + out))

	var sumSq float64
	for _, w := range flatten(d.W) {
		if math.Abs(w) > limit {
			t.Fatalf("weight %v outside [−%v, %v]", w, limit, limit)
		}
		sumSq += w * w
	}

	// U(−a, a) has variance a²/3. The sample mean of 25088 squares has a
	// relative standard error of about 0.6%, so 3% is five of them.
	const varianceTol = 0.03
	got := sumSq / (in * out)
	if want := limit * limit / 3; math.Abs(got-want) > varianceTol*want {
		t.Errorf("mean squared weight = %v, want %v within %v", got, want, varianceTol)
	}
	if mat.Sum(d.B) != 0 || mat.Norm(d.B, 1) != 0 {
		t.Error("bias is not zero at initialization")
	}

	again := NewDense(in, out, true, rand.New(rand.NewPCG(7, 8)))
	if !mat.Equal(d.W, again.W) {
		t.Error("same seed gave different weights")
	}
}

func TestDenseParams(t *testing.T) {
	d := NewDense(3, 2, true, rand.New(rand.NewPCG(1, 1)))
	ps := d.Params()
	if len(ps) != 2 || ps[0].Name != "W" || ps[1].Name != "b" {
		t.Fatalf("Params names = %v, want [W b]", paramNames(ps))
	}
	if ps[0].Value != d.W || ps[1].Value != d.B {
		t.Error("Params values are not d.W and d.B")
	}
	if got := NewDense(3, 2, false, rand.New(rand.NewPCG(1, 1))).Params(); len(got) != 1 {
		t.Errorf("layer without bias has %d params, want 1", len(got))
	}
}

func TestDensePanics(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	d := NewDense(3, 2, true, rng)
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"zero size", func() { NewDense(0, 2, true, rng) }},
		{"nil rng", func() { NewDense(3, 2, true, nil) }},
		{"backward before forward", func() { NewDense(3, 2, true, rng).Backward(randDense(1, 2, rng)) }},
		{"input width", func() { d.Forward(randDense(4, 2, rng)) }},
		{"gradient rows", func() { d.Forward(randDense(4, 3, rng)); d.Backward(randDense(3, 2, rng)) }},
	} {
		t.Run(tc.name, func(t *testing.T) { mustPanic(t, tc.f) })
	}
}

func TestSequentialGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	s := Sequential{NewDense(4, 3, true, rng), NewDense(3, 2, false, rng)}
	s[0].(*Dense).B.Copy(randDense(1, 3, rng))
	checkLayerGradients(t, s, randDense(5, 4, rng), rng)

	want := []string{"0.W", "0.b", "1.W"}
	if diff := cmp.Diff(want, paramNames(s.Params())); diff != "" {
		t.Errorf("Params names mismatch (-want +got):\n%s", diff)
	}
}

func rows(m *mat.Dense) [][]float64 {
	r, _ := m.Dims()
	out := make([][]float64, r)
	for i := range out {
		out[i] = append([]float64(nil), m.RawRowView(i)...)
	}
	return out
}

func paramNames(ps []Param) []string {
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	return names
}

func mustPanic(t *testing.T, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	f()
}
