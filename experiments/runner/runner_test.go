package runner

import (
	"context"
	"strings"
	"testing"

	"github.com/admm-go/admm/experiments/data"
	"github.com/admm-go/admm/experiments/report"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// smallMNIST returns the first 3000 training and 1000 test images of MNIST,
// centered with the training mean.
func smallMNIST(t *testing.T) (train, test *data.Dataset) {
	t.Helper()
	return mnistSubset(t, 3000, 1000)
}

// mnistSubset returns the first n training and nt test images of MNIST,
// centered with the mean of those n training images.
func mnistSubset(t *testing.T, n, nt int) (train, test *data.Dataset) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.TrainSize, cfg.TestSize = n, nt
	train, test, err := LoadData(cfg)
	if err != nil {
		t.Fatalf("load MNIST: %v", err)
	}
	return train, test
}

// smallConfig is the main job scaled down to a few seconds.
func smallConfig() Config {
	cfg := DefaultConfig()
	cfg.Methods = []string{MethodADMM, MethodJoint}
	cfg.MaxIter = 8
	cfg.ZSteps = 50
	cfg.Epochs = 3
	return cfg
}

func collect(t *testing.T, cfg Config, train, test *data.Dataset) ([]report.Row, []Outcome) {
	t.Helper()
	var rows []report.Row
	outcomes, err := Run(context.Background(), cfg, train, test, Options{Sink: func(r *report.Row) error {
		rows = append(rows, *r)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	return rows, outcomes
}

func lastRow(rows []report.Row, method string) report.Row {
	var last report.Row
	for _, r := range rows {
		if r.Method == method {
			last = r
		}
	}
	return last
}

func TestSmallMNISTEndToEnd(t *testing.T) {
	train, test := smallMNIST(t)
	rows, outcomes := collect(t, smallConfig(), train, test)
	for _, o := range outcomes {
		if o.Err != nil {
			t.Errorf("%s failed: %v", o.Key(), o.Err)
		}
	}

	a := lastRow(rows, MethodADMM)
	if a.Iter != 8 {
		t.Errorf("admm stopped at iteration %d, want the limit 8", a.Iter)
	}
	if a.EVR < 0.98 {
		t.Errorf("admm evr = %v, want ≥ 0.98", a.EVR)
	}
	// W comes from an SVD-based polar factor, accurate to a few ulps per
	// entry, so ‖WᵀW − I‖_F stays near 1e-14 for a 784×32 matrix.
	if a.ConstraintViolation > 1e-10 {
		t.Errorf("admm constraint violation = %v, want ≤ 1e-10", a.ConstraintViolation)
	}
	// Chance is 0.1 on ten classes; PCA to 32 dimensions with softmax
	// regression reaches about 0.85 on this subset.
	if a.TestAcc < 0.75 {
		t.Errorf("admm test accuracy = %v, want ≥ 0.75", a.TestAcc)
	}
	if a.ADMM == nil || a.ADMM.Rho <= 0 {
		t.Errorf("admm row lacks residuals and ρ: %+v", a.ADMM)
	}

	j := lastRow(rows, MethodJoint)
	if j.Iter != 3 || j.ADMM != nil {
		t.Errorf("joint final row = iteration %d with admm stats %v, want iteration 3 and none", j.Iter, j.ADMM)
	}
	if j.TestAcc < 0.75 {
		t.Errorf("joint test accuracy = %v, want ≥ 0.75", j.TestAcc)
	}
	for i := 1; i < len(rows); i++ {
		if rows[i].Method == rows[i-1].Method && rows[i].Samples <= rows[i-1].Samples {
			t.Errorf("row %d: samples %d do not grow from %d", i, rows[i].Samples, rows[i-1].Samples)
		}
	}
}

func TestRunIsDeterministic(t *testing.T) {
	train, test := smallMNIST(t)
	cfg := smallConfig()
	cfg.MaxIter, cfg.Epochs = 2, 1
	cfg.Methods = MethodNames
	first, _ := collect(t, cfg, train, test)
	second, _ := collect(t, cfg, train, test)
	zeroTime := func(rows []report.Row) {
		for i := range rows {
			rows[i].TimeS = 0
		}
	}
	zeroTime(first)
	zeroTime(second)
	if diff := cmp.Diff(first, second, cmpopts.EquateNaNs()); diff != "" {
		t.Errorf("rerun differs (-first +second):\n%s", diff)
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	train, test := smallMNIST(t)
	tests := []struct {
		name  string
		edit  func(*Config)
		field string
	}{
		{"k above d", func(c *Config) { c.K = 785 }, "k 785"},
		{"zero k", func(c *Config) { c.K = 0 }, "k 0"},
		{"batch above n", func(c *Config) { c.BatchSize = 3001 }, "batch_size 3001"},
		{"negative lambda", func(c *Config) { c.Lambda = -1 }, "lambda -1"},
		{"alpha at 2", func(c *Config) { c.Alpha = 2 }, "alpha 2"},
		{"unknown method", func(c *Config) { c.Methods = []string{"sgd"} }, `method "sgd"`},
		{"unknown constraint", func(c *Config) { c.Constraint = "sphere" }, "sphere"},
		{"zero rho", func(c *Config) { c.Rho = 0 }, "rho 0"},
		{"repeated seed", func(c *Config) { c.Seeds = []uint64{1, 1} }, "1 appears twice"},
		{"hidden widths with a linear head", func(c *Config) { c.Hidden = []int{8} }, "hidden [8]"},
		{"unknown activation", func(c *Config) { c.Activation = "gelu" }, `activation "gelu"`},
		{"csv path with mnist", func(c *Config) { c.TrainPath = "a.csv" }, "train_path"},
		{"classes with mnist", func(c *Config) { c.Classes = 5 }, "classes 5"},
		{"pca through a missing layer", func(c *Config) { c.PCAThroughPre = true }, "pca_through_pre"},
		{"pca through the layer in admm", func(c *Config) { c.PreLayer, c.PCAThroughPre = 40, true }, "pca_through_pre with pre_layer 40"},
		{"oja on the spectral ball", func(c *Config) { c.Constraint, c.WStep = "spectral", "oja" }, `wstep "oja" with constraint "spectral"`},
		{"exact W-step with a layer before W", func(c *Config) {
			c.PreLayer, c.Constraint, c.Radius = 40, "frobenius", 2
		}, `wstep "exact"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := smallConfig()
			tc.edit(&cfg)
			_, err := Run(context.Background(), cfg, train, test, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("error = %v, want one naming %q", err, tc.field)
			}
		})
	}
}
