package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSameValue(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		tol  float64
		want bool
	}{
		{"equal strings", "admm", "admm", 0, true},
		{"different strings", "admm", "joint", 1, false},
		{"empty and number", "", "0", 1, false},
		{"same value other text", "100", "1e2", 0, true},
		{"last bit, bitwise", "0.1", "0.10000000000000002", 0, false},
		{"last bit, within tol", "0.1", "0.10000000000000002", 1e-15, true},
		{"signed zeros, bitwise", "0", "-0", 0, false},
		{"signed zeros, within tol", "0", "-0", 1e-15, true},
		// |a−b| ≤ T·max(1, |a|): near zero the bound is T itself.
		{"small, absolute bound", "1e-9", "2e-9", 1e-8, true},
		{"large, relative bound", "1000", "1000.5", 1e-3, true},
		{"large, outside", "1000", "1002", 1e-3, false},
		{"nan and nan", "NaN", "NaN", 0, true},
		{"nan and number", "NaN", "1", 1, false},
		{"inf and inf", "+Inf", "+Inf", 1e-3, true},
		{"inf and minus inf", "+Inf", "-Inf", 1e300, false},
		{"inf and large", "+Inf", "1e308", 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sameValue(tt.a, tt.b, tt.tol); got != tt.want {
				t.Errorf("sameValue(%q, %q, %g) = %v, want %v", tt.a, tt.b, tt.tol, got, tt.want)
			}
		})
	}
}

func TestCompareTables(t *testing.T) {
	header := []string{"method", "iter", "time_s", "evr"}
	table := func(rows ...[]string) [][]string { return append([][]string{header}, rows...) }
	base := table(
		[]string{"admm", "0", "0.1", "0.5"},
		[]string{"admm", "1", "0.2", "0.75"},
	)
	tests := []struct {
		name string
		new  [][]string
		want []difference
	}{
		{"identical", base, nil},
		{"time differs", table([]string{"admm", "0", "9", "0.5"}, []string{"admm", "1", "8", "0.75"}), nil},
		{
			name: "value differs",
			new:  table([]string{"admm", "0", "0.1", "0.5"}, []string{"admm", "1", "0.2", "0.7500000000000001"}),
			want: []difference{{Line: 3, Column: "evr", Old: "0.75", New: "0.7500000000000001"}},
		},
		{
			name: "row missing",
			new:  table([]string{"admm", "0", "0.1", "0.5"}),
			want: []difference{{Line: 3, Column: "row", Old: "admm,1,0.2,0.75", New: "(missing)"}},
		},
		{
			name: "row added",
			new:  table([]string{"admm", "0", "0.1", "0.5"}, []string{"admm", "1", "0.2", "0.75"}, []string{"admm", "2", "0.3", "0.8"}),
			want: []difference{{Line: 4, Column: "row", Old: "(missing)", New: "admm,2,0.3,0.8"}},
		},
		{
			name: "two values differ",
			new:  table([]string{"joint", "0", "0.1", "0.5"}, []string{"admm", "2", "0.2", "0.75"}),
			want: []difference{{Line: 2, Column: "method", Old: "admm", New: "joint"}, {Line: 3, Column: "iter", Old: "1", New: "2"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := compareTables(base, tt.new, 0)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("differences (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("other header", func(t *testing.T) {
		other := [][]string{{"method", "iter", "time_s", "test_acc"}}
		if _, err := compareTables(base, other, 0); err == nil {
			t.Errorf("compareTables with different headers returned no error")
		}
	})
}

func TestReproduce(t *testing.T) {
	tmp := t.TempDir()
	orig := filepath.Join(tmp, "orig")
	mustRun(t, exitOK, append([]string{"run"}, csvArgs(t, tmp, orig)...)...)

	// The default output sits beside the run directory.
	stdout, stderr := mustRun(t, exitOK, "reproduce", orig, "-plots", "none")
	if !strings.Contains(stdout, "reproduced:") || !strings.Contains(stdout, "bit for bit") {
		t.Errorf("stdout lacks the agreement:\n%s", stdout)
	}
	if !strings.Contains(stderr, orig+"-reproduce-") {
		t.Errorf("stderr does not name the new run directory:\n%s", stderr)
	}
	matches, _ := filepath.Glob(orig + "-reproduce-*")
	if len(matches) != 1 {
		t.Errorf("reproduce created %v, want one directory %s-reproduce-<timestamp>", matches, orig)
	}

	// Change one value of the original, then reproduce again.
	path := filepath.Join(orig, "metrics.csv")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	fields := strings.Split(lines[2], ",")
	oldCE := fields[4] // train_ce
	fields[4] = "0.123"
	lines[2] = strings.Join(fields, ",")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCommand(t, "reproduce", "-out", filepath.Join(tmp, "again"), "-plots", "none", orig)
	if code != exitFailed {
		t.Fatalf("reproduce of a changed run: exit status %d, want %d\nstderr:\n%s", code, exitFailed, stderr)
	}
	wantLine := "line 3, column train_ce: old 0.123, new " + oldCE
	if !strings.Contains(stdout, "1 value of") || !strings.Contains(stdout, wantLine) {
		t.Errorf("stdout lacks the count and %q:\n%s", wantLine, stdout)
	}

	// A tolerance larger than the change accepts it.
	mustRun(t, exitOK, "reproduce", "-tol", "100", "-out", filepath.Join(tmp, "tol"), "-plots", "none", orig)
}

func TestReport(t *testing.T) {
	tmp := t.TempDir()
	runA, runB := filepath.Join(tmp, "runA"), filepath.Join(tmp, "runB")
	mustRun(t, exitOK, append([]string{"run"}, csvArgs(t, tmp, runA)...)...)
	mustRun(t, exitOK, append(append([]string{"run"}, csvArgs(t, tmp, runB)...), "-methods", "admm", "-seeds", "2")...)

	// Rebuilding one run gives back its summary, status column included.
	want, err := os.ReadFile(filepath.Join(runA, "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(runA, "summary.md")); err != nil {
		t.Fatal(err)
	}
	mustRun(t, exitOK, "report", "-plots", "none", runA)
	got, err := os.ReadFile(filepath.Join(runA, "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("rebuilt summary.md (-want +got):\n%s", diff)
	}

	// Two runs make one comparison with prefixed method names.
	out := filepath.Join(tmp, "cmp")
	stdout, _ := mustRun(t, exitOK, "report", "-out", out, "-plots", "svg", runA, runB)
	for _, name := range []string{"summary.md", "summary.tex", "plots/evr_vs_iter.svg"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("comparison lacks %s: %v", name, err)
		}
	}
	summary, err := os.ReadFile(filepath.Join(out, "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{"| runA/admm | 1 |", "| runA/joint | 1 |", "| runA/two-stage | 1 |", "| runB/admm | 1 |"} {
		if !strings.Contains(string(summary), row) {
			t.Errorf("comparison lacks a row starting %q:\n%s", row, summary)
		}
	}
	if !strings.Contains(stdout, "runB/admm") {
		t.Errorf("stdout lacks the comparison:\n%s", stdout)
	}
	if !strings.Contains(string(summary), "iteration limit") {
		t.Errorf("comparison lacks the statuses from the manifests:\n%s", summary)
	}
}

func TestRunLabels(t *testing.T) {
	got := runLabels([]string{"results/a/run1", "results/b/run1/", "other"})
	want := []string{"results/a/run1", "results/b/run1", "other"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("runLabels (-want +got):\n%s", diff)
	}
}
