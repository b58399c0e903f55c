package nets

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gonum.org/v1/gonum/mat"
)

// seqTol is the tolerance for hand-computed optimizer sequences: a few
// steps of decimal arithmetic, exact up to rounding of about 1e-16.
const seqTol = 1e-12

// runQuadratic minimizes f(w) = w² (gradient 2w) from w = 1 with opt and
// returns w after each of steps steps.
func runQuadratic(opt Optimizer, steps int) []float64 {
	p := Param{Name: "w", Value: mat.NewDense(1, 1, []float64{1}), Grad: mat.NewDense(1, 1, nil)}
	var ws []float64
	for range steps {
		p.Grad.Set(0, 0, 2*p.Value.At(0, 0))
		opt.Step([]Param{p})
		ws = append(ws, p.Value.At(0, 0))
	}
	return ws
}

func TestSGDQuadratic(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  *SGD
		want []float64
	}{
		{
			// w ← w − 0.1·2w = 0.8w.
			name: "plain",
			opt:  NewSGD(0.1, 0, false),
			want: []float64{0.8, 0.64, 0.512},
		},
		{
			// v₁ = −0.2, w₁ = 0.8; v₂ = −0.18 − 0.16 = −0.34, w₂ = 0.46;
			// v₃ = −0.306 − 0.092 = −0.398, w₃ = 0.062.
			name: "classical momentum",
			opt:  NewSGD(0.1, 0.9, false),
			want: []float64{0.8, 0.46, 0.062},
		},
		{
			// In the look-ahead variable Θ: g = 2, v₁ = −0.2,
			// Θ₁ = 1 − 0.18 − 0.2 = 0.62; g = 1.24, v₂ = −0.18 − 0.124 = −0.304,
			// Θ₂ = 0.62 − 0.2736 − 0.124 = 0.2224. The original form gives
			// W₁ = 0.8, W₂ = 0.496 and Θ = W + μv = 0.62, 0.2224 alike.
			name: "nesterov",
			opt:  NewSGD(0.1, 0.9, true),
			want: []float64{0.62, 0.2224},
		},
		{
			// Steps at rates 0.1, 0.1, then 0.05: w = 0.8, 0.64, 0.576.
			name: "step decay schedule",
			opt:  &SGD{Schedule: StepDecay{Initial: 0.1, Factor: 0.5, Every: 2}},
			want: []float64{0.8, 0.64, 0.576},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.opt.Validate(); err != nil {
				t.Fatal(err)
			}
			got := runQuadratic(tc.opt, len(tc.want))
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateApprox(0, seqTol)); diff != "" {
				t.Errorf("iterates mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSGDRerunAfterReset(t *testing.T) {
	opt := NewSGD(0.1, 0.9, true)
	first := runQuadratic(opt, 5)
	opt.Reset()
	if diff := cmp.Diff(first, runQuadratic(opt, 5)); diff != "" {
		t.Errorf("rerun after Reset differs (-first +second):\n%s", diff)
	}
}

func TestOptimizerValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  interface{ Validate() error }
		ok   bool
	}{
		{"sgd", NewSGD(0.1, 0.9, false), true},
		{"sgd zero rate", NewSGD(0, 0.9, false), false},
		{"sgd momentum one", NewSGD(0.1, 1, false), false},
		{"sgd bad schedule", &SGD{Schedule: Cosine{Initial: 0.1, Horizon: 0}}, false},
		{"sgd schedule ignores LR", &SGD{Schedule: Constant(0.1)}, true},
		{"adam", NewAdam(1e-3), true},
		{"adam beta2 one", &Adam{LR: 1e-3, Beta1: 0.9, Beta2: 1, Eps: 1e-8}, false},
		{"adam zero eps", &Adam{LR: 1e-3, Beta1: 0.9, Beta2: 0.999}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.opt.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate() = %v, want ok = %v", err, tc.ok)
			}
		})
	}
}

func TestOptimizerPanicsOnChangedParams(t *testing.T) {
	p := Param{Name: "w", Value: mat.NewDense(2, 2, nil), Grad: mat.NewDense(2, 2, nil)}
	q := Param{Name: "w", Value: mat.NewDense(2, 3, nil), Grad: mat.NewDense(2, 3, nil)}
	bad := Param{Name: "w", Value: mat.NewDense(2, 2, nil), Grad: mat.NewDense(1, 4, nil)}
	for _, tc := range []struct {
		name string
		opt  Optimizer
		next []Param
	}{
		{"sgd count", NewSGD(0.1, 0.9, false), []Param{p, p}},
		{"sgd shape", NewSGD(0.1, 0.9, false), []Param{q}},
		{"sgd gradient shape", NewSGD(0.1, 0.9, false), []Param{bad}},
		{"adam shape", NewAdam(0.1), []Param{q}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opt.Step([]Param{p})
			mustPanic(t, func() { tc.opt.Step(tc.next) })
		})
	}
}
