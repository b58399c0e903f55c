package admm

import (
	"context"
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// engine is the state and work space of one run of the general form. All
// matrices are allocated before the first iteration, so an iteration
// allocates nothing unless a block or an operator does.
type engine struct {
	p *GeneralProblem
	s Settings // resolved copy

	// Committed iterate: x, z, u and bz = B(z).
	x, z, u, bz *mat.Dense
	// zIn, uIn and bzIn are the point the next iteration starts from:
	// z, u and bz, or the Anderson extrapolation in zAcc, uAcc and bzAcc.
	zIn, uIn, bzIn    *mat.Dense
	zAcc, uAcc, bzAcc *mat.Dense

	// Results of the iteration in progress.
	xNext, zNext, uNext, bzNext *mat.Dense
	ax, uHat                    *mat.Dense // Ax⁺ and û

	// Work space: v is the subproblem argument and then Ax̄, w is
	// constraint-shaped scratch, xw is x-shaped scratch for Aᵀ.
	v, axBar, w, xw *mat.Dense

	sqrtP, sqrtN float64 // √(size of c), √(size of x)
	normC        float64

	rho       float64
	proxCalls int
	rec       Record
	anderson  *anderson
	firstIter int // the number of the first iteration, 1 unless resumed
}

// solve runs the iteration of [SolveGeneral] on p, whose blocks,
// operators and C are not nil.
func solve(ctx context.Context, p *GeneralProblem, start Start, settings *Settings) (*Result, error) {
	var began time.Time
	var s Settings
	if settings != nil {
		s = *settings
	}
	if err := resolve(&s); err != nil {
		return nil, err
	}
	if s.MaxTime > 0 {
		began = time.Now()
	}
	rho := s.Rho
	if start.Rho != 0 {
		if !(start.Rho > 0) || math.IsInf(start.Rho, 0) {
			return nil, fmt.Errorf("admm: invalid start.Rho %v: want a finite value > 0, or 0 for Settings.Rho", start.Rho)
		}
		rho = start.Rho
	}

	if start.Iter < 0 {
		return nil, fmt.Errorf("admm: invalid start.Iter %d: want the number of iterations already done, ≥ 0", start.Iter)
	}
	e := newEngine(p, &s, start, rho)
	res := &Result{Start: Start{X: e.x, Z: e.z, U: e.u, Rho: rho}, Iterations: start.Iter}
	for _, q := range []struct {
		name string
		m    *mat.Dense
	}{{"start z", e.z}, {"start u", e.u}, {"start x", e.x}} {
		if !allFinite(q.m) {
			res.Status = NonFinite
			return res, &NonFiniteError{Quantity: q.name, Iter: 0}
		}
	}
	s.Penalty.Init(rho)

	status, err := e.run(ctx, res, began)
	res.Status = status
	res.ProxCalls = e.proxCalls
	res.Start = Start{X: e.x, Z: e.z, U: e.u, Rho: e.rho}
	if res.Iterations > start.Iter {
		res.Last = cloneRecord(&e.rec)
	}
	if status == IterationLimit || status == TimeLimit || status == ProxCallLimit {
		res.Limit = status
		if last := res.Last; last != nil && last.Primal <= inaccurateFactor*last.EpsPri && last.Dual <= inaccurateFactor*last.EpsDual {
			res.Status = Inaccurate
		}
	}
	return res, err
}

func newEngine(p *GeneralProblem, s *Settings, start Start, rho float64) *engine {
	xr, xc := start.X.Dims()
	zr, zc := start.Z.Dims()
	cr, cc := p.C.Dims()
	like := func(r, c int) *mat.Dense { return mat.NewDense(r, c, nil) }
	e := &engine{
		p: p, s: *s, rho: rho,
		x: mat.DenseCopyOf(start.X), z: mat.DenseCopyOf(start.Z), u: like(cr, cc), bz: like(cr, cc),
		xNext: like(xr, xc), zNext: like(zr, zc), uNext: like(cr, cc), bzNext: like(cr, cc),
		ax: like(cr, cc), uHat: like(cr, cc),
		v: like(cr, cc), axBar: like(cr, cc), w: like(cr, cc), xw: like(xr, xc),
		firstIter: start.Iter + 1,
		sqrtP:     math.Sqrt(float64(cr * cc)),
		sqrtN:     math.Sqrt(float64(xr * xc)),
		normC:     mat.Norm(p.C, 2),
	}
	if start.U != nil {
		e.u.Copy(start.U)
	}
	p.B.Apply(e.bz, e.z)
	e.zIn, e.uIn, e.bzIn = e.z, e.u, e.bz
	if s.AndersonMemory > 0 {
		e.zAcc, e.uAcc, e.bzAcc = like(zr, zc), like(cr, cc), like(cr, cc)
		e.anderson = newAnderson(s.AndersonMemory, zr*zc+cr*cc)
	}
	return e
}

// run iterates until a stopping rule fires and returns the status and,
// for a failure, the error. It updates res.Iterations and
// res.AndersonRejections as it goes.
func (e *engine) run(ctx context.Context, res *Result, began time.Time) (Status, error) {
	s := &e.s
	accelerated := false        // whether zIn and uIn hold an Anderson step
	prevCombined := math.Inf(1) // ‖r‖² + ‖s‖² of the last committed iteration
	for it := e.firstIter; ; it++ {
		if err := ctx.Err(); err != nil {
			return Canceled, err
		}
		if it > s.MaxIter {
			return IterationLimit, nil
		}
		if s.MaxProxCalls > 0 && e.proxCalls+2 > s.MaxProxCalls {
			return ProxCallLimit, nil
		}
		if s.MaxTime > 0 && time.Since(began) >= s.MaxTime {
			return TimeLimit, nil
		}

		if status, err := e.step(ctx, it); err != nil {
			return status, err
		}

		// Anderson safeguard: an extrapolated start that raises
		// ‖r‖² + ‖s‖² above the last committed iteration is rejected, and
		// the iteration reruns from the plain iterate with a fresh memory.
		if accelerated {
			combined := e.rec.Primal*e.rec.Primal + e.rec.Dual*e.rec.Dual
			accelerated = false
			if combined > prevCombined {
				res.AndersonRejections++
				e.anderson.reset()
				e.zIn, e.uIn, e.bzIn = e.z, e.u, e.bz
				if s.MaxProxCalls > 0 && e.proxCalls+2 > s.MaxProxCalls {
					return ProxCallLimit, nil
				}
				if status, err := e.step(ctx, it); err != nil {
					return status, err
				}
			}
		}
		prevCombined = e.rec.Primal*e.rec.Primal + e.rec.Dual*e.rec.Dual
		wz, wu := e.commit()
		res.Iterations = it

		if s.Recorder != nil {
			if err := s.Recorder(&e.rec); err != nil {
				return RecorderFailed, fmt.Errorf("admm: recorder failed at iteration %d: %w", it, err)
			}
		}
		if s.Converger.Converged(&e.rec) {
			return Converged, nil
		}
		if b := s.DivergenceBound; b > 0 && (e.rec.Primal > b || e.rec.Dual > b) {
			return Diverged, fmt.Errorf("%w: ‖r‖ = %g, ‖s‖ = %g, bound %g at iteration %d; lower ρ, check the blocks or raise the bound",
				ErrDiverged, e.rec.Primal, e.rec.Dual, b, it)
		}

		// Penalty update. The scaled dual u = y/ρ is rescaled so that the
		// unscaled dual y = ρu is unchanged. Anderson's memory holds
		// iterates of the old scaling, so it restarts.
		next := s.Penalty.Next(&e.rec)
		if !(next > 0) || math.IsInf(next, 0) {
			return NonFinite, &NonFiniteError{Quantity: "rho", Iter: it}
		}
		if next != e.rho {
			scaleInPlace(e.u, e.rho/next)
			e.rho = next
			if e.anderson != nil {
				e.anderson.reset()
			}
			continue
		}

		if e.anderson != nil && e.anderson.extrapolate(e.zAcc, e.uAcc, wz, wu, e.z, e.u) {
			e.p.B.Apply(e.bzAcc, e.zAcc)
			e.zIn, e.uIn, e.bzIn = e.zAcc, e.uAcc, e.bzAcc
			accelerated = true
		}
	}
}

// step runs one iteration from (x, zIn, uIn) into the Next matrices and
// fills e.rec except for the matrices that commit swaps in.
func (e *engine) step(ctx context.Context, it int) (Status, error) {
	p, s, rho := e.p, &e.s, e.rho

	// x-step: x⁺ = argmin f(x) + (ρ/2)‖Ax − v‖², v = c − Bz − u.
	e.v.Sub(p.C, e.bzIn)
	e.v.Sub(e.v, e.uIn)
	e.xNext.Copy(e.x)
	e.proxCalls++
	if err := p.F.ProxLinear(ctx, e.xNext, e.v, p.A, rho); err != nil {
		return blockFailed(ctx, "x", it, err)
	}
	if !allFinite(e.xNext) {
		return NonFinite, &NonFiniteError{Quantity: "x", Iter: it}
	}
	p.A.Apply(e.ax, e.xNext)

	// Intermediate dual û = u + Ax⁺ + Bz − c = Ax⁺ − v.
	e.uHat.Sub(e.ax, e.v)

	// Over-relaxation: Ax̄ = αAx⁺ − (1−α)(Bz − c).
	e.axBar.Scale(s.Alpha, e.ax)
	if s.Alpha != 1 {
		e.w.Sub(e.bzIn, p.C)
		scaleInPlace(e.w, 1-s.Alpha)
		e.axBar.Sub(e.axBar, e.w)
	}

	// z-step: z⁺ = argmin g(z) + (ρ/2)‖Bz − v‖², v = c − Ax̄ − u.
	e.v.Sub(p.C, e.axBar)
	e.v.Sub(e.v, e.uIn)
	e.zNext.Copy(e.zIn)
	e.proxCalls++
	if err := p.G.ProxLinear(ctx, e.zNext, e.v, p.B, rho); err != nil {
		return blockFailed(ctx, "z", it, err)
	}
	if !allFinite(e.zNext) {
		return NonFinite, &NonFiniteError{Quantity: "z", Iter: it}
	}
	p.B.Apply(e.bzNext, e.zNext)

	// Dual step: u⁺ = u + Ax̄ + Bz⁺ − c.
	e.uNext.Add(e.uIn, e.axBar)
	e.uNext.Add(e.uNext, e.bzNext)
	e.uNext.Sub(e.uNext, p.C)

	// Residuals: r = Ax⁺ + Bz⁺ − c, s = ρAᵀB(z⁺ − z).
	e.w.Add(e.ax, e.bzNext)
	e.w.Sub(e.w, p.C)
	primal := mat.Norm(e.w, 2)
	e.w.Sub(e.bzNext, e.bzIn)
	dual := rho * mat.Norm(e.applyAT(e.w), 2)
	if math.IsNaN(primal) || math.IsInf(primal, 0) || math.IsNaN(dual) || math.IsInf(dual, 0) {
		return NonFinite, &NonFiniteError{Quantity: "residual", Iter: it}
	}

	// Tolerances (Boyd et al. 2011, eq. 3.12).
	primalScale := math.Max(math.Max(mat.Norm(e.ax, 2), mat.Norm(e.bzNext, 2)), e.normC)
	dualScale := rho * mat.Norm(e.applyAT(e.uNext), 2)
	e.rec = Record{
		Iter: it, Rho: rho, Primal: primal, Dual: dual,
		EpsPri:      e.sqrtP*s.AbsTol + s.RelTol*primalScale,
		EpsDual:     e.sqrtN*s.AbsTol + s.RelTol*dualScale,
		PrimalScale: primalScale, DualScale: dualScale,
	}
	return NotTerminated, nil
}

// commit makes the Next matrices the iterate and completes e.rec. It
// returns the start (zIn, uIn) of the committed iteration, valid until the
// next step.
func (e *engine) commit() (wz, wu *mat.Dense) {
	wz, wu = e.zIn, e.uIn
	e.x, e.xNext = e.xNext, e.x
	if e.zIn == e.z {
		// The old z stays readable in zNext until the next step.
		e.z, e.zNext = e.zNext, e.z
		e.u, e.uNext = e.uNext, e.u
		e.bz, e.bzNext = e.bzNext, e.bz
	} else {
		e.z.Copy(e.zNext)
		e.u.Copy(e.uNext)
		e.bz.Copy(e.bzNext)
	}
	e.zIn, e.uIn, e.bzIn = e.z, e.u, e.bz
	e.rec.X, e.rec.Z, e.rec.U, e.rec.ZPrev = e.x, e.z, e.u, wz
	e.rec.AX, e.rec.BZ, e.rec.UHat = e.ax, e.bz, e.uHat
	return wz, wu
}

// applyAT returns Aᵀy, in the x-shaped work space unless A is the
// identity.
func (e *engine) applyAT(y *mat.Dense) *mat.Dense {
	if _, ok := e.p.A.(Identity); ok {
		return y
	}
	e.p.A.ApplyT(e.xw, y)
	return e.xw
}

func blockFailed(ctx context.Context, block string, it int, err error) (Status, error) {
	if ctx.Err() != nil {
		return Canceled, ctx.Err()
	}
	return BlockFailed, fmt.Errorf("admm: %s-block failed at iteration %d: %w", block, it, err)
}

// scaleInPlace sets m = f·m. Dense.Scale with m as both receiver and
// argument would take a fresh work space on every call.
func scaleInPlace(m *mat.Dense, f float64) {
	r, _ := m.Dims()
	for i := range r {
		floats.Scale(f, m.RawRowView(i))
	}
}

// cloneRecord returns a copy of rec whose matrices are its own.
func cloneRecord(rec *Record) *Record {
	c := *rec
	for _, m := range []**mat.Dense{&c.X, &c.Z, &c.U, &c.ZPrev, &c.AX, &c.BZ, &c.UHat} {
		if *m != nil {
			*m = mat.DenseCopyOf(*m)
		}
	}
	return &c
}
