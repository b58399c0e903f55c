package runner

import (
	"bytes"
	"context"
	"log/slog"
	"math"
	"strings"
	"testing"

	"github.com/admm-go/admm/experiments/data"
	"github.com/admm-go/admm/experiments/report"
	"gonum.org/v1/gonum/mat"
)

func TestAbsurdLearningRateStopsOnlyThatMethod(t *testing.T) {
	train, test := mnistSubset(t, 600, 200)
	cfg := smallConfig()
	cfg.Methods = []string{MethodJoint, MethodTwoStage}
	cfg.Epochs = 2
	// A rate of 1e300 makes the first update of the head about 1e299, still
	// finite, and W is put back on the manifold. The logits of the second
	// step overflow, so the parameters turn non-finite there.
	cfg.LR = 1e300
	cfg.LRSchedule = "constant"
	rows, outcomes := collect(t, cfg, train, test)

	joint := outcomes[0]
	if joint.Status != statusNonFinite || joint.Err == nil {
		t.Fatalf("joint: status %q, error %v, want %q and an error", joint.Status, joint.Err, statusNonFinite)
	}
	if !strings.Contains(joint.Err.Error(), "epoch 1 step 2") {
		t.Errorf("joint error %q does not name epoch 1 step 2", joint.Err)
	}
	if joint.W == nil || !finite(joint.W) {
		t.Errorf("joint kept no finite W")
	}
	// The failed method stops at its starting row; the next one still runs.
	if joint.Rows != 1 {
		t.Errorf("joint measured %d rows, want 1", joint.Rows)
	}
	if outcomes[1].Method != MethodTwoStage || outcomes[1].Rows == 0 {
		t.Errorf("two-stage did not run after the failure: %+v", outcomes[1])
	}
	for _, r := range rows {
		if r.Method == MethodJoint && math.IsNaN(r.TrainCE) {
			t.Errorf("joint row %d reports a NaN cross-entropy", r.Iter)
		}
	}
}

func TestZeroVarianceColumnWithKEqualD(t *testing.T) {
	// Four features, the third constant: Σ has rank 3 and k = d = 4.
	const n, d = 40, 4
	x := mat.NewDense(n, d, nil)
	y := make([]int, n)
	for i := 0; i < n; i++ {
		y[i] = i % 2
		x.Set(i, 0, float64(i%5)+float64(y[i]))
		x.Set(i, 1, float64(i%3))
		x.Set(i, 2, 7)
		x.Set(i, 3, float64(i%7)-float64(y[i]))
	}
	train := &data.Dataset{X: x, Y: y, Classes: 2}
	test := &data.Dataset{X: mat.DenseCopyOf(x), Y: append([]int(nil), y...), Classes: 2}
	data.Center(train, test)

	cfg := DefaultConfig()
	cfg.K, cfg.BatchSize, cfg.MaxIter, cfg.ZSteps, cfg.Epochs = d, 8, 3, 5, 2
	var logs bytes.Buffer
	var rows []report.Row
	outcomes, err := Run(context.Background(), cfg, train, test, Options{
		Sink:   func(r *report.Row) error { rows = append(rows, *r); return nil },
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outcomes {
		if o.Err != nil {
			t.Errorf("%s failed: %v", o.Method, o.Err)
		}
	}
	for _, r := range rows {
		for name, v := range map[string]float64{"evr": r.EVR, "subspace_dist": r.SubspaceDist, "pca_objective": r.PCAObjective, "train_ce": r.TrainCE} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("%s iteration %d: %s = %v", r.Method, r.Iter, name, v)
			}
		}
	}
	if !strings.Contains(logs.String(), "zero_variance_features=1") || !strings.Contains(logs.String(), "first_zero_variance_features=[2]") {
		t.Errorf("no warning naming feature 2 as zero variance; log:\n%s", logs.String())
	}
}

func FuzzDecodeConfig(f *testing.F) {
	f.Add(`{"k": 16, "methods": ["admm"]}`)
	f.Add(`{"lambda": -1}`)
	f.Add(`{"hidden": [0], "head": "mlp"}`)
	f.Add(`{"seeds": [18446744073709551615], "alpha": 1.999}`)
	f.Add(`{"k": 1e400}`)
	f.Add(`{"constraint": "spectral", "radius": 0}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, s string) {
		cfg := DefaultConfig()
		if err := DecodeConfig(strings.NewReader(s), &cfg); err != nil {
			return
		}
		// Validation may reject the values but must never panic.
		_ = cfg.Validate()
	})
}

func TestDecodeConfigNamesUnknownKey(t *testing.T) {
	cfg := DefaultConfig()
	err := DecodeConfig(strings.NewReader(`{"lamda": 2}`), &cfg)
	if err == nil || !strings.Contains(err.Error(), `"lamda"`) {
		t.Errorf("error = %v, want one naming the key \"lamda\"", err)
	}
	err = DecodeConfig(strings.NewReader(`{"k": 2} {"k": 3}`), &cfg)
	if err == nil {
		t.Error("two JSON objects: no error")
	}
	// encoding/json alone would take "K" for "k" and skip a null.
	if err := DecodeConfig(strings.NewReader(`{"K": 4}`), &cfg); err == nil || !strings.Contains(err.Error(), `"K"`) {
		t.Errorf("key in the wrong case: error %v, want one naming \"K\"", err)
	}
	if err := DecodeConfig(strings.NewReader(`{"k": null}`), &cfg); err == nil || !strings.Contains(err.Error(), "null") {
		t.Errorf("null value: error %v, want one about null", err)
	}
	if err := DecodeConfig(strings.NewReader(`{"hidden": null}`), &cfg); err != nil {
		t.Errorf("null list: %v, want the empty list", err)
	}
}

func TestDecodeConfigRejectsOddJSON(t *testing.T) {
	for _, in := range []string{`null`, `[]`, `{"k": 4, "k": 5}`, `"k"`} {
		cfg := DefaultConfig()
		if err := DecodeConfig(strings.NewReader(in), &cfg); err == nil {
			t.Errorf("DecodeConfig(%s): no error", in)
		}
	}
}
