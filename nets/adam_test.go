package nets

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gonum.org/v1/gonum/mat"
)

func TestAdamQuadratic(t *testing.T) {
	// Algorithm 1 of Kingma and Ba 2015 evaluated by hand in float64
	// (Python) for f(w) = w², w₀ = 1, α = 0.1 and the default β₁, β₂, ε.
	// Step 1: g = 2, m̂ = 2, v̂ = 4, so w₁ = 1 − 0.1·2/(2 + 1e-8).
	want := []float64{0.9000000005, 0.8004122286917928, 0.7015862729460303}
	got := runQuadratic(NewAdam(0.1), len(want))
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, seqTol)); diff != "" {
		t.Errorf("iterates mismatch (-want +got):\n%s", diff)
	}
}

func TestAdamConstantGradient(t *testing.T) {
	// With a constant gradient g the bias corrections make m̂ = g and
	// v̂ = g² at every step, so each step moves w by −α·g/(|g| + ε),
	// with α the scheduled rate of that step: 0.1, 0.1, 0.05, 0.05.
	g := []float64{3, -0.5}
	opt := NewAdam(0)
	opt.Schedule = StepDecay{Initial: 0.1, Factor: 0.5, Every: 2}
	p := Param{Name: "w", Value: mat.NewDense(1, 2, nil), Grad: mat.NewDense(1, 2, g)}
	for range 4 {
		opt.Step([]Param{p})
	}

	const totalRate = 0.1 + 0.1 + 0.05 + 0.05
	want := []float64{-totalRate * 3 / (3 + opt.Eps), totalRate * 0.5 / (0.5 + opt.Eps)}
	if diff := cmp.Diff(want, flatten(p.Value), cmpopts.EquateApprox(0, seqTol)); diff != "" {
		t.Errorf("w mismatch (-want +got):\n%s", diff)
	}
}

func TestSchedules(t *testing.T) {
	for _, tc := range []struct {
		name     string
		schedule Schedule
		steps    []int
		want     []float64
	}{
		{"constant", Constant(0.3), []int{0, 1, 1000}, []float64{0.3, 0.3, 0.3}},
		{
			// 1·0.5^⌊t/2⌋.
			name:     "step decay",
			schedule: StepDecay{Initial: 1, Factor: 0.5, Every: 2},
			steps:    []int{0, 1, 2, 3, 4, 9},
			want:     []float64{1, 1, 0.5, 0.5, 0.25, 0.0625},
		},
		{
			// 0.1 + 0.9·(1 + cos(πt/4))/2, then 0.1 from the horizon on.
			// At t = 1: cos(π/4) = √2/2 gives 0.8681980515339464.
			name:     "cosine",
			schedule: Cosine{Initial: 1, Floor: 0.1, Horizon: 4},
			steps:    []int{0, 1, 2, 4, 10},
			want:     []float64{1, 0.8681980515339464, 0.55, 0.1, 0.1},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []float64
			for _, s := range tc.steps {
				got = append(got, tc.schedule.Rate(s))
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateApprox(seqTol, 0)); diff != "" {
				t.Errorf("rates at steps %v mismatch (-want +got):\n%s", tc.steps, diff)
			}
		})
	}
}

func TestScheduleValidate(t *testing.T) {
	for _, tc := range []struct {
		name     string
		schedule interface{ Validate() error }
		ok       bool
	}{
		{"constant", Constant(0.1), true},
		{"constant negative", Constant(-0.1), false},
		{"step decay", StepDecay{Initial: 0.1, Factor: 0.5, Every: 10}, true},
		{"step decay zero interval", StepDecay{Initial: 0.1, Factor: 0.5}, false},
		{"step decay growing", StepDecay{Initial: 0.1, Factor: 2, Every: 10}, false},
		{"cosine", Cosine{Initial: 0.1, Floor: 0.001, Horizon: 100}, true},
		{"cosine floor above initial", Cosine{Initial: 0.1, Floor: 0.2, Horizon: 100}, false},
		{"cosine NaN", Cosine{Initial: math.NaN(), Horizon: 100}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.schedule.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate() = %v, want ok = %v", err, tc.ok)
			}
		})
	}
}

