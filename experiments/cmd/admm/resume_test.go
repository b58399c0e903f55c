package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// stopAfterRows is a stdout that requests a stop once the convergence
// table has shown n rows. The run reads the request at the iteration
// boundary right after that row, so the stop point does not depend on
// timing.
type stopAfterRows struct {
	stop *atomic.Bool
	n    int
	rows int
	buf  bytes.Buffer
}

func (s *stopAfterRows) Write(p []byte) (int, error) {
	for _, line := range strings.Split(string(p), "\n") {
		if strings.HasPrefix(line, "| admm |") || strings.HasPrefix(line, "| joint |") {
			s.rows++
		}
	}
	if s.rows >= s.n {
		s.stop.Store(true)
	}
	return s.buf.Write(p)
}

func TestResumeAfterStopMatchesUninterruptedRun(t *testing.T) {
	tmp := t.TempDir()
	whole := filepath.Join(tmp, "whole")
	parts := filepath.Join(tmp, "parts")
	args := func(out string) []string {
		a := csvArgs(t, tmp, out)
		return append(a, "-methods", "admm,joint", "-seeds", "1,2", "-max-iter", "6", "-epochs", "3",
			"-abs-tol", "1e-300", "-rel-tol", "0", "-checkpoint-every", "2")
	}
	mustRun(t, exitOK, append([]string{"run"}, args(whole)...)...)

	// Stop inside admm of seed 2: seed 1 gives 7 admm and 4 joint rows.
	stop := &atomic.Bool{}
	e := &env{
		stdout: &stopAfterRows{stop: stop, n: 14}, stderr: os.Stderr,
		log: slog.New(slog.DiscardHandler), stop: stop,
	}
	if code := cmdRun(context.Background(), e, args(parts)); code != exitInterrupted {
		t.Fatalf("interrupted run: exit status %d, want %d", code, exitInterrupted)
	}
	if _, err := os.Stat(filepath.Join(parts, checkpointFile)); err != nil {
		t.Fatalf("no checkpoint after the stop: %v", err)
	}

	e2 := &env{stdout: &bytes.Buffer{}, stderr: os.Stderr, log: slog.New(slog.DiscardHandler), stop: &atomic.Bool{}}
	if code := cmdResume(context.Background(), e2, []string{parts, "-plots", "none"}); code != exitOK {
		t.Fatalf("resume: exit status %d, want %d", code, exitOK)
	}
	diffs, err := compareMetricsFiles(filepath.Join(whole, "metrics.csv"), filepath.Join(parts, "metrics.csv"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) > 0 {
		t.Errorf("resumed metrics.csv differs in %d values from the uninterrupted run, first %+v", len(diffs), diffs[0])
	}
	if m := readManifest(t, parts); m.Status != "completed" {
		t.Errorf("manifest status %q after resuming, want completed", m.Status)
	}

	// The finished run has no checkpoint left, so a second resume is
	// refused instead of training part of it again.
	e3 := &env{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, log: slog.New(slog.DiscardHandler), stop: &atomic.Bool{}}
	if code := cmdResume(context.Background(), e3, []string{parts}); code != exitUsage {
		t.Errorf("second resume: exit status %d, want %d", code, exitUsage)
	}
}

func TestResumeRejectsForeignCheckpoint(t *testing.T) {
	tmp := t.TempDir()
	a := filepath.Join(tmp, "a")
	stop := &atomic.Bool{}
	e := &env{stdout: &stopAfterRows{stop: stop, n: 2}, stderr: &bytes.Buffer{}, log: slog.New(slog.DiscardHandler), stop: stop}
	args := append(csvArgs(t, tmp, a), "-methods", "admm", "-max-iter", "5")
	if code := cmdRun(context.Background(), e, args); code != exitInterrupted {
		t.Fatalf("run a: exit status %d, want %d", code, exitInterrupted)
	}

	// Directory b holds a config with another λ and a's checkpoint.
	b := filepath.Join(tmp, "b")
	if err := os.Mkdir(b, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(filepath.Join(a, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	cfg = bytes.Replace(cfg, []byte(`"lambda": 1,`), []byte(`"lambda": 2,`), 1)
	cp, err := os.ReadFile(filepath.Join(a, checkpointFile))
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string][]byte{"config.json": cfg, checkpointFile: cp} {
		if err := os.WriteFile(filepath.Join(b, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, _, stderr := runCommand(t, "resume", b)
	if code != exitUsage || !strings.Contains(stderr, "another configuration") {
		t.Errorf("resume with a foreign checkpoint: exit %d, stderr %q; want %d and a message about the configuration", code, stderr, exitUsage)
	}
	entries, _ := os.ReadDir(b)
	if len(entries) != 2 {
		t.Errorf("resume wrote into %s before refusing: %d entries, want 2", b, len(entries))
	}
}

func TestResumeWithoutCheckpoint(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := runCommand(t, "resume", dir)
	if code != exitUsage || !strings.Contains(stderr, "config.json") {
		t.Errorf("resume of an empty directory: exit %d, stderr %q; want %d and a message naming config.json", code, stderr, exitUsage)
	}
}
