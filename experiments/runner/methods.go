package runner

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/admm-go/admm/admm"
	"github.com/admm-go/admm/experiments/metrics"
	"github.com/admm-go/admm/experiments/report"
	"github.com/admm-go/admm/nets"
	"github.com/admm-go/admm/subproblems"
	"gonum.org/v1/gonum/mat"
)

// Statuses of the methods that do not run the ADMM engine.
const (
	statusCompleted = "completed"
	statusNonFinite = "non-finite value"
)

// emit sends a row to the sink.
func (s *setup) emit(row *report.Row, o *Outcome) error {
	o.Rows++
	s.rows = append(s.rows, *row)
	if s.sink == nil {
		return nil
	}
	if err := s.sink(row); err != nil {
		return fmt.Errorf("runner: write row of %s seed %d iteration %d: %w", row.Method, row.Seed, row.Iter, err)
	}
	return nil
}

// optimizer returns the configured optimizer and learning-rate schedule;
// steps is the number of minibatch steps of the whole method, the horizon
// of the cosine schedule.
func (s *setup) optimizer(steps int) nets.Optimizer {
	var schedule nets.Schedule
	switch s.cfg.LRSchedule {
	case "cosine":
		schedule = nets.Cosine{Initial: s.cfg.LR, Floor: s.cfg.LR / 100, Horizon: steps}
	case "step":
		schedule = nets.StepDecay{Initial: s.cfg.LR, Factor: s.cfg.StepFactor, Every: s.cfg.StepEvery}
	}
	if s.cfg.Optimizer == "adam" {
		opt := nets.NewAdam(s.cfg.LR)
		opt.Schedule = schedule
		return opt
	}
	opt := nets.NewSGD(s.cfg.LR, s.cfg.Momentum, s.cfg.Optimizer == "nesterov")
	opt.Schedule = schedule
	return opt
}

// penalty returns the ρ schedule of the configuration.
func (s *setup) penalty() admm.Penalty {
	switch s.cfg.Penalty {
	case "balancing":
		return admm.ResidualBalancing{Mu: s.cfg.Mu, Tau: s.cfg.Tau}
	case "normalized":
		return admm.NormalizedBalancing{}
	case "spectral":
		return &admm.Spectral{}
	}
	return admm.Fixed{}
}

// covariance returns the configured estimate of Σ for a method run; the
// minibatch sources draw from their own generator stream of the seed.
func (s *setup) covariance(seed uint64) (subproblems.Covariance, error) {
	batch := s.cfg.CovBatch
	if batch == 0 {
		batch = s.cfg.BatchSize
	}
	rng := rand.New(rand.NewPCG(seed, streamCov))
	switch s.cfg.Covariance {
	case "minibatch":
		return subproblems.NewMinibatchCovariance(s.train.X, batch, rng)
	case "ewma":
		return subproblems.NewEWMACovariance(s.train.X, batch, s.cfg.EWMABeta, rng)
	}
	return s.cov, nil
}

// split is the network, its training state and the blocks of a run of
// admm or alternating.
type split struct {
	m     *model
	ts    *trainState
	wstep admm.Block
	zstep *subproblems.CrossEntropyStep
	// g is the Z-step as the engine calls it: with a layer before W it
	// recomputes Σ of that layer's output after each call.
	g admm.Block
	// refresh recomputes that Σ after a restore; it is nil without a layer
	// before W.
	refresh func()
}

// splitting returns the network, its training state and the two blocks of
// admm and alternating. The Z-step trains the whole network with the
// optimizer and minibatch order of the training state.
func (s *setup) splitting(seed uint64) (*split, error) {
	m, err := s.newModel(seed)
	if err != nil {
		return nil, err
	}
	sp := &split{m: m, ts: s.newTrainState(seed, m.net.Params(), s.cfg.MaxIter*s.cfg.ZSteps)}
	var cov subproblems.Covariance
	var actCov *activationCovariance
	if len(m.front) > 0 {
		actCov = newActivationCovariance(m, s.train.X)
		cov = actCov
		sp.refresh = actCov.refresh
	} else if cov, err = s.covariance(seed); err != nil {
		return nil, err
	}
	sp.wstep, err = subproblems.NewWStep(s.cfg.wstepName(), s.set, cov, s.cfg.Lambda, subproblems.WStepOptions{
		MaxIter: s.cfg.GPIIter, Steps: s.cfg.WStepSteps, Step: s.cfg.WStepEta,
	})
	if err != nil {
		return nil, err
	}
	sp.zstep = subproblems.NewCrossEntropyStep(m.net, m.reduce.Params()[0], s.train.X, s.train.Y, sp.ts.batch, sp.ts.opt, s.cfg.ZSteps)
	sp.g = sp.zstep
	if actCov != nil {
		sp.g = refreshAfter{Block: sp.zstep, cov: actCov}
	}
	return sp, nil
}

