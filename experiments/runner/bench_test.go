package runner

import (
	"context"
	"testing"

	"github.com/admm-go/admm/admm"
	"github.com/admm-go/admm/experiments/data"
	"github.com/admm-go/admm/subproblems"
)

// benchSetup prepares the main job on all of MNIST for the benchmarks.
func benchSetup(b *testing.B) *setup {
	b.Helper()
	train, test, err := data.LoadMNIST("")
	if err != nil {
		b.Fatalf("load MNIST: %v", err)
	}
	data.Center(train, test)
	cfg := DefaultConfig()
	if err := cfg.Validate(); err != nil {
		b.Fatal(err)
	}
	s, err := newSetup(cfg, train, test, Options{})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkADMMIteration measures one outer iteration of the main job: a
// W-step by generalized power iteration and a Z-step of z_steps minibatch
// steps, without the measurements.
func BenchmarkADMMIteration(b *testing.B) {
	s := benchSetup(b)
	m := s.newModel(1)
	wstep, err := subproblems.NewStiefelGPI(s.cov, s.cfg.Lambda, subproblems.GPIOptions{MaxIter: s.cfg.GPIIter})
	if err != nil {
		b.Fatal(err)
	}
	zstep := subproblems.NewCrossEntropyStep(m.net, m.reduce.Params()[0], s.train.X, s.train.Y,
		s.batcher(1), s.optimizer(s.cfg.MaxIter*s.cfg.ZSteps), s.cfg.ZSteps)
	start := admm.Start{X: m.reduce.W, Z: m.reduce.W}
	settings := &admm.Settings{Rho: s.cfg.Rho, MaxIter: 1}
	b.ReportAllocs()
	for b.Loop() {
		res, err := admm.Solve(context.Background(), admm.Problem{F: wstep, G: zstep}, start, settings)
		if err != nil {
			b.Fatal(err)
		}
		start = res.Start
	}
}

// BenchmarkJointEpoch measures one epoch of joint projected gradient
// descent on all 60,000 training images, with one measurement row.
func BenchmarkJointEpoch(b *testing.B) {
	s := benchSetup(b)
	s.cfg.Epochs = 1
	b.ReportAllocs()
	for b.Loop() {
		var o Outcome
		if err := s.runJoint(context.Background(), 1, &o); err != nil {
			b.Fatal(err)
		}
	}
}
