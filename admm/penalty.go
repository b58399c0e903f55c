package admm

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Penalty is a schedule for ρ. The schedules of this package are
// deterministic functions of the records they see. Those with bounds and
// an update interval validate them in a Validate method, which Solve
// calls before the first iteration.
type Penalty interface {
	// Init is called once at the start of every run with the initial ρ,
	// so per-run state can be reset.
	Init(rho float64)
	// Next returns ρ for the next iteration. The solver rescales u when
	// the value differs from rec.Rho.
	Next(rec *Record) float64
}

// Fixed keeps ρ constant.
type Fixed struct{}

// Init does nothing: a fixed schedule has no state.
func (Fixed) Init(float64) {}

// Next returns the current ρ.
func (Fixed) Next(rec *Record) float64 { return rec.Rho }

// validateBounds checks the Min, Max and Interval fields of the schedule
// named name.
func validateBounds(name string, lo, hi float64, interval int) error {
	if !(lo >= 0) || math.IsInf(lo, 0) {
		return fmt.Errorf("admm: invalid %s.Min %v: want a finite value ≥ 0, where 0 means no lower bound", name, lo)
	}
	if !(hi >= 0) || (hi != 0 && hi < lo) {
		return fmt.Errorf("admm: invalid %s.Max %v: want a value ≥ Min = %v, or 0 for no upper bound", name, hi, lo)
	}
	if interval < 0 {
		return fmt.Errorf("admm: invalid %s.Interval %d: want a number of iterations ≥ 1, or 0 for the default", name, interval)
	}
	return nil
}

// due reports whether iteration it is an update iteration for an
// interval, where an interval ≤ 0 means def. The interval never reaches
// the modulo unless it is ≥ 1.
func due(it, interval, def int) bool {
	if interval <= 0 {
		interval = def
	}
	return it%interval == 0
}

// clamp limits rho to [lo, hi], where hi = 0 means no upper bound.
func clamp(rho, lo, hi float64) float64 {
	if hi > 0 && rho > hi {
		rho = hi
	}
	return max(rho, lo)
}

// ResidualBalancing multiplies ρ by Tau when ‖r‖ > Mu‖s‖ and divides it by
// Tau when ‖s‖ > Mu‖r‖ (Boyd et al. 2011, §3.4.1, equation 3.13).
type ResidualBalancing struct {
	Mu  float64 // ratio that triggers a change, > 1; zero means 10
	Tau float64 // factor of a change, > 1; zero means 2
	// Min and Max bound ρ. Zero means no bound.
	Min, Max float64
	// Interval is the number of iterations between updates. Zero means 1.
	Interval int
}

// Validate reports an invalid field.
func (b ResidualBalancing) Validate() error {
	if b.Mu != 0 && !(b.Mu > 1 && !math.IsInf(b.Mu, 0)) {
		return fmt.Errorf("admm: invalid ResidualBalancing.Mu %v: want a finite value > 1, or 0 for 10", b.Mu)
	}
	if b.Tau != 0 && !(b.Tau > 1 && !math.IsInf(b.Tau, 0)) {
		return fmt.Errorf("admm: invalid ResidualBalancing.Tau %v: want a finite value > 1, or 0 for 2", b.Tau)
	}
	return validateBounds("ResidualBalancing", b.Min, b.Max, b.Interval)
}

// Init does nothing: residual balancing has no state.
func (ResidualBalancing) Init(float64) {}

// Next returns τρ, ρ/τ or ρ according to the ratio of the residuals,
// clamped to [Min, Max], on update iterations, and ρ otherwise.
func (b ResidualBalancing) Next(rec *Record) float64 {
	if !due(rec.Iter, b.Interval, 1) {
		return rec.Rho
	}
	mu, tau := b.Mu, b.Tau
	if mu == 0 {
		mu = 10
	}
	if tau == 0 {
		tau = 2
	}
	rho := rec.Rho
	switch {
	case rec.Primal > mu*rec.Dual:
		rho *= tau
	case rec.Dual > mu*rec.Primal:
		rho /= tau
	}
	return clamp(rho, b.Min, b.Max)
}

