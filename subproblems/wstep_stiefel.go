package subproblems

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/admm-go/admm/constraints"
)

// GPIOptions controls [StiefelGPI]. The zero value of every field selects
// the default that its comment gives.
type GPIOptions struct {
	// MaxIter is the maximum number of power iterations in one Prox. Zero
	// means 100.
	MaxIter int
	// Tol stops the iteration once the objective φ(W) = λ tr(WᵀΣW) +
	// ρ tr(WᵀM) rises by at most Tol·|φ| in one iteration. Zero means
	// 1e-10. Near a maximizer φ is quadratic in the error of W, so the
	// error of W is of order √Tol relative to the spectral gap.
	Tol float64
}

const (
	defaultGPIMaxIter = 100
	defaultGPITol     = 1e-10
)

// StiefelGPI is the W-step on the Stiefel manifold WᵀW = I_k, solved by
// the generalized power iteration
//
//	W ← polar(2λΣW + ρM),
//
// where polar(G) = UVᵀ for G = USVᵀ. On the manifold ‖W‖²_F = k is
// constant, so the W-step maximizes φ(W) = λ tr(WᵀΣW) + ρ tr(WᵀM). φ is
// convex for Σ positive semidefinite and λ ≥ 0, and polar(∇φ(W))
// maximizes the linearization of φ at W over the manifold, so φ never
// decreases. The iteration converges to a stationary point; with
// ρM = 0 it is subspace iteration and reaches the top-k eigenspace from a
// generic start.
//
// Reference: Nie, Zhang, Li 2017, "A generalized power iteration method
// for solving quadratic problem on the Stiefel manifold", Sci. China Inf.
// Sci.
type StiefelGPI struct {
	cov     Covariance
	lambda  float64
	maxIter int
	tol     float64

	iterations int
	// observe, if not nil, receives φ after every iteration (for tests).
	observe func(iter int, phi float64)

	sw, g *mat.Dense
}

// NewStiefelGPI returns the Stiefel W-step for weight λ on the covariance
// cov. It returns an error if λ is negative or not finite, or an option
// is negative or not finite. It panics if cov is nil.
func NewStiefelGPI(cov Covariance, lambda float64, opts GPIOptions) (*StiefelGPI, error) {
	if cov == nil {
		panic("subproblems: nil covariance")
	}
	if err := checkLambda(lambda); err != nil {
		return nil, err
	}
	s := &StiefelGPI{cov: cov, lambda: lambda, maxIter: opts.MaxIter, tol: opts.Tol}
	if s.maxIter == 0 {
		s.maxIter = defaultGPIMaxIter
	}
	if s.maxIter < 0 {
		return nil, fmt.Errorf("subproblems: invalid GPIOptions.MaxIter %d: want a value ≥ 1, or 0 for the default %d", opts.MaxIter, defaultGPIMaxIter)
	}
	if s.tol == 0 {
		s.tol = defaultGPITol
	}
	if !(s.tol > 0) || math.IsInf(s.tol, 0) {
		return nil, fmt.Errorf("subproblems: invalid GPIOptions.Tol %v: want a finite value > 0, or 0 for the default %v", opts.Tol, defaultGPITol)
	}
	return s, nil
}

// Iterations returns the number of power iterations of the last Prox.
func (s *StiefelGPI) Iterations() int { return s.iterations }

// Prox overwrites dst with a stationary point of the W-step on the
// Stiefel manifold, starting from dst.
//
// Special cases:
//   - dst not on the manifold: it is replaced by its polar factor first.
//   - ρ ≤ 0 or not finite: an error, dst unchanged.
//   - λ = 0: the exact minimizer polar(M), reached in one iteration.
//   - rank-deficient 2λΣW + ρM: one of its polar factors.
//   - a canceled context: its error, dst holds the last iterate.
func (s *StiefelGPI) Prox(ctx context.Context, dst, v *mat.Dense, rho float64) error {
	s.iterations = 0
	k, err := startProx(ctx, s.cov, dst, v, rho)
	if err != nil {
		return err
	}
	d := s.cov.Dim()
	if s.sw == nil || s.sw.RawMatrix().Cols != k {
		s.sw = mat.NewDense(d, k, nil)
		s.g = mat.NewDense(d, k, nil)
	}

	// Start on the manifold, and evaluate φ(W) = λ⟨W, ΣW⟩ + ρ⟨W, M⟩.
	constraints.Stiefel{}.Project(dst, dst)
	s.cov.MulTo(s.sw, dst)
	phi := s.lambda*frobDot(dst, s.sw) + rho*frobDot(dst, v)

	for it := 1; it <= s.maxIter; it++ {
		if err := ctx.Err(); err != nil {
			return err
		}

		// Power step: W ← polar(∇φ(W)) = polar(2λΣW + ρM).
		s.g.Scale(2*s.lambda, s.sw)
		s.g.Add(s.g, scaled(s.sw, rho, v))
		constraints.Stiefel{}.Project(dst, s.g)
		s.iterations = it

		// Stop when φ rises by at most Tol·|φ|. A fall can only be
		// rounding, since φ is monotone in exact arithmetic.
		s.cov.MulTo(s.sw, dst)
		next := s.lambda*frobDot(dst, s.sw) + rho*frobDot(dst, v)
		if s.observe != nil {
			s.observe(it, next)
		}
		rise := next - phi
		phi = next
		if rise <= s.tol*math.Abs(phi) {
			break
		}
	}
	return nil
}

// scaled sets dst = a·m and returns dst.
func scaled(dst *mat.Dense, a float64, m *mat.Dense) *mat.Dense {
	dst.Scale(a, m)
	return dst
}
