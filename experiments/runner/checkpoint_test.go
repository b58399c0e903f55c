package runner

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/admm-go/admm/experiments/report"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func withoutTime(rows []report.Row) []report.Row {
	out := append([]report.Row(nil), rows...)
	for i := range out {
		out[i].TimeS = 0
	}
	return out
}

// TestResumeReproducesUninterruptedRun stops a run after a chosen number
// of rows and resumes it from the checkpoint written to disk. The rows of
// both parts together must equal those of a run without a stop, bitwise
// apart from the timing column.
func TestResumeReproducesUninterruptedRun(t *testing.T) {
	train, test := mnistSubset(t, 1000, 300)
	cfg := smallConfig()
	cfg.Methods = MethodNames
	cfg.MaxIter, cfg.ZSteps, cfg.Epochs = 3, 10, 2
	want, _ := collect(t, cfg, train, test)

	// Row counts per method: admm and alternating 4, the others 3, in the
	// order admm, joint, joint-custom, alternating, two-stage, ce-only.
	tests := []struct {
		name     string
		stopAt   int // stop when the sink has seen this many rows
		saved    int // rows in the checkpoint
		resumeIn string
	}{
		{"inside admm", 2, 2, MethodADMM},
		{"inside joint", 6, 6, MethodJoint},
		{"inside alternating", 12, 12, MethodAlternating},
		// Row 15 is the starting point of two-stage, which is no
		// iteration boundary, so the stop waits for its first epoch.
		{"after a starting row", 15, 16, MethodTwoStage},
		// Row 17 is the last of two-stage: a finished run needs no state,
		// so the checkpoint comes after the first epoch of ce-only.
		{"after a final row", 17, 19, MethodCEOnly},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "checkpoint.gob")
			seen := 0
			_, err := Run(context.Background(), cfg, train, test, Options{
				Sink:       func(*report.Row) error { seen++; return nil },
				Checkpoint: func(cp *Checkpoint) error { return WriteCheckpoint(path, cp) },
				Stop:       func() bool { return seen >= tc.stopAt },
			})
			if !errors.Is(err, ErrStopped) {
				t.Fatalf("first part: error %v, want ErrStopped", err)
			}
			cp, err := ReadCheckpoint(path)
			if err != nil {
				t.Fatal(err)
			}
			if cp.Current == nil || cp.Current.Method != tc.resumeIn {
				t.Fatalf("checkpoint is inside %+v, want %s", cp.Current, tc.resumeIn)
			}
			if len(cp.Rows) != tc.saved {
				t.Errorf("checkpoint holds %d rows, want %d", len(cp.Rows), tc.saved)
			}

			var rest []report.Row
			outcomes, err := Run(context.Background(), cfg, train, test, Options{
				Sink:   func(r *report.Row) error { rest = append(rest, *r); return nil },
				Resume: cp,
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(outcomes) != len(MethodNames) {
				t.Errorf("%d outcomes after resuming, want %d", len(outcomes), len(MethodNames))
			}
			got := append(append([]report.Row(nil), cp.Rows...), rest...)
			if diff := cmp.Diff(withoutTime(want), withoutTime(got), cmpopts.EquateNaNs()); diff != "" {
				t.Errorf("resumed rows differ (-uninterrupted +resumed):\n%s", diff)
			}
		})
	}
}

func TestCheckpointRejectsUnsavedState(t *testing.T) {
	train, test := mnistSubset(t, 1000, 300)
	for _, edit := range []func(*Config){
		func(c *Config) { c.Covariance = "minibatch" },
		func(c *Config) { c.Penalty = "spectral" },
		func(c *Config) { c.Anderson = 2 },
	} {
		cfg := smallConfig()
		edit(&cfg)
		_, err := Run(context.Background(), cfg, train, test, Options{Checkpoint: func(*Checkpoint) error { return nil }})
		if err == nil {
			t.Errorf("config %+v: checkpoints accepted, want an error", cfg)
		}
	}
	cfg := smallConfig()
	other := cfg
	other.Lambda = 2
	_, err := Run(context.Background(), cfg, train, test, Options{Resume: &Checkpoint{Config: other}})
	if err == nil {
		t.Error("resume with another configuration: no error")
	}
}