// trainTarget takes steps optimizer steps on f(W) = Σ (W − T)² for the two
// parameters ps, with gradient 2(W − T) and T fixed.
func trainTarget(opt Optimizer, ps []Param, steps int) {
	for range steps {
		for k, p := range ps {
			r, c := p.Value.Dims()
			for i := 0; i < r; i++ {
				for j := 0; j < c; j++ {
					target := float64(k+i) - 0.5*float64(j)
					p.Grad.Set(i, j, 2*(p.Value.At(i, j)-target))
				}
			}
		}
		opt.Step(ps)
	}
}

func newTargetParams() []Param {
	return []Param{
		{Name: "W", Value: mat.NewDense(2, 3, nil), Grad: mat.NewDense(2, 3, nil)},
		{Name: "b", Value: mat.NewDense(1, 3, nil), Grad: mat.NewDense(1, 3, nil)},
	}
}

func TestCheckpointRoundTrip(t *testing.T) {
	cosine := Cosine{Initial: 0.1, Floor: 0.01, Horizon: 6}
	for _, tc := range []struct {
		name   string
		newOpt func() Checkpointer
	}{
		{"sgd nesterov", func() Checkpointer { return &SGD{Schedule: cosine, Momentum: 0.9, Nesterov: true} }},
		{"adam", func() Checkpointer { a := NewAdam(0); a.Schedule = cosine; return a }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// An uninterrupted run of 6 steps.
			ps := newTargetParams()
			opt := tc.newOpt()
			trainTarget(opt, ps, 3)
			step, moments := opt.State()
			saved := []*mat.Dense{mat.DenseCopyOf(ps[0].Value), mat.DenseCopyOf(ps[1].Value)}
			trainTarget(opt, ps, 3)

			// A fresh optimizer restored at step 3 must finish bitwise equal,
			// which needs the step count (for the schedule and Adam's bias
			// correction) as well as the moments.
			resumed := newTargetParams()
			resumed[0].Value.Copy(saved[0])
			resumed[1].Value.Copy(saved[1])
			restored := tc.newOpt()
			if err := restored.Restore(resumed, step, moments); err != nil {
				t.Fatal(err)
			}
			// State must return copies: this write must not reach restored.
			moments[0][0] = math.NaN()
			trainTarget(restored, resumed, 3)

			if step != 3 {
				t.Errorf("State step = %d, want 3", step)
			}
			for k := range ps {
				if !mat.Equal(ps[k].Value, resumed[k].Value) {
					t.Errorf("%s after resuming = %v, want %v", ps[k].Name, rows(resumed[k].Value), rows(ps[k].Value))
				}
			}
		})
	}
}

func TestCheckpointStateLayout(t *testing.T) {
	ps := newTargetParams()
	sgd := NewSGD(0.1, 0.9, false)
	if step, moments := sgd.State(); step != 0 || moments != nil {
		t.Errorf("State before any step = %d, %v, want 0, nil", step, moments)
	}
	trainTarget(sgd, ps, 1)
	if _, moments := sgd.State(); len(moments) != 2 || len(moments[0]) != 6 || len(moments[1]) != 3 {
		t.Errorf("SGD state has buffer lengths %v, want [6 3]", lengths(moments))
	}

	adam := NewAdam(0.1)
	trainTarget(adam, ps, 1)
	if _, moments := adam.State(); len(moments) != 4 || len(moments[1]) != 3 || len(moments[2]) != 6 {
		t.Errorf("Adam state has buffer lengths %v, want [6 3 6 3]", lengths(moments))
	}
}

func TestRestoreErrors(t *testing.T) {
	ps := newTargetParams()
	for _, tc := range []struct {
		name    string
		opt     Checkpointer
		step    int
		moments [][]float64
	}{
		{"sgd buffer count", NewSGD(0.1, 0.9, false), 1, [][]float64{make([]float64, 6)}},
		{"sgd buffer length", NewSGD(0.1, 0.9, false), 1, [][]float64{make([]float64, 6), make([]float64, 4)}},
		{"sgd negative step", NewSGD(0.1, 0.9, false), -1, nil},
		{"adam buffer count", NewAdam(0.1), 1, [][]float64{make([]float64, 6), make([]float64, 3)}},
		{"adam second moment length", NewAdam(0.1), 1, [][]float64{make([]float64, 6), make([]float64, 3), make([]float64, 6), nil}},
		{"adam step without moments", NewAdam(0.1), 2, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.opt.Restore(ps, tc.step, tc.moments); err == nil {
				t.Error("no error")
			}
		})
	}
}

func lengths(bufs [][]float64) []int {
	var ls []int
	for _, b := range bufs {
		ls = append(ls, len(b))
	}
	return ls
}
