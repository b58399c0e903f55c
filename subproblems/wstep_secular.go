package subproblems

import "math"

// secularTol is the relative accuracy of ‖W‖ = c at which the secular
// iteration stops: a few hundred ε, above the rounding of the sum S(τ).
const secularTol = 1e-13

// secularMaxIter bounds the safeguarded Newton iteration. A root near 0
// (the near-hard case) takes at most about 270 divisions of hi by 16,
// because 16^−270 is below the smallest float64. A narrow bracket takes
// about 60 halvings, and Newton converges in a few steps once inside.
const secularMaxIter = 500

// secular is the scalar problem behind the exact W-steps on a ball or a
// sphere. In the eigenbasis of Σ, with b_i = ρ − 2λΛ_i, the stationary
// points are W̃_i = ρM̃_i/(b_i + 2μ). Writing τ = b_0 + 2μ (the distance of
// the shift from the pole of the top eigenvalue) and δ_i = b_i − b_0 =
// 2λ(Λ_0 − Λ_i) ≥ 0 keeps the rows accurate when τ is tiny:
//
//	‖W(τ)‖² = S(τ) = Σ_i a²_i/(δ_i + τ)²,   a_i = ρ‖M̃_i‖.
//
// A global minimizer has τ ≥ 0, the second-order condition
// ρ + 2μ − 2λΛ_max ≥ 0 (Moré, Sorensen 1983, "Computing a trust region
// step", SIAM J. Sci. Stat. Comput., for the ball; the same argument holds
// for the sphere).
type secular struct {
	a2    []float64 // a²_i
	delta []float64 // δ_i, ascending from δ_0 = 0
}

// sum returns S(τ). A row with a²_i > 0 on the pole δ_i + τ = 0 gives +Inf
// and a row with a²_i = 0 adds nothing.
func (s *secular) sum(tau float64) float64 {
	var sum float64
	for i, a2 := range s.a2 {
		if a2 == 0 {
			continue
		}
		den := s.delta[i] + tau
		if den == 0 {
			return math.Inf(1)
		}
		sum += a2 / (den * den)
	}
	return sum
}

// solve returns the τ ≥ tauLow with S(τ) = c², or τ = tauLow if
// S(tauLow) ≤ c² already. In that second case, with fill set, it also
// returns extra = √(c² − S(tauLow)), the norm that the minimizer puts along
// the top eigenvector (the hard case of the trust-region subproblem, where
// M̃ has no component there); otherwise extra is 0.
//
// On (tauLow, ∞) S is decreasing, and ψ(τ) = 1/√S(τ) − 1/c is increasing
// and concave (Moré, Sorensen 1983), so Newton's method on ψ
// approaches the root from the left without overshoot. The iteration keeps
// a bracket [lo, hi] around the root and bisects whenever a Newton step
// leaves it.
func (s *secular) solve(c, tauLow float64, fill bool) (tau, extra float64) {
	c2 := c * c
	if sLow := s.sum(tauLow); sLow <= c2 {
		if fill {
			extra = math.Sqrt(c2 - sLow)
		}
		return tauLow, extra
	}

	// Bracket: S(hi) ≤ ‖a‖²/hi² = c² because every δ_i ≥ 0.
	var norm2 float64
	for _, a2 := range s.a2 {
		norm2 += a2
	}
	lo, hi := tauLow, math.Sqrt(norm2)/c
	tau = hi
	for it := 0; it < secularMaxIter; it++ {
		// ψ(τ) and ψ'(τ) = S^{−3/2} Σ a²_i/(δ_i + τ)³.
		var sum, sum3 float64
		for i, a2 := range s.a2 {
			if a2 == 0 {
				continue
			}
			inv := 1 / (s.delta[i] + tau)
			sum += a2 * inv * inv
			sum3 += a2 * inv * inv * inv
		}
		norm := math.Sqrt(sum)
		if math.Abs(norm-c) <= secularTol*c {
			return tau, 0
		}
		if norm > c {
			lo = tau
		} else {
			hi = tau
		}
		if hi-lo <= 2*eps*hi {
			return hi, 0
		}

		// Newton step on ψ, or a bisection step if it leaves (lo, hi).
		psi := 1/norm - 1/c
		dpsi := sum3 / (sum * norm)
		next := tau - psi/dpsi
		if !(next > lo && next < hi) {
			next = bisect(lo, hi)
		}
		tau = next
	}
	// NOTE: the iteration limit is a guard that no test reaches. Returning
	// hi keeps the result feasible, ‖W‖ ≤ c.
	return hi, 0
}

// bisect returns a point inside (lo, hi), 0 ≤ lo < hi, that shrinks the
// bracket by a constant factor in the scale that suits it: hi/16 when
// lo = 0, the geometric mean when the bracket spans more than a factor 16,
// and the midpoint otherwise.
func bisect(lo, hi float64) float64 {
	switch {
	case lo == 0:
		return hi / 16
	case hi > 16*lo:
		return math.Sqrt(lo) * math.Sqrt(hi)
	}
	return lo + (hi-lo)/2
}

// eps is the machine epsilon of float64.
const eps = 0x1p-52
