package admm_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/mat"

	"github.com/admm-go/admm/admm"
)

// constBlock is a fake block whose Prox ignores its argument and writes a
// fixed matrix, so a test controls every iterate exactly. From call number
// badCall on (counting from 1), it writes bad instead.
type constBlock struct {
	out     *mat.Dense
	bad     float64
	badCall int
	calls   int
}

func (b *constBlock) Prox(_ context.Context, dst, _ *mat.Dense, _ float64) error {
	b.calls++
	dst.Copy(b.out)
	if b.badCall > 0 && b.calls >= b.badCall {
		dst.Set(0, 0, b.bad)
	}
	return nil
}

// quadBlock is h(x) = (w/2)‖x − a‖²_F, whose proximal operator is the
// closed form (w·a + ρ·v)/(w + ρ).
type quadBlock struct {
	a     *mat.Dense
	w     float64
	calls int
}

func (b *quadBlock) Prox(_ context.Context, dst, v *mat.Dense, rho float64) error {
	b.calls++
	dst.Scale(rho, v)
	dst.Add(dst, scaled(b.w, b.a))
	dst.Scale(1/(b.w+rho), dst)
	return nil
}

func scaled(a float64, m *mat.Dense) *mat.Dense {
	var out mat.Dense
	out.Scale(a, m)
	return &out
}

// filled returns an r×c matrix with every entry equal to v.
func filled(r, c int, v float64) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := range r {
		for j := range c {
			m.Set(i, j, v)
		}
	}
	return m
}

func rawData(m *mat.Dense) [][]float64 {
	r, c := m.Dims()
	out := make([][]float64, r)
	for i := range r {
		out[i] = make([]float64, c)
		for j := range c {
			out[i][j] = m.At(i, j)
		}
	}
	return out
}

