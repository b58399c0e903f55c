package runner

import (
	"math/rand/v2"

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
