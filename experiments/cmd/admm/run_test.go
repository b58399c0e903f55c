package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/admm-go/admm/experiments/report"
	"github.com/admm-go/admm/experiments/runinfo"
	"github.com/admm-go/admm/experiments/runner"
	"github.com/google/go-cmp/cmp"
)

func readManifest(t *testing.T, dir string) *runinfo.Manifest {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := runinfo.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func readRows(t *testing.T, dir string) []report.Row {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "metrics.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := report.ReadCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestRunWritesRunDirectory(t *testing.T) {
	tmp := t.TempDir()
	out := filepath.Join(tmp, "run")
	args := append(csvArgs(t, tmp, out), "-plots", "svg", "-seeds", "1,2")
	want, _, err := parseRunFlags(testEnv(), args)
	if err != nil {
		t.Fatal(err)
	}
	stdout, _ := mustRun(t, exitOK, append([]string{"run"}, args...)...)

	for _, name := range []string{"config.json", "manifest.json", "metrics.csv", "summary.md", "summary.tex", "plots/evr_vs_iter.svg"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("run directory lacks %s: %v", name, err)
		}
	}
	if left := tempFiles(t, out); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}

	// config.json reads back strictly into the configuration of the flags.
	got := runner.DefaultConfig()
	if err := readConfig(filepath.Join(out, "config.json"), &got); err != nil {
		t.Fatalf("config.json: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("config.json (-want +got):\n%s", diff)
	}

	// metrics.csv: the starting point plus max_iter rows for admm, plus
	// epochs rows for joint and two-stage, for each of two seeds.
	rows := readRows(t, out)
	if wantRows := 2 * ((3 + 1) + (2 + 1) + (2 + 1)); len(rows) != wantRows {
		t.Errorf("metrics.csv has %d rows, want %d", len(rows), wantRows)
	}

	m := readManifest(t, out)
	if m.Status != runinfo.StatusCompleted {
		t.Errorf("manifest status %q, want %q (error %q)", m.Status, runinfo.StatusCompleted, m.Error)
	}
	if diff := cmp.Diff([]uint64{1, 2}, m.Seeds); diff != "" {
		t.Errorf("manifest seeds (-want +got):\n%s", diff)
	}
	if m.Machine.GOMAXPROCS != runtime.GOMAXPROCS(0) || m.Machine.NumCPU != runtime.NumCPU() {
		t.Errorf("manifest machine %+v, want GOMAXPROCS %d and NumCPU %d", m.Machine, runtime.GOMAXPROCS(0), runtime.NumCPU())
	}
	if !m.End.After(m.Start) {
		t.Errorf("manifest end %v is not after start %v", m.End, m.Start)
	}
	wantData := runinfo.Data{
		Dataset:    "csv",
		TrainFiles: []runinfo.File{{Path: filepath.Join(tmp, "train.csv"), SHA256: sha256File(t, filepath.Join(tmp, "train.csv"))}},
		TestFiles:  []runinfo.File{{Path: filepath.Join(tmp, "test.csv"), SHA256: sha256File(t, filepath.Join(tmp, "test.csv"))}},
		LabelMap:   []int{-1, 1},
	}
	if diff := cmp.Diff(wantData, m.Data); diff != "" {
		t.Errorf("manifest data (-want +got):\n%s", diff)
	}
	var keys []string
	for _, r := range m.Runs {
		keys = append(keys, runKey(r.Method, r.Seed))
		if r.Status == "" || r.Error != "" || r.Rows == 0 || len(r.Final) != 3 {
			t.Errorf("manifest run %+v: want a status, no error, rows and three final values", r)
		}
	}
	wantKeys := []string{"admm/1", "joint/1", "two-stage/1", "admm/2", "joint/2", "two-stage/2"}
	if diff := cmp.Diff(wantKeys, keys); diff != "" {
		t.Errorf("manifest runs (-want +got):\n%s", diff)
	}

	// The summary on stdout is the one in summary.md.
	summary, err := os.ReadFile(filepath.Join(out, "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(stdout, string(summary)) {
		t.Errorf("stdout does not end with summary.md:\nstdout:\n%s\nsummary.md:\n%s", stdout, summary)
	}
}

func TestRunMNISTMainJob(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	stdout, _ := mustRun(t, exitOK, append([]string{"run", "-out", out, "-plots", "none"}, mnistArgs...)...)
	for _, method := range runner.DefaultMethods {
		if !strings.Contains(stdout, "| "+method+" | 1 |") {
			t.Errorf("summary on stdout lacks method %s:\n%s", method, stdout)
		}
	}
	m := readManifest(t, out)
	if len(m.Data.TrainFiles) != 2 || len(m.Data.TestFiles) != 2 {
		t.Errorf("manifest lists %d training and %d test files, want the 2 IDX files of each", len(m.Data.TrainFiles), len(m.Data.TestFiles))
	}
	if m.Build.VCS.Revision == runinfo.Unknown {
		// The test runs inside the repository, so git finds the revision
		// even though test binaries carry no vcs.* settings.
		t.Logf("VCS revision unknown; is git on the PATH? manifest VCS: %+v", m.Build.VCS)
	}
}

func TestUsageErrors(t *testing.T) {
	tmp := t.TempDir()
	badKey := filepath.Join(tmp, "bad.json")
	if err := os.WriteFile(badKey, []byte(`{"max_iters": 3}`), 0o644); err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(tmp, "existing")
	if err := os.Mkdir(existing, 0o755); err != nil {
		t.Fatal(err)
	}
	onlyCSV := filepath.Join(tmp, "only-csv")
	if err := os.Mkdir(onlyCSV, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(onlyCSV, "metrics.csv"), []byte(strings.Join(report.Columns, ",")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		args []string
		want []string // parts of stderr
	}{
		{"no command", nil, []string{"usage: admm <command>"}},
		{"unknown command", []string{"train"}, []string{`unknown command "train"`, "want run, resume, reproduce or report"}},
		{"unknown flag", []string{"run", "-nosuch", "1"}, []string{"-nosuch", `run "admm run -h"`}},
		{"positional argument", []string{"run", "extra"}, []string{`unexpected argument "extra"`}},
		{"misspelled config key", []string{"run", "-config", badKey}, []string{`"max_iters"`, badKey}},
		{"missing config file", []string{"run", "-config", filepath.Join(tmp, "none.json")}, []string{"none.json", "no such file"}},
		{"invalid value", []string{"run", "-alpha", "3"}, []string{"invalid alpha 3", "(0, 2)"}},
		{"non-finite value", []string{"run", "-lambda", "Inf"}, []string{"-lambda", "finite"}},
		{"invalid plot format", []string{"run", "-plots", "jpg"}, []string{`invalid plot format "jpg"`}},
		{"existing out directory", []string{"run", "-out", existing}, []string{existing, "already exists", "choose another -out"}},
		{"reproduce without directory", []string{"reproduce"}, []string{"want one run directory"}},
		{"reproduce without config.json", []string{"reproduce", onlyCSV}, []string{onlyCSV, "has no config.json"}},
		{"reproduce negative tol", []string{"reproduce", "-tol", "-1", onlyCSV}, []string{"invalid -tol -1"}},
		{"report without directory", []string{"report"}, []string{"missing run directory"}},
		{"report without metrics.csv", []string{"report", existing}, []string{existing, "has no metrics.csv"}},
		{"report of several without out", []string{"report", onlyCSV, onlyCSV}, []string{"-out is required"}},
		{"report into a compared directory", []string{"report", "-out", onlyCSV, onlyCSV, onlyCSV}, []string{"one of the compared run directories"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCommand(t, tt.args...)
			if code != exitUsage {
				t.Errorf("exit status %d, want %d\nstderr:\n%s", code, exitUsage, stderr)
			}
			for _, want := range tt.want {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
		})
	}
}

func TestBatchAboveDataIsUsageError(t *testing.T) {
	// Validate does not know the data; the check after loading it still
	// comes before the run directory is created.
	tmp := t.TempDir()
	out := filepath.Join(tmp, "run")
	args := append(csvArgs(t, tmp, out), "-batch", "1000")
	code, _, stderr := runCommand(t, append([]string{"run"}, args...)...)
	if code != exitUsage {
		t.Fatalf("exit status %d, want %d\nstderr:\n%s", code, exitUsage, stderr)
	}
	if !strings.Contains(stderr, "batch_size 1000") {
		t.Errorf("stderr lacks the invalid batch_size:\n%s", stderr)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("run directory %s exists after a usage error (stat: %v)", out, err)
	}
}

func TestRunFailureExitsOne(t *testing.T) {
	// A learning rate of 1e300 makes joint's parameters overflow in its
	// first epoch; the run goes on to the end and reports the failure.
	tmp := t.TempDir()
	out := filepath.Join(tmp, "run")
	args := append(csvArgs(t, tmp, out), "-methods", "joint", "-lr", "1e300", "-lr-schedule", "constant")
	code, _, stderr := runCommand(t, append([]string{"run"}, args...)...)
	if code != exitFailed {
		t.Fatalf("exit status %d, want %d\nstderr:\n%s", code, exitFailed, stderr)
	}
	m := readManifest(t, out)
	if m.Status != runinfo.StatusFailed {
		t.Errorf("manifest status %q, want %q", m.Status, runinfo.StatusFailed)
	}
	if len(m.Runs) != 1 || m.Runs[0].Status != "non-finite value" || !strings.Contains(m.Runs[0].Error, "non-finite parameters") {
		t.Errorf("manifest runs %+v, want joint with status non-finite value and its error", m.Runs)
	}
	if _, err := os.Stat(filepath.Join(out, "weights", "joint-seed1.csv")); err != nil {
		t.Errorf("the last finite W of the failed run was not written: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, checkpointFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a finished run kept its checkpoint (stat: %v)", err)
	}
}

func TestHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"run", "-h"}, {"reproduce", "-h"}, {"report", "-h"}} {
		code, stdout, _ := runCommand(t, args...)
		if code != exitOK || !strings.Contains(stdout, "usage: admm") {
			t.Errorf("admm %s: exit status %d, stdout %q; want 0 and a usage text", strings.Join(args, " "), code, stdout)
		}
	}
}