// runADMM trains by the splitting W = Z: the W-step maximizes the PCA
// objective on the constraint set, the Z-step trains the network with its
// reduction weights Z pulled towards W̄ + U.
func (s *setup) runADMM(ctx context.Context, seed uint64, o *Outcome) error {
	sp, err := s.splitting(seed)
	if err != nil {
		return err
	}
	m, ts, wstep, zstep := sp.m, sp.ts, sp.wstep, sp.zstep
	n, _ := s.train.X.Dims()
	d, k := m.reduce.W.Dims()

	var watch stopwatch
	start := admm.Start{X: m.reduce.W, Z: m.reduce.W}
	if st := s.resumeState(MethodADMM, seed); st != nil {
		if start, err = s.restoreADMM(st, ts, d, k); err != nil {
			return err
		}
		if sp.refresh != nil {
			sp.refresh()
		}
		zstep.SetSamples(st.Samples - int64(n))
		watch.total = st.Elapsed
	} else {
		// Σ was formed from all n samples once.
		row := report.Row{Method: MethodADMM, Seed: seed, Samples: int64(n), ADMM: startStats(s.cfg.Rho)}
		s.measure(&row, m.reduce.W, m)
		if err := s.emit(&row, o); err != nil {
			return err
		}
	}

	var sinkErr error
	settings := &admm.Settings{
		Rho: s.cfg.Rho, Alpha: s.cfg.Alpha, AbsTol: s.cfg.AbsTol, RelTol: s.cfg.RelTol,
		MaxIter: s.cfg.MaxIter, Penalty: s.penalty(), AndersonMemory: s.cfg.Anderson,
		Recorder: func(rec *admm.Record) error {
			row := report.Row{
				Method: MethodADMM, Seed: seed, Iter: rec.Iter, TimeS: watch.pause(),
				Samples: int64(n) + zstep.Samples(),
				ADMM: &report.ADMMStats{
					Primal: rec.Primal, Dual: rec.Dual, EpsPri: rec.EpsPri, EpsDual: rec.EpsDual, Rho: rec.Rho,
				},
			}
			// The network holds Z after the Z-step; W is the x-block.
			s.measure(&row, rec.X, m)
			s.log.Info("admm", "seed", seed, "iter", rec.Iter, "primal", rec.Primal, "dual", rec.Dual,
				"rho", rec.Rho, "evr", row.EVR, "test_acc", row.TestAcc)
			if sinkErr = s.emit(&row, o); sinkErr != nil {
				return sinkErr
			}
			final := rec.Iter == s.cfg.MaxIter || (admm.ToleranceConverger{}).Converged(rec)
			sinkErr = s.boundary(rec.Iter, final, func() *RunState {
				rho, u := s.nextRho(rec)
				st := &RunState{
					Method: MethodADMM, Seed: seed, Iter: rec.Iter, Elapsed: watch.total, Samples: row.Samples,
					W: raw(rec.X), Z: raw(rec.Z), U: raw(u), Rho: rho,
				}
				ts.capture(st)
				return st
			})
			watch.start()
			return sinkErr
		},
	}
	watch.start()
	res, err := admm.Solve(ctx, admm.Problem{F: wstep, G: sp.g}, start, settings)
	if sinkErr != nil {
		return sinkErr
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if res != nil {
		o.Status = res.Status.String()
		o.W = mat.DenseCopyOf(res.X)
	}
	o.Err = err
	return nil
}

// restoreADMM restores the network and training state from st and returns
// the ADMM start it saved.
func (s *setup) restoreADMM(st *RunState, ts *trainState, d, k int) (admm.Start, error) {
	if err := ts.restore(st); err != nil {
		return admm.Start{}, err
	}
	w, err := dense("W", st.W, d, k)
	if err != nil {
		return admm.Start{}, err
	}
	z, err := dense("Z", st.Z, d, k)
	if err != nil {
		return admm.Start{}, err
	}
	u, err := dense("U", st.U, d, k)
	if err != nil {
		return admm.Start{}, err
	}
	return admm.Start{X: w, Z: z, U: u, Rho: st.Rho, Iter: st.Iter}, nil
}

// runAlternating runs the two ADMM blocks with the dual held at zero:
// W⁺ = prox_f(Z), Z⁺ = prox_g(W⁺), at a fixed ρ. It shows what the dual
// variable of ADMM adds.
func (s *setup) runAlternating(ctx context.Context, seed uint64, o *Outcome) error {
	sp, err := s.splitting(seed)
	if err != nil {
		return err
	}
	m, ts, wstep, zstep := sp.m, sp.ts, sp.wstep, sp.zstep
	n, _ := s.train.X.Dims()
	d, k := m.reduce.W.Dims()
	rho := s.cfg.Rho
	w := mat.DenseCopyOf(m.reduce.W)
	z := mat.DenseCopyOf(m.reduce.W)
	zPrev := mat.DenseCopyOf(z)
	var diff mat.Dense
	var lastW *mat.Dense

	var watch stopwatch
	first := 1
	if st := s.resumeState(MethodAlternating, seed); st != nil {
		start, err := s.restoreADMM(st, ts, d, k)
		if err != nil {
			return err
		}
		w, z = start.X, start.Z
		zPrev.Copy(z)
		first = st.Iter + 1
		if sp.refresh != nil {
			sp.refresh()
		}
		zstep.SetSamples(st.Samples - int64(n))
		watch.total = st.Elapsed
	} else {
		row := report.Row{Method: MethodAlternating, Seed: seed, Samples: int64(n), ADMM: startStats(rho)}
		s.measure(&row, w, m)
		if err := s.emit(&row, o); err != nil {
			return err
		}
	}

	lastW = mat.DenseCopyOf(w)
	for it := first; it <= s.cfg.MaxIter; it++ {
		watch.start()
		zPrev.Copy(z)
		if err := wstep.Prox(ctx, w, z, rho); err != nil {
			return s.blockFailed(ctx, o, "W-step", it, err)
		}
		if err := sp.g.Prox(ctx, z, w, rho); err != nil {
			return s.blockFailed(ctx, o, "Z-step", it, err)
		}
		if !finite(w) || !finite(z) {
			o.Status = statusNonFinite
			o.Err = fmt.Errorf("runner: alternating: non-finite W or Z at iteration %d", it)
			o.W = lastW
			return nil
		}
		lastW.Copy(w)

		// Residuals as in ADMM: r = W − Z, s = ρ(Z − Z_prev).
		diff.Sub(w, z)
		primal := mat.Norm(&diff, 2)
		diff.Sub(z, zPrev)
		dual := rho * mat.Norm(&diff, 2)
		row := report.Row{
			Method: MethodAlternating, Seed: seed, Iter: it, TimeS: watch.pause(),
			Samples: int64(n) + zstep.Samples(),
			ADMM:    &report.ADMMStats{Primal: primal, Dual: dual, Rho: rho},
		}
		s.measure(&row, w, m)
		s.log.Info("alternating", "seed", seed, "iter", it, "primal", primal, "dual", dual, "evr", row.EVR, "test_acc", row.TestAcc)
		if err := s.emit(&row, o); err != nil {
			return err
		}
		err := s.boundary(it, it == s.cfg.MaxIter, func() *RunState {
			st := &RunState{
				Method: MethodAlternating, Seed: seed, Iter: it, Elapsed: watch.total, Samples: row.Samples,
				W: raw(w), Z: raw(z), U: make([]float64, d*k), Rho: rho,
			}
			ts.capture(st)
			return st
		})
		if err != nil {
			return err
		}
	}
	o.Status = statusCompleted
	o.W = lastW
	return nil
}

// blockFailed records a failed block in o, or returns the context's error
// when the failure is a cancellation.
func (s *setup) blockFailed(ctx context.Context, o *Outcome, block string, it int, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	o.Status = "block failed"
	o.Err = fmt.Errorf("runner: %s: %s failed at iteration %d: %w", o.Method, block, it, err)
	return nil
}

// pcaDirection sets dst to an ascent direction of λ tr(WᵀΣW) at w, for the
// covariance cov.
type pcaDirection func(dst, w *mat.Dense, cov subproblems.Covariance)

// gradientDirection is the Euclidean gradient 2λΣW.
func gradientDirection(lambda float64) pcaDirection {
	return func(dst, w *mat.Dense, cov subproblems.Covariance) {
		cov.MulTo(dst, w)
		dst.Scale(2*lambda, dst)
	}
}

// runGradient trains W and the rest of the network together by projected
// minibatch gradient descent on L_ce − λ tr(WᵀΣW): joint with the
// Euclidean PCA gradient, joint-custom with the configured direction in
// its place, ce-only with λ = 0. W is projected onto the constraint set
// after every step.
func (s *setup) runGradient(ctx context.Context, seed uint64, o *Outcome) error {
	m, err := s.newModel(seed)
	if err != nil {
		return err
	}
	n, _ := s.train.X.Dims()
	cov, err := s.covariance(seed)
	if err != nil {
		return err
	}
	lambda := s.cfg.Lambda
	direction := gradientDirection(lambda)
	switch o.Method {
	case MethodCEOnly:
		lambda = 0
	case MethodJointCustom:
		// The custom directions use all the data, whatever the covariance
		// source of joint and the W-step.
		cov = s.cov
		switch s.cfg.Direction {
		case "oja":
			rule, err := subproblems.NewOja(lambda, 0)
			if err != nil {
				return err
			}
			direction = rule.Direction
		case "gha":
			rule, err := subproblems.NewGHA(lambda, 0)
			if err != nil {
				return err
			}
			direction = rule.Direction
		}
	}
	if s.cfg.PreLayer > 0 {
		// Σ is the covariance of the layer before W, which moves with A:
		// the minibatch's own activations estimate it.
		cov = nil
	}

	stepsPerEpoch := (n + s.cfg.BatchSize - 1) / s.cfg.BatchSize
	ts := s.newTrainState(seed, m.net.Params(), s.cfg.Epochs*stepsPerEpoch)
	batch, opt, params := ts.batch, ts.opt, ts.params
	w := m.reduce.W
	wGrad := m.reduce.Params()[0].Grad
	dir := mat.NewDense(w.RawMatrix().Rows, s.cfg.K, nil)
	lastW := mat.NewDense(w.RawMatrix().Rows, s.cfg.K, nil)

	var (
		watch   stopwatch
		xb, g   mat.Dense
		yb      []int
		samples = int64(n)
		acts    centeredBatch
		first   = 1
	)
	if st := s.resumeState(o.Method, seed); st != nil {
		if err := ts.restore(st); err != nil {
			return err
		}
		first, samples, watch.total = st.Iter+1, st.Samples, st.Elapsed
	} else {
		row := report.Row{Method: o.Method, Seed: seed, Samples: int64(n)}
		s.measure(&row, w, m)
		if err := s.emit(&row, o); err != nil {
			return err
		}
	}
	lastW.Copy(w)
	for epoch := first; epoch <= s.cfg.Epochs; epoch++ {
		watch.start()
		for step := 0; step < stepsPerEpoch; step++ {
			if err := ctx.Err(); err != nil {
				return err
			}

			// Forward to the logits, through the layer before W if any.
			idx := batch.Next()
			nets.GatherRows(&xb, s.train.X, idx)
			yb = yb[:0]
			for _, i := range idx {
				yb = append(yb, s.train.Y[i])
			}
			a := &xb
			if len(m.front) > 0 {
				a = m.front.Forward(&xb)
			}
			out := m.back.Forward(a)
			r, c := out.Dims()
			if gr, gc := g.Dims(); gr != r || gc != c {
				g.Reset()
				g.ReuseAs(r, c)
			}
			loss := nets.SoftmaxCrossEntropy(out, yb, &g)
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				watch.pause()
				o.Status = statusNonFinite
				o.Err = fmt.Errorf("runner: %s: cross-entropy is %v at epoch %d step %d", o.Method, loss, epoch, step+1)
				o.W = lastW
				return nil
			}
			da := m.back.Backward(&g)

			// PCA part of W's gradient: −(ascent direction), 2λΣW for joint.
			if lambda > 0 {
				batchCov := cov
				if adv, ok := cov.(subproblems.Advancer); ok {
					adv.Advance()
				}
				if batchCov == nil {
					acts.set(a)
					batchCov = &acts
				}
				direction(dir, w, batchCov)
				wGrad.Sub(wGrad, dir)
				if len(m.front) > 0 && s.cfg.PCAThroughPre {
					acts.addInputGradient(da, w, lambda)
				}
			}
			if len(m.front) > 0 {
				m.front.Backward(da)
			}

			opt.Step(params)
			s.set.Project(w, w)
			if !paramsFinite(params) {
				watch.pause()
				o.Status = statusNonFinite
				o.Err = fmt.Errorf("runner: %s: non-finite parameters after epoch %d step %d; the learning rate %v may be too large", o.Method, epoch, step+1, s.cfg.LR)
				o.W = lastW
				return nil
			}
			lastW.Copy(w)
			samples += int64(len(idx))
		}
		row := report.Row{Method: o.Method, Seed: seed, Iter: epoch, TimeS: watch.pause(), Samples: samples}
		s.measure(&row, w, m)
		s.log.Info(o.Method, "seed", seed, "epoch", epoch, "evr", row.EVR, "test_acc", row.TestAcc)
		if err := s.emit(&row, o); err != nil {
			return err
		}
		if err := s.boundary(epoch, epoch == s.cfg.Epochs, ts.runState(o.Method, seed, epoch, watch.total, samples)); err != nil {
			return err
		}
	}
	o.Status = statusCompleted
	o.W = lastW
	return nil
}

