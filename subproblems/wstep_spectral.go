package subproblems

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/admm-go/admm/constraints"
)

// FISTAOptions controls [SpectralBallFISTA]. The zero value of every field
// selects the default that its comment gives.
type FISTAOptions struct {
	// MaxIter is the maximum number of iterations in one Prox. Zero means
	// 500.
	MaxIter int
	// Tol stops the iteration once ‖W⁺ − W‖_F ≤ Tol·max(1, ‖W⁺‖_F). Zero
	// means 1e-10.
	Tol float64
}

const (
	defaultFISTAMaxIter = 500
	defaultFISTATol     = 1e-10
)

// SpectralBallFISTA is the W-step on the spectral ball ‖W‖₂ ≤ c, solved by
// accelerated projected gradient (FISTA) with adaptive restart. The
// gradient of F(W) = −λ tr(WᵀΣW) + (ρ/2)‖W − M‖² is ρ(W − M) − 2λΣW, with
// Lipschitz constant at most L = ρ + 2λΛ̂ (Λ̂ ≥ Λ_max from the
// covariance's [EigenBounder]), and the step is 1/L. The projection clips
// the singular values at c.
//
// F is convex when ρ ≥ 2λΛ_max and the iteration converges to the
// minimizer. Otherwise F is nonconvex and the iteration finds a
// stationary point, a fixed point of W = P(W − ∇F(W)/L).
//
// The momentum restarts whenever ⟨Y − W⁺, W⁺ − W⟩ > 0, the gradient scheme
// of O'Donoghue, Candès 2015, "Adaptive restart for accelerated gradient
// schemes", Found. Comput. Math. FISTA itself is from Beck, Teboulle 2009,
// "A fast iterative shrinkage-thresholding algorithm for linear inverse
// problems", SIAM J. Imaging Sci.
type SpectralBallFISTA struct {
	cov     Covariance
	ball    constraints.SpectralBall
	lambda  float64
	maxIter int
	tol     float64

	iterations int
	y, prev, g *mat.Dense
}

// NewSpectralBallFISTA returns the spectral-ball W-step of radius c for
// weight λ. It returns an error if λ, c or an option is invalid, or cov
// is not an [EigenBounder]. It panics if cov is nil.
func NewSpectralBallFISTA(cov Covariance, lambda, radius float64, opts FISTAOptions) (*SpectralBallFISTA, error) {
	if cov == nil {
		panic("subproblems: nil covariance")
	}
	if err := checkLambda(lambda); err != nil {
		return nil, err
	}
	if !(radius >= 0) || math.IsInf(radius, 0) {
		return nil, fmt.Errorf("subproblems: invalid spectral ball radius %v: want a finite value ≥ 0", radius)
	}
	if _, ok := cov.(EigenBounder); !ok {
		return nil, fmt.Errorf("subproblems: the spectral-ball W-step needs a covariance that bounds its top eigenvalue, and %T does not", cov)
	}
	s := &SpectralBallFISTA{cov: cov, ball: constraints.SpectralBall{Radius: radius}, lambda: lambda, maxIter: opts.MaxIter, tol: opts.Tol}
	if s.maxIter == 0 {
		s.maxIter = defaultFISTAMaxIter
	}
	if s.maxIter < 0 {
		return nil, fmt.Errorf("subproblems: invalid FISTAOptions.MaxIter %d: want a value ≥ 1, or 0 for the default %d", opts.MaxIter, defaultFISTAMaxIter)
	}
	if s.tol == 0 {
		s.tol = defaultFISTATol
	}
	if !(s.tol > 0) || math.IsInf(s.tol, 0) {
		return nil, fmt.Errorf("subproblems: invalid FISTAOptions.Tol %v: want a finite value > 0, or 0 for the default %v", opts.Tol, defaultFISTATol)
	}
	return s, nil
}

// Iterations returns the number of iterations of the last Prox.
func (s *SpectralBallFISTA) Iterations() int { return s.iterations }

// Prox overwrites dst with a stationary point of the W-step on the
// spectral ball, starting from dst projected onto the ball.
//
// Special cases:
//   - ρ ≤ 0 or not finite: an error, dst unchanged.
//   - c = 0: W = 0.
//   - a canceled context: its error, dst holds the last iterate.
func (s *SpectralBallFISTA) Prox(ctx context.Context, dst, v *mat.Dense, rho float64) error {
	s.iterations = 0
	k, err := startProx(ctx, s.cov, dst, v, rho)
	if err != nil {
		return err
	}
	d := s.cov.Dim()
	if s.y == nil || s.y.RawMatrix().Cols != k {
		s.y = mat.NewDense(d, k, nil)
		s.prev = mat.NewDense(d, k, nil)
		s.g = mat.NewDense(d, k, nil)
	}
	step := 1 / (rho + 2*s.lambda*s.cov.(EigenBounder).MaxEigenvalueBound())

	// W = P(dst), Y = W, t = 1.
	s.ball.Project(dst, dst)
	s.y.Copy(dst)
	t := 1.0
	for it := 1; it <= s.maxIter; it++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.prev.Copy(dst)

		// W⁺ = P(Y − ∇F(Y)/L), ∇F(Y) = ρ(Y − M) − 2λΣY. dst serves as
		// work space until the projection, because prev holds W.
		s.cov.MulTo(s.g, s.y)
		s.g.Scale(2*s.lambda*step, s.g)
		s.g.Add(s.g, s.y)
		s.g.Add(s.g, scaled(dst, -rho*step, s.y))
		s.g.Add(s.g, scaled(dst, rho*step, v))
		s.ball.Project(dst, s.g)
		s.iterations = it

		// Restart test ⟨Y − W⁺, W⁺ − W⟩ > 0, with g as work space.
		s.g.Sub(s.y, dst)
		s.y.Sub(dst, s.prev)
		restart := frobDot(s.g, s.y) > 0

		change := mat.Norm(s.y, 2)
		if change <= s.tol*math.Max(1, mat.Norm(dst, 2)) {
			break
		}

		// Momentum: t⁺ = (1 + √(1 + 4t²))/2, Y = W⁺ + ((t − 1)/t⁺)(W⁺ − W).
		if restart {
			t = 1
		}
		next := (1 + math.Sqrt(1+4*t*t)) / 2
		s.y.Scale((t-1)/next, s.y)
		s.y.Add(dst, s.y)
		t = next
	}
	return nil
}
