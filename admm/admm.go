package admm

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Block is one of the two functions of the splitting, reached through its
// proximal operator.
type Block interface {
	// Prox overwrites dst with a minimizer, exact or approximate, of
	//
	//	h(x) + (ρ/2)‖x − v‖²_F
	//
	// where h is the block's function. On entry dst holds the block's
	// previous value, which an inexact block may use as a warm start. Prox
	// must not modify v or retain dst or v after it returns. dst and v
	// never alias.
	Prox(ctx context.Context, dst, v *mat.Dense, rho float64) error
}

// Problem is a two-block splitting: minimize f(x) + g(z) subject to x = z.
type Problem struct {
	F Block // the x-block, solved first in every iteration
	G Block // the z-block, solved second
}

// Start is the point an iteration starts from. Nil matrices mean zero,
// except X, which defaults to a copy of Z. X only serves as the warm start
// of the first x-step.
type Start struct {
	X, Z, U *mat.Dense
	Rho     float64 // zero means Settings.Rho
}

// Settings controls a run. The zero value of every field selects the
// default that its comment gives. Solve never writes to Settings.
type Settings struct {
	// Rho is the initial penalty ρ > 0. Zero means 1.
	Rho float64
	// Alpha is the over-relaxation parameter α ∈ (0, 2). Zero means 1,
	// plain ADMM. Boyd et al. (2011, §3.4.3) report α ∈ [1.5, 1.8] as
	// often faster.
	Alpha float64
	// AbsTol and RelTol are ε_abs and ε_rel of the stopping rule. Zero
	// means 1e-4 and 1e-3, the values Boyd et al. (2011, §3.3.1) suggest
	// as reasonable for many problems.
	AbsTol, RelTol float64
	// MaxIter is the maximum number of iterations. Zero means 1000.
	MaxIter int
	// Penalty updates ρ after every iteration. Nil means a fixed ρ.
	Penalty Penalty
	// Converger decides when to stop. Nil means [ToleranceConverger], the
	// rule ‖r‖ ≤ ε_pri and ‖s‖ ≤ ε_dual.
	Converger Converger
	// Recorder, if not nil, is called after every iteration, before the
	// convergence test. A non-nil error stops the run with status
	// [RecorderFailed] and is returned by Solve.
	Recorder func(*Record) error
}

// Record describes one finished iteration. Its matrices are views of the
// solver's state: read them during the call and copy what must outlive it.
type Record struct {
	Iter    int        // iterations completed, starting at 1
	X, Z, U *mat.Dense // x⁺, z⁺ and u⁺
	ZPrev   *mat.Dense // z before this iteration
	Rho     float64    // the penalty used in this iteration
	Primal  float64    // ‖r‖_F = ‖x⁺ − z⁺‖_F
	Dual    float64    // ‖s‖_F = ρ‖z⁺ − z‖_F
	EpsPri  float64    // ε_pri
	EpsDual float64    // ε_dual
}

// Penalty is a schedule for ρ.
type Penalty interface {
	// Init is called once at the start of every run with the initial ρ,
	// so per-run state can be reset.
	Init(rho float64)
	// Next returns ρ for the next iteration. The solver rescales u when
	// the value differs from rec.Rho.
	Next(rec *Record) float64
}

// Converger is a stopping rule.
type Converger interface {
	Converged(rec *Record) bool
}

// ToleranceConverger stops when ‖r‖ ≤ ε_pri and ‖s‖ ≤ ε_dual.
type ToleranceConverger struct{}

// Converged reports whether both residuals are within their tolerances.
func (ToleranceConverger) Converged(rec *Record) bool {
	return rec.Primal <= rec.EpsPri && rec.Dual <= rec.EpsDual
}

// Fixed keeps ρ constant.
type Fixed struct{}

// Init does nothing: a fixed schedule has no state.
func (Fixed) Init(float64) {}