// runTwoStage sets W to the top-k eigenvectors of Σ, projected onto the
// constraint set, and trains the head alone on the fixed features computed
// once.
func (s *setup) runTwoStage(ctx context.Context, seed uint64, o *Outcome) error {
	m, err := s.newModel(seed)
	if err != nil {
		return err
	}
	n, _ := s.train.X.Dims()
	stepsPerEpoch := (n + s.cfg.BatchSize - 1) / s.cfg.BatchSize
	ts := s.newTrainState(seed, m.head.Params(), s.cfg.Epochs*stepsPerEpoch)
	batch, opt, params := ts.batch, ts.opt, ts.params

	var watch stopwatch
	watch.start()
	s.set.Project(m.reduce.W, s.referenceFor(m).TopK())
	h := mat.DenseCopyOf(m.body.Forward(m.inputOfW(s.train.X)))
	watch.pause()

	var (
		mb      nets.Minibatch
		samples = int64(n)
		first   = 1
	)
	if st := s.resumeState(MethodTwoStage, seed); st != nil {
		if err := ts.restore(st); err != nil {
			return err
		}
		first, samples, watch.total = st.Iter+1, st.Samples, st.Elapsed
	} else {
		row := report.Row{Method: MethodTwoStage, Seed: seed, Samples: int64(n)}
		s.measure(&row, m.reduce.W, m)
		if err := s.emit(&row, o); err != nil {
			return err
		}
	}
	for epoch := first; epoch <= s.cfg.Epochs; epoch++ {
		watch.start()
		for step := 0; step < stepsPerEpoch; step++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			idx := batch.Next()
			loss := mb.LossGrad(m.head, h, s.train.Y, idx)
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				watch.pause()
				o.Status = statusNonFinite
				o.Err = fmt.Errorf("runner: two-stage: cross-entropy is %v at epoch %d step %d", loss, epoch, step+1)
				o.W = mat.DenseCopyOf(m.reduce.W)
				return nil
			}
			opt.Step(params)
			samples += int64(len(idx))
		}
		row := report.Row{Method: MethodTwoStage, Seed: seed, Iter: epoch, TimeS: watch.pause(), Samples: samples}
		s.measure(&row, m.reduce.W, m)
		s.log.Info("two-stage", "seed", seed, "epoch", epoch, "test_acc", row.TestAcc)
		if err := s.emit(&row, o); err != nil {
			return err
		}
		if err := s.boundary(epoch, epoch == s.cfg.Epochs, ts.runState(MethodTwoStage, seed, epoch, watch.total, samples)); err != nil {
			return err
		}
	}
	o.Status = statusCompleted
	o.W = mat.DenseCopyOf(m.reduce.W)
	return nil
}

