package subproblems

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/admm-go/admm/constraints"
)

// UpdateRule is a user-supplied W-update: one step from the current W
// toward the W-step's target M = Z − U.
type UpdateRule interface {
	// Update sets dst to the next W from w, given M, the penalty ρ ≥ 0 and
	// the covariance source. dst, w and m are d×k; dst does not alias w
	// or m, and Update must not modify w or m.
	Update(dst, w, m *mat.Dense, rho float64, cov Covariance) error
}

// RuleStep is a W-step that applies an [UpdateRule] a fixed number of
// times from the previous W, projecting onto a constraint set after each
// update when one is given.
type RuleStep struct {
	rule  UpdateRule
	cov   Covariance
	set   constraints.Set
	steps int

	next *mat.Dense
}

// NewRuleStep returns a W-step that applies rule steps times per Prox. A
// nil set means no projection. It returns an error if steps < 1 and panics
// if rule or cov is nil.
func NewRuleStep(rule UpdateRule, cov Covariance, set constraints.Set, steps int) (*RuleStep, error) {
	if rule == nil || cov == nil {
		panic("subproblems: nil update rule or covariance")
	}
	if steps < 1 {
		return nil, fmt.Errorf("subproblems: invalid number of rule steps %d: want a value ≥ 1", steps)
	}
	return &RuleStep{rule: rule, cov: cov, set: set, steps: steps}, nil
}

// Prox overwrites dst with the result of the rule's steps from dst. It
// returns an error for ρ ≤ 0 or not finite (dst unchanged), a canceled
// context or an error of the rule (dst holds the last iterate).
func (r *RuleStep) Prox(ctx context.Context, dst, v *mat.Dense, rho float64) error {
	k, err := startProx(ctx, r.cov, dst, v, rho)
	if err != nil {
		return err
	}
	if r.next == nil || r.next.RawMatrix().Cols != k {
		r.next = mat.NewDense(r.cov.Dim(), k, nil)
	}
	for it := 0; it < r.steps; it++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := r.rule.Update(r.next, dst, v, rho, r.cov); err != nil {
			return fmt.Errorf("subproblems: update rule failed at step %d: %w", it+1, err)
		}
		if r.set != nil {
			r.set.Project(dst, r.next)
		} else {
			dst.Copy(r.next)
		}
	}
	return nil
}

// Oja is Oja's subspace rule with the proximal pull,
//
//	W ← W + η(2λ(ΣW − W·WᵀΣW) + ρ(M − W)).
//
// For k = 1 and without the pull it is Oja's rule in expectation (Oja
// 1982, "Simplified neuron model as a principal component analyzer", J.
// Math. Biol.), whose stable fixed points are the unit top eigenvectors;
// for k > 1 the fixed points it approaches are orthonormal bases of the
// top-k eigenspace. The factor 2λ scales ΣW like the gradient of
// λ tr(WᵀΣW).
type Oja struct{ hebbian }

// NewOja returns Oja's rule for weight λ with step size η. Zero η means
// 1/(2(ρ + 2λΛ̂)) at every update, Λ̂ the covariance's [EigenBounder]
// bound.
// It returns an error if λ or η is negative or not finite.
func NewOja(lambda, eta float64) (*Oja, error) {
	h, err := newHebbian(lambda, eta, false)
	if err != nil {
		return nil, err
	}
	return &Oja{h}, nil
}

// GHA is Sanger's generalized Hebbian algorithm with the proximal pull.
// For one sample x with y = Wᵀx, column j moves by η y_j(x − Σ_{i≤j} y_i w_i);
// in expectation over x this is
//
//	W ← W + η(2λ(ΣW − W·UT[WᵀΣW]) + ρ(M − W)),
//
// where UT keeps the upper triangle including the diagonal. Without the
// pull its stable fixed point is the top-k eigenvectors in order, up to
// sign (Sanger 1989, "Optimal unsupervised learning in a single-layer
// linear feedforward neural network", Neural Networks 2).
type GHA struct{ hebbian }

// NewGHA returns Sanger's rule for weight λ with step size η; η = 0 as in
// [NewOja]. It returns an error if λ or η is negative or not finite.
func NewGHA(lambda, eta float64) (*GHA, error) {
	h, err := newHebbian(lambda, eta, true)
	if err != nil {
		return nil, err
	}
	return &GHA{h}, nil
}

// hebbian is the update shared by [Oja] and [GHA], which differ only in
// the part of WᵀΣW they keep.
type hebbian struct {
	lambda, eta float64
	triangular  bool // GHA: keep the upper triangle of WᵀΣW
	sw, gram    *mat.Dense
	pull        mat.Dense
}

func newHebbian(lambda, eta float64, triangular bool) (hebbian, error) {
	if err := checkLambda(lambda); err != nil {
		return hebbian{}, err
	}
	if !(eta >= 0) || math.IsInf(eta, 0) {
		return hebbian{}, fmt.Errorf("subproblems: invalid step size %v: want a finite value > 0, or 0 for 1/(rho + 2·lambda·Λ_max)", eta)
	}
	return hebbian{lambda: lambda, eta: eta, triangular: triangular}, nil
}

// Direction sets dst to the rule's ascent direction for λ tr(WᵀΣW) at w,
// 2λ(ΣW − W·G) with G = WᵀΣW for Oja and its upper triangle for GHA. At an
// orthonormal W it is the Riemannian gradient (Oja) or its triangular
// variant (GHA), so joint training can use it in place of the Euclidean
// gradient 2λΣW. It panics on shapes that do not match.
func (o *hebbian) Direction(dst, w *mat.Dense, cov Covariance) {
	d, k := w.Dims()
	if o.sw == nil || o.sw.RawMatrix().Rows != d || o.sw.RawMatrix().Cols != k {
		o.sw = mat.NewDense(d, k, nil)
		o.gram = mat.NewDense(k, k, nil)
	}

	// ΣW and the k×k matrix WᵀΣW, with its strict lower triangle zeroed for
	// GHA.
	cov.MulTo(o.sw, w)
	o.gram.Mul(w.T(), o.sw)
	if o.triangular {
		for i := 1; i < k; i++ {
			row := o.gram.RawRowView(i)
			for j := 0; j < i; j++ {
				row[j] = 0
			}
		}
	}

	dst.Mul(w, o.gram)
	dst.Sub(o.sw, dst)
	dst.Scale(2*o.lambda, dst)
}

// Update sets dst to one step of the rule from w. It returns an error if
// η is zero and cov is not an [EigenBounder], and panics on shapes that do
// not match. [Oja] and [GHA] promote it.
func (o *hebbian) Update(dst, w, m *mat.Dense, rho float64, cov Covariance) error {
	if err := checkStep(o.eta, cov); err != nil {
		return err
	}
	// The default step is half that of projected gradient: linearized at
	// an orthonormal W, the rule moves E = WᵀW − I by −2λη(ES + SE) with
	// S = WᵀΣW, twice the rate of the ΣW term, and a full step would leave
	// the top mode of E undamped.
	eta := o.eta
	if eta == 0 {
		eta = stepSize(0, cov, o.lambda, rho) / 2
	}
	// Direction 2λ(ΣW − W·G) + ρ(M − W), then dst = W + η·direction.
	o.Direction(dst, w, cov)
	o.pull.Sub(m, w)
	o.pull.Scale(rho, &o.pull)
	dst.Add(dst, &o.pull)
	dst.Scale(eta, dst)
	dst.Add(w, dst)
	return nil
}
