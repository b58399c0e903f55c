package admm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

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
// except X, which defaults to a copy of Z in [Solve]. X only serves as the
// warm start of the first x-step. A [Result] embeds the Start of its last
// iterate, so res.Start warm-starts another run with the same ρ and dual.
type Start struct {
	X, Z, U *mat.Dense
	Rho     float64 // zero means Settings.Rho
	// Iter is the number of iterations already done, for a run resumed
	// from a checkpoint: the first iteration is numbered Iter+1, and
	// MaxIter counts the earlier ones too. A Result's Start has Iter 0, so
	// a warm start from it numbers its iterations from 1 again.
	Iter int
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

	// MaxIter is the maximum number of iterations. Zero means 1000. When
	// it is reached the status is [IterationLimit], or [Inaccurate].
	MaxIter int
	// MaxTime is the maximum wall time of a run, checked before every
	// iteration. Zero means no limit. The clock only stops a run and never
	// changes an iterate. When it is reached the status is [TimeLimit],
	// or [Inaccurate].
	MaxTime time.Duration
	// MaxProxCalls is the maximum number of Prox calls of both blocks
	// together. An iteration needs two, or four when an Anderson step is
	// rejected, and starts only if they fit. Zero means no limit. When it
	// is reached the status is [ProxCallLimit], or [Inaccurate].
	MaxProxCalls int
	// DivergenceBound stops the run with status [Diverged] when ‖r‖ or
	// ‖s‖ exceeds it. Zero means no bound.
	DivergenceBound float64

	// Penalty updates ρ after every iteration. Nil means a fixed ρ. A
	// schedule with a Validate() error method is validated before the run.
	Penalty Penalty
	// AndersonMemory is the memory m of Anderson acceleration of the
	// (z, u) iteration, see [Result.AndersonRejections]. Zero turns it off.
	AndersonMemory int
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
// In the consensus form of [Solve], A = I, B = −I and c = 0.
type Record struct {
	Iter    int        // iterations completed, starting at 1
	X, Z, U *mat.Dense // x⁺, z⁺ and u⁺
	ZPrev   *mat.Dense // z before this iteration
	Rho     float64    // the penalty used in this iteration
	Primal  float64    // ‖r‖_F = ‖Ax⁺ + Bz⁺ − c‖_F
	Dual    float64    // ‖s‖_F = ρ‖AᵀB(z⁺ − z)‖_F
	EpsPri  float64    // ε_pri
	EpsDual float64    // ε_dual

	// AX and BZ are Ax⁺ and Bz⁺.
	AX, BZ *mat.Dense
	// UHat is the scaled dual after the x-step, û = u + Ax⁺ + Bz − c. The
	// x-step's optimality condition is 0 ∈ ∂f(x⁺) + ρAᵀû, so −ρû is a
	// subgradient of f seen through A, as ρu⁺ is for g through B.
	UHat *mat.Dense
	// PrimalScale is max(‖Ax⁺‖, ‖Bz⁺‖, ‖c‖), the scale of ε_pri.
	PrimalScale float64
	// DualScale is ‖ρAᵀu⁺‖, the norm of the unscaled dual seen through A
	// and the scale of ε_dual.
	DualScale float64
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

// NonFiniteError reports a NaN or infinity in a quantity of the iteration.
type NonFiniteError struct {
	Quantity string // "x", "z", "residual", "rho", "start z", …
	Iter     int    // the iteration in which it appeared, starting at 1; 0 for the start
}

func (e *NonFiniteError) Error() string {
	return fmt.Sprintf("admm: non-finite value in %s at iteration %d", e.Quantity, e.Iter)
}

// ErrDiverged is wrapped by the error of a run that stopped with status
// [Diverged].
var ErrDiverged = errors.New("admm: residual exceeds Settings.DivergenceBound")

// Result is the outcome of a run.
type Result struct {
	Start              // the last finite iterate and ρ, ready to warm-start another run
	Iterations int     // iterations completed
	Status     Status  // reason the run stopped
	Last       *Record // a copy of the record of the last completed iteration, nil if none
	// Limit is the limit that stopped the run ([IterationLimit],
	// [TimeLimit] or [ProxCallLimit]), also when Status is [Inaccurate],
	// and NotTerminated otherwise.
	Limit Status
	// ProxCalls counts the Prox calls of both blocks.
	ProxCalls int
	// AndersonRejections counts the Anderson steps rejected by the
	// safeguard because they raised ‖r‖² + ‖s‖².
	AndersonRejections int
}

// Solve runs ADMM on p from start. It returns the result together with an
// error when the status is a failure; the result then holds the last finite
// iterate.
//
// Special cases:
//   - p.F or p.G nil, or start.Z nil: Solve panics, because the shape of
//     the variable is unknown without Z.
//   - start.X or start.U of another shape than start.Z: Solve panics.
//   - Invalid settings (Rho negative, NaN or infinite, Alpha outside
//     (0, 2), negative or NaN tolerances, limits or bound, a penalty
//     schedule whose Validate fails) or an invalid start.Rho: a nil result,
//     an error and no iteration. Zero values select the defaults.
//   - A non-finite start: status NonFinite at iteration 0.
func Solve(ctx context.Context, p Problem, start Start, settings *Settings) (*Result, error) {
	if p.F == nil || p.G == nil {
		panic("admm: nil block")
	}
	if start.Z == nil {
		panic("admm: nil start.Z")
	}
	r, c := start.Z.Dims()
	for _, q := range []struct {
		name string
		m    *mat.Dense
	}{{"X", start.X}, {"U", start.U}} {
		if q.m == nil {
			continue
		}
		if mr, mc := q.m.Dims(); mr != r || mc != c {
			panic(fmt.Sprintf("admm: start.%s is %d×%d, start.Z is %d×%d", q.name, mr, mc, r, c))
		}
	}
	if start.X == nil {
		start.X = start.Z
	}
	gp := GeneralProblem{
		F: Linear(p.F),
		G: Linear(p.G),
		A: Identity{},
		B: ScaledIdentity{S: -1},
		C: mat.NewDense(r, c, nil),
	}
	return solve(ctx, &gp, start, settings)
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
	if s.MaxTime < 0 {
		return fmt.Errorf("admm: invalid MaxTime %v: want a duration ≥ 0, where 0 means no limit", s.MaxTime)
	}
	if s.MaxProxCalls < 0 {
		return fmt.Errorf("admm: invalid MaxProxCalls %d: want a value ≥ 0, where 0 means no limit", s.MaxProxCalls)
	}
	if !(s.DivergenceBound >= 0) {
		return fmt.Errorf("admm: invalid DivergenceBound %v: want a value ≥ 0, where 0 means no bound", s.DivergenceBound)
	}
	if s.AndersonMemory < 0 {
		return fmt.Errorf("admm: invalid AndersonMemory %d: want a value ≥ 0, where 0 turns acceleration off", s.AndersonMemory)
	}

	if s.Penalty == nil {
		s.Penalty = Fixed{}
	}
	if v, ok := s.Penalty.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return err
		}
	}
	if s.Converger == nil {
		s.Converger = ToleranceConverger{}
	}
	return nil
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