// centeredBatch is the covariance estimate of one minibatch of
// activations, Σ_B = (A − 1āᵀ)ᵀ(A − 1āᵀ)/|B|, applied as two products
// without forming Σ_B.
type centeredBatch struct {
	centered mat.Dense // A − 1āᵀ
	aw       mat.Dense // (A − 1āᵀ)W
}

// set takes the minibatch a (one sample per row) and centers it.
func (c *centeredBatch) set(a *mat.Dense) {
	r, d := a.Dims()
	if cr, cd := c.centered.Dims(); cr != r || cd != d {
		c.centered.Reset()
		c.centered.ReuseAs(r, d)
	}
	c.centered.Copy(a)
	centerColumns(&c.centered)
}

// Dim returns the dimension of the activations.
func (c *centeredBatch) Dim() int { _, d := c.centered.Dims(); return d }

// MulTo sets dst = Σ_B w.
func (c *centeredBatch) MulTo(dst, w *mat.Dense) {
	r, _ := c.centered.Dims()
	c.aw.Reset()
	c.aw.Mul(&c.centered, w)
	dst.Mul(c.centered.T(), &c.aw)
	dst.Scale(1/float64(r), dst)
}

// addInputGradient adds the gradient of −λ tr(WᵀΣ_B W) with respect to
// the activations to da: −(2λ/|B|)(A − 1āᵀ)WWᵀ. The part through ā sums
// to zero over the batch, because the centered rows sum to zero. It uses
// the product (A − 1āᵀ)W left by the last MulTo.
func (c *centeredBatch) addInputGradient(da, w *mat.Dense, lambda float64) {
	r, _ := c.centered.Dims()
	var g mat.Dense
	g.Mul(&c.aw, w.T())
	g.Scale(-2*lambda/float64(r), &g)
	da.Add(da, &g)
}

