package runner

import (
	"context"
	"testing"

	"github.com/admm-go/admm/admm"
	"github.com/admm-go/admm/experiments/data"
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
	sp, err := s.splitting(1)
	if err != nil {
		b.Fatal(err)
	}
	m, wstep, zstep := sp.m, sp.wstep, sp.zstep
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
		o := Outcome{Method: MethodJoint}
		if err := s.runGradient(context.Background(), 1, &o); err != nil {
			b.Fatal(err)
		}
	}
}