// NormalizedBalancing balances the residuals relative to their own scales,
// as the adaptive ρ of the OSQP solver does:
//
//	ρ⁺ = ρ·√( (‖r‖ / PrimalScale) / (‖s‖ / DualScale) )
//
// with the scales of [Record]. In the consensus form PrimalScale is
// max(‖x‖, ‖z‖) and DualScale is ‖ρu‖. Unlike plain residual balancing
// the rule does not change when the problem is rescaled. ρ⁺ is applied
// only when it differs from ρ by more than Factor, because every change
// restarts the convergence of the dual.
type NormalizedBalancing struct {
	Factor float64 // threshold of a change, > 1; zero means 5, OSQP's default adaptive_rho_tolerance
	// Min and Max bound ρ. Zero means no bound.
	Min, Max float64
	// Interval is the number of iterations between updates. Zero means 1.
	Interval int
}

// Validate reports an invalid field.
func (b NormalizedBalancing) Validate() error {
	if b.Factor != 0 && !(b.Factor > 1 && !math.IsInf(b.Factor, 0)) {
		return fmt.Errorf("admm: invalid NormalizedBalancing.Factor %v: want a finite value > 1, or 0 for 5", b.Factor)
	}
	return validateBounds("NormalizedBalancing", b.Min, b.Max, b.Interval)
}

// Init does nothing: normalized balancing has no state.
func (NormalizedBalancing) Init(float64) {}

// Next returns the balanced ρ on update iterations when it differs by
// more than Factor, and ρ otherwise. A zero residual or scale leaves ρ
// unchanged, because the ratio is then undefined.
func (b NormalizedBalancing) Next(rec *Record) float64 {
	if !due(rec.Iter, b.Interval, 1) {
		return rec.Rho
	}
	factor := b.Factor
	if factor == 0 {
		factor = 5
	}
	if rec.Primal == 0 || rec.Dual == 0 || rec.PrimalScale == 0 || rec.DualScale == 0 {
		return rec.Rho
	}
	ratio := (rec.Primal / rec.PrimalScale) / (rec.Dual / rec.DualScale)
	rho := rec.Rho * math.Sqrt(ratio)
	if rho > factor*rec.Rho || rho < rec.Rho/factor {
		return clamp(rho, b.Min, b.Max)
	}
	return rec.Rho
}

// Spectral is the spectral penalty of adaptive ADMM (Xu, Figueiredo,
// Goldstein 2017, "Adaptive ADMM with spectral penalty parameter
// selection", AISTATS). It fits the local curvature α̂ of f and β̂ of g
// by Barzilai–Borwein quotients of the changes, since the last update, of
//
//	ΔH = A(x⁺) and Δλ̂ = −ρû for f,  ΔG = B(z⁺) and Δλ = −ρu⁺ for g,
//
// where λ = −y is the paper's sign of the dual. For f,
//
//	α_SD = ⟨Δλ̂, Δλ̂⟩ / ⟨ΔH, Δλ̂⟩,  α_MG = ⟨ΔH, Δλ̂⟩ / ⟨ΔH, ΔH⟩,
//	α̂ = α_MG if 2α_MG > α_SD, else α_SD − α_MG/2,
//
// and β̂ likewise for g. An estimate counts only when its correlation
// ⟨ΔH, Δλ̂⟩ / (‖ΔH‖‖Δλ̂‖) exceeds ε_cor. Then ρ⁺ = √(α̂β̂) when both
// count, the one that counts when only one does, and ρ otherwise.
//
// NOTE: the rule follows the authors' reference implementation
// (aadmm_core.m in github.com/nightldj/admm_release); the equation numbers
// of the paper were not checked. The paper's optional bound on the change
// of ρ, which its convergence proof needs, is not implemented; Min and Max
// are the only safeguard besides the correlation test.
type Spectral struct {
	// Interval is T_f, the number of iterations between updates. Zero
	// means 2, the paper's choice.
	Interval int
	// Corr is the correlation threshold ε_cor in (0, 1). Zero means 0.2,
	// the paper's choice.
	Corr float64
	// Min and Max bound ρ. Zero means no bound.
	Min, Max float64

	// Per-run state: the values at the last update, unscaled.
	ax0, bz0, yHat0, y0 *mat.Dense
	dx, dy              *mat.Dense // work space
	started             bool
}