// referenceFor returns the PCA reference of the model's W: the one of the
// data, or, with a layer before W, one built from the covariance of that
// layer's current activations on the training set.
func (s *setup) referenceFor(m *model) *metrics.Reference {
	if len(m.front) == 0 {
		return s.ref
	}
	a := m.inputOfW(s.train.X)
	centerColumns(a)
	cov := subproblems.NewFullCovariance(a)
	values, vectors := cov.Eigen()
	return metrics.NewReference(cov.Sym(), values, vectors, s.cfg.K)
}

// centerColumns subtracts each column's mean in place.
func centerColumns(a *mat.Dense) {
	r, _ := a.Dims()
	ones := mat.NewVecDense(r, nil)
	for i := 0; i < r; i++ {
		ones.SetVec(i, 1)
	}
	var mean mat.VecDense
	mean.MulVec(a.T(), ones)
	mean.ScaleVec(1/float64(r), &mean)
	var outer mat.Dense
	outer.Outer(1, ones, &mean)
	a.Sub(a, &outer)
}

// paramsFinite reports whether every parameter value is finite.
func paramsFinite(params []nets.Param) bool {
	for _, p := range params {
		if !finite(p.Value) {
			return false
		}
	}
	return true
}

// finite reports whether every entry of m is finite.
func finite(m *mat.Dense) bool {
	for _, v := range m.RawMatrix().Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// startStats returns the ADMM columns of a starting row: the penalty, and
// NaN for the residuals, which no iteration has produced yet.
func startStats(rho float64) *report.ADMMStats {
	return &report.ADMMStats{Primal: math.NaN(), Dual: math.NaN(), EpsPri: math.NaN(), EpsDual: math.NaN(), Rho: rho}
}