func TestResidualBalancingRescalesDual(t *testing.T) {
	// From a zero start, x⁺ = a and z⁺ = b give r = a − b, s = ρ·b and
	// u⁺ = a − b. All values are powers of two times small integers, so
	// halving and doubling are exact.
	tests := []struct {
		name    string
		a, b    float64
		wantRho float64
	}{
		{name: "primal 100 times dual", a: 101, b: 1, wantRho: 2},
		{name: "dual 100 times primal", a: 101, b: 100, wantRho: 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const d, k = 3, 2
			p := admm.Problem{
				F: &constBlock{out: filled(d, k, tt.a)},
				G: &constBlock{out: filled(d, k, tt.b)},
			}
			var recU *mat.Dense
			var recRho float64
			settings := &admm.Settings{
				Rho:     1,
				MaxIter: 1,
				Penalty: admm.ResidualBalancing{Mu: 10, Tau: 2},
				Recorder: func(rec *admm.Record) error {
					recU = mat.DenseCopyOf(rec.U)
					recRho = rec.Rho
					return nil
				},
			}
			res, err := admm.Solve(context.Background(), p, admm.Start{Z: mat.NewDense(d, k, nil)}, settings)
			if err != nil {
				t.Fatalf("Solve: %v", err)
			}
			if recRho != 1 {
				t.Errorf("recorded ρ = %v, want 1", recRho)
			}
			if res.Rho != tt.wantRho {
				t.Errorf("final ρ = %v, want %v", res.Rho, tt.wantRho)
			}
			var wantU mat.Dense
			wantU.Scale(recRho/tt.wantRho, recU)
			if diff := cmp.Diff(rawData(&wantU), rawData(res.U)); diff != "" {
				t.Errorf("rescaled u (-want +got):\n%s", diff)
			}
			var y, yRec mat.Dense
			y.Scale(res.Rho, res.U)
			yRec.Scale(recRho, recU)
			if diff := cmp.Diff(rawData(&yRec), rawData(&y)); diff != "" {
				t.Errorf("unscaled dual ρu changed (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTolerancesAtZeroStart(t *testing.T) {
	const d, k = 3, 2
	settings := &admm.Settings{AbsTol: 1e-4, RelTol: 1e-3}
	p := admm.Problem{
		F: &constBlock{out: mat.NewDense(d, k, nil)},
		G: &constBlock{out: mat.NewDense(d, k, nil)},
	}
	var got []admm.Record
	settings.Recorder = func(rec *admm.Record) error {
		got = append(got, *rec)
		return nil
	}
	res, err := admm.Solve(context.Background(), p, admm.Start{Z: mat.NewDense(d, k, nil)}, settings)
	if err != nil {
		t.Fatalf("Solve: %v", err)
	}
	if res.Status != admm.Converged {
		t.Errorf("status = %v, want %v", res.Status, admm.Converged)
	}
	if len(got) != 1 {
		t.Fatalf("recorded %d iterations, want 1", len(got))
	}
	want := math.Sqrt(d*k) * settings.AbsTol
	if !(want > 0) {
		t.Fatalf("test setup: √(dk)·ε_abs = %v, want > 0", want)
	}
	if got[0].EpsPri != want {
		t.Errorf("ε_pri = %v, want √(dk)·ε_abs = %v", got[0].EpsPri, want)
	}
	if got[0].EpsDual != want {
		t.Errorf("ε_dual = %v, want √(dk)·ε_abs = %v", got[0].EpsDual, want)
	}
}

func TestNonFiniteStopsSolver(t *testing.T) {
	const d, k = 2, 2
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name     string
		fBad     float64 // value the x-block writes from call badCall on
		fCall    int
		gBad     float64
		gCall    int
		start    admm.Start
		quantity string
		iter     int
		calls    int // Prox calls of both blocks together
	}{
		{name: "NaN in x at iteration 3", fBad: nan, fCall: 3, quantity: "x", iter: 3, calls: 5},
		{name: "Inf in z at iteration 2", gBad: inf, gCall: 2, quantity: "z", iter: 2, calls: 4},
		{name: "NaN in start z", start: admm.Start{Z: filled(d, k, nan)}, quantity: "start z", iter: 0},
		{name: "Inf in start u", start: admm.Start{Z: mat.NewDense(d, k, nil), U: filled(d, k, -inf)}, quantity: "start u", iter: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The blocks would converge at once, so only the bad value can
			// stop the run before MaxIter.
			f := &constBlock{out: filled(d, k, 1), bad: tt.fBad, badCall: tt.fCall}
			g := &constBlock{out: filled(d, k, 1), bad: tt.gBad, badCall: tt.gCall}
			start := tt.start
			if start.Z == nil {
				start.Z = filled(d, k, 1)
			}
			var iters int
			settings := &admm.Settings{
				MaxIter:   10,
				Converger: neverConverger{},
				Recorder: func(rec *admm.Record) error {
					iters = rec.Iter
					return nil
				},
			}
			res, err := admm.Solve(context.Background(), admm.Problem{F: f, G: g}, start, settings)
			var nf *admm.NonFiniteError
			if !errors.As(err, &nf) {
				t.Fatalf("error = %v, want a *NonFiniteError", err)
			}
			if nf.Quantity != tt.quantity || nf.Iter != tt.iter {
				t.Errorf("error names %q at iteration %d, want %q at %d", nf.Quantity, nf.Iter, tt.quantity, tt.iter)
			}
			if res.Status != admm.NonFinite {
				t.Errorf("status = %v, want %v", res.Status, admm.NonFinite)
			}
			if !res.Status.Failed() {
				t.Errorf("status %v: Failed() = false, want true", res.Status)
			}
			if got := f.calls + g.calls; got != tt.calls {
				t.Errorf("Prox calls = %d, want %d", got, tt.calls)
			}
			if want := max(tt.iter-1, 0); iters != want || res.Iterations != want {
				t.Errorf("completed iterations: recorded %d, result %d, want %d", iters, res.Iterations, want)
			}
			for name, m := range map[string]*mat.Dense{"x": res.X, "z": res.Z, "u": res.U} {
				if tt.iter > 0 && !allFinite(m) {
					t.Errorf("result %s is not finite, want the last finite iterate", name)
				}
			}
		})
	}
}

type neverConverger struct{}

func (neverConverger) Converged(*admm.Record) bool { return false }

func allFinite(m *mat.Dense) bool {
	for _, row := range rawData(m) {
		for _, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return false
			}
		}
	}
	return true
}

