package runner

import (
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"reflect"
	"time"

	"github.com/admm-go/admm/admm"
	"github.com/admm-go/admm/experiments/report"
	"github.com/admm-go/admm/nets"
	pkgerrors "github.com/pkg/errors"
	"gonum.org/v1/gonum/mat"
)

// ErrStopped is returned by [Run] when Options.Stop asked for a stop: a
// checkpoint was written at the last iteration boundary.
var ErrStopped = errors.New("runner: stopped at a checkpoint")

// Checkpoint is the state of an experiment at an iteration boundary:
// everything a resumed run needs to produce the same rows as an
// uninterrupted one.
type Checkpoint struct {
	Config  Config
	Rows    []report.Row // every row measured so far, in order
	Done    []DoneRun    // the (method, seed) runs that finished
	Current *RunState    // the run in progress, nil between runs
}

// DoneRun is a finished (method, seed) run.
type DoneRun struct {
	Method string
	Seed   uint64
	Status string
	Err    string // the error text of a failed run, empty otherwise
	Rows   int
}

// RunState is the state of a (method, seed) run after Iter iterations or
// epochs.
type RunState struct {
	Method  string
	Seed    uint64
	Iter    int
	Elapsed time.Duration // training time so far, the time_s column
	Samples int64

	Params     [][]float64 // every network parameter, in Params order, row-major
	OptStep    int
	OptMoments [][]float64
	Batch      nets.BatcherState
	BatchRNG   []byte // the minibatch generator, from rand.PCG.MarshalBinary

	// W, Z and U are the ADMM iterate, row-major, and Rho the penalty of
	// the next iteration; alternating uses W and Z.
	W, Z, U []float64
	Rho     float64
}

// Checkpointable returns why runs of c cannot be checkpointed, or nil. The
// minibatch covariance sources, the spectral penalty and Anderson
// acceleration keep state that a checkpoint does not save yet.
func (c *Config) Checkpointable() error {
	// TODO: save the state of the minibatch and EWMA covariance sources,
	// the spectral penalty and the Anderson memory in checkpoints.
	switch {
	case c.Covariance != "full":
		return fmt.Errorf("runner: checkpoints need covariance \"full\", not %q: the minibatch sources' state is not saved", c.Covariance)
	case c.Penalty == "spectral":
		return errors.New("runner: checkpoints do not support penalty \"spectral\": its curvature history is not saved")
	case c.Anderson > 0:
		return errors.New("runner: checkpoints do not support anderson > 0: its memory is not saved")
	}
	return nil
}

// WriteCheckpoint writes cp to path atomically, in encoding/gob.
func WriteCheckpoint(path string, cp *Checkpoint) error {
	return report.WriteFileAtomic(path, func(w io.Writer) error { return gob.NewEncoder(w).Encode(cp) })
}

// ReadCheckpoint reads a checkpoint written by WriteCheckpoint.
func ReadCheckpoint(path string) (*Checkpoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, pkgerrors.Wrap(err, "runner: read checkpoint")
	}
	defer f.Close()
	var cp Checkpoint
	if err := gob.NewDecoder(f).Decode(&cp); err != nil {
		return nil, pkgerrors.Wrapf(err, "runner: invalid checkpoint %s", path)
	}
	return &cp, nil
}

// trainState is the per-run training machinery that a checkpoint saves
// besides the iterate: the optimizer and the minibatch order.
type trainState struct {
	params   []nets.Param
	opt      nets.Optimizer
	batch    *nets.Batcher
	batchRNG *rand.PCG
}

// newTrainState returns the optimizer, annealed over steps minibatch
// steps, and the minibatch order of a run.
func (s *setup) newTrainState(seed uint64, params []nets.Param, steps int) *trainState {
	n, _ := s.train.X.Dims()
	pcg := rand.NewPCG(seed, streamBatch)
	return &trainState{
		params:   params,
		opt:      s.optimizer(steps),
		batch:    nets.NewBatcher(n, s.cfg.BatchSize, rand.New(pcg)),
		batchRNG: pcg,
	}
}

// capture fills the training part of st.
func (t *trainState) capture(st *RunState) {
	st.Params = nil
	for _, p := range t.params {
		st.Params = append(st.Params, append([]float64(nil), mat.DenseCopyOf(p.Value).RawMatrix().Data...))
	}
	st.OptStep, st.OptMoments = t.opt.(nets.Checkpointer).State()
	st.Batch = t.batch.State()
	// rand.PCG.MarshalBinary always returns a nil error.
	st.BatchRNG, _ = t.batchRNG.MarshalBinary()
}

