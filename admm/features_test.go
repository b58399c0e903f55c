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

func TestResidualBalancingBoundsAndInterval(t *testing.T) {
	tests := []struct {
		name    string
		penalty admm.ResidualBalancing
		rec     admm.Record
		want    float64
	}{
		{name: "raise", penalty: admm.ResidualBalancing{}, rec: admm.Record{Iter: 1, Rho: 1, Primal: 100, Dual: 1}, want: 2},
		{name: "raise capped by Max", penalty: admm.ResidualBalancing{Max: 1.5}, rec: admm.Record{Iter: 1, Rho: 1, Primal: 100, Dual: 1}, want: 1.5},
		{name: "lower floored by Min", penalty: admm.ResidualBalancing{Min: 0.75}, rec: admm.Record{Iter: 1, Rho: 1, Primal: 1, Dual: 100}, want: 0.75},
		{name: "balanced", penalty: admm.ResidualBalancing{}, rec: admm.Record{Iter: 1, Rho: 1, Primal: 5, Dual: 1}, want: 1},
		{name: "off interval", penalty: admm.ResidualBalancing{Interval: 3}, rec: admm.Record{Iter: 4, Rho: 1, Primal: 100, Dual: 1}, want: 1},
		{name: "on interval", penalty: admm.ResidualBalancing{Interval: 3}, rec: admm.Record{Iter: 6, Rho: 1, Primal: 100, Dual: 1}, want: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.penalty.Next(&tt.rec); got != tt.want {
				t.Errorf("Next = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNormalizedBalancingRule(t *testing.T) {
	tests := []struct {
		name    string
		penalty admm.NormalizedBalancing
		rec     admm.Record
		want    float64
	}{
		{
			name: "ratio 100 gives factor 10", penalty: admm.NormalizedBalancing{},
			rec: admm.Record{Iter: 1, Rho: 1, Primal: 100, PrimalScale: 1, Dual: 1, DualScale: 1}, want: 10,
		},
		{
			// √25 = 5 is not more than the factor 5.
			name: "change at the factor is skipped", penalty: admm.NormalizedBalancing{},
			rec: admm.Record{Iter: 1, Rho: 1, Primal: 25, PrimalScale: 1, Dual: 1, DualScale: 1}, want: 1,
		},
		{
			// (1/10)/(1/1000) = 100 even though ‖r‖ = ‖s‖.
			name: "scales decide", penalty: admm.NormalizedBalancing{},
			rec: admm.Record{Iter: 1, Rho: 2, Primal: 1, PrimalScale: 10, Dual: 1, DualScale: 1000}, want: 20,
		},
		{
			name: "lower capped by Min", penalty: admm.NormalizedBalancing{Min: 0.5},
			rec: admm.Record{Iter: 1, Rho: 1, Primal: 1, PrimalScale: 1, Dual: 100, DualScale: 1}, want: 0.5,
		},
		{
			name: "zero residual keeps rho", penalty: admm.NormalizedBalancing{},
			rec: admm.Record{Iter: 1, Rho: 3, Primal: 0, PrimalScale: 1, Dual: 1, DualScale: 1}, want: 3,
		},
		{
			name: "off interval", penalty: admm.NormalizedBalancing{Interval: 2},
			rec: admm.Record{Iter: 3, Rho: 1, Primal: 100, PrimalScale: 1, Dual: 1, DualScale: 1}, want: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.penalty.Next(&tt.rec)
			if math.Abs(got-tt.want) > 1e-15*tt.want {
				t.Errorf("Next = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSpectralQuadraticCurvatures(t *testing.T) {
	// For f = (a/2)‖x − p‖² and g = (b/2)‖z − q‖² both Barzilai–Borwein
	// quotients equal the curvatures a and b exactly, so the first update
	// sets ρ = √(ab). spectralTol allows for rounding in the quotients.
	const a, b, spectralTol = 4.0, 9.0, 1e-9
	p := twoQuadratics(3, 2)
	p.F.(*quadBlock).w = a
	p.G.(*quadBlock).w = b
	var rhos []float64
	settings := &admm.Settings{
		Rho:       1,
		MaxIter:   6,
		Penalty:   &admm.Spectral{},
		Converger: neverConverger{},
		Recorder: func(rec *admm.Record) error {
			rhos = append(rhos, rec.Rho)
			return nil
		},
	}
	if _, err := admm.Solve(context.Background(), p, admm.Start{Z: mat.NewDense(3, 2, nil)}, settings); err != nil {
		t.Fatalf("Solve: %v", err)
	}
	// Iteration 1 stores the reference and iteration 2 is the first
	// update with T_f = 2, so ρ changes from iteration 3 on.
	if rhos[0] != 1 || rhos[1] != 1 {
		t.Errorf("ρ in iterations 1 and 2 = %v, want 1 before the first update", rhos[:2])
	}
	want := math.Sqrt(a * b)
	for i := 2; i < len(rhos); i++ {
		if math.Abs(rhos[i]-want) > spectralTol*want {
			t.Errorf("ρ in iteration %d = %v, want √(ab) = %v", i+1, rhos[i], want)
		}
	}
}

func TestSpectralFewerIterationsThanFixed(t *testing.T) {
	lasso := newLasso(7, 30, 10)
	iterations := map[string]int{}
	for _, sc := range []struct {
		name    string
		penalty admm.Penalty
	}{{"fixed", admm.Fixed{}}, {"spectral", &admm.Spectral{}}} {
		s := tightSettings()
		s.Penalty = sc.penalty
		res, err := admm.Solve(context.Background(), lasso.problem(), lasso.start(), &s)
		if err != nil || res.Status != admm.Converged {
			t.Fatalf("%s: status %v, error %v", sc.name, res.Status, err)
		}
		iterations[sc.name] = res.Iterations
	}
	t.Logf("iterations: fixed ρ %d, spectral %d", iterations["fixed"], iterations["spectral"])
	if iterations["spectral"] >= iterations["fixed"] {
		t.Errorf("spectral took %d iterations, want fewer than fixed ρ's %d", iterations["spectral"], iterations["fixed"])
	}
}

func TestAndersonOnLasso(t *testing.T) {
	for _, seed := range []uint64{7, 8, 9} {
		lasso := newLasso(seed, 30, 10)

		// To convergence: Anderson must need fewer Prox calls, counting
		// the reruns after rejected steps.
		calls := map[int]int{}
		for _, memory := range []int{0, 5} {
			s := tightSettings()
			s.AndersonMemory = memory
			res, err := admm.Solve(context.Background(), lasso.problem(), lasso.start(), &s)
			if err != nil || res.Status != admm.Converged {
				t.Fatalf("seed %d, memory %d: status %v, error %v", seed, memory, res.Status, err)
			}
			calls[memory] = res.ProxCalls
			t.Logf("seed %d, memory %d: %d iterations, %d Prox calls, %d rejections",
				seed, memory, res.Iterations, res.ProxCalls, res.AndersonRejections)
		}
		if calls[5] >= calls[0] {
			t.Errorf("seed %d: Anderson used %d Prox calls, want fewer than plain ADMM's %d", seed, calls[5], calls[0])
		}

		// With the same fixed budget of iterations, the final combined
		// residual must not be higher with Anderson.
		combined := map[int]float64{}
		for _, memory := range []int{0, 5} {
			s := admm.Settings{MaxIter: 60, AndersonMemory: memory, Converger: neverConverger{}}
			res, err := admm.Solve(context.Background(), lasso.problem(), lasso.start(), &s)
			if err != nil {
				t.Fatalf("seed %d, memory %d: %v", seed, memory, err)
			}
			combined[memory] = res.Last.Primal*res.Last.Primal + res.Last.Dual*res.Last.Dual
		}
		if combined[5] > combined[0] {
			t.Errorf("seed %d: ‖r‖² + ‖s‖² after 60 iterations = %g with Anderson, want ≤ %g without", seed, combined[5], combined[0])
		}
	}
}

// linearQuad is h(x) = ½‖x − a‖² for the general form with any operator:
// it minimizes ½‖x − a‖² + (ρ/2)‖op(x) − v‖² by solving
// (I + ρ·opᵀop)x = a + ρ·opᵀv with op given as LeftMul, or as −I.
type linearQuad struct{ a *mat.Dense }

func (l linearQuad) ProxLinear(_ context.Context, dst, v *mat.Dense, op admm.Operator, rho float64) error {
	switch op := op.(type) {
	case admm.LeftMul:
		_, n := op.M.Dims()
		sys := mat.NewDense(n, n, nil)
		sys.Mul(op.M.T(), op.M)
		sys.Scale(rho, sys)
		for i := range n {
			sys.Set(i, i, sys.At(i, i)+1)
		}
		var rhs mat.Dense
		rhs.Mul(op.M.T(), v)
		rhs.Scale(rho, &rhs)
		rhs.Add(&rhs, l.a)
		return dst.Solve(sys, &rhs)
	case admm.ScaledIdentity:
		// (1 + ρs²)x = a + ρsv.
		dst.Scale(rho*op.S, v)
		dst.Add(dst, l.a)
		dst.Scale(1/(1+rho*op.S*op.S), dst)
		return nil
	}
	panic("linearQuad: unexpected operator")
}

func TestGeneralFormKnownAnswer(t *testing.T) {
	// minimize ½‖x − p‖² + ½‖z − q‖² subject to Mx − z = c. With
	// z = Mx − c the solution solves (I + MᵀM)x = p + Mᵀ(c + q).
	m := mat.NewDense(3, 2, []float64{1, 2, -1, 0.5, 0, 3})
	p := mat.NewDense(2, 2, []float64{1, -1, 0.5, 2})
	q := mat.NewDense(3, 2, []float64{0, 1, 2, -2, 1, 0})
	c := mat.NewDense(3, 2, []float64{0.5, 0, -1, 1, 0, 2})

	sys := mat.NewDense(2, 2, nil)
	sys.Mul(m.T(), m)
	sys.Add(sys, mat.NewDense(2, 2, []float64{1, 0, 0, 1}))
	var cq, rhs, wantX, wantZ mat.Dense
	cq.Add(c, q)
	rhs.Mul(m.T(), &cq)
	rhs.Add(&rhs, p)
	if err := wantX.Solve(sys, &rhs); err != nil {
		t.Fatalf("closed form: %v", err)
	}
	wantZ.Mul(m, &wantX)
	wantZ.Sub(&wantZ, c)

	gp := admm.GeneralProblem{
		F: linearQuad{a: p}, G: linearQuad{a: q},
		A: admm.LeftMul{M: m}, B: admm.ScaledIdentity{S: -1}, C: c,
	}
	s := tightSettings()
	s.Penalty = &admm.Spectral{}
	res, err := admm.SolveGeneral(context.Background(), gp, admm.Start{X: mat.NewDense(2, 2, nil), Z: mat.NewDense(3, 2, nil)}, &s)
	if err != nil {
		t.Fatalf("SolveGeneral: %v", err)
	}
	if res.Status != admm.Converged {
		t.Fatalf("status = %v, want %v", res.Status, admm.Converged)
	}
	if !mat.EqualApprox(res.X, &wantX, solutionTol) {
		t.Errorf("x = %v, want %v", mat.Formatted(res.X), mat.Formatted(&wantX))
	}
	if !mat.EqualApprox(res.Z, &wantZ, solutionTol) {
		t.Errorf("z = %v, want %v", mat.Formatted(res.Z), mat.Formatted(&wantZ))
	}
}

func TestGeneralFormMatchesSolve(t *testing.T) {
	// Solve is the general form with A = I, B = −I, c = 0, so both paths
	// must produce bitwise the same iterates.
	run := func(general bool) [][]float64 {
		p := twoQuadratics(4, 3)
		s := admm.Settings{Alpha: 1.7, MaxIter: 25, Penalty: admm.ResidualBalancing{Mu: 2}}
		start := admm.Start{X: mat.NewDense(4, 3, nil), Z: filled(4, 3, 0.5)}
		var res *admm.Result
		var err error
		if general {
			gp := admm.GeneralProblem{
				F: admm.Linear(p.F), G: admm.Linear(p.G),
				A: admm.Identity{}, B: admm.ScaledIdentity{S: -1}, C: mat.NewDense(4, 3, nil),
			}
			res, err = admm.SolveGeneral(context.Background(), gp, start, &s)
		} else {
			res, err = admm.Solve(context.Background(), p, start, &s)
		}
		if err != nil {
			t.Fatalf("general %v: %v", general, err)
		}
		return append(rawData(res.Z), rawData(res.U)...)
	}
	if diff := cmpDiff(run(false), run(true)); diff != "" {
		t.Errorf("SolveGeneral differs from Solve (-Solve +SolveGeneral):\n%s", diff)
	}
}

func TestLimitsAndStatuses(t *testing.T) {
	const d, k = 2, 3
	// x⁺ = 0 and z⁺ = δ: ‖r‖ = δ√(dk) in every iteration and ‖s‖ = 0 from
	// the second on. ε_pri is √(dk)·1e-6 because ε_rel is negligible.
	blocks := func(delta float64) admm.Problem {
		return admm.Problem{F: &constBlock{out: mat.NewDense(d, k, nil)}, G: &constBlock{out: filled(d, k, delta)}}
	}
	tests := []struct {
		name      string
		delta     float64
		settings  admm.Settings
		status    admm.Status
		limit     admm.Status
		proxCalls int
	}{
		{name: "iteration limit", delta: 1, settings: admm.Settings{MaxIter: 3}, status: admm.IterationLimit, limit: admm.IterationLimit, proxCalls: 6},
		{name: "inaccurate at iteration limit", delta: 5e-6, settings: admm.Settings{MaxIter: 3}, status: admm.Inaccurate, limit: admm.IterationLimit, proxCalls: 6},
		{name: "prox call limit", delta: 1, settings: admm.Settings{MaxProxCalls: 7}, status: admm.ProxCallLimit, limit: admm.ProxCallLimit, proxCalls: 6},
		{name: "inaccurate at prox call limit", delta: 5e-6, settings: admm.Settings{MaxProxCalls: 4}, status: admm.Inaccurate, limit: admm.ProxCallLimit, proxCalls: 4},
		// A nanosecond has passed by the second check at the latest, and
		// MaxIter is far away, so the outcome does not depend on speed.
		{name: "time limit", delta: 1, settings: admm.Settings{MaxTime: 1, MaxIter: 1 << 30}, status: admm.TimeLimit, limit: admm.TimeLimit},
		{name: "diverged", delta: 1e6, settings: admm.Settings{DivergenceBound: 1e3}, status: admm.Diverged, proxCalls: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.settings
			s.AbsTol, s.RelTol = 1e-6, 1e-15
			s.Converger = neverConverger{}
			res, err := admm.Solve(context.Background(), blocks(tt.delta), admm.Start{Z: mat.NewDense(d, k, nil)}, &s)
			if res.Status != tt.status {
				t.Errorf("status = %v, want %v", res.Status, tt.status)
			}
			if res.Limit != tt.limit {
				t.Errorf("limit = %v, want %v", res.Limit, tt.limit)
			}
			if tt.status != admm.TimeLimit && res.ProxCalls != tt.proxCalls {
				t.Errorf("Prox calls = %d, want %d", res.ProxCalls, tt.proxCalls)
			}
			if got, want := err != nil, tt.status.Failed(); got != want {
				t.Errorf("error %v, want an error exactly for failed statuses", err)
			}
			if tt.status == admm.Diverged && !errors.Is(err, admm.ErrDiverged) {
				t.Errorf("error = %v, want one that wraps ErrDiverged", err)
			}
		})
	}
}

func TestStatusMethods(t *testing.T) {
	tests := []struct {
		status        admm.Status
		name          string
		early, failed bool
	}{
		{admm.Converged, "converged", false, false},
		{admm.IterationLimit, "iteration limit", true, false},
		{admm.TimeLimit, "time limit", true, false},
		{admm.ProxCallLimit, "prox call limit", true, false},
		{admm.Inaccurate, "inaccurate", true, false},
		{admm.NonFinite, "non-finite value", true, true},
		{admm.Canceled, "canceled", true, true},
		{admm.BlockFailed, "block failed", true, true},
		{admm.RecorderFailed, "recorder failed", true, true},
		{admm.Diverged, "diverged", true, true},
		{admm.Status(99), "Status(99)", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.status.String(); got != tt.name {
				t.Errorf("String = %q, want %q", got, tt.name)
			}
			if got := tt.status.Early(); got != tt.early {
				t.Errorf("Early = %v, want %v", got, tt.early)
			}
			if got := tt.status.Failed(); got != tt.failed {
				t.Errorf("Failed = %v, want %v", got, tt.failed)
			}
		})
	}
}

func TestInvalidScheduleAndLimits(t *testing.T) {
	tests := []struct {
		name     string
		settings admm.Settings
		field    string
	}{
		{name: "negative interval", settings: admm.Settings{Penalty: admm.ResidualBalancing{Interval: -1}}, field: "ResidualBalancing.Interval"},
		{name: "mu at most 1", settings: admm.Settings{Penalty: admm.ResidualBalancing{Mu: 0.5}}, field: "ResidualBalancing.Mu"},
		{name: "tau 1", settings: admm.Settings{Penalty: admm.ResidualBalancing{Tau: 1}}, field: "ResidualBalancing.Tau"},
		{name: "max below min", settings: admm.Settings{Penalty: admm.NormalizedBalancing{Min: 2, Max: 1}}, field: "NormalizedBalancing.Max"},
		{name: "factor 1", settings: admm.Settings{Penalty: admm.NormalizedBalancing{Factor: 1}}, field: "NormalizedBalancing.Factor"},
		{name: "negative min", settings: admm.Settings{Penalty: &admm.Spectral{Min: -1}}, field: "Spectral.Min"},
		{name: "corr above 1", settings: admm.Settings{Penalty: &admm.Spectral{Corr: 1.5}}, field: "Spectral.Corr"},
		{name: "spectral negative interval", settings: admm.Settings{Penalty: &admm.Spectral{Interval: -2}}, field: "Spectral.Interval"},
		{name: "negative MaxTime", settings: admm.Settings{MaxTime: -1}, field: "MaxTime"},
		{name: "negative MaxProxCalls", settings: admm.Settings{MaxProxCalls: -1}, field: "MaxProxCalls"},
		{name: "NaN DivergenceBound", settings: admm.Settings{DivergenceBound: math.NaN()}, field: "DivergenceBound"},
		{name: "negative AndersonMemory", settings: admm.Settings{AndersonMemory: -1}, field: "AndersonMemory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := twoQuadratics(2, 2)
			_, err := admm.Solve(context.Background(), p, admm.Start{Z: mat.NewDense(2, 2, nil)}, &tt.settings)
			if err == nil {
				t.Fatal("Solve returned no error")
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "admm: ") || !strings.Contains(msg, tt.field) {
				t.Errorf("error %q: want the prefix \"admm: \" and the name %s", msg, tt.field)
			}
			if calls := p.F.(*quadBlock).calls + p.G.(*quadBlock).calls; calls != 0 {
				t.Errorf("Prox calls = %d, want 0", calls)
			}
		})
	}
}

func TestWarmStartFromResult(t *testing.T) {
	// The first run ends with a ρ that residual balancing changed; the
	// second run starts from that ρ and dual, so it converges at once.
	p := twoQuadratics(4, 3)
	p.F.(*quadBlock).w = 50
	s := admm.Settings{Rho: 0.01, Penalty: admm.ResidualBalancing{Mu: 2}}
	first, err := admm.Solve(context.Background(), p, admm.Start{Z: mat.NewDense(4, 3, nil)}, &s)
	if err != nil || first.Status != admm.Converged {
		t.Fatalf("first run: status %v, error %v", first.Status, err)
	}
	if first.Rho == s.Rho {
		t.Fatalf("first run kept ρ = %v, so the warm start would not test ρ", first.Rho)
	}
	var firstRho float64
	s.Recorder = func(rec *admm.Record) error {
		if rec.Iter == 1 {
			firstRho = rec.Rho
		}
		return nil
	}
	second, err := admm.Solve(context.Background(), p, first.Start, &s)
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	if firstRho != first.Rho {
		t.Errorf("second run started with ρ = %v, want the first run's final %v", firstRho, first.Rho)
	}
	if second.Status != admm.Converged || second.Iterations != 1 {
		t.Errorf("second run: %v after %d iterations, want converged after 1", second.Status, second.Iterations)
	}
}

func TestResumeMatchesUninterruptedRun(t *testing.T) {
	// Five iterations, then five more from Start{Iter: 5}, equal ten in a
	// row bitwise, because a fixed-ρ iteration depends on (x, z, u) only.
	p := twoQuadratics(4, 3)
	s := admm.Settings{Rho: 0.3, MaxIter: 10, AbsTol: 1e-300, RelTol: 1e-300}
	whole, err := admm.Solve(context.Background(), p, admm.Start{Z: mat.NewDense(4, 3, nil)}, &s)
	if err != nil {
		t.Fatal(err)
	}
	half := s
	half.MaxIter = 5
	first, err := admm.Solve(context.Background(), p, admm.Start{Z: mat.NewDense(4, 3, nil)}, &half)
	if err != nil {
		t.Fatal(err)
	}
	var iters []int
	s.Recorder = func(rec *admm.Record) error { iters = append(iters, rec.Iter); return nil }
	start := first.Start
	start.Iter = first.Iterations
	second, err := admm.Solve(context.Background(), p, start, &s)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{6, 7, 8, 9, 10}, iters); diff != "" {
		t.Errorf("resumed iteration numbers (-want +got):\n%s", diff)
	}
	if second.Iterations != 10 {
		t.Errorf("Iterations = %d, want 10", second.Iterations)
	}
	if !mat.Equal(whole.Z, second.Z) || !mat.Equal(whole.U, second.U) || !mat.Equal(whole.X, second.X) {
		t.Error("resumed iterate differs from the uninterrupted one")
	}
	if _, err := admm.Solve(context.Background(), p, admm.Start{Z: mat.NewDense(4, 3, nil), Iter: -1}, &s); err == nil {
		t.Error("negative start.Iter: no error")
	}
}