func TestMaxIterBoundsProxCalls(t *testing.T) {
	// x⁺ = 0 and z⁺ = 1000 keep ‖r‖ far above any tolerance.
	const d, k, maxIter = 2, 3, 7
	f := &constBlock{out: mat.NewDense(d, k, nil)}
	g := &constBlock{out: filled(d, k, 1000)}
	settings := &admm.Settings{MaxIter: maxIter, Penalty: admm.ResidualBalancing{}}
	res, err := admm.Solve(context.Background(), admm.Problem{F: f, G: g}, admm.Start{Z: mat.NewDense(d, k, nil)}, settings)
	if err != nil {
		t.Fatalf("Solve: %v", err)
	}
	if res.Status != admm.IterationLimit {
		t.Errorf("status = %v, want %v", res.Status, admm.IterationLimit)
	}
	if res.Iterations != maxIter {
		t.Errorf("iterations = %d, want %d", res.Iterations, maxIter)
	}
	if f.calls != maxIter || g.calls != maxIter {
		t.Errorf("Prox calls: x-block %d, z-block %d, want %d each", f.calls, g.calls, maxIter)
	}
}

func TestSettingsValidation(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name     string
		settings admm.Settings
		field    string // the setting the message must name
	}{
		{name: "negative rho", settings: admm.Settings{Rho: -1}, field: "Rho"},
		{name: "NaN rho", settings: admm.Settings{Rho: nan}, field: "Rho"},
		{name: "infinite rho", settings: admm.Settings{Rho: math.Inf(1)}, field: "Rho"},
		{name: "alpha 2", settings: admm.Settings{Alpha: 2}, field: "Alpha"},
		{name: "negative alpha", settings: admm.Settings{Alpha: -0.5}, field: "Alpha"},
		{name: "NaN alpha", settings: admm.Settings{Alpha: nan}, field: "Alpha"},
		{name: "negative AbsTol", settings: admm.Settings{AbsTol: -1e-4}, field: "AbsTol"},
		{name: "NaN AbsTol", settings: admm.Settings{AbsTol: nan}, field: "AbsTol"},
		{name: "negative RelTol", settings: admm.Settings{RelTol: -1e-3}, field: "RelTol"},
		{name: "negative MaxIter", settings: admm.Settings{MaxIter: -1}, field: "MaxIter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &quadBlock{a: mat.NewDense(2, 2, nil), w: 1}
			g := &quadBlock{a: mat.NewDense(2, 2, nil), w: 1}
			_, err := admm.Solve(context.Background(), admm.Problem{F: f, G: g}, admm.Start{Z: mat.NewDense(2, 2, nil)}, &tt.settings)
			if err == nil {
				t.Fatal("Solve returned no error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "admm: ") || !strings.Contains(msg, tt.field) {
				t.Errorf("error %q: want the prefix \"admm: \" and the name %s", msg, tt.field)
			}
			if f.calls+g.calls != 0 {
				t.Errorf("Prox calls = %d, want 0 for invalid settings", f.calls+g.calls)
			}
		})
	}
}

func TestContextCancellation(t *testing.T) {
	tests := []struct {
		name     string
		cancelAt int // iteration whose recorder cancels; 0 cancels before Solve
	}{
		{name: "canceled before start", cancelAt: 0},
		{name: "canceled by recorder", cancelAt: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancelAt == 0 {
				cancel()
			}
			p := twoQuadratics(4, 3)
			settings := &admm.Settings{
				Converger: neverConverger{},
				Recorder: func(rec *admm.Record) error {
					if rec.Iter == tt.cancelAt {
						cancel()
					}
					return nil
				},
			}
			res, err := admm.Solve(ctx, p, admm.Start{Z: mat.NewDense(4, 3, nil)}, settings)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("error = %v, want context.Canceled", err)
			}
			if res.Status != admm.Canceled {
				t.Errorf("status = %v, want %v", res.Status, admm.Canceled)
			}
			if res.Iterations != tt.cancelAt {
				t.Errorf("iterations = %d, want %d", res.Iterations, tt.cancelAt)
			}
		})
	}
}

