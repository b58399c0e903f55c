package runner

import (
	"context"
	"errors"
	"fmt"
	"gonum.org/v1/gonum/mat"
	"log/slog"
	"time"

	"github.com/admm-go/admm/constraints"
	"github.com/admm-go/admm/experiments/data"
	"github.com/admm-go/admm/experiments/metrics"
	"github.com/admm-go/admm/experiments/report"
	"github.com/admm-go/admm/subproblems"
)

// Options are the parts of a run that are not part of the experiment.
type Options struct {
	// Sink receives every row as soon as it is measured. An error from it
	// stops the run.
	Sink func(*report.Row) error
	// Logger receives progress lines; nil discards them.
	Logger *slog.Logger

	// Checkpoint, if not nil, receives the state of the experiment after
	// every CheckpointEvery iterations (outer ADMM iterations or epochs)
	// of a method, and when Stop requests a stop. An error from it stops
	// the run. Checkpoints need a configuration whose state they can
	// save: see [Config.Validate] with a checkpoint interval.
	Checkpoint      func(*Checkpoint) error
	CheckpointEvery int
	// Stop, if not nil, is polled after every iteration; when it returns
	// true, Run writes a checkpoint and returns ErrStopped.
	Stop func() bool
	// Resume, if not nil, continues the experiment from a checkpoint of
	// the same configuration: finished runs are skipped, the run in
	// progress continues from its saved state, and the rows and outcomes
	// returned include the earlier ones. Sink receives only new rows.
	Resume *Checkpoint
}

// Outcome is the result of one (method, seed) run.
type Outcome struct {
	Method string
	Seed   uint64
	Status string // "converged", "iteration limit", "completed", …
	Err    error  // non-nil when the run failed; the other runs still go on
	Rows   int    // rows measured
	// W is the final reduction matrix: after a non-finite value, the last
	// finite one. It is nil for a run finished before a resume.
	W *mat.Dense
}

// Key returns "method/seed", the key of report.Summarize's statuses.
func (o *Outcome) Key() string { return fmt.Sprintf("%s/%d", o.Method, o.Seed) }

// setup is what every method of an experiment shares: the data, Σ and its
// eigendecomposition, and the constraint set.
type setup struct {
	cfg         Config
	train, test *data.Dataset
	cov         *subproblems.FullCovariance
	ref         *metrics.Reference
	set         constraints.Set
	log         *slog.Logger
	sink        func(*report.Row) error

	// Checkpointing: the rows so far, the finished runs, the resumed
	// checkpoint and the options that govern new ones.
	rows       []report.Row
	done       []DoneRun
	resume     *Checkpoint
	checkpoint func(*Checkpoint) error
	every      int
	stop       func() bool
}

// Run trains every method of cfg for every seed, in the order cfg lists
// them, on centered data. A method that fails (a non-finite value, a
// failing block) is reported in its Outcome and the others still run; Run
// returns an error only for an invalid configuration, data that does not
// fit it, cancellation, or a failing sink.
func Run(ctx context.Context, cfg Config, train, test *data.Dataset, opts Options) ([]Outcome, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := CheckData(cfg, train, test); err != nil {
		return nil, err
	}
	if opts.CheckpointEvery < 0 {
		return nil, fmt.Errorf("runner: invalid checkpoint interval %d: want ≥ 1, or 0 for checkpoints only on a stop", opts.CheckpointEvery)
	}
	if opts.Checkpoint != nil || opts.Resume != nil {
		if err := cfg.Checkpointable(); err != nil {
			return nil, err
		}
	}
	if opts.Resume != nil {
		if err := opts.Resume.Check(cfg); err != nil {
			return nil, err
		}
	}
	s, err := newSetup(cfg, train, test, opts)
	if err != nil {
		return nil, err
	}
	s.checkpoint, s.every, s.stop, s.resume = opts.Checkpoint, opts.CheckpointEvery, opts.Stop, opts.Resume
	log := s.log

	var outcomes []Outcome
	finished := map[string]bool{}
	if r := opts.Resume; r != nil {
		s.rows = append(s.rows, r.Rows...)
		s.done = append(s.done, r.Done...)
		for _, d := range r.Done {
			o := Outcome{Method: d.Method, Seed: d.Seed, Status: d.Status, Rows: d.Rows}
			if d.Err != "" {
				o.Err = errors.New(d.Err)
			}
			outcomes = append(outcomes, o)
			finished[o.Key()] = true
		}
	}
	for _, seed := range cfg.Seeds {
		for _, method := range cfg.Methods {
			if err := ctx.Err(); err != nil {
				return outcomes, err
			}
			o := Outcome{Method: method, Seed: seed}
			if finished[o.Key()] {
				continue
			}
			log.Info("method start", "method", method, "seed", seed)
			var err error
			switch method {
			case MethodADMM:
				err = s.runADMM(ctx, seed, &o)
			case MethodAlternating:
				err = s.runAlternating(ctx, seed, &o)
			case MethodJoint, MethodJointCustom, MethodCEOnly:
				err = s.runGradient(ctx, seed, &o)
			case MethodTwoStage:
				err = s.runTwoStage(ctx, seed, &o)
			}
			if err != nil {
				return append(outcomes, o), err
			}
			if o.Err != nil {
				log.Error("method failed", "method", method, "seed", seed, "err", o.Err)
			} else {
				log.Info("method done", "method", method, "seed", seed, "status", o.Status)
			}
			outcomes = append(outcomes, o)
			d := DoneRun{Method: o.Method, Seed: o.Seed, Status: o.Status, Rows: o.Rows}
			if o.Err != nil {
				d.Err = o.Err.Error()
			}
			s.done = append(s.done, d)
		}
	}
	return outcomes, nil
}

