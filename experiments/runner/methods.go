package runner

import (
	"context"
	"fmt"
	"math"

	"github.com/admm-go/admm/admm"
	"github.com/admm-go/admm/experiments/report"
	"github.com/admm-go/admm/nets"
	"github.com/admm-go/admm/subproblems"
	"gonum.org/v1/gonum/mat"
)

// emit sends a row to the sink.
func (s *setup) emit(row *report.Row, o *Outcome) error {
	o.Rows++
	if s.sink == nil {
		return nil
	}
	if err := s.sink(row); err != nil {
		return fmt.Errorf("runner: write row of %s seed %d iteration %d: %w", row.Method, row.Seed, row.Iter, err)
	}
	return nil
}

// runADMM trains by the splitting W = Z: the W-step maximizes the PCA
// objective on the constraint set, the Z-step trains the network with its
// reduction weights Z pulled towards W̄ + U.
func (s *setup) runADMM(ctx context.Context, seed uint64, o *Outcome) error {
	m := s.newModel(seed)
	n, _ := s.train.X.Dims()
	wstep, err := subproblems.NewStiefelGPI(s.cov, s.cfg.Lambda, subproblems.GPIOptions{MaxIter: s.cfg.GPIIter})
	if err != nil {
		return err
	}
	zParam := m.reduce.Params()[0]
	zstep := subproblems.NewCrossEntropyStep(m.net, zParam, s.train.X, s.train.Y, s.batcher(seed),
		s.optimizer(s.cfg.MaxIter*s.cfg.ZSteps), s.cfg.ZSteps)

	// Σ was formed from all n samples once.
	row := report.Row{Method: MethodADMM, Seed: seed, Samples: int64(n), ADMM: &report.ADMMStats{Rho: s.cfg.Rho}}
	s.measure(&row, m.reduce.W, m)
	if err := s.emit(&row, o); err != nil {
		return err
	}

	var watch stopwatch
	var sinkErr error
	settings := &admm.Settings{
		Rho: s.cfg.Rho, Alpha: s.cfg.Alpha, AbsTol: s.cfg.AbsTol, RelTol: s.cfg.RelTol,
		MaxIter: s.cfg.MaxIter, Penalty: s.penalty(),
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
			sinkErr = s.emit(&row, o)
			watch.start()
			return sinkErr
		},
	}
	watch.start()
	res, err := admm.Solve(ctx, admm.Problem{F: wstep, G: zstep},
		admm.Start{X: m.reduce.W, Z: m.reduce.W}, settings)
	if sinkErr != nil {
		return sinkErr
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if res != nil {
		o.Status = res.Status.String()
	}
	o.Err = err
	return nil
}

// optimizer returns SGD with the configured momentum and learning-rate
// schedule, annealed over steps minibatch steps.
func (s *setup) optimizer(steps int) *nets.SGD {
	opt := nets.NewSGD(s.cfg.LR, s.cfg.Momentum, false)
	if s.cfg.LRSchedule == "cosine" {
		opt.Schedule = nets.Cosine{Initial: s.cfg.LR, Floor: s.cfg.LR / 100, Horizon: steps}
	}
	return opt
}

// penalty returns the ρ schedule of the configuration.
func (s *setup) penalty() admm.Penalty {
	if s.cfg.Penalty == "balancing" {
		return admm.ResidualBalancing{Mu: s.cfg.Mu, Tau: s.cfg.Tau}
	}
	return admm.Fixed{}
}

// runJoint trains W and the head together by projected minibatch gradient
// descent on L_ce − λ tr(WᵀΣW), with W projected onto the constraint set
// after every step.
func (s *setup) runJoint(ctx context.Context, seed uint64, o *Outcome) error {
	m := s.newModel(seed)
	n, _ := s.train.X.Dims()
	batch := s.batcher(seed)
	stepsPerEpoch := (n + s.cfg.BatchSize - 1) / s.cfg.BatchSize
	opt := s.optimizer(s.cfg.Epochs * stepsPerEpoch)
	params := m.net.Params()
	w := m.reduce.W
	wGrad := m.reduce.Params()[0].Grad

	row := report.Row{Method: MethodJoint, Seed: seed, Samples: int64(n)}
	s.measure(&row, w, m)
	if err := s.emit(&row, o); err != nil {
		return err
	}

	var (
		watch   stopwatch
		mb      nets.Minibatch
		samples = int64(n)
	)
	sw := mat.NewDense(w.RawMatrix().Rows, s.cfg.K, nil)
	for epoch := 1; epoch <= s.cfg.Epochs; epoch++ {
		watch.start()
		for step := 0; step < stepsPerEpoch; step++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			idx := batch.Next()
			loss := mb.LossGrad(m.net, s.train.X, s.train.Y, idx)
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				watch.pause()
				o.Status = "non-finite value"
				o.Err = fmt.Errorf("runner: joint: cross-entropy is %v at epoch %d step %d", loss, epoch, step+1)
				return nil
			}

			// PCA gradient: ∇_W (−λ tr(WᵀΣW)) = −2λΣW.
			s.cov.MulTo(sw, w)
			wGrad.Add(wGrad, scaledBy(sw, -2*s.cfg.Lambda))

			opt.Step(params)
			s.set.Project(w, w)
			samples += int64(len(idx))
		}
		row := report.Row{Method: MethodJoint, Seed: seed, Iter: epoch, TimeS: watch.pause(), Samples: samples}
		s.measure(&row, w, m)
		s.log.Info("joint", "seed", seed, "epoch", epoch, "evr", row.EVR, "test_acc", row.TestAcc)
		if err := s.emit(&row, o); err != nil {
			return err
		}
	}
	o.Status = "completed"
	return nil
}

// runTwoStage sets W to the top-k eigenvectors of Σ and trains the head
// alone on the fixed features h = Wᵀx, computed once.
func (s *setup) runTwoStage(ctx context.Context, seed uint64, o *Outcome) error {
	m := s.newModel(seed)
	n, _ := s.train.X.Dims()
	batch := s.batcher(seed)
	stepsPerEpoch := (n + s.cfg.BatchSize - 1) / s.cfg.BatchSize
	opt := s.optimizer(s.cfg.Epochs * stepsPerEpoch)
	params := m.head.Params()

	var watch stopwatch
	watch.start()
	m.reduce.W.Copy(s.ref.TopK())
	var h mat.Dense
	h.Mul(s.train.X, m.reduce.W)
	watch.pause()

	row := report.Row{Method: MethodTwoStage, Seed: seed, Samples: int64(n)}
	s.measure(&row, m.reduce.W, m)
	if err := s.emit(&row, o); err != nil {
		return err
	}

	var (
		mb      nets.Minibatch
		samples = int64(n)
	)
	for epoch := 1; epoch <= s.cfg.Epochs; epoch++ {
		watch.start()
		for step := 0; step < stepsPerEpoch; step++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			idx := batch.Next()
			loss := mb.LossGrad(m.head, &h, s.train.Y, idx)
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				watch.pause()
				o.Status = "non-finite value"
				o.Err = fmt.Errorf("runner: two-stage: cross-entropy is %v at epoch %d step %d", loss, epoch, step+1)
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
	}
	o.Status = "completed"
	return nil
}

// scaledBy scales m by a in place and returns it.
func scaledBy(m *mat.Dense, a float64) *mat.Dense {
	m.Scale(a, m)
	return m
}