// Next returns the current ρ.
func (Fixed) Next(rec *Record) float64 { return rec.Rho }

// ResidualBalancing multiplies ρ by Tau when ‖r‖ > Mu‖s‖ and divides it by
// Tau when ‖s‖ > Mu‖r‖ (Boyd et al. 2011, §3.4.1, equation 3.13).
type ResidualBalancing struct {
	Mu  float64 // ratio that triggers a change; zero means 10
	Tau float64 // factor of a change; zero means 2
}

// Init does nothing: residual balancing has no state.
func (ResidualBalancing) Init(float64) {}

// Next returns τρ, ρ/τ or ρ according to the ratio of the residuals.
func (b ResidualBalancing) Next(rec *Record) float64 {
	mu, tau := b.Mu, b.Tau
	if mu == 0 {
		mu = 10
	}
	if tau == 0 {
		tau = 2
	}
	switch {
	case rec.Primal > mu*rec.Dual:
		return rec.Rho * tau
	case rec.Dual > mu*rec.Primal:
		return rec.Rho / tau
	}
	return rec.Rho
}

// Status says why a run stopped.
type Status int

const (
	NotTerminated  Status = iota // the run has not stopped
	Converged                    // the converger accepted the iterate
	IterationLimit               // Settings.MaxIter iterations ran
	NonFinite                    // a NaN or infinity appeared
	Canceled                     // the context was canceled
	BlockFailed                  // a block's Prox returned an error
	RecorderFailed               // the recorder returned an error
)

var statusNames = [...]string{
	NotTerminated:  "not terminated",
	Converged:      "converged",
	IterationLimit: "iteration limit",
	NonFinite:      "non-finite value",
	Canceled:       "canceled",
	BlockFailed:    "block failed",
	RecorderFailed: "recorder failed",
}

// String returns the name of the status.
func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return fmt.Sprintf("Status(%d)", int(s))
	}
	return statusNames[s]
}

// Early reports whether the run stopped before convergence.
func (s Status) Early() bool { return s != Converged }

// Failed reports whether the status is a failure rather than a limit or
// convergence.
func (s Status) Failed() bool {
	return s == NonFinite || s == Canceled || s == BlockFailed || s == RecorderFailed
}

// NonFiniteError reports a NaN or infinity in a quantity of the iteration.
type NonFiniteError struct {
	Quantity string // "x", "z", "primal residual", …
	Iter     int    // the iteration in which it appeared, starting at 1
}

func (e *NonFiniteError) Error() string {
	return fmt.Sprintf("admm: non-finite value in %s at iteration %d", e.Quantity, e.Iter)
}

// Result is the outcome of a run.
type Result struct {
	Start              // the last finite iterate and ρ, ready to warm-start another run
	Iterations int     // iterations completed
	Status     Status  // why the run stopped
	Last       *Record // the record of the last completed iteration, nil if none
}

