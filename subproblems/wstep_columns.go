package subproblems

import (
	"context"
	"math"

	"gonum.org/v1/gonum/mat"
)

// UnitColumnsExact is the exact W-step on the set of matrices with unit
// columns, ‖w_j‖ = 1 for every j. The problem separates by column, and
// each column solves a trust-region subproblem on the sphere: with
// m̃ = Qᵀm_j,
//
//	w̃_i = ρm̃_i / (ρ + 2μ_j − 2λΛ_i),   ‖w̃‖ = 1.
//
// The constraint is an equality, so μ_j may be negative. A global
// minimizer needs ρ + 2μ_j − 2λΛ_max ≥ 0 (the second-order condition of
// the trust-region subproblem, which holds on the sphere as well), and
// ‖w̃‖ ≤ ρ‖m_j‖/(ρ + 2μ_j − 2λΛ_max) gives the upper end, so
//
//	λΛ_max − ρ/2 ≤ μ_j ≤ λΛ_max − ρ/2 + ρ‖m_j‖/2.
//
// In the hard case (m̃ has no component along the top eigenvector and the
// lower end leaves ‖w̃‖ < 1) the rest of the unit norm goes along the top
// eigenvector, with the sign of the warm start's component there (+ when
// that is zero).
//
// Every column of a maximizer of tr(WᵀΣW) over this set is the top
// eigenvector, so the set bounds the PCA term but does not recover a
// k-dimensional subspace.
type UnitColumnsExact struct {
	cov    EigenCovariance
	lambda float64

	mu     []float64
	sec    secular
	mt, wt *mat.Dense
}

// NewUnitColumnsExact returns the exact W-step on unit columns for weight
// λ. It returns an error if λ is negative or not finite, and panics if
// cov is nil.
func NewUnitColumnsExact(cov EigenCovariance, lambda float64) (*UnitColumnsExact, error) {
	if cov == nil {
		panic("subproblems: nil covariance")
	}
	if err := checkLambda(lambda); err != nil {
		return nil, err
	}
	return &UnitColumnsExact{cov: cov, lambda: lambda}, nil
}

// Multipliers returns μ_j of the last Prox, one per column, the multipliers
// of ‖w_j‖² = 1 in the Lagrangian −λ tr(WᵀΣW) + (ρ/2)‖W − M‖² +
// Σ_j μ_j(‖w_j‖² − 1). The slice belongs to u and changes with the next
// Prox.
func (u *UnitColumnsExact) Multipliers() []float64 { return u.mu }

// Prox overwrites dst with a global minimizer of the W-step on unit
// columns. dst is read only in the hard case, for the sign along the top
// eigenvector.
//
// Special cases:
//   - ρ ≤ 0 or not finite: an error, dst unchanged.
//   - a zero column of M: the top eigenvector, the hard case.
//   - a canceled context: its error, dst unchanged.
func (u *UnitColumnsExact) Prox(ctx context.Context, dst, v *mat.Dense, rho float64) error {
	k, err := startProx(ctx, u.cov, dst, v, rho)
	if err != nil {
		return err
	}
	values, q := u.cov.Eigen()
	d := len(values)
	b0 := rho - 2*u.lambda*values[0]
	u.ensure(d, k)

	// M̃ = QᵀM, and q₁ᵀW for the signs of the hard case.
	u.mt.Mul(q.T(), v)
	var top mat.VecDense
	top.MulVec(dst.T(), q.ColView(0))

	for i := 0; i < d; i++ {
		u.sec.delta[i] = 2 * u.lambda * (values[0] - values[i])
	}
	for j := 0; j < k; j++ {
		// Column j: a_i = ρ|m̃_i|, c = 1, τ = b_0 + 2μ_j ∈ [0, ρ‖m_j‖].
		for i := 0; i < d; i++ {
			a := rho * u.mt.At(i, j)
			u.sec.a2[i] = a * a
		}
		tau, extra := u.sec.solve(1, 0, true)
		u.mu[j] = (tau - b0) / 2

		for i := 0; i < d; i++ {
			den := u.sec.delta[i] + tau
			if den == 0 {
				u.wt.Set(i, j, 0)
				continue
			}
			u.wt.Set(i, j, rho*u.mt.At(i, j)/den)
		}
		if extra > 0 {
			u.wt.Set(0, j, math.Copysign(extra, signOrPlus(top.AtVec(j))))
		}
	}
	dst.Mul(q, u.wt)
	return nil
}

// signOrPlus returns x, or 1 when x is zero or NaN.
func signOrPlus(x float64) float64 {
	if x == 0 || math.IsNaN(x) {
		return 1
	}
	return x
}

func (u *UnitColumnsExact) ensure(d, k int) {
	if u.mt != nil && u.mt.RawMatrix().Cols == k {
		return
	}
	u.mt = mat.NewDense(d, k, nil)
	u.wt = mat.NewDense(d, k, nil)
	u.mu = make([]float64, k)
	u.sec = secular{a2: make([]float64, d), delta: make([]float64, d)}
}
