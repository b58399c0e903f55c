package subproblems

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// sampler draws minibatches of rows without replacement within an epoch:
// it walks a random permutation of the rows and reshuffles when fewer
// than a full batch remain.
type sampler struct {
	x     *mat.Dense
	rnd   *rand.Rand
	perm  []int
	pos   int
	xb    *mat.Dense // the current batch, |B|×d
	count int        // samples drawn so far
}

func newSampler(x *mat.Dense, batch int, rnd *rand.Rand) (*sampler, error) {
	if x == nil {
		panic("subproblems: nil data matrix")
	}
	if rnd == nil {
		panic("subproblems: nil random generator")
	}
	n, d := x.Dims()
	if batch < 1 || batch > n {
		return nil, fmt.Errorf("subproblems: invalid batch size %d: want a value in [1, %d], the number of samples", batch, n)
	}
	s := &sampler{x: x, rnd: rnd, perm: make([]int, n), xb: mat.NewDense(batch, d, nil)}
	s.pos = n // forces a shuffle on the first draw
	return s, nil
}

// draw copies the next batch into xb.
func (s *sampler) draw() {
	batch, _ := s.xb.Dims()
	if s.pos+batch > len(s.perm) {
		for i := range s.perm {
			s.perm[i] = i
		}
		s.rnd.Shuffle(len(s.perm), func(i, j int) { s.perm[i], s.perm[j] = s.perm[j], s.perm[i] })
		s.pos = 0
	}
	for r := 0; r < batch; r++ {
		copy(s.xb.RawRowView(r), s.x.RawRowView(s.perm[s.pos+r]))
	}
	s.pos += batch
	s.count += batch
}

// MinibatchCovariance is the minibatch estimate Σ_B = X_BᵀX_B/|B| of the
// covariance of centered data X, redrawn by [MinibatchCovariance.Advance].
// It never forms Σ_B: a product is Σ_B W = X_Bᵀ(X_B W)/|B|, O(|B|dk).
// Batches are drawn without replacement within an epoch. The data must be
// centered, as for [FullCovariance].
type MinibatchCovariance struct {
	s     *sampler
	trace float64
	xw    *mat.Dense
}

// NewMinibatchCovariance returns a minibatch estimate over the rows of x
// (n×d, one centered sample per row) with batches of the given size, and
// draws the first batch. It returns an error if batch is not in [1, n],
// and panics if x or rnd is nil.
func NewMinibatchCovariance(x *mat.Dense, batch int, rnd *rand.Rand) (*MinibatchCovariance, error) {
	s, err := newSampler(x, batch, rnd)
	if err != nil {
		return nil, err
	}
	c := &MinibatchCovariance{s: s}
	c.Advance()
	return c, nil
}

// Advance draws the next minibatch. The W-steps of this package call it at
// the start of every Prox.
func (c *MinibatchCovariance) Advance() {
	c.s.draw()
	raw := c.s.xb.RawMatrix()
	var sum float64
	for i := 0; i < raw.Rows; i++ {
		row := c.s.xb.RawRowView(i)
		sum += floats.Dot(row, row)
	}
	c.trace = sum / float64(raw.Rows)
}

// Dim returns d.
func (c *MinibatchCovariance) Dim() int { _, d := c.s.x.Dims(); return d }

// Samples returns the number of samples drawn so far, including the first
// batch.
func (c *MinibatchCovariance) Samples() int { return c.s.count }

// MulTo sets dst = Σ_B W = X_Bᵀ(X_B W)/|B|. It panics if the shapes do not
// match.
func (c *MinibatchCovariance) MulTo(dst, w *mat.Dense) {
	checkCovShapes(c.Dim(), dst, w)
	batch, _ := c.s.xb.Dims()
	_, k := w.Dims()
	if c.xw == nil || c.xw.RawMatrix().Cols != k {
		c.xw = mat.NewDense(batch, k, nil)
	}
	c.xw.Mul(c.s.xb, w)
	dst.Mul(c.s.xb.T(), c.xw)
	dst.Scale(1/float64(batch), dst)
}

