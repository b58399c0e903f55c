package nets

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Sequential is a chain of layers, each fed the output of the one before.
// The same layer value must not appear twice, because each layer keeps the
// state of its own last Forward.
type Sequential []Layer

// Forward runs the layers in order and returns the output of the last. It
// panics if s is empty.
func (s Sequential) Forward(x *mat.Dense) *mat.Dense {
	if len(s) == 0 {
		panic("nets: empty Sequential")
	}
	for _, l := range s {
		x = l.Forward(x)
	}
	return x
}

// Backward runs the layers' Backward in reverse order and returns the
// gradient with respect to the input of the first layer.
func (s Sequential) Backward(dy *mat.Dense) *mat.Dense {
	if len(s) == 0 {
		panic("nets: empty Sequential")
	}
	for i := len(s) - 1; i >= 0; i-- {
		dy = s[i].Backward(dy)
	}
	return dy
}

// Params returns the parameters of every layer in layer order, each name
// prefixed with the layer's index ("0.W", "0.b", "2.W").
func (s Sequential) Params() []Param {
	var ps []Param
	for i, l := range s {
		for _, p := range l.Params() {
			p.Name = fmt.Sprintf("%d.%s", i, p.Name)
			ps = append(ps, p)
		}
	}
	return ps
}
