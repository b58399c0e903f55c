package admm_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/admm-go/admm/admm"
)

// solutionTol is the accuracy required of every solution in these tests.
const solutionTol = 1e-8

// tightSettings stops at residuals far below solutionTol: the distance to
// the solution of a strongly convex problem is within a small multiple of
// the residuals.
func tightSettings() admm.Settings {
	return admm.Settings{AbsTol: 1e-12, RelTol: 1e-12, MaxIter: 20000}
}

// lsBlock is f(x) = ½‖Dx − b‖²_F. Its proximal operator solves
// (DᵀD + ρI)x = Dᵀb + ρv by a Cholesky factorization, refactored only
// when ρ changes.
type lsBlock struct {
	dtd  *mat.SymDense
	dtb  *mat.Dense
	rho  float64
	chol mat.Cholesky
}

func newLSBlock(d, b *mat.Dense) *lsBlock {
	_, n := d.Dims()
	dtd := mat.NewSymDense(n, nil)
	dtd.SymOuterK(1, d.T())
	var dtb mat.Dense
	dtb.Mul(d.T(), b)
	return &lsBlock{dtd: dtd, dtb: &dtb}
}

func (l *lsBlock) Prox(_ context.Context, dst, v *mat.Dense, rho float64) error {
	if rho != l.rho {
		n := l.dtd.SymmetricDim()
		sys := mat.NewSymDense(n, nil)
		for i := range n {
			for j := i; j < n; j++ {
				sys.SetSym(i, j, l.dtd.At(i, j))
			}
			sys.SetSym(i, i, l.dtd.At(i, i)+rho)
		}
		if !l.chol.Factorize(sys) {
			panic("lsBlock: DᵀD + ρI is not positive definite")
		}
		l.rho = rho
	}
	var rhs mat.Dense
	rhs.Scale(rho, v)
	rhs.Add(&rhs, l.dtb)
	return l.chol.SolveTo(dst, &rhs)
}

// l1Block is g(z) = λ‖z‖₁, whose proximal operator is soft thresholding
// at λ/ρ.
type l1Block struct{ lambda float64 }

func (l l1Block) Prox(_ context.Context, dst, v *mat.Dense, rho float64) error {
	t := l.lambda / rho
	dst.Apply(func(_, _ int, x float64) float64 {
		return math.Copysign(math.Max(math.Abs(x)-t, 0), x)
	}, v)
	return nil
}

// lassoInstance is minimize ½‖Dx − b‖² + λ‖x‖₁ with a random m×n D of
// full column rank, so the solution is unique.
type lassoInstance struct {
	d, b   *mat.Dense
	lambda float64
}

func newLasso(seed uint64, m, n int) lassoInstance {
	rng := rand.New(rand.NewPCG(seed, 1))
	d := mat.NewDense(m, n, nil)
	for i := range m {
		for j := range n {
			d.Set(i, j, rng.NormFloat64())
		}
	}
	// b comes from a sparse x with noise, so the solution has zeros.
	b := mat.NewDense(m, 1, nil)
	for i := range m {
		s := 0.0
		for j := 0; j < n; j += 3 {
			s += d.At(i, j) * float64(j+1)
		}
		b.Set(i, 0, s+0.5*rng.NormFloat64())
	}
	var dtb mat.Dense
	dtb.Mul(d.T(), b)
	// λ at a tenth of λ_max = ‖Dᵀb‖_∞, where x = 0 becomes optimal.
	return lassoInstance{d: d, b: b, lambda: 0.1 * mat.Norm(&dtb, math.Inf(1))}
}

func (l lassoInstance) problem() admm.Problem {
	return admm.Problem{F: newLSBlock(l.d, l.b), G: l1Block{lambda: l.lambda}}
}

func (l lassoInstance) start() admm.Start {
	_, n := l.d.Dims()
	return admm.Start{Z: mat.NewDense(n, 1, nil)}
}

// coordinateDescent solves the lasso by cyclic coordinate descent with
// exact coordinate minimization, until no coordinate moves by more than
// 1e-15, a reference independent of ADMM.
func (l lassoInstance) coordinateDescent() *mat.Dense {
	m, n := l.d.Dims()
	x := make([]float64, n)
	resid := make([]float64, m) // b − Dx
	for i := range m {
		resid[i] = l.b.At(i, 0)
	}
	for sweep := 0; sweep < 100000; sweep++ {
		moved := 0.0
		for j := range n {
			var rho, norm2 float64
			for i := range m {
				dij := l.d.At(i, j)
				rho += dij * (resid[i] + dij*x[j])
				norm2 += dij * dij
			}
			xj := math.Copysign(math.Max(math.Abs(rho)-l.lambda, 0), rho) / norm2
			for i := range m {
				resid[i] -= l.d.At(i, j) * (xj - x[j])
			}
			moved = math.Max(moved, math.Abs(xj-x[j]))
			x[j] = xj
		}
		if moved < 1e-15 {
			break
		}
	}
	return mat.NewDense(n, 1, x)
}