// restore sets the parameters, the optimizer and the minibatch order from
// st.
func (t *trainState) restore(st *RunState) error {
	if len(st.Params) != len(t.params) {
		return fmt.Errorf("runner: checkpoint has %d parameters, the network %d", len(st.Params), len(t.params))
	}
	for i, p := range t.params {
		r, c := p.Value.Dims()
		if len(st.Params[i]) != r*c {
			return fmt.Errorf("runner: checkpoint parameter %s has %d values, want %d×%d", p.Name, len(st.Params[i]), r, c)
		}
		p.Value.Copy(mat.NewDense(r, c, st.Params[i]))
	}
	if st.OptStep > 0 || st.OptMoments != nil {
		if err := t.opt.(nets.Checkpointer).Restore(t.params, st.OptStep, st.OptMoments); err != nil {
			return err
		}
	}
	if err := t.batch.Restore(st.Batch); err != nil {
		return err
	}
	return t.batchRNG.UnmarshalBinary(st.BatchRNG)
}

// resumeState returns the checkpointed state of (method, seed), or nil
// when the run starts afresh.
func (s *setup) resumeState(method string, seed uint64) *RunState {
	if s.resume == nil || s.resume.Current == nil {
		return nil
	}
	if c := s.resume.Current; c.Method == method && c.Seed == seed {
		return c
	}
	return nil
}

// boundary is called after the row of iteration iter of a run: it writes a
// checkpoint when one is due or a stop was requested, and returns
// ErrStopped for a stop. Without a checkpoint function a stop takes effect
// at once. final marks the last iteration of a run, which saves no state.
func (s *setup) boundary(iter int, final bool, capture func() *RunState) error {
	stop := s.stop != nil && s.stop()
	due := s.every > 0 && iter%s.every == 0
	if s.checkpoint == nil {
		if stop {
			return ErrStopped
		}
		return nil
	}
	if final || !(stop || due) {
		// After the final row the run ends anyway, and a stop waits for
		// the first boundary of the next run, where a checkpoint can hold
		// this one as finished.
		return nil
	}
	cp := &Checkpoint{Config: s.cfg, Rows: append([]report.Row(nil), s.rows...), Done: s.done, Current: capture()}
	if err := s.checkpoint(cp); err != nil {
		return fmt.Errorf("runner: write checkpoint: %w", err)
	}
	if stop {
		return ErrStopped
	}
	return nil
}

// Check returns an error unless cp was written for cfg and cfg allows
// checkpoints.
func (cp *Checkpoint) Check(cfg Config) error {
	if !reflect.DeepEqual(cfg, cp.Config) {
		return errors.New("runner: the checkpoint was written for another configuration; resume with the run directory's own config.json")
	}
	return cfg.Checkpointable()
}

// dense returns the r×c matrix of row-major values v, or an error if the
// count is wrong.
func dense(name string, v []float64, r, c int) (*mat.Dense, error) {
	if len(v) != r*c {
		return nil, fmt.Errorf("runner: checkpoint %s has %d values, want %d×%d", name, len(v), r, c)
	}
	return mat.NewDense(r, c, append([]float64(nil), v...)), nil
}

// nextRho returns ρ and u as the engine leaves them after the penalty
// update that follows rec, for the stateless schedules that checkpoints
// support: u is rescaled by ρ/ρ_next when ρ changes.
func (s *setup) nextRho(rec *admm.Record) (float64, *mat.Dense) {
	u := mat.DenseCopyOf(rec.U)
	next := s.penalty().Next(rec)
	if next != rec.Rho {
		u.Scale(rec.Rho/next, u)
	}
	return next, u
}

// raw returns a copy of the values of m in row-major order.
func raw(m *mat.Dense) []float64 { return mat.DenseCopyOf(m).RawMatrix().Data }

// runState returns a capture function for the state of a gradient-trained
// run after epoch epochs.
func (t *trainState) runState(method string, seed uint64, epoch int, elapsed time.Duration, samples int64) func() *RunState {
	return func() *RunState {
		st := &RunState{Method: method, Seed: seed, Iter: epoch, Elapsed: elapsed, Samples: samples}
		t.capture(st)
		return st
	}
}