// Solve runs ADMM on p from start. It returns the result together with an
// error when the status is a failure; the result then holds the last finite
// iterate.
//
// Special cases:
//   - start.Z nil: Solve panics, because the shape of the variable is unknown.
//   - Settings.Rho ≤ 0, NaN or infinite, Alpha outside (0, 2), negative
//     tolerances or MaxIter < 0: an error and no iteration.
//   - A non-finite start: status NonFinite at iteration 0.
func Solve(ctx context.Context, p Problem, start Start, settings *Settings) (*Result, error) {
	if p.F == nil || p.G == nil {
		panic("admm: nil block")
	}
	if start.Z == nil {
		panic("admm: nil start.Z")
	}
	var s Settings
	if settings != nil {
		s = *settings
	}
	if err := resolve(&s); err != nil {
		return nil, err
	}
	r, c := start.Z.Dims()
	checkShape := func(m *mat.Dense, name string) {
		if m == nil {
			return
		}
		if mr, mc := m.Dims(); mr != r || mc != c {
			panic(fmt.Sprintf("admm: start.%s is %d×%d, start.Z is %d×%d", name, mr, mc, r, c))
		}
	}
	checkShape(start.X, "X")
	checkShape(start.U, "U")

	rho := s.Rho
	if start.Rho != 0 {
		if !(start.Rho > 0) || math.IsInf(start.Rho, 0) {
			return nil, fmt.Errorf("admm: invalid start.Rho %v: want a finite value > 0, or 0 for Settings.Rho", start.Rho)
		}
		rho = start.Rho
	}

	x := mat.NewDense(r, c, nil)
	z := mat.DenseCopyOf(start.Z)
	u := mat.NewDense(r, c, nil)
	if start.X != nil {
		x.Copy(start.X)
	} else {
		x.Copy(z)
	}
	if start.U != nil {
		u.Copy(start.U)
	}
	res := &Result{Start: Start{X: x, Z: z, U: u, Rho: rho}}
	for _, q := range []struct {
		name string
		m    *mat.Dense
	}{{"start z", z}, {"start u", u}, {"start x", x}} {
		if !allFinite(q.m) {
			res.Status = NonFinite
			return res, &NonFiniteError{Quantity: q.name, Iter: 0}
		}
	}

	// Work space: the next iterates, the prox argument and x̄.
	xNext := mat.NewDense(r, c, nil)
	zNext := mat.NewDense(r, c, nil)
	uNext := mat.NewDense(r, c, nil)
	v := mat.NewDense(r, c, nil)
	xBar := mat.NewDense(r, c, nil)
	diff := mat.NewDense(r, c, nil)
	sqrtN := math.Sqrt(float64(r * c))
	s.Penalty.Init(rho)

	rec := &Record{}
	for it := 1; it <= s.MaxIter; it++ {
		if err := ctx.Err(); err != nil {
			res.Status = Canceled
			return res, err
		}

		// x-step: x⁺ = prox_{f/ρ}(z − u).
		v.Sub(z, u)
		xNext.Copy(x)
		if err := p.F.Prox(ctx, xNext, v, rho); err != nil {
			return failBlock(res, ctx, "x", it, err)
		}
		if !allFinite(xNext) {
			res.Status = NonFinite
			return res, &NonFiniteError{Quantity: "x", Iter: it}
		}

		// Over-relaxation: x̄ = αx⁺ + (1−α)z.
		xBar.Scale(s.Alpha, xNext)
		xBar.Add(xBar, scaled(diff, 1-s.Alpha, z))

		// z-step: z⁺ = prox_{g/ρ}(x̄ + u).
		v.Add(xBar, u)
		zNext.Copy(z)
		if err := p.G.Prox(ctx, zNext, v, rho); err != nil {
			return failBlock(res, ctx, "z", it, err)
		}
		if !allFinite(zNext) {
			res.Status = NonFinite
			return res, &NonFiniteError{Quantity: "z", Iter: it}
		}

		// Dual step: u⁺ = u + x̄ − z⁺.
		uNext.Add(u, xBar)
		uNext.Sub(uNext, zNext)

		// Residuals: r = x⁺ − z⁺, s = ρ(z⁺ − z).
		diff.Sub(xNext, zNext)
		primal := mat.Norm(diff, 2)
		diff.Sub(zNext, z)
		dual := rho * mat.Norm(diff, 2)

		// Tolerances (Boyd et al. 2011, equation 3.12, with A = I, B = −I,
		// c = 0): ε_pri = √n ε_abs + ε_rel max(‖x⁺‖, ‖z⁺‖),
		// ε_dual = √n ε_abs + ε_rel ‖ρu⁺‖.
		epsPri := sqrtN*s.AbsTol + s.RelTol*math.Max(mat.Norm(xNext, 2), mat.Norm(zNext, 2))
		epsDual := sqrtN*s.AbsTol + s.RelTol*rho*mat.Norm(uNext, 2)
		if math.IsNaN(primal) || math.IsInf(primal, 0) || math.IsNaN(dual) || math.IsInf(dual, 0) {
			res.Status = NonFinite
			return res, &NonFiniteError{Quantity: "residual", Iter: it}
		}

		// Commit the iterate. ZPrev keeps z for the record, in diff.
		diff.Copy(z)
		x, xNext = xNext, x
		z, zNext = zNext, z
		u, uNext = uNext, u
		*rec = Record{
			Iter: it, X: x, Z: z, U: u, ZPrev: diff, Rho: rho,
			Primal: primal, Dual: dual, EpsPri: epsPri, EpsDual: epsDual,
		}
		res.Start = Start{X: x, Z: z, U: u, Rho: rho}
		res.Iterations = it
		res.Last = rec

		if s.Recorder != nil {
			if err := s.Recorder(rec); err != nil {
				res.Status = RecorderFailed
				return res, fmt.Errorf("admm: recorder failed at iteration %d: %w", it, err)
			}
		}
		if s.Converger.Converged(rec) {
			res.Status = Converged
			return res, nil
		}

		// Penalty update. The scaled dual u = y/ρ is rescaled so that the
		// unscaled dual y = ρu is unchanged.
		next := s.Penalty.Next(rec)
		if !(next > 0) || math.IsInf(next, 0) {
			res.Status = NonFinite
			return res, &NonFiniteError{Quantity: "rho", Iter: it}
		}
		if next != rho {
			u.Scale(rho/next, u)
			rho = next
			res.Rho = rho
		}
	}
	res.Status = IterationLimit
	return res, nil
}