// kktViolation returns the largest violation of the lasso's optimality
// conditions at x: with g = Dᵀ(Dx − b), g_j = −λ·sign(x_j) where x_j ≠ 0
// and |g_j| ≤ λ where x_j = 0.
func (l lassoInstance) kktViolation(x *mat.Dense) float64 {
	var r, g mat.Dense
	r.Mul(l.d, x)
	r.Sub(&r, l.b)
	g.Mul(l.d.T(), &r)
	n, _ := x.Dims()
	worst := 0.0
	for j := range n {
		gj, xj := g.At(j, 0), x.At(j, 0)
		if xj != 0 {
			worst = math.Max(worst, math.Abs(gj+l.lambda*math.Copysign(1, xj)))
		} else {
			worst = math.Max(worst, math.Abs(gj)-l.lambda)
		}
	}
	return worst
}

// schedules returns a fresh value of every penalty schedule.
func schedules() []struct {
	name    string
	penalty admm.Penalty
} {
	return []struct {
		name    string
		penalty admm.Penalty
	}{
		{"fixed", admm.Fixed{}},
		{"residual balancing", admm.ResidualBalancing{}},
		{"normalized balancing", admm.NormalizedBalancing{}},
		{"spectral", &admm.Spectral{}},
	}
}

func TestLassoEverySchedule(t *testing.T) {
	lasso := newLasso(7, 30, 10)
	want := lasso.coordinateDescent()
	if v := lasso.kktViolation(want); v > solutionTol {
		t.Fatalf("reference: KKT violation %g, want ≤ %g", v, solutionTol)
	}
	zeros := 0
	for _, v := range want.RawMatrix().Data {
		if v == 0 {
			zeros++
		}
	}
	if zeros == 0 {
		t.Fatal("reference solution has no zero, so the instance does not exercise the l1 term")
	}
	for _, sc := range schedules() {
		for _, memory := range []int{0, 5} {
			t.Run(sc.name+andersonSuffix(memory), func(t *testing.T) {
				s := tightSettings()
				s.Penalty = sc.penalty
				s.AndersonMemory = memory
				res, err := admm.Solve(context.Background(), lasso.problem(), lasso.start(), &s)
				if err != nil {
					t.Fatalf("Solve: %v", err)
				}
				if res.Status != admm.Converged {
					t.Fatalf("status = %v after %d iterations, want %v", res.Status, res.Iterations, admm.Converged)
				}
				if !mat.EqualApprox(res.Z, want, solutionTol) {
					t.Errorf("z = %v, want the coordinate-descent solution %v", mat.Formatted(res.Z.T()), mat.Formatted(want.T()))
				}
				if v := lasso.kktViolation(res.Z); v > solutionTol {
					t.Errorf("KKT violation at z = %g, want ≤ %g", v, solutionTol)
				}
				t.Logf("%d iterations, %d Prox calls, final ρ %.3g", res.Iterations, res.ProxCalls, res.Rho)
			})
		}
	}
}

func andersonSuffix(memory int) string {
	if memory == 0 {
		return ""
	}
	return " with Anderson"
}

// columnMean is the indicator of {Z : all columns of Z are equal}; its
// proximal operator replaces every column by the mean column.
type columnMean struct{}

func (columnMean) Prox(_ context.Context, dst, v *mat.Dense, _ float64) error {
	r, c := v.Dims()
	for i := range r {
		mean := 0.0
		for j := range c {
			mean += v.At(i, j)
		}
		mean /= float64(c)
		for j := range c {
			dst.Set(i, j, mean)
		}
	}
	return nil
}

// stackedLS is Σᵢ ½‖Dᵢxᵢ − bᵢ‖² over the columns xᵢ of X, N least-squares
// blocks stacked as one x-block.
type stackedLS struct{ blocks []*lsBlock }

func (s stackedLS) Prox(ctx context.Context, dst, v *mat.Dense, rho float64) error {
	n, _ := v.Dims()
	col, vi := mat.NewDense(n, 1, nil), mat.NewDense(n, 1, nil)
	for i, b := range s.blocks {
		vi.Copy(v.Slice(0, n, i, i+1))
		if err := b.Prox(ctx, col, vi, rho); err != nil {
			return err
		}
		dst.Slice(0, n, i, i+1).(*mat.Dense).Copy(col)
	}
	return nil
}

