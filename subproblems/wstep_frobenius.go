package subproblems

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// FrobeniusBallExact is the exact W-step on the Frobenius ball ‖W‖_F ≤ c,
// a trust-region subproblem. In the eigenbasis Σ = QΛQᵀ, with M̃ = QᵀM,
// the global minimizer is, row by row,
//
//	W̃_i = ρM̃_i / (ρ + 2μ − 2λΛ_i),
//
// with the multiplier μ ≥ max(0, λΛ_max − ρ/2) found from ‖W‖_F = c by a
// safeguarded Newton iteration on the secular equation; μ = 0 when the
// unconstrained minimizer (which needs ρ > 2λΛ_max) lies in the ball. In
// the hard case, where M̃ has no component along the top eigenvector and
// μ = λΛ_max − ρ/2 still leaves ‖W‖_F < c, the remaining norm goes along
// the top eigenvector, in the direction of the warm start's component
// there (or of the first column when that is zero).
//
// Q is computed once by the covariance; each Prox costs the rotations QᵀM
// and QW̃ (O(d²k)) plus O(dk) per secular iteration.
//
// Reference: Moré, Sorensen 1983, "Computing a trust region step", SIAM J.
// Sci. Stat. Comput. 4(3).
type FrobeniusBallExact struct {
	cov    EigenCovariance
	lambda float64
	radius float64

	mu     float64
	sec    secular
	mt, wt *mat.Dense
}

// NewFrobeniusBallExact returns the exact W-step on the Frobenius ball of
// radius c for weight λ. c = +Inf means no constraint. It returns an
// error if λ is negative or not finite, or c is negative or NaN. It panics
// if cov is nil.
func NewFrobeniusBallExact(cov EigenCovariance, lambda, radius float64) (*FrobeniusBallExact, error) {
	if cov == nil {
		panic("subproblems: nil covariance")
	}
	if err := checkLambda(lambda); err != nil {
		return nil, err
	}
	if !(radius >= 0) {
		return nil, fmt.Errorf("subproblems: invalid Frobenius ball radius %v: want a value ≥ 0, or +Inf for no constraint", radius)
	}
	return &FrobeniusBallExact{cov: cov, lambda: lambda, radius: radius}, nil
}

// Multiplier returns μ of the last Prox, the multiplier of ‖W‖²_F ≤ c² in
// the Lagrangian −λ tr(WᵀΣW) + (ρ/2)‖W − M‖² + μ(‖W‖²_F − c²).
func (f *FrobeniusBallExact) Multiplier() float64 { return f.mu }

// Prox overwrites dst with a global minimizer of the W-step on the
// Frobenius ball. dst is read only in the hard case, for the direction
// along the top eigenvector.
//
// Special cases:
//   - ρ ≤ 0 or not finite: an error, dst unchanged.
//   - c = 0: W = 0.
//   - c = +Inf and ρ ≤ 2λΛ_max: an error, because the objective is
//     unbounded below (or, at equality, may have no minimizer); dst
//     unchanged.
//   - a canceled context: its error, dst unchanged.
func (f *FrobeniusBallExact) Prox(ctx context.Context, dst, v *mat.Dense, rho float64) error {
	k, err := startProx(ctx, f.cov, dst, v, rho)
	if err != nil {
		return err
	}
	values, q := f.cov.Eigen()
	d := len(values)
	b0 := rho - 2*f.lambda*values[0]
	if math.IsInf(f.radius, 1) && !(b0 > 0) {
		return fmt.Errorf("subproblems: W-step on the unbounded Frobenius ball has no minimizer for rho %v ≤ 2·lambda·Λ_max = %v: use a finite radius or a larger rho", rho, 2*f.lambda*values[0])
	}
	if f.radius == 0 {
		f.mu = math.Max(0, -b0/2)
		dst.Zero()
		return nil
	}
	f.ensure(d, k)

	// Rotate into the eigenbasis, M̃ = QᵀM, and set up the secular
	// equation with a_i = ρ‖M̃_i‖ and δ_i = 2λ(Λ_0 − Λ_i).
	f.mt.Mul(q.T(), v)
	for i := 0; i < d; i++ {
		row := f.mt.RawRowView(i)
		f.sec.a2[i] = rho * rho * floats.Dot(row, row)
		f.sec.delta[i] = 2 * f.lambda * (values[0] - values[i])
	}

	// τ = b_0 + 2μ with μ ≥ 0 and τ ≥ 0. The top direction is filled only
	// when b_0 < 0, where the constraint must be active.
	var tau, extra float64
	if math.IsInf(f.radius, 1) {
		tau = b0
	} else {
		tau, extra = f.sec.solve(f.radius, math.Max(0, b0), b0 < 0)
	}
	f.mu = (tau - b0) / 2

	// W̃_i = ρM̃_i/(δ_i + τ); rows on the pole have M̃_i = 0 and stay 0.
	for i := 0; i < d; i++ {
		den := f.sec.delta[i] + tau
		row := f.wt.RawRowView(i)
		if den == 0 {
			for j := range row {
				row[j] = 0
			}
			continue
		}
		floats.ScaleTo(row, rho/den, f.mt.RawRowView(i))
	}
	if extra > 0 {
		f.fillTop(dst, q, extra)
	}
	dst.Mul(q, f.wt)
	return nil
}

// fillTop sets the top row of W̃ to extra times a unit k-vector: the
// direction of the warm start's top row q₁ᵀW if that is nonzero, else e₁.
func (f *FrobeniusBallExact) fillTop(dst, q *mat.Dense, extra float64) {
	d, _ := q.Dims()
	top := f.wt.RawRowView(0)
	for j := range top {
		top[j] = 0
	}
	for i := 0; i < d; i++ {
		floats.AddScaled(top, q.At(i, 0), dst.RawRowView(i))
	}
	norm := floats.Norm(top, 2)
	if norm == 0 || math.IsNaN(norm) || math.IsInf(norm, 0) {
		for j := range top {
			top[j] = 0
		}
		top[0] = extra
		return
	}
	floats.Scale(extra/norm, top)
}

func (f *FrobeniusBallExact) ensure(d, k int) {
	if f.mt != nil && f.mt.RawMatrix().Cols == k {
		return
	}
	f.mt = mat.NewDense(d, k, nil)
	f.wt = mat.NewDense(d, k, nil)
	f.sec = secular{a2: make([]float64, d), delta: make([]float64, d)}
}