func TestProgressBar(t *testing.T) {
	cfg := runner.DefaultConfig()
	cfg.Methods = []string{runner.MethodADMM, runner.MethodJoint}
	cfg.Seeds = []uint64{1, 2}
	cfg.MaxIter, cfg.Epochs = 4, 2
	var buf bytes.Buffer
	p := newProgress(&buf, &cfg)

	// Rows per run: admm 4+1, joint 2+1, so 16 in all; admm of seed 2
	// starts after 8.
	if got := p.bar.GetMax(); got != 16 {
		t.Errorf("bar maximum %d, want 16", got)
	}
	tests := []struct {
		row  report.Row
		want int64
	}{
		{report.Row{Method: "admm", Seed: 1, Iter: 0}, 1},
		{report.Row{Method: "admm", Seed: 1, Iter: 2, ADMM: &report.ADMMStats{Primal: 0.5, Dual: 0.25}}, 3},
		// admm converged at iteration 2, so joint's first row skips ahead.
		{report.Row{Method: "joint", Seed: 1, Iter: 0}, 6},
		{report.Row{Method: "admm", Seed: 2, Iter: 1}, 10},
	}
	for _, tt := range tests {
		p.update(&tt.row)
		if got := p.bar.State().CurrentNum; got != tt.want {
			t.Errorf("after %s/%d iter %d: bar at %d, want %d", tt.row.Method, tt.row.Seed, tt.row.Iter, got, tt.want)
		}
	}
	p.update(&report.Row{Method: "admm", Seed: 1, Iter: 3, ADMM: &report.ADMMStats{Primal: 0.5, Dual: 0.25}})
	p.finish()
	if !strings.Contains(buf.String(), "admm seed 1 iter 3 primal 5.00e-01 dual 2.50e-01") {
		t.Errorf("bar output lacks the method, seed, iteration and residuals:\n%q", buf.String())
	}
}