// CheckData returns an error when the data does not fit cfg: test and
// training sets of different widths, k above the dimension, a batch larger
// than the training set, or labels outside the classes of the network.
func CheckData(cfg Config, train, test *data.Dataset) error {
	n, d := train.X.Dims()
	if _, dt := test.X.Dims(); dt != d {
		return settingErrorf("runner: training data has %d features and test data %d: give both sets the same columns", d, dt)
	}
	if cfg.K > d {
		return settingErrorf("runner: invalid k %d: want at most the input dimension %d; lower k", cfg.K, d)
	}
	if cfg.BatchSize > n {
		return settingErrorf("runner: invalid batch_size %d: want at most the %d training samples; lower batch_size or raise train_size", cfg.BatchSize, n)
	}
	if train.Classes < 2 {
		return settingErrorf("runner: the training labels give %d class: want at least 2", train.Classes)
	}
	for i, y := range test.Y {
		if y < 0 || y >= train.Classes {
			return settingErrorf("runner: test label %d of sample %d is outside the %d training classes; set classes, or remap with the training set's labels", y, i+1, train.Classes)
		}
	}
	return nil
}

// newSetup computes Σ, its eigendecomposition and the metric reference.
func newSetup(cfg Config, train, test *data.Dataset, opts Options) (*setup, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	set, err := constraints.Parse(cfg.Constraint, cfg.radius())
	if err != nil {
		return nil, err
	}
	start := time.Now()
	n, d := train.X.Dims()
	cov := subproblems.NewFullCovariance(train.X)
	values, vectors := cov.Eigen()
	s := &setup{
		cfg: cfg, train: train, test: test, cov: cov, set: set, log: log, sink: opts.Sink,
		ref: metrics.NewReference(cov.Sym(), values, vectors, cfg.K),
	}
	log.Info("covariance ready", "d", d, "n", n, "top_k_variance", s.ref.TopSum(),
		"seconds", time.Since(start).Seconds())
	warnRank(log, cov.Sym(), values, cfg.K)
	warnEmptyClasses(log, train)
	return s, nil
}

// zeroVarianceTol is the relative size below which an eigenvalue of Σ
// counts as zero. A backward-stable symmetric eigensolver errs by a modest
// multiple of d·ε·λ_max, with ε ≈ 2.2e-16, and 1e-12 is about d·ε for d in
// the thousands.
const zeroVarianceTol = 1e-12

// warnRank logs a warning when Σ has fewer than k directions of nonzero
// variance, naming the features whose variance is zero. The PCA objective
// is still defined then: the extra columns of W span directions of zero
// variance and evr stays finite.
func warnRank(log *slog.Logger, sigma *mat.SymDense, values []float64, k int) {
	if len(values) == 0 || values[0] <= 0 {
		log.Warn("the input of W has zero variance in every direction; the PCA objective is 0 for every W")
		return
	}
	rank := 0
	for _, v := range values {
		if v > zeroVarianceTol*values[0] {
			rank++
		}
	}
	if k <= rank {
		return
	}
	var zero []int
	for i := 0; i < sigma.SymmetricDim(); i++ {
		if sigma.At(i, i) == 0 {
			zero = append(zero, i)
		}
	}
	const shown = 20
	list := zero
	if len(list) > shown {
		list = list[:shown]
	}
	log.Warn("k exceeds the number of directions with nonzero variance; the extra columns of W carry none",
		"k", k, "rank", rank, "zero_variance_features", len(zero), "first_zero_variance_features", fmt.Sprint(list))
}

// warnEmptyClasses logs a warning naming the classes that no training
// sample has, such as a class 0 when labels run from 1 to C: the network
// still gets an output for each, which is rarely what was meant.
func warnEmptyClasses(log *slog.Logger, train *data.Dataset) {
	count := make([]int, train.Classes)
	for _, y := range train.Y {
		if y >= 0 && y < len(count) {
			count[y]++
		}
	}
	var empty []int
	for c, n := range count {
		if n == 0 {
			empty = append(empty, c)
		}
	}
	if len(empty) > 0 {
		log.Warn("some classes have no training sample; if the labels do not start at 0, use remap",
			"classes", train.Classes, "empty_classes", fmt.Sprint(empty))
	}
}

// Random streams derived from a seed: one for initialization, one for the
// order of minibatches, one for the minibatches of a covariance estimate.
const (
	streamInit  = 1
	streamBatch = 2
	streamCov   = 3
)

// stopwatch measures training time and leaves out the time spent on
// measurements.
type stopwatch struct {
	total time.Duration
	since time.Time
}

func (w *stopwatch) start()           { w.since = time.Now() }
func (w *stopwatch) pause() float64   { w.total += time.Since(w.since); return w.total.Seconds() }
func (w *stopwatch) elapsed() float64 { return w.total.Seconds() }
