package subproblems

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/admm-go/admm/nets"
	"gonum.org/v1/gonum/mat"
)

// ceProblem is a small classification problem: 3 classes, d = 5, k = 2,
// with a network x → Zᵀx → linear head.
type ceProblem struct {
	x      *mat.Dense
	y      []int
	reduce *nets.Dense
	net    nets.Sequential
}

func newCEProblem(seed uint64) *ceProblem {
	rng := rand.New(rand.NewPCG(seed, 1))
	const n, d, k, classes = 60, 5, 2, 3
	x := mat.NewDense(n, d, nil)
	y := make([]int, n)
	for i := 0; i < n; i++ {
		y[i] = i % classes
		for j := 0; j < d; j++ {
			x.Set(i, j, rng.NormFloat64()+float64(y[i]*j%3))
		}
	}
	reduce := nets.NewDense(d, k, false, rng)
	head := nets.NewDense(k, classes, true, rng)
	return &ceProblem{x: x, y: y, reduce: reduce, net: nets.Sequential{reduce, head}}
}

// proxObjective returns L_ce(Z, θ) + (ρ/2)‖Z − V‖² on the whole data set.
func (p *ceProblem) proxObjective(v *mat.Dense, rho float64) float64 {
	ce := nets.SoftmaxCrossEntropy(p.net.Forward(p.x), p.y, nil)
	var diff mat.Dense
	diff.Sub(p.reduce.W, v)
	nrm := mat.Norm(&diff, 2)
	return ce + rho/2*nrm*nrm
}

func TestCrossEntropyStepFullBatchDescends(t *testing.T) {
	p := newCEProblem(1)
	n, _ := p.x.Dims()
	rng := rand.New(rand.NewPCG(2, 2))
	// A full batch makes every step plain gradient descent, which
	// decreases a smooth objective when the step is small against its
	// curvature; lr = 0.01 with ρ = 1 is far below 2/L here.
	batch := nets.NewBatcher(n, n, rng)
	step := NewCrossEntropyStep(p.net, p.reduce.Params()[0], p.x, p.y, batch, nets.NewSGD(0.01, 0, false), 1)
	v := mat.NewDense(5, 2, nil)
	v.Apply(func(i, j int, _ float64) float64 { return float64(i-j) / 4 }, v)
	const rho = 1.0

	z := mat.DenseCopyOf(p.reduce.W)
	prev := p.proxObjective(v, rho)
	for i := 0; i < 30; i++ {
		if err := step.Prox(context.Background(), z, v, rho); err != nil {
			t.Fatal(err)
		}
		if !mat.Equal(z, p.reduce.W) {
			t.Fatalf("step %d: dst differs from the network's Z", i)
		}
		cur := p.proxObjective(v, rho)
		if cur > prev {
			t.Fatalf("step %d: objective rose from %v to %v", i, prev, cur)
		}
		prev = cur
	}
	if got, want := step.Samples(), int64(30*n); got != want {
		t.Errorf("Samples = %d, want %d", got, want)
	}
}

func TestCrossEntropyStepLargeRhoPullsToTarget(t *testing.T) {
	p := newCEProblem(3)
	n, _ := p.x.Dims()
	batch := nets.NewBatcher(n, 10, rand.New(rand.NewPCG(4, 4)))
	// lr·ρ = 0.1: each step contracts Z − V by 0.9 apart from the
	// cross-entropy gradient, whose norm here is below 10, so after 300
	// steps ‖Z − V‖ ≈ ‖∇L_ce‖/ρ ≤ 0.1.
	const rho, lr = 100.0, 1e-3
	step := NewCrossEntropyStep(p.net, p.reduce.Params()[0], p.x, p.y, batch, nets.NewSGD(lr, 0, false), 300)
	v := mat.NewDense(5, 2, []float64{1, 0, 0, 1, 0, 0, 0, 0, 0, 0})
	z := mat.DenseCopyOf(p.reduce.W)
	if err := step.Prox(context.Background(), z, v, rho); err != nil {
		t.Fatal(err)
	}
	var diff mat.Dense
	diff.Sub(z, v)
	if d := mat.Norm(&diff, 2); d > 0.1 {
		t.Errorf("‖Z − V‖ = %v after the Z-step, want ≤ 0.1", d)
	}
}

func TestCrossEntropyStepRejectsBadInput(t *testing.T) {
	p := newCEProblem(5)
	n, _ := p.x.Dims()
	step := NewCrossEntropyStep(p.net, p.reduce.Params()[0], p.x, p.y,
		nets.NewBatcher(n, 10, rand.New(rand.NewPCG(6, 6))), nets.NewSGD(0.01, 0, false), 5)
	z := mat.DenseCopyOf(p.reduce.W)
	v := mat.NewDense(5, 2, nil)
	for _, rho := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		if err := step.Prox(context.Background(), z, v, rho); err == nil {
			t.Errorf("rho %v: no error", rho)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := step.Prox(ctx, z, v, 1); err == nil {
		t.Error("canceled context: no error")
	}
	z.Set(0, 0, math.NaN())
	if err := step.Prox(context.Background(), z, v, 1); err == nil {
		t.Error("NaN in Z: no error")
	}
}
