// Package admm implements the alternating direction method of multipliers
// (ADMM) in scaled form for two-block problems
//
//	minimize f(x) + g(z)  subject to  x − z = 0        ([Solve])
//	minimize f(x) + g(z)  subject to  Ax + Bz = c      ([SolveGeneral])
//
// where each block is reached only through its proximal operator (a
// [Block]) or, in the general form, its linearly constrained subproblem (a
// [LinearBlock]). The package makes no assumption about the functions behind the
// blocks: a block may be an exact minimizer, a closed form, or a few
// warm-started gradient steps.
//
// Notation (Boyd, Parikh, Chu, Peleato, Eckstein 2011, "Distributed
// Optimization and Statistical Learning via the Alternating Direction Method
// of Multipliers", §3.1.1 and §3.3):
//
//	x, z     the two variables (x, z in the identifiers)
//	u        the scaled dual variable, u = y/ρ
//	ρ        the penalty parameter (rho)
//	α        the over-relaxation parameter (alpha), x̄ = αx⁺ + (1−α)z
//	r        the primal residual x⁺ − z⁺, in general Ax⁺ + Bz⁺ − c
//	s        the dual residual ρ(z⁺ − z), in general ρAᵀB(z⁺ − z)
//	ε_pri    the primal tolerance (epsPri)
//	ε_dual   the dual tolerance (epsDual)
//
// One iteration of the consensus form is
//
//	x⁺ = prox_{f/ρ}(z − u)
//	x̄  = αx⁺ + (1−α)z
//	z⁺ = prox_{g/ρ}(x̄ + u)
//	u⁺ = u + x̄ − z⁺
//
// Because u is the dual divided by ρ, every change of ρ by a [Penalty]
// schedule rescales u by ρ_old/ρ_new so that the unscaled dual ρu is
// unchanged. Optional Anderson acceleration extrapolates (z, u) between
// iterations; records always show plain ADMM iterates.
//
// Errors: [Solve] returns an error for invalid settings, for a block that
// fails, for a non-finite value, for divergence and for cancellation. The
// [Result] returned beside the error still holds the last finite iterate.
// Limits on iterations, time and Prox calls are not errors: they set
// [Result.Status] to a limit or to [Inaccurate]. Solve panics on programmer
// errors: a nil block or a starting point whose shape does not match the
// others. A run allocates its work space once, so iterations allocate
// nothing unless a block, operator or schedule does.
package admm
