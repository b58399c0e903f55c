package subproblems

import (
	"context"
	"fmt"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/admm-go/admm/admm"
	"github.com/admm-go/admm/constraints"
)

// BenchmarkWStep times one Prox of each solver at MNIST-like sizes, d = 784,
// on the covariance of 1000 Gaussian samples, warm-started from the same
// point every time. The eigendecomposition is computed before the timer.
func BenchmarkWStep(b *testing.B) {
	const n, d = 1000, 784
	rnd := newRand(40)
	x := randomDense(n, d, rnd)
	cov := NewFullCovariance(x)
	cov.Eigen()
	mini, err := NewMinibatchCovariance(x, 128, newRand(41))
	if err != nil {
		b.Fatal(err)
	}
	const lambda, rho = 1, 1

	solvers := []struct {
		name string
		make func() (admm.Block, error)
	}{
		{"power", func() (admm.Block, error) { return NewStiefelGPI(cov, lambda, GPIOptions{}) }},
		{"exact-frobenius", func() (admm.Block, error) { return NewFrobeniusBallExact(cov, lambda, 1) }},
		{"exact-columns", func() (admm.Block, error) { return NewUnitColumnsExact(cov, lambda) }},
		{"exact-spectral", func() (admm.Block, error) { return NewSpectralBallFISTA(cov, lambda, 1, FISTAOptions{}) }},
		{"custom-stiefel", func() (admm.Block, error) {
			return NewProjectedAscent(constraints.Stiefel{}, cov, lambda, AscentOptions{})
		}},
		{"custom-stiefel-minibatch", func() (admm.Block, error) {
			return NewProjectedAscent(constraints.Stiefel{}, mini, lambda, AscentOptions{})
		}},
		{"oja", func() (admm.Block, error) { return NewWStep("oja", constraints.Stiefel{}, cov, lambda) }},
		{"gha", func() (admm.Block, error) { return NewWStep("gha", constraints.Stiefel{}, cov, lambda) }},
	}
	for _, k := range []int{32, 128} {
		start := randomDense(d, k, rnd)
		constraints.Stiefel{}.Project(start, start)
		m := randomDense(d, k, rnd)
		for _, s := range solvers {
			b.Run(fmt.Sprintf("%s/k=%d", s.name, k), func(b *testing.B) {
				block, err := s.make()
				if err != nil {
					b.Fatal(err)
				}
				w := mat.NewDense(d, k, nil)
				for b.Loop() {
					w.Copy(start)
					if err := block.Prox(context.Background(), w, m, rho); err != nil {
						b.Fatal(err)
					}
				}
			})
		}

		// The two rotations by Q alone, QᵀM and QW̃: the exact ball and
		// column solvers should cost little more, because the rest of
		// their work is O(dk).
		b.Run(fmt.Sprintf("rotations-only/k=%d", k), func(b *testing.B) {
			_, q := cov.Eigen()
			var mt, w mat.Dense
			for b.Loop() {
				mt.Mul(q.T(), m)
				w.Mul(q, &mt)
			}
		})
	}
}
