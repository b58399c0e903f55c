package nets

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Dense is a fully connected layer, Y = XW + 1bᵀ, on a minibatch X with one
// sample per row.
//
// W and B are read at every call, so a caller may overwrite them between
// steps, in place (d.W.Copy(other)) or by assigning a new matrix of the same
// shape. The gradient matrices returned by Params are allocated once and
// keep their shapes.
type Dense struct {
	// W is the in×out weight matrix.
	W *mat.Dense
	// B is the 1×out bias row, nil for a layer without bias.
	B *mat.Dense

	dW, dB *mat.Dense

	// x is the input of the last Forward, kept by reference for Backward.
	x         *mat.Dense
	y, dx     mat.Dense
	forwarded bool
}

// NewDense returns an in→out dense layer with Glorot-uniform weights drawn
// from rng, W_ij ~ U(−a, a) with a = √(6/(in+out)) (Glorot and Bengio 2010,
// "Understanding the difficulty of training deep feedforward neural
// networks", eq. 16), and a zero bias when bias is true.
// NewDense panics if in or out is not positive or rng is nil.
func NewDense(in, out int, bias bool, rng *rand.Rand) *Dense {
	if in <= 0 || out <= 0 {
		panic(fmt.Sprintf("nets: Dense size %d→%d is not positive", in, out))
	}
	if rng == nil {
		panic("nets: nil rng")
	}

	limit := math.Sqrt(6 / float64(in+out))
	w := make([]float64, in*out)
	for i := range w {
		w[i] = limit * (2*rng.Float64() - 1)
	}
	d := &Dense{
		W:  mat.NewDense(in, out, w),
		dW: mat.NewDense(in, out, nil),
	}
	if bias {
		d.B = mat.NewDense(1, out, nil)
		d.dB = mat.NewDense(1, out, nil)
	}
	return d
}

// Forward returns XW + 1bᵀ. It keeps a reference to x, which must not change
// before the matching Backward. Forward panics if x does not have as many
// columns as W has rows.
func (d *Dense) Forward(x *mat.Dense) *mat.Dense {
	in, out := d.W.Dims()
	n, c := x.Dims()
	if c != in {
		panic(fmt.Sprintf("nets: Dense input has %d columns, want %d", c, in))
	}

	// Y = XW + 1bᵀ.
	reuseAs(&d.y, n, out)
	d.y.Mul(x, d.W)
	if d.B != nil {
		b := d.B.RawRowView(0)
		for i := 0; i < n; i++ {
			floats.Add(d.y.RawRowView(i), b)
		}
	}

	d.x = x
	d.forwarded = true
	return &d.y
}

// Backward overwrites dW = Xᵀ dY and db = 1ᵀ dY (the column sums of dY) and
// returns dX = dY Wᵀ. It panics if called before Forward or if dy is not
// n×out for the n rows of the last input.
func (d *Dense) Backward(dy *mat.Dense) *mat.Dense {
	if !d.forwarded {
		panic("nets: Dense Backward called before Forward")
	}
	in, out := d.W.Dims()
	n, _ := d.x.Dims()
	if r, c := dy.Dims(); r != n || c != out {
		panic(fmt.Sprintf("nets: Dense output gradient is %d×%d, want %d×%d", r, c, n, out))
	}

	// dW = Xᵀ dY.
	d.dW.Mul(d.x.T(), dy)

	// db = 1ᵀ dY.
	if d.B != nil {
		db := d.dB.RawRowView(0)
		clear(db)
		for i := 0; i < n; i++ {
			floats.Add(db, dy.RawRowView(i))
		}
	}

	// dX = dY Wᵀ.
	reuseAs(&d.dx, n, in)
	d.dx.Mul(dy, d.W.T())
	return &d.dx
}

// Params returns W, then b when the layer has a bias.
func (d *Dense) Params() []Param {
	ps := []Param{{Name: "W", Value: d.W, Grad: d.dW}}
	if d.B != nil {
		ps = append(ps, Param{Name: "b", Value: d.B, Grad: d.dB})
	}
	return ps
}