func TestConsensusLeastSquares(t *testing.T) {
	const blocks, m, n = 4, 6, 3
	rng := rand.New(rand.NewPCG(11, 2))
	f := stackedLS{}
	gram := mat.NewDense(n, n, nil)
	rhs := mat.NewDense(n, 1, nil)
	for range blocks {
		d, b := mat.NewDense(m, n, nil), mat.NewDense(m, 1, nil)
		for i := range m {
			for j := range n {
				d.Set(i, j, rng.NormFloat64())
			}
			b.Set(i, 0, rng.NormFloat64())
		}
		f.blocks = append(f.blocks, newLSBlock(d, b))

		// Closed form: (Σ DᵢᵀDᵢ) x = Σ Dᵢᵀbᵢ.
		var dtd, dtb mat.Dense
		dtd.Mul(d.T(), d)
		gram.Add(gram, &dtd)
		dtb.Mul(d.T(), b)
		rhs.Add(rhs, &dtb)
	}
	var want mat.Dense
	if err := want.Solve(gram, rhs); err != nil {
		t.Fatalf("closed form: %v", err)
	}

	s := tightSettings()
	res, err := admm.Solve(context.Background(), admm.Problem{F: f, G: columnMean{}},
		admm.Start{Z: mat.NewDense(n, blocks, nil)}, &s)
	if err != nil {
		t.Fatalf("Solve: %v", err)
	}
	if res.Status != admm.Converged {
		t.Fatalf("status = %v, want %v", res.Status, admm.Converged)
	}
	for i := range blocks {
		for name, m := range map[string]*mat.Dense{"x": res.X, "z": res.Z} {
			if got := m.Slice(0, n, i, i+1); !mat.EqualApprox(got, &want, solutionTol) {
				t.Errorf("column %d of %s = %v, want %v", i, name, mat.Formatted(got.T()), mat.Formatted(want.T()))
			}
		}
	}
}

// quadBox is f(x) = ½xᵀPx + qᵀx, with proximal operator the solution of
// (P + ρI)x = ρv − q.
type quadBox struct {
	p *mat.SymDense
	q *mat.Dense
}

func (b quadBox) Prox(_ context.Context, dst, v *mat.Dense, rho float64) error {
	n := b.p.SymmetricDim()
	sys := mat.NewSymDense(n, nil)
	sys.CopySym(b.p)
	for i := range n {
		sys.SetSym(i, i, sys.At(i, i)+rho)
	}
	var rhs mat.Dense
	rhs.Scale(rho, v)
	rhs.Sub(&rhs, b.q)
	var chol mat.Cholesky
	if !chol.Factorize(sys) {
		panic("quadBox: P + ρI is not positive definite")
	}
	return chol.SolveTo(dst, &rhs)
}

// box is the indicator of [lo, hi]; its proximal operator clips.
type box struct{ lo, hi float64 }

func (b box) Prox(_ context.Context, dst, v *mat.Dense, _ float64) error {
	dst.Apply(func(_, _ int, x float64) float64 { return math.Min(math.Max(x, b.lo), b.hi) }, v)
	return nil
}

func TestBoxQPKKT(t *testing.T) {
	const n = 8
	rng := rand.New(rand.NewPCG(5, 3))
	g := mat.NewDense(n, n, nil)
	q := mat.NewDense(n, 1, nil)
	for i := range n {
		for j := range n {
			g.Set(i, j, rng.NormFloat64())
		}
		q.Set(i, 0, 3*rng.NormFloat64())
	}
	p := mat.NewSymDense(n, nil)
	p.SymOuterK(1, g)
	bounds := box{lo: -0.5, hi: 0.4}

	s := tightSettings()
	s.Penalty = admm.ResidualBalancing{}
	res, err := admm.Solve(context.Background(), admm.Problem{F: quadBox{p: p, q: q}, G: bounds},
		admm.Start{Z: mat.NewDense(n, 1, nil)}, &s)
	if err != nil {
		t.Fatalf("Solve: %v", err)
	}
	if res.Status != admm.Converged {
		t.Fatalf("status = %v, want %v", res.Status, admm.Converged)
	}

	// KKT at z: with the gradient γ = Pz + q, γ_i ≥ 0 where z_i = lo,
	// γ_i ≤ 0 where z_i = hi and γ_i = 0 between. The multiplier −γ must
	// also equal the unscaled dual y = ρu.
	var grad mat.Dense
	grad.Mul(p, res.Z)
	grad.Add(&grad, q)
	active := 0
	for i := range n {
		zi, gi := res.Z.At(i, 0), grad.At(i, 0)
		switch {
		case zi < bounds.lo || zi > bounds.hi:
			t.Errorf("z[%d] = %v outside [%v, %v]", i, zi, bounds.lo, bounds.hi)
		case zi == bounds.lo:
			active++
			if gi < -solutionTol {
				t.Errorf("z[%d] at the lower bound with gradient %g, want ≥ 0", i, gi)
			}
		case zi == bounds.hi:
			active++
			if gi > solutionTol {
				t.Errorf("z[%d] at the upper bound with gradient %g, want ≤ 0", i, gi)
			}
		default:
			if math.Abs(gi) > solutionTol {
				t.Errorf("z[%d] = %v inside the box with gradient %g, want 0", i, zi, gi)
			}
		}
		if y := res.Rho * res.U.At(i, 0); math.Abs(y+gi) > solutionTol {
			t.Errorf("dual y[%d] = %g, want −∇f = %g", i, y, -gi)
		}
	}
	if active == 0 || active == n {
		t.Errorf("%d of %d bounds active, want some but not all, so the test exercises both cases", active, n)
	}
}
