package subproblems

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/admm-go/admm/constraints"
)

// AscentOptions controls [ProjectedAscent]. The zero value of every field
// selects the default that its comment gives.
type AscentOptions struct {
	// Steps is the number m of projected steps in one Prox. Zero means 10.
	Steps int
	// Step is the step size η. Zero means 1/(ρ + 2λΛ̂), where Λ̂ is the
	// covariance's [EigenBounder] bound on Λ_max: the inverse of a bound
	// on the Lipschitz constant of the gradient. Zero needs a covariance that is
	// an EigenBounder.
	Step float64
}

const defaultAscentSteps = 10

// ProjectedAscent is the inexact W-step for any constraint set: m steps of
//
//	W ← P_𝒞(W + η(2λΣ̂W − ρ(W − M))),
//
// projected gradient descent on the W-step objective started from the
// previous W. With Σ̂ a minibatch estimate it is the classic custom PCA
// update W ← W + ηΣ̂W with the proximal pull added.
type ProjectedAscent struct {
	set    constraints.Set
	cov    Covariance
	lambda float64
	steps  int
	step   float64

	sw, g *mat.Dense
}

// NewProjectedAscent returns the inexact W-step on set for weight λ. It
// returns an error if λ or an option is invalid, or if opts.Step is zero
// and cov is not an [EigenBounder]. It panics if set or cov is nil.
func NewProjectedAscent(set constraints.Set, cov Covariance, lambda float64, opts AscentOptions) (*ProjectedAscent, error) {
	if set == nil || cov == nil {
		panic("subproblems: nil set or covariance")
	}
	if err := checkLambda(lambda); err != nil {
		return nil, err
	}
	p := &ProjectedAscent{set: set, cov: cov, lambda: lambda, steps: opts.Steps, step: opts.Step}
	if p.steps == 0 {
		p.steps = defaultAscentSteps
	}
	if p.steps < 0 {
		return nil, fmt.Errorf("subproblems: invalid AscentOptions.Steps %d: want a value ≥ 1, or 0 for the default %d", opts.Steps, defaultAscentSteps)
	}
	if err := checkStep(p.step, cov); err != nil {
		return nil, err
	}
	return p, nil
}

// Prox overwrites dst with the result of m projected steps from dst.
//
// Special cases:
//   - ρ ≤ 0 or not finite: an error, dst unchanged.
//   - dst outside the set: the first step projects it.
//   - a canceled context: its error, dst holds the last iterate.
func (p *ProjectedAscent) Prox(ctx context.Context, dst, v *mat.Dense, rho float64) error {
	k, err := startProx(ctx, p.cov, dst, v, rho)
	if err != nil {
		return err
	}
	eta := stepSize(p.step, p.cov, p.lambda, rho)
	d := p.cov.Dim()
	if p.sw == nil || p.sw.RawMatrix().Cols != k {
		p.sw = mat.NewDense(d, k, nil)
		p.g = mat.NewDense(d, k, nil)
	}
	for it := 0; it < p.steps; it++ {
		if err := ctx.Err(); err != nil {
			return err
		}

		// g = 2λΣ̂W − ρ(W − M), the negative gradient.
		p.cov.MulTo(p.sw, dst)
		p.g.Sub(v, dst)
		p.g.Scale(rho, p.g)
		p.g.Add(p.g, scaled(p.sw, 2*p.lambda, p.sw))

		// W ← P_𝒞(W + ηg).
		p.g.Scale(eta, p.g)
		p.g.Add(dst, p.g)
		p.set.Project(dst, p.g)
	}
	return nil
}

// checkStep returns an error unless step is finite and > 0, or zero with a
// covariance that bounds its top eigenvalue.
func checkStep(step float64, cov Covariance) error {
	if step == 0 {
		if _, ok := cov.(EigenBounder); !ok {
			return fmt.Errorf("subproblems: step size 0 needs a covariance that bounds its top eigenvalue, and %T does not: give a step size > 0", cov)
		}
		return nil
	}
	if !(step > 0) || math.IsInf(step, 0) {
		return fmt.Errorf("subproblems: invalid step size %v: want a finite value > 0, or 0 for 1/(rho + 2·lambda·Λ_max)", step)
	}
	return nil
}

// stepSize returns step, or 1/(ρ + 2λΛ̂) when step is zero.
func stepSize(step float64, cov Covariance, lambda, rho float64) float64 {
	if step != 0 {
		return step
	}
	return 1 / (rho + 2*lambda*cov.(EigenBounder).MaxEigenvalueBound())
}