// MaxEigenvalueBound returns tr(Σ_B) = ‖X_B‖²_F/|B|, an upper bound on the
// largest eigenvalue of Σ_B because Σ_B is positive semidefinite. It can
// exceed that eigenvalue by a factor up to the rank of Σ_B.
func (c *MinibatchCovariance) MaxEigenvalueBound() float64 { return c.trace }

// EWMACovariance is an exponentially weighted running estimate of the
// covariance of centered data X. Each [EWMACovariance.Advance] draws a
// minibatch B and updates
//
//	Σ ← (1 − β)Σ + β X_BᵀX_B/|B|,
//
// starting from Σ = X_BᵀX_B/|B| for the first batch (so the estimate is not
// biased toward zero). Unlike [MinibatchCovariance] it stores the d×d
// estimate, because a running average cannot be kept as d×k products; an
// update costs O(|B|d²).
type EWMACovariance struct {
	s     *sampler
	beta  float64
	sigma *mat.SymDense
	trace float64
	first bool
}

// NewEWMACovariance returns a running estimate over the rows of x (n×d,
// one centered sample per row) with batches of the given size and weight
// β ∈ (0, 1] of the newest batch, and draws the first batch. It returns an
// error if batch is not in [1, n] or β is outside (0, 1], and panics if x
// or rnd is nil.
func NewEWMACovariance(x *mat.Dense, batch int, beta float64, rnd *rand.Rand) (*EWMACovariance, error) {
	if !(beta > 0 && beta <= 1) {
		return nil, fmt.Errorf("subproblems: invalid EWMA weight beta %v: want a value in (0, 1]; 1 keeps only the newest batch", beta)
	}
	s, err := newSampler(x, batch, rnd)
	if err != nil {
		return nil, err
	}
	_, d := x.Dims()
	c := &EWMACovariance{s: s, beta: beta, sigma: mat.NewSymDense(d, nil), first: true}
	c.Advance()
	return c, nil
}

// Advance draws the next minibatch and folds it into the estimate. The
// W-steps of this package call it at the start of every Prox.
func (c *EWMACovariance) Advance() {
	c.s.draw()
	batch, _ := c.s.xb.Dims()
	var sum float64
	for i := 0; i < batch; i++ {
		row := c.s.xb.RawRowView(i)
		sum += floats.Dot(row, row)
	}
	weight := c.beta
	if c.first {
		weight = 1
		c.first = false
	}

	// Σ ← (1 − w)Σ + (w/|B|) X_BᵀX_B, a rank-|B| update.
	c.sigma.ScaleSym(1-weight, c.sigma)
	c.sigma.SymRankK(c.sigma, weight/float64(batch), c.s.xb.T())
	c.trace = (1-weight)*c.trace + weight*sum/float64(batch)
}

// Dim returns d.
func (c *EWMACovariance) Dim() int { return c.sigma.SymmetricDim() }

// Samples returns the number of samples drawn so far, including the first
// batch.
func (c *EWMACovariance) Samples() int { return c.s.count }

// MulTo sets dst = ΣW for the current estimate. It panics if the shapes do
// not match.
func (c *EWMACovariance) MulTo(dst, w *mat.Dense) {
	checkCovShapes(c.Dim(), dst, w)
	dst.Mul(c.sigma, w)
}

// Sym returns the current estimate. The caller must not modify it, and it
// changes with the next Advance.
func (c *EWMACovariance) Sym() *mat.SymDense { return c.sigma }

// MaxEigenvalueBound returns tr(Σ), an upper bound on the largest
// eigenvalue of the positive semidefinite estimate.
func (c *EWMACovariance) MaxEigenvalueBound() float64 { return math.Max(c.trace, 0) }