// Validate reports an invalid field.
func (sp *Spectral) Validate() error {
	if sp.Corr != 0 && !(sp.Corr > 0 && sp.Corr < 1) {
		return fmt.Errorf("admm: invalid Spectral.Corr %v: want a value in (0, 1), or 0 for 0.2", sp.Corr)
	}
	return validateBounds("Spectral", sp.Min, sp.Max, sp.Interval)
}

// Init clears the state of a previous run.
func (sp *Spectral) Init(float64) { sp.started = false }

// Next returns the spectral ρ on update iterations and ρ otherwise. The
// first call only stores the reference values.
func (sp *Spectral) Next(rec *Record) float64 {
	if !sp.started {
		sp.reserve(rec.AX)
		sp.remember(rec)
		sp.started = true
		return rec.Rho
	}
	if !due(rec.Iter, sp.Interval, 2) {
		return rec.Rho
	}
	corr := sp.Corr
	if corr == 0 {
		corr = 0.2
	}

	// Curvature of f: ΔH = Δ(Ax⁺), Δλ̂ = −Δ(ρû).
	sp.dx.Sub(rec.AX, sp.ax0)
	sp.dy.Scale(-rec.Rho, rec.UHat)
	sp.dy.Add(sp.dy, sp.yHat0)
	alpha, alphaOK := curvature(sp.dx, sp.dy, corr)

	// Curvature of g: ΔG = Δ(Bz⁺), Δλ = −Δ(ρu⁺).
	sp.dx.Sub(rec.BZ, sp.bz0)
	sp.dy.Scale(-rec.Rho, rec.U)
	sp.dy.Add(sp.dy, sp.y0)
	beta, betaOK := curvature(sp.dx, sp.dy, corr)

	sp.remember(rec)
	rho := rec.Rho
	switch {
	case alphaOK && betaOK:
		rho = math.Sqrt(alpha * beta)
	case alphaOK:
		rho = alpha
	case betaOK:
		rho = beta
	}
	return clamp(rho, sp.Min, sp.Max)
}

// reserve allocates the state in the shape of the constraint, once per
// shape.
func (sp *Spectral) reserve(like *mat.Dense) {
	r, c := like.Dims()
	if sp.ax0 != nil {
		if sr, sc := sp.ax0.Dims(); sr == r && sc == c {
			return
		}
	}
	sp.ax0, sp.bz0 = mat.NewDense(r, c, nil), mat.NewDense(r, c, nil)
	sp.yHat0, sp.y0 = mat.NewDense(r, c, nil), mat.NewDense(r, c, nil)
	sp.dx, sp.dy = mat.NewDense(r, c, nil), mat.NewDense(r, c, nil)
}

// remember stores Ax⁺, Bz⁺, ŷ = ρû and y = ρu⁺ as the new reference.
func (sp *Spectral) remember(rec *Record) {
	sp.ax0.Copy(rec.AX)
	sp.bz0.Copy(rec.BZ)
	sp.yHat0.Scale(rec.Rho, rec.UHat)
	sp.y0.Scale(rec.Rho, rec.U)
}

// curvature returns the hybrid Barzilai–Borwein estimate from the change
// dg of the (sub)gradient and the change dx of the point, and whether the
// correlation of the two exceeds corr.
func curvature(dx, dg *mat.Dense, corr float64) (float64, bool) {
	ip := frobeniusDot(dx, dg)
	nx, ng := mat.Norm(dx, 2), mat.Norm(dg, 2)
	if !(ip > corr*nx*ng) {
		return 0, false
	}
	sd := ng * ng / ip   // steepest descent quotient
	mg := ip / (nx * nx) // minimum gradient quotient
	if 2*mg > sd {
		return mg, true
	}
	return sd - mg/2, true
}

// frobeniusDot returns ⟨a, b⟩ = tr(aᵀb) for matrices of the same shape.
func frobeniusDot(a, b *mat.Dense) float64 {
	r, _ := a.Dims()
	sum := 0.0
	for i := range r {
		sum += floats.Dot(a.RawRowView(i), b.RawRowView(i))
	}
	return sum
}
