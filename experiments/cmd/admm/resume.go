package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/admm-go/admm/experiments/runinfo"
	"github.com/admm-go/admm/experiments/runner"
)

// cmdResume implements "admm resume DIR": it continues the run in DIR from
// its checkpoint and writes the tables as a run without interruption
// would have.
func cmdResume(ctx context.Context, e *env, args []string) int {
	return exitStatus(e, doResume(ctx, e, args))
}

func doResume(ctx context.Context, e *env, args []string) error {
	opts := runOptions{plots: defaultPlots, checkpointEvery: defaultCheckpointEvery}
	fs := flag.NewFlagSet("admm resume", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: admm resume [flags] DIR\n\nContinues the run in DIR from DIR/%s, with DIR/config.json.\n\n", checkpointFile)
		fs.PrintDefaults()
	}
	fs.Var(listValue{&opts.plots}, "plots", "comma-separated plot `formats` of svg, png and pdf, or none")
	fs.IntVar(&opts.checkpointEvery, "checkpoint-every", defaultCheckpointEvery, "write a checkpoint every `n` iterations or epochs of a method; 0: only on an interrupt")
	positional, err := parseFlags(e, fs, args)
	if err != nil {
		return err
	}
	if len(positional) != 1 {
		return usageErrorf("admm resume: want one run directory, got %d arguments; run \"admm resume -h\"", len(positional))
	}
	if err := checkPlotFormats(opts.plots); err != nil {
		return err
	}
	if opts.checkpointEvery < 0 {
		return usageErrorf("admm resume: invalid -checkpoint-every %d: want ≥ 1, or 0 for checkpoints only on an interrupt", opts.checkpointEvery)
	}
	dir := positional[0]

	cfg := runner.DefaultConfig()
	if err := readConfig(filepath.Join(dir, "config.json"), &cfg); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return usageErrorf("admm resume: %s/config.json: %v", dir, err)
	}
	cpPath := filepath.Join(dir, checkpointFile)
	if _, err := os.Stat(cpPath); errors.Is(err, os.ErrNotExist) {
		return usageErrorf("admm resume: no checkpoint in %s: a run writes %s every -checkpoint-every iterations and when interrupted; rerun the experiment with \"admm reproduce %s\"", dir, checkpointFile, dir)
	}
	cp, err := runner.ReadCheckpoint(cpPath)
	if err != nil {
		return usageErrorf("admm resume: %v; the file may be damaged, rerun the experiment with \"admm reproduce %s\"", err, dir)
	}
	if err := cp.Check(cfg); err != nil {
		return usageErrorf("admm resume: %s: %v", dir, err)
	}

	start := time.Now()
	train, test, err := runner.LoadData(cfg)
	if err != nil {
		return err
	}
	e.log.Info("resuming", "dir", dir, "rows", len(cp.Rows), "finished_runs", len(cp.Done), "data_seconds", time.Since(start).Seconds())

	// Keep the manifest of the first part, with its start time, and record
	// the resume in its command line.
	manifest := &runinfo.Manifest{
		Command: e.command,
		Build:   runinfo.ReadBuild(dir),
		Machine: runinfo.ReadMachine(),
		Data:    runinfo.NewData(cfg.Dataset, train, test),
		Seeds:   cfg.Seeds,
		Start:   start,
	}
	if f, err := os.Open(filepath.Join(dir, "manifest.json")); err == nil {
		if old, err := runinfo.Read(f); err == nil {
			manifest.Start = old.Start
			manifest.Command = append(old.Command, append([]string{"&&"}, e.command...)...)
		}
		f.Close()
	}
	manifest.Status = runinfo.StatusRunning
	if err := writeManifest(dir, manifest); err != nil {
		return err
	}
	return trainAndWrite(ctx, e, cfg, opts, dir, train, test, manifest, cp)
}