// resolve fills the defaults of s and validates it.
func resolve(s *Settings) error {
	if s.Rho == 0 {
		s.Rho = 1
	}
	if !(s.Rho > 0) || math.IsInf(s.Rho, 0) {
		return fmt.Errorf("admm: invalid Rho %v: want a finite value > 0", s.Rho)
	}
	if s.Alpha == 0 {
		s.Alpha = 1
	}
	if !(s.Alpha > 0 && s.Alpha < 2) {
		return fmt.Errorf("admm: invalid Alpha %v: want a value in (0, 2); 1 is plain ADMM", s.Alpha)
	}
	if s.AbsTol == 0 {
		s.AbsTol = 1e-4
	}
	if s.RelTol == 0 {
		s.RelTol = 1e-3
	}
	if !(s.AbsTol > 0) || math.IsInf(s.AbsTol, 0) {
		return fmt.Errorf("admm: invalid AbsTol %v: want a finite value > 0", s.AbsTol)
	}
	if !(s.RelTol >= 0) || math.IsInf(s.RelTol, 0) {
		return fmt.Errorf("admm: invalid RelTol %v: want a finite value ≥ 0", s.RelTol)
	}
	if s.MaxIter == 0 {
		s.MaxIter = 1000
	}
	if s.MaxIter < 0 {
		return fmt.Errorf("admm: invalid MaxIter %d: want a value ≥ 1, or 0 for the default 1000", s.MaxIter)
	}
	if s.Penalty == nil {
		s.Penalty = Fixed{}
	}
	if s.Converger == nil {
		s.Converger = ToleranceConverger{}
	}
	return nil
}

func failBlock(res *Result, ctx context.Context, block string, it int, err error) (*Result, error) {
	if ctx.Err() != nil {
		res.Status = Canceled
		return res, ctx.Err()
	}
	res.Status = BlockFailed
	return res, fmt.Errorf("admm: %s-block failed at iteration %d: %w", block, it, err)
}

// scaled sets dst = a·m and returns dst.
func scaled(dst *mat.Dense, a float64, m *mat.Dense) *mat.Dense {
	dst.Scale(a, m)
	return dst
}

func allFinite(m *mat.Dense) bool {
	raw := m.RawMatrix()
	for i := 0; i < raw.Rows; i++ {
		for _, v := range raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return false
			}
		}
	}
	return true
}
