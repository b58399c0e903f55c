package runner

import (
	"context"
	"math/rand/v2"

	"github.com/admm-go/admm/admm"
	"github.com/admm-go/admm/subproblems"

	"github.com/admm-go/admm/nets"
	"gonum.org/v1/gonum/mat"
)

// model is the network x → [a = σ(Ax + a₀)] → h = Wᵀa → head([h, a]),
// with the bracketed parts optional.
type model struct {
	front  nets.Sequential // the layer before W and its activation; empty without one
	pre    *nets.Dense     // A and a₀, nil without a layer before W
	reduce *nets.Dense     // W, no bias
	body   nets.Layer      // reduce, or [reduce, identity] with a skip connection
	head   nets.Layer      // linear or MLP, to the logits
	back   nets.Sequential // body then head
	net    nets.Sequential // front then back, the whole network
}

// newModel draws the initial network from the seed and puts W on the
// constraint set. Every method starts from the same network for a seed,
// because the generator depends on the seed alone.
func (s *setup) newModel(seed uint64) (*model, error) {
	_, d := s.train.X.Dims()
	rng := rand.New(rand.NewPCG(seed, streamInit))
	m := &model{}

	in := d
	if s.cfg.PreLayer > 0 {
		m.pre = nets.NewDense(d, s.cfg.PreLayer, true, rng)
		act, err := nets.NewActivation(s.cfg.PreActivation)
		if err != nil {
			return nil, err
		}
		m.front = nets.Sequential{m.pre, act}
		in = s.cfg.PreLayer
	}

	m.reduce = nets.NewDense(in, s.cfg.K, false, rng)
	s.set.Project(m.reduce.W, m.reduce.W)
	m.body = m.reduce
	headIn := s.cfg.K
	if s.cfg.Skip {
		m.body = &nets.Concat{A: m.reduce, B: nets.Identity{}}
		headIn += in
	}

	switch s.cfg.Head {
	case "mlp":
		sizes := append([]int{headIn}, s.cfg.Hidden...)
		mlp, err := nets.NewMLP(append(sizes, s.train.Classes), s.cfg.Activation, rng)
		if err != nil {
			return nil, err
		}
		m.head = mlp
	default:
		m.head = nets.NewDense(headIn, s.train.Classes, true, rng)
	}

	m.back = nets.Sequential{m.body, m.head}
	m.net = append(append(nets.Sequential{}, m.front...), m.back...)
	return m, nil
}

// inputOfW returns the input of W for the samples x: x itself, or the
// activations of the layer before W, computed in chunks into a new matrix.
func (m *model) inputOfW(x *mat.Dense) *mat.Dense {
	if len(m.front) == 0 {
		return x
	}
	n, d := x.Dims()
	out := mat.NewDense(n, m.pre.W.RawMatrix().Cols, nil)
	for lo := 0; lo < n; lo += evalChunk {
		hi := min(lo+evalChunk, n)
		a := m.front.Forward(x.Slice(lo, hi, 0, d).(*mat.Dense))
		out.Slice(lo, hi, 0, a.RawMatrix().Cols).(*mat.Dense).Copy(a)
	}
	return out
}

// activationCovariance is Σ of the output of the layer before W, over the
// whole training set. refresh recomputes it from the layer's current
// weights; between refreshes it is a constant, as the W-step of the
// splitting methods needs.
type activationCovariance struct {
	m    *model
	x    *mat.Dense
	full *subproblems.FullCovariance
}

// newActivationCovariance returns Σ of the layer before W of m on the
// samples x, computed for the current weights.
func newActivationCovariance(m *model, x *mat.Dense) *activationCovariance {
	c := &activationCovariance{m: m, x: x}
	c.refresh()
	return c
}

// refresh recomputes Σ from the current weights of the layer before W.
func (c *activationCovariance) refresh() {
	a := c.m.inputOfW(c.x)
	centerColumns(a)
	c.full = subproblems.NewFullCovariance(a)
}

// Dim returns the width of the layer before W.
func (c *activationCovariance) Dim() int { return c.full.Dim() }

// MulTo sets dst = Σw.
func (c *activationCovariance) MulTo(dst, w *mat.Dense) { c.full.MulTo(dst, w) }

// MaxEigenvalueBound returns an upper bound on the largest eigenvalue of Σ,
// for the default step sizes of the iterative W-steps.
func (c *activationCovariance) MaxEigenvalueBound() float64 { return c.full.MaxEigenvalueBound() }

// refreshAfter is a block that refreshes the activation covariance after
// each proximal step, because the Z-step trains the layer before W.
type refreshAfter struct {
	admm.Block
	cov *activationCovariance
}

// Prox runs the wrapped block, then recomputes Σ for the next W-step.
func (r refreshAfter) Prox(ctx context.Context, dst, v *mat.Dense, rho float64) error {
	if err := r.Block.Prox(ctx, dst, v, rho); err != nil {
		return err
	}
	r.cov.refresh()
	return nil
}
