package nets

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Identity is the layer whose output is its input. Inside a [Concat] it
// passes the input beside another layer's output, as a skip connection.
type Identity struct{}

// Forward returns x itself, not a copy.
func (Identity) Forward(x *mat.Dense) *mat.Dense { return x }

// Backward returns dy itself, not a copy.
func (Identity) Backward(dy *mat.Dense) *mat.Dense { return dy }

// Params returns nil: Identity has no parameters.
func (Identity) Params() []Param { return nil }

// Concat feeds the same input to two layers and joins their outputs side by
// side, Y = [A(X) B(X)]. With B an [Identity], a head after Concat receives
// [h, x]. A and B must be distinct layer values, because each keeps the
// state of its own last Forward.
type Concat struct {
	A, B Layer

	// widthA is the number of columns of A's last output.
	widthA    int
	y, dx     mat.Dense
	dyA, dyB  mat.Dense
	forwarded bool
}

// Forward returns [A(x) B(x)]. It panics if A and B return different
// numbers of rows.
func (l *Concat) Forward(x *mat.Dense) *mat.Dense {
	ya := l.A.Forward(x)
	yb := l.B.Forward(x)
	n, ca := ya.Dims()
	nb, cb := yb.Dims()
	if n != nb {
		panic(fmt.Sprintf("nets: Concat outputs have %d and %d rows", n, nb))
	}

	reuseAs(&l.y, n, ca+cb)
	l.y.Slice(0, n, 0, ca).(*mat.Dense).Copy(ya)
	l.y.Slice(0, n, ca, ca+cb).(*mat.Dense).Copy(yb)
	l.widthA = ca
	l.forwarded = true
	return &l.y
}

// Backward splits dy into the columns of A and of B, runs both Backward
// passes and returns the sum of their input gradients, because the input
// feeds both layers. It panics if called before Forward or if dy does not
// have the output's shape.
func (l *Concat) Backward(dy *mat.Dense) *mat.Dense {
	if !l.forwarded {
		panic("nets: Concat Backward called before Forward")
	}
	n, c := l.y.Dims()
	if r, k := dy.Dims(); r != n || k != c {
		panic(fmt.Sprintf("nets: Concat output gradient is %d×%d, want %d×%d", r, k, n, c))
	}

	// The parts are copied into contiguous matrices owned by Concat, so the
	// layers never see a view and an Identity returns a matrix Concat owns.
	reuseAs(&l.dyA, n, l.widthA)
	reuseAs(&l.dyB, n, c-l.widthA)
	l.dyA.Copy(dy.Slice(0, n, 0, l.widthA))
	l.dyB.Copy(dy.Slice(0, n, l.widthA, c))

	// dX = dX_A + dX_B.
	dxA := l.A.Backward(&l.dyA)
	dxB := l.B.Backward(&l.dyB)
	nx, cx := dxA.Dims()
	reuseAs(&l.dx, nx, cx)
	l.dx.Add(dxA, dxB)
	return &l.dx
}

// Params returns the parameters of A, then those of B, with names
// prefixed "0." and "1.".
func (l *Concat) Params() []Param {
	return Sequential{l.A, l.B}.Params()
}
