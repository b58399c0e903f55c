package nets

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// ReLU is the element-wise activation max(0, x). Its derivative at 0 is
// taken as 0.
type ReLU struct {
	y, dx     mat.Dense
	forwarded bool
}

// Forward returns max(0, x) element-wise.
func (a *ReLU) Forward(x *mat.Dense) *mat.Dense {
	n, c := x.Dims()
	reuseAs(&a.y, n, c)
	for i := 0; i < n; i++ {
		y := a.y.RawRowView(i)
		for j, v := range x.RawRowView(i) {
			y[j] = math.Max(v, 0)
		}
	}
	a.forwarded = true
	return &a.y
}

// Backward returns dy where the last output is positive and 0 elsewhere. It
// panics if called before Forward or if dy does not have the output's shape.
func (a *ReLU) Backward(dy *mat.Dense) *mat.Dense {
	n, c := checkActivationGradient("ReLU", a.forwarded, &a.y, dy)
	reuseAs(&a.dx, n, c)
	for i := 0; i < n; i++ {
		y := a.y.RawRowView(i)
		dx := a.dx.RawRowView(i)
		for j, g := range dy.RawRowView(i) {
			dx[j] = 0
			if y[j] > 0 {
				dx[j] = g
			}
		}
	}
	return &a.dx
}

// Params returns nil: ReLU has no parameters.
func (a *ReLU) Params() []Param { return nil }

// Tanh is the element-wise activation tanh(x).
type Tanh struct {
	y, dx     mat.Dense
	forwarded bool
}

// Forward returns tanh(x) element-wise.
func (a *Tanh) Forward(x *mat.Dense) *mat.Dense {
	n, c := x.Dims()
	reuseAs(&a.y, n, c)
	for i := 0; i < n; i++ {
		y := a.y.RawRowView(i)
		for j, v := range x.RawRowView(i) {
			y[j] = math.Tanh(v)
		}
	}
	a.forwarded = true
	return &a.y
}

// Backward returns dy ∘ (1 − y²) for the last output y, because
// tanh′ = 1 − tanh². It panics if called before Forward or if dy does not
// have the output's shape.
func (a *Tanh) Backward(dy *mat.Dense) *mat.Dense {
	n, c := checkActivationGradient("Tanh", a.forwarded, &a.y, dy)
	reuseAs(&a.dx, n, c)
	for i := 0; i < n; i++ {
		y := a.y.RawRowView(i)
		dx := a.dx.RawRowView(i)
		for j, g := range dy.RawRowView(i) {
			dx[j] = g * (1 - y[j]*y[j])
		}
	}
	return &a.dx
}

// Params returns nil: Tanh has no parameters.
func (a *Tanh) Params() []Param { return nil }

// checkActivationGradient panics unless Forward has run and dy has the
// shape of the output y, and returns that shape.
func checkActivationGradient(name string, forwarded bool, y, dy *mat.Dense) (n, c int) {
	if !forwarded {
		panic(fmt.Sprintf("nets: %s Backward called before Forward", name))
	}
	n, c = y.Dims()
	if r, k := dy.Dims(); r != n || k != c {
		panic(fmt.Sprintf("nets: %s output gradient is %d×%d, want %d×%d", name, r, k, n, c))
	}
	return n, c
}

// activations lists the names NewMLP accepts.
var activations = []string{"relu", "tanh"}

// NewMLP returns a multilayer perceptron through the layer widths sizes.
// It has a Dense layer with bias from sizes[i] to sizes[i+1] for each i and
// the activation act ("relu" or "tanh") between consecutive Dense layers.
// No activation follows the last layer, so the output is the logits.
// Weights are drawn from rng as in [NewDense].
//
// NewMLP returns an error if sizes has fewer than two entries, a width is
// not positive or act is not a known activation. It panics if rng is nil.
func NewMLP(sizes []int, act string, rng *rand.Rand) (Sequential, error) {
	if len(sizes) < 2 {
		return nil, fmt.Errorf("nets: MLP sizes %v have fewer than 2 widths; give the input width, any hidden widths and the output width", sizes)
	}
	for i, s := range sizes {
		if s <= 0 {
			return nil, fmt.Errorf("nets: MLP width %d at position %d of %v is not positive", s, i, sizes)
		}
	}
	newActivation, err := activationByName(act)
	if err != nil {
		return nil, err
	}
	if rng == nil {
		panic("nets: nil rng")
	}

	var s Sequential
	for i := 0; i+1 < len(sizes); i++ {
		if i > 0 {
			s = append(s, newActivation())
		}
		s = append(s, NewDense(sizes[i], sizes[i+1], true, rng))
	}
	return s, nil
}

// activationByName returns a constructor of the named activation layer.
func activationByName(name string) (func() Layer, error) {
	switch name {
	case "relu":
		return func() Layer { return &ReLU{} }, nil
	case "tanh":
		return func() Layer { return &Tanh{} }, nil
	}
	return nil, fmt.Errorf("nets: unknown activation %q; valid names are %q", name, activations)
}

// NewActivation returns a new activation layer by name, "relu" or "tanh".
// An unknown name is an error that lists the valid ones.
func NewActivation(name string) (Layer, error) {
	newActivation, err := activationByName(name)
	if err != nil {
		return nil, err
	}
	return newActivation(), nil
}
