// Package admm implements the alternating direction method of multipliers
// (ADMM) in scaled form for two-block problems
//
//	minimize f(x) + g(z)  subject to  x − z = 0,
//
// where each block is reached only through its proximal operator. The
// package knows nothing of the functions behind the blocks: a block may be
// an exact minimizer, a closed form, or a few warm-started gradient steps.
//
// Notation (Boyd, Parikh, Chu, Peleato, Eckstein 2011, "Distributed
// Optimization and Statistical Learning via the Alternating Direction Method
// of Multipliers", §3.1.1 and §3.3):
//
//	x, z     the two copies of the variable (x, z in the identifiers)
//	u        the scaled dual variable, u = y/ρ
//	ρ        the penalty parameter (rho)
//	α        the over-relaxation parameter (alpha), x̄ = αx⁺ + (1−α)z
//	r        the primal residual x⁺ − z⁺
//	s        the dual residual ρ(z⁺ − z)
//	ε_pri    the primal tolerance (epsPri)
//	ε_dual   the dual tolerance (epsDual)
//
// One iteration is
//
//	x⁺ = prox_{f/ρ}(z − u)
//	x̄  = αx⁺ + (1−α)z
//	z⁺ = prox_{g/ρ}(x̄ + u)
//	u⁺ = u + x̄ − z⁺
//
// Because u is the dual divided by ρ, every change of ρ rescales u by
// ρ_old/ρ_new so that the unscaled dual ρu is unchanged.
//
// Errors: [Solve] returns an error for invalid settings, for a block that
// fails, for a non-finite value and for cancellation; the [Result] returned
// beside the error still holds the last finite iterate. Solve panics on
// programmer errors: a nil block or a starting point whose shape does not
// match the others.
package admm
