package subproblems

import (
	"context"
	"fmt"
	"math"

	"github.com/admm-go/admm/nets"
	"gonum.org/v1/gonum/mat"
)

// CrossEntropyStep is the Z-step of the splitting: a fixed number of
// minibatch optimizer steps on
//
//	L_ce(Z, θ) + (ρ/2)‖Z − V‖²_F,   V = W̄ + U,
//
// where Z is the weight matrix of the network's reduction layer and θ the
// other parameters of the network. It warm-starts from the Z it is given
// and from the θ and optimizer state left by the previous call, so the
// step is inexact and its error carries minibatch noise.
type CrossEntropyStep struct {
	net    nets.Layer
	z      nets.Param
	params []nets.Param
	x      *mat.Dense
	y      []int
	batch  *nets.Batcher
	opt    nets.Optimizer
	steps  int

	mb      nets.Minibatch
	samples int64
	loss    float64
}

// NewCrossEntropyStep returns a Z-step that trains net on the samples x
// (one per row) with labels y. z must be one of net's parameters, the
// reduction weights that ADMM copies; every parameter of net is trained.
// It panics if z is not a parameter of net, if x and y disagree in length,
// or if steps < 1.
func NewCrossEntropyStep(net nets.Layer, z nets.Param, x *mat.Dense, y []int, batch *nets.Batcher, opt nets.Optimizer, steps int) *CrossEntropyStep {
	if n, _ := x.Dims(); n != len(y) {
		panic(fmt.Sprintf("subproblems: %d samples and %d labels", n, len(y)))
	}
	if steps < 1 {
		panic("subproblems: steps < 1")
	}
	params := net.Params()
	found := false
	for _, p := range params {
		if p.Value == z.Value {
			found = true
		}
	}
	if !found {
		panic("subproblems: z is not a parameter of net")
	}
	return &CrossEntropyStep{
		net: net, z: z, params: params, x: x, y: y, batch: batch, opt: opt, steps: steps,
	}
}

// Prox runs the minibatch steps from Z = dst and writes the final Z to dst.
// It returns an error if ρ is not a finite positive number, if the loss
// becomes non-finite, or if ctx is canceled between steps.
func (c *CrossEntropyStep) Prox(ctx context.Context, dst, v *mat.Dense, rho float64) error {
	if !(rho > 0) || math.IsInf(rho, 0) {
		return fmt.Errorf("subproblems: invalid rho %v: want a finite value > 0", rho)
	}
	c.z.Value.Copy(dst)
	var pull mat.Dense
	for step := 0; step < c.steps; step++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		idx := c.batch.Next()
		loss := c.mb.LossGrad(c.net, c.x, c.y, idx)
		c.samples += int64(len(idx))
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return fmt.Errorf("subproblems: cross-entropy is %v at Z-step minibatch step %d", loss, step+1)
		}

		// Proximal term: ∇_Z (ρ/2)‖Z − V‖² = ρ(Z − V).
		pull.Sub(c.z.Value, v)
		pull.Scale(rho, &pull)
		c.z.Grad.Add(c.z.Grad, &pull)

		c.opt.Step(c.params)
		c.loss = loss
	}
	dst.Copy(c.z.Value)
	return nil
}

// Samples returns the number of training samples processed so far.
func (c *CrossEntropyStep) Samples() int64 { return c.samples }

// Loss returns the minibatch cross-entropy of the last step, before that
// step's update.
func (c *CrossEntropyStep) Loss() float64 { return c.loss }

// SetSamples sets the count of samples processed, for a run resumed from a
// checkpoint.
func (c *CrossEntropyStep) SetSamples(n int64) { c.samples = n }