func TestRecorderErrorStops(t *testing.T) {
	errStop := errors.New("stop here")
	const stopAt = 4
	settings := &admm.Settings{
		Converger: neverConverger{},
		Recorder: func(rec *admm.Record) error {
			if rec.Iter == stopAt {
				return errStop
			}
			return nil
		},
	}
	res, err := admm.Solve(context.Background(), twoQuadratics(3, 2), admm.Start{Z: mat.NewDense(3, 2, nil)}, settings)
	if !errors.Is(err, errStop) {
		t.Errorf("error = %v, want one that wraps %v", err, errStop)
	}
	if res.Status != admm.RecorderFailed {
		t.Errorf("status = %v, want %v", res.Status, admm.RecorderFailed)
	}
	if res.Iterations != stopAt {
		t.Errorf("iterations = %d, want %d", res.Iterations, stopAt)
	}
}

// twoQuadratics returns f(x) = ½‖x − a‖², g(z) = ½‖z − b‖² with fixed,
// distinct a and b. The minimizer of f + g is (a + b)/2.
func twoQuadratics(r, c int) admm.Problem {
	a := mat.NewDense(r, c, nil)
	b := mat.NewDense(r, c, nil)
	for i := range r {
		for j := range c {
			a.Set(i, j, float64(i+1)-0.5*float64(j))
			b.Set(i, j, math.Sin(float64(3*i+j)))
		}
	}
	return admm.Problem{F: &quadBlock{a: a, w: 1}, G: &quadBlock{a: b, w: 1}}
}

func TestRerunIsBitwiseIdentical(t *testing.T) {
	// Residual balancing with a small ratio makes ρ change often, so the
	// run exercises the rescaling path.
	settings := &admm.Settings{
		Rho:     0.3,
		Alpha:   1.6,
		MaxIter: 60,
		Penalty: admm.ResidualBalancing{Mu: 2, Tau: 3},
	}
	type trace struct {
		Rho, Primal, Dual []float64
		X, Z, U           [][]float64
	}
	run := func() trace {
		p := twoQuadratics(5, 4)
		p.F.(*quadBlock).w = 7
		var tr trace
		s := *settings
		s.Recorder = func(rec *admm.Record) error {
			tr.Rho = append(tr.Rho, rec.Rho)
			tr.Primal = append(tr.Primal, rec.Primal)
			tr.Dual = append(tr.Dual, rec.Dual)
			return nil
		}
		res, err := admm.Solve(context.Background(), p, admm.Start{Z: filled(5, 4, 0.25)}, &s)
		if err != nil {
			t.Fatalf("Solve: %v", err)
		}
		tr.X, tr.Z, tr.U = rawData(res.X), rawData(res.Z), rawData(res.U)
		return tr
	}
	first, second := run(), run()
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("second run differs from the first (-first +second):\n%s", diff)
	}
	rhoChanged := false
	for _, rho := range first.Rho {
		rhoChanged = rhoChanged || rho != settings.Rho
	}
	if !rhoChanged {
		t.Error("ρ never changed, so the rerun did not exercise the rescaling")
	}
}

func TestTwoQuadraticsKnownAnswer(t *testing.T) {
	// solutionTol is the accuracy required of x and z. The stopping
	// tolerances are three orders tighter because the distance to the
	// solution can exceed the residuals by a factor of order 1/ρ.
	const solutionTol = 1e-8
	const r, c = 4, 3
	p := twoQuadratics(r, c)
	var want mat.Dense
	want.Add(p.F.(*quadBlock).a, p.G.(*quadBlock).a)
	want.Scale(0.5, &want)
	for _, alpha := range []float64{1, 1.5} {
		settings := &admm.Settings{Alpha: alpha, AbsTol: 1e-11, RelTol: 1e-11, MaxIter: 10000}
		res, err := admm.Solve(context.Background(), p, admm.Start{Z: mat.NewDense(r, c, nil)}, settings)
		if err != nil {
			t.Fatalf("α = %v: Solve: %v", alpha, err)
		}
		if res.Status != admm.Converged {
			t.Fatalf("α = %v: status = %v, want %v", alpha, res.Status, admm.Converged)
		}
		for name, got := range map[string]*mat.Dense{"x": res.X, "z": res.Z} {
			if !mat.EqualApprox(got, &want, solutionTol) {
				t.Errorf("α = %v: %s = %v, want (a+b)/2 = %v", alpha, name, mat.Formatted(got), mat.Formatted(&want))
			}
		}
		t.Logf("α = %v: converged in %d iterations", alpha, res.Iterations)
	}
}

func cmpDiff(want, got any) string { return cmp.Diff(want, got) }
