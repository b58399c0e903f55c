package subproblems

import (
	"fmt"
	"sort"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// Covariance is a source of products with a d×d covariance estimate Σ̂.
type Covariance interface {
	// Dim returns d.
	Dim() int
	// MulTo sets dst = Σ̂W for a d×k matrix w. dst is d×k and must not
	// alias w.
	MulTo(dst, w *mat.Dense)
}

// Advancer is a covariance source whose estimate changes over time, such as
// a minibatch estimate. Every W-step of this package calls Advance once at
// the start of each Prox, so one Prox uses one fixed estimate.
type Advancer interface {
	Advance()
}

// EigenBounder is a covariance source that can bound the largest eigenvalue
// of its current estimate from above. Solvers use the bound for a step size.
type EigenBounder interface {
	MaxEigenvalueBound() float64
}

// EigenCovariance is a covariance source with a full eigendecomposition, as
// the exact W-steps need.
type EigenCovariance interface {
	Covariance
	// Eigen returns the eigenvalues in descending order and a d×d matrix
	// whose columns are the matching orthonormal eigenvectors. The caller
	// must not modify either.
	Eigen() (values []float64, vectors *mat.Dense)
}

// FullCovariance is the covariance Σ = XᵀX/n of a full data set X (n×d, one
// sample per row), formed once.
//
// The data must be centered (every column of X has mean zero): XᵀX/n is
// the covariance only then. FullCovariance does not subtract a mean.
type FullCovariance struct {
	sigma *mat.SymDense

	once    sync.Once
	values  []float64
	vectors *mat.Dense
}

// NewFullCovariance returns Σ = XᵀX/n for centered data x, n×d with one
// sample per row. It panics if x is nil or has no rows.
func NewFullCovariance(x *mat.Dense) *FullCovariance {
	if x == nil {
		panic("subproblems: nil data matrix")
	}
	n, _ := x.Dims()
	if n == 0 {
		panic("subproblems: data matrix has no rows")
	}
	var sigma mat.SymDense
	sigma.SymOuterK(1/float64(n), x.T())
	return &FullCovariance{sigma: &sigma}
}

// Dim returns d.
func (c *FullCovariance) Dim() int { return c.sigma.SymmetricDim() }

// MulTo sets dst = ΣW. It panics if the shapes do not match.
func (c *FullCovariance) MulTo(dst, w *mat.Dense) {
	checkCovShapes(c.Dim(), dst, w)
	dst.Mul(c.sigma, w)
}

// Sym returns Σ. The caller must not modify it.
func (c *FullCovariance) Sym() *mat.SymDense { return c.sigma }

// Eigen returns the eigenvalues of Σ in descending order and a d×d matrix
// whose columns are the matching orthonormal eigenvectors. The
// decomposition is computed on the first call and shared by later calls;
// the caller must not modify the results. Eigen panics if the symmetric
// eigensolver fails, which for a finite Σ does not happen in practice.
func (c *FullCovariance) Eigen() (values []float64, vectors *mat.Dense) {
	c.once.Do(c.factorize)
	return c.values, c.vectors
}

// MaxEigenvalueBound returns the largest eigenvalue of Σ, exactly.
func (c *FullCovariance) MaxEigenvalueBound() float64 {
	values, _ := c.Eigen()
	return values[0]
}

func (c *FullCovariance) factorize() {
	var eig mat.EigenSym
	if !eig.Factorize(c.sigma, true) {
		panic("subproblems: symmetric eigendecomposition of the covariance failed")
	}
	ascending := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)

	// mat.EigenSym returns ascending eigenvalues; reverse both.
	d := len(ascending)
	order := make([]int, d)
	for i := range order {
		order[i] = d - 1 - i
	}
	// A stable sort keeps the reversed order for ties and guards against
	// an eigensolver that does not sort.
	sort.SliceStable(order, func(i, j int) bool { return ascending[order[i]] > ascending[order[j]] })
	c.values = make([]float64, d)
	c.vectors = mat.NewDense(d, d, nil)
	for i, j := range order {
		c.values[i] = ascending[j]
		c.vectors.SetCol(i, mat.Col(nil, j, &vecs))
	}
}

// checkCovShapes panics unless w and dst are both d×k and distinct.
func checkCovShapes(d int, dst, w *mat.Dense) {
	if dst == nil || w == nil {
		panic("subproblems: nil matrix in covariance product")
	}
	wr, wc := w.Dims()
	dr, dc := dst.Dims()
	if wr != d || dr != d || wc != dc {
		panic(fmt.Sprintf("subproblems: covariance product needs d×k matrices with d = %d, got dst %d×%d and w %d×%d", d, dr, dc, wr, wc))
	}
	if dst == w {
		panic("subproblems: covariance product destination aliases its input")
	}
}
