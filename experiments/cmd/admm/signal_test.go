package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/admm-go/admm/experiments/runinfo"
)

// waitTimeout bounds every wait for a signal handler or a subprocess; the
// waits end in milliseconds unless something hangs.
const waitTimeout = 30 * time.Second

func TestHandleSignals(t *testing.T) {
	sigs := make(chan os.Signal, 2)
	done := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	exited := make(chan int, 1)
	var stderr bytes.Buffer
	returned := make(chan struct{})
	go func() {
		handleSignals(sigs, done, cancel, &stderr, func(code int) { exited <- code })
		close(returned)
	}()

	sigs <- os.Interrupt
	select {
	case <-ctx.Done():
	case <-time.After(waitTimeout):
		t.Fatal("the first signal did not cancel the context")
	}
	select {
	case code := <-exited:
		t.Fatalf("the first signal exited with status %d, want only a cancellation", code)
	default:
	}

	sigs <- syscall.SIGTERM
	select {
	case code := <-exited:
		if code != exitInterrupted {
			t.Errorf("the second signal exited with status %d, want %d", code, exitInterrupted)
		}
	case <-time.After(waitTimeout):
		t.Fatal("the second signal did not exit")
	}
	<-returned
	for _, want := range []string{"received interrupt", "send it again", "received terminated again"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
}

func TestHandleSignalsReturnsWhenDone(t *testing.T) {
	done := make(chan struct{})
	returned := make(chan struct{})
	go func() {
		handleSignals(make(chan os.Signal), done, func() {}, &bytes.Buffer{}, func(int) { t.Error("exit called") })
		close(returned)
	}()
	close(done)
	select {
	case <-returned:
	case <-time.After(waitTimeout):
		t.Fatal("handleSignals did not return after done was closed")
	}
}

// startLongRun starts the built command on the CSV data with an ADMM run
// that does not end by itself, and waits until metrics.csv exists.
func startLongRun(t *testing.T) (cmd *exec.Cmd, out string, stderr *bytes.Buffer) {
	t.Helper()
	bin := buildBinary(t)
	tmp := t.TempDir()
	out = filepath.Join(tmp, "run")
	args := append([]string{"run"}, csvArgs(t, tmp, out)...)
	// A tolerance of 1e-300 is never reached, so only a signal stops the run.
	args = append(args, "-methods", "admm,joint", "-seeds", "1,2", "-max-iter", "1000000", "-abs-tol", "1e-300", "-rel-tol", "0")
	cmd = exec.Command(bin, args...)
	stderr = &bytes.Buffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	deadline := time.Now().Add(waitTimeout)
	for {
		if _, err := os.Stat(filepath.Join(out, "metrics.csv")); err == nil {
			return cmd, out, stderr
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics.csv did not appear; stderr:\n%s", stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitExit waits for cmd and returns its exit status.
func waitExit(t *testing.T, cmd *exec.Cmd, stderr fmt.Stringer) int {
	t.Helper()
	result := make(chan error, 1)
	go func() { result <- cmd.Wait() }()
	select {
	case err := <-result:
		var exitErr *exec.ExitError
		if err != nil && !errors.As(err, &exitErr) {
			t.Fatalf("wait: %v", err)
		}
		return cmd.ProcessState.ExitCode()
	case <-time.After(waitTimeout):
		cmd.Process.Kill()
		t.Fatalf("the command did not exit; stderr:\n%s", stderr)
	}
	return -1
}

func TestInterruptKeepsMeasurements(t *testing.T) {
	cmd, out, stderr := startLongRun(t)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, cmd, stderr); code != exitInterrupted {
		t.Fatalf("exit status %d, want %d; stderr:\n%s", code, exitInterrupted, stderr)
	}

	rows := readRows(t, out)
	if len(rows) == 0 {
		t.Errorf("metrics.csv has no rows")
	}
	if _, err := os.Stat(filepath.Join(out, "summary.md")); err != nil {
		t.Errorf("no summary.md after an interrupt: %v", err)
	}
	if left := tempFiles(t, out); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
	m := readManifest(t, out)
	if m.Status != runinfo.StatusCanceled {
		t.Errorf("manifest status %q, want %q", m.Status, runinfo.StatusCanceled)
	}
	var statuses []string
	for _, r := range m.Runs {
		statuses = append(statuses, r.Status)
	}
	// admm of seed 1 runs until the signal; the three others never start.
	want := []string{runinfo.RunCanceled, runinfo.RunNotStarted, runinfo.RunNotStarted, runinfo.RunNotStarted}
	if !slices.Equal(statuses, want) {
		t.Errorf("manifest run statuses %q, want %q", statuses, want)
	}
}

// syncBuffer is a bytes.Buffer that a subprocess may write while the test
// reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls stderr until it contains s.
func waitFor(t *testing.T, stderr *syncBuffer, s string) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !strings.Contains(stderr.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("stderr did not show %q:\n%s", s, stderr)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSecondInterruptExitsAtOnce(t *testing.T) {
	// Forming Σ from all 60,000 MNIST images takes seconds and does not
	// watch the context, so the first interrupt cannot end the run before
	// the second arrives. The kernel merges a signal into one still
	// pending, so the second is sent only after the first was handled.
	bin := buildBinary(t)
	out := filepath.Join(t.TempDir(), "run")
	cmd := exec.Command(bin, "run", "-out", out, "-plots", "none")
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	waitFor(t, stderr, "writing results")
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	waitFor(t, stderr, "received interrupt")
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}

	if code := waitExit(t, cmd, stderr); code != exitInterrupted {
		t.Fatalf("exit status %d, want %d; stderr:\n%s", code, exitInterrupted, stderr)
	}
	if !strings.Contains(stderr.String(), "again: exiting at once") {
		t.Errorf("stderr lacks the immediate exit:\n%s", stderr)
	}
	// The manifest written at the start is complete and records that the run never
	// ended.
	if m := readManifest(t, out); m.Status != runinfo.StatusRunning {
		t.Errorf("manifest status %q, want %q", m.Status, runinfo.StatusRunning)
	}
}

func TestDeterministicAcrossGOMAXPROCS(t *testing.T) {
	if testing.Short() {
		t.Skip("two MNIST runs take about 5 s")
	}
	bin := buildBinary(t)
	tmp := t.TempDir()
	var dirs []string
	for _, procs := range []string{"1", "4"} {
		out := filepath.Join(tmp, "procs"+procs)
		cmd := exec.Command(bin, append([]string{"run", "-out", out, "-plots", "none"}, mnistArgs...)...)
		cmd.Env = append(os.Environ(), "GOMAXPROCS="+procs)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("GOMAXPROCS=%s: %v\n%s", procs, err, stderr.String())
		}
		m := readManifest(t, out)
		if got := m.Machine.GOMAXPROCS; got != map[string]int{"1": 1, "4": 4}[procs] {
			t.Errorf("manifest GOMAXPROCS %d, want %s", got, procs)
		}
		dirs = append(dirs, out)
	}

	diffs, err := compareMetricsFiles(filepath.Join(dirs[0], "metrics.csv"), filepath.Join(dirs[1], "metrics.csv"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) > 0 {
		t.Errorf("metrics.csv differs between GOMAXPROCS=1 and 4 in %d values, first %+v", len(diffs), diffs[0])
	}

	// A built binary records its dependencies, and git supplies the
	// revision that -buildvcs=false leaves out.
	m := readManifest(t, dirs[0])
	hasGonum := slices.ContainsFunc(m.Build.Dependencies, func(d runinfo.Module) bool { return d.Path == "gonum.org/v1/gonum" })
	if !hasGonum {
		t.Errorf("manifest dependencies lack gonum.org/v1/gonum: %+v", m.Build.Dependencies)
	}
	if _, err := exec.LookPath("git"); err == nil && m.Build.VCS.Revision == runinfo.Unknown {
		t.Errorf("manifest VCS %+v: want a revision, since git is on the PATH and the test runs in the repository", m.Build.VCS)
	}
}
