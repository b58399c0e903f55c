package subproblems

import (
	"fmt"

	"github.com/admm-go/admm/admm"
	"github.com/admm-go/admm/constraints"
)

// WStepOptions holds the options of every W-step that [NewWStep] builds.
// Each solver reads the fields it uses; the zero value of every field
// selects that solver's default.
type WStepOptions struct {
	// MaxIter and Tol are the iteration limit and tolerance of "power"
	// ([GPIOptions]) and of "exact" on the spectral ball ([FISTAOptions]).
	MaxIter int
	Tol     float64
	// Steps and Step are the number of steps per Prox and the step size η
	// of "custom" ([AscentOptions]), "oja" and "gha". For "oja" and "gha"
	// zero Steps means 10.
	Steps int
	Step  float64
}

// validWSteps lists the solver names and the sets each one fits, for
// error messages.
const validWSteps = `valid W-steps: "exact" with frobenius, columns or spectral; "power" with stiefel; "custom" with any set; "oja" or "gha" with stiefel`

// NewWStep returns the W-step named name on set, as the command line
// spells it:
//
//	exact   the exact solvers: [FrobeniusBallExact] on a Frobenius ball,
//	        [UnitColumnsExact] on unit columns, and [SpectralBallFISTA]
//	        (solved to its tolerance) on a spectral ball
//	power   [StiefelGPI] on the Stiefel manifold
//	custom  [ProjectedAscent] on any set
//	oja     [Oja] in a [RuleStep] projected onto the Stiefel manifold
//	gha     [GHA] in a [RuleStep] projected onto the Stiefel manifold
//
// It returns an error for an unknown name, a name that does not fit the
// set, an invalid λ or option, or an exact Frobenius or columns solver on
// a covariance without an eigendecomposition. It panics if set or cov is
// nil or more than one WStepOptions is given.
func NewWStep(name string, set constraints.Set, cov Covariance, lambda float64, opts ...WStepOptions) (admm.Block, error) {
	if set == nil || cov == nil {
		panic("subproblems: nil set or covariance")
	}
	if len(opts) > 1 {
		panic("subproblems: NewWStep takes at most one WStepOptions")
	}
	var o WStepOptions
	if len(opts) == 1 {
		o = opts[0]
	}

	switch name {
	case "exact":
		return newExact(set, cov, lambda, o)
	case "power":
		if _, ok := set.(constraints.Stiefel); ok {
			return NewStiefelGPI(cov, lambda, GPIOptions{MaxIter: o.MaxIter, Tol: o.Tol})
		}
	case "custom":
		return NewProjectedAscent(set, cov, lambda, AscentOptions{Steps: o.Steps, Step: o.Step})
	case "oja", "gha":
		if _, ok := set.(constraints.Stiefel); ok {
			return newHebbianStep(name, set, cov, lambda, o)
		}
	default:
		return nil, fmt.Errorf("subproblems: unknown W-step %q; %s", name, validWSteps)
	}
	return nil, fmt.Errorf("subproblems: W-step %q does not fit the set %q; %s", name, set, validWSteps)
}

func newExact(set constraints.Set, cov Covariance, lambda float64, o WStepOptions) (admm.Block, error) {
	switch s := set.(type) {
	case constraints.SpectralBall:
		return NewSpectralBallFISTA(cov, lambda, s.Radius, FISTAOptions{MaxIter: o.MaxIter, Tol: o.Tol})
	case constraints.FrobeniusBall:
		ec, err := eigenCovariance(cov)
		if err != nil {
			return nil, err
		}
		return NewFrobeniusBallExact(ec, lambda, s.Radius)
	case constraints.UnitColumns:
		ec, err := eigenCovariance(cov)
		if err != nil {
			return nil, err
		}
		return NewUnitColumnsExact(ec, lambda)
	}
	return nil, fmt.Errorf("subproblems: W-step \"exact\" does not fit the set %q; %s", set, validWSteps)
}

func eigenCovariance(cov Covariance) (EigenCovariance, error) {
	ec, ok := cov.(EigenCovariance)
	if !ok {
		return nil, fmt.Errorf("subproblems: the exact W-step needs the eigendecomposition of a fixed covariance, and %T has none: use the full-data covariance, or the W-step \"custom\"", cov)
	}
	return ec, nil
}

const defaultRuleSteps = 10

func newHebbianStep(name string, set constraints.Set, cov Covariance, lambda float64, o WStepOptions) (admm.Block, error) {
	steps := o.Steps
	if steps == 0 {
		steps = defaultRuleSteps
	}
	if err := checkStep(o.Step, cov); err != nil {
		return nil, err
	}
	var rule UpdateRule
	var err error
	if name == "oja" {
		rule, err = NewOja(lambda, o.Step)
	} else {
		rule, err = NewGHA(lambda, o.Step)
	}
	if err != nil {
		return nil, err
	}
	return NewRuleStep(rule, cov, set, steps)
}
