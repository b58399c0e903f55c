package nets

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/mat"
)

func TestLayerGradients(t *testing.T) {
	for _, tc := range []struct {
		name  string
		layer func(rng *rand.Rand) Layer
		in    int
	}{
		{"relu", func(*rand.Rand) Layer { return &ReLU{} }, 4},
		{"tanh", func(*rand.Rand) Layer { return &Tanh{} }, 4},
		{"identity", func(*rand.Rand) Layer { return Identity{} }, 4},
		{
			// The skip connection of the flagship model: [Wᵀx, x].
			name: "concat with identity",
			layer: func(rng *rand.Rand) Layer {
				return &Concat{A: NewDense(4, 2, false, rng), B: Identity{}}
			},
			in: 4,
		},
		{
			name: "concat of two layers",
			layer: func(rng *rand.Rand) Layer {
				return &Concat{A: NewDense(4, 2, true, rng), B: Sequential{NewDense(4, 3, true, rng), &Tanh{}}}
			},
			in: 4,
		},
		{
			name: "mlp relu",
			layer: func(rng *rand.Rand) Layer {
				s, err := NewMLP([]int{4, 5, 3, 2}, "relu", rng)
				if err != nil {
					panic(err)
				}
				return s
			},
			in: 4,
		},
		{
			name: "mlp tanh",
			layer: func(rng *rand.Rand) Layer {
				s, err := NewMLP([]int{4, 5, 2}, "tanh", rng)
				if err != nil {
					panic(err)
				}
				return s
			},
			in: 4,
		},
		{
			// Reduction, skip connection and MLP head, as in the flagship
			// model with x fed beside h = Wᵀx.
			name: "reduction with skip and head",
			layer: func(rng *rand.Rand) Layer {
				head, err := NewMLP([]int{6, 3, 2}, "tanh", rng)
				if err != nil {
					panic(err)
				}
				return Sequential{&Concat{A: NewDense(4, 2, false, rng), B: Identity{}}, head}
			},
			in: 4,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(21, 22))
			l := tc.layer(rng)
			// Nonzero biases, so that each bias term matters downstream.
			for _, p := range l.Params() {
				if strings.HasSuffix(p.Name, "b") {
					p.Value.Copy(randDense(1, p.Value.RawMatrix().Cols, rng))
				}
			}
			// A ReLU input within the difference step 6e-6 of the kink at 0
			// would break the check. With this seed none is.
			checkLayerGradients(t, l, randDense(5, tc.in, rng), rng)
		})
	}
}

func TestActivationsKnown(t *testing.T) {
	x := mat.NewDense(1, 3, []float64{-2, 0, 3})
	dy := mat.NewDense(1, 3, []float64{1, 1, 1})

	relu := &ReLU{}
	if diff := cmp.Diff([][]float64{{0, 0, 3}}, rows(relu.Forward(x))); diff != "" {
		t.Errorf("ReLU Forward mismatch (-want +got):\n%s", diff)
	}
	// The derivative at 0 is taken as 0.
	if diff := cmp.Diff([][]float64{{0, 0, 1}}, rows(relu.Backward(dy))); diff != "" {
		t.Errorf("ReLU Backward mismatch (-want +got):\n%s", diff)
	}

	th := &Tanh{}
	th.Forward(x)
	if got := th.Backward(dy).At(0, 1); got != 1 {
		t.Errorf("Tanh derivative at 0 = %v, want 1", got)
	}
}

func TestConcatForward(t *testing.T) {
	d := NewDense(2, 1, false, rand.New(rand.NewPCG(1, 1)))
	d.W.Copy(mat.NewDense(2, 1, []float64{1, 1}))
	c := &Concat{A: d, B: Identity{}}
	x := mat.NewDense(2, 2, []float64{1, 2, 3, 4})

	want := [][]float64{{3, 1, 2}, {7, 3, 4}}
	if diff := cmp.Diff(want, rows(c.Forward(x))); diff != "" {
		t.Errorf("Forward mismatch (-want +got):\n%s", diff)
	}

	// dX = dy_A Wᵀ + dy_B: row 1 is 1·[1 1] + [10 20].
	dy := mat.NewDense(2, 3, []float64{1, 10, 20, 0, 5, 6})
	wantDX := [][]float64{{11, 21}, {5, 6}}
	if diff := cmp.Diff(wantDX, rows(c.Backward(dy))); diff != "" {
		t.Errorf("Backward mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"0.W"}, paramNames(c.Params())); diff != "" {
		t.Errorf("Params names mismatch (-want +got):\n%s", diff)
	}
}

func TestNewMLP(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	s, err := NewMLP([]int{5, 4, 3}, "relu", rng)
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 3 {
		t.Fatalf("MLP has %d layers, want Dense, ReLU, Dense", len(s))
	}
	if _, ok := s[1].(*ReLU); !ok {
		t.Errorf("layer 1 is %T, want *ReLU", s[1])
	}
	want := []string{"0.W", "0.b", "2.W", "2.b"}
	if diff := cmp.Diff(want, paramNames(s.Params())); diff != "" {
		t.Errorf("Params names mismatch (-want +got):\n%s", diff)
	}
	if r, c := s.Forward(randDense(7, 5, rng)).Dims(); r != 7 || c != 3 {
		t.Errorf("output is %d×%d, want 7×3", r, c)
	}
}

func TestNewMLPErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		sizes   []int
		act     string
		message string
	}{
		{"unknown activation", []int{2, 2}, "sigmoid", `valid names are ["relu" "tanh"]`},
		{"one width", []int{2}, "relu", "fewer than 2 widths"},
		{"zero width", []int{2, 0, 2}, "relu", "width 0 at position 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewMLP(tc.sizes, tc.act, rand.New(rand.NewPCG(1, 1)))
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.message) {
				t.Errorf("error %q does not contain %q", err, tc.message)
			}
		})
	}
}
