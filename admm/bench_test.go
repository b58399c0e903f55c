package admm_test

import (
	"context"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/admm-go/admm/admm"
)

// copyBlock is h = 0, whose proximal operator returns v: a block that
// costs one copy, so a run measures the engine alone.
type copyBlock struct{}

func (copyBlock) Prox(_ context.Context, dst, v *mat.Dense, _ float64) error {
	dst.Copy(v)
	return nil
}

// halfBlock is h(x) = ½‖x‖², whose proximal operator is ρv/(1 + ρ). With
// copyBlock it keeps the residuals nonzero and changing.
type halfBlock struct{}

func (halfBlock) Prox(_ context.Context, dst, v *mat.Dense, rho float64) error {
	dst.Scale(rho/(1+rho), v)
	return nil
}

func TestNoAllocationsPerIteration(t *testing.T) {
	// The engine allocates its work space before the first iteration, so
	// a run of 21 iterations must allocate exactly as much as a run of 1.
	const d, k = 20, 5
	tests := []struct {
		name     string
		penalty  admm.Penalty
		anderson int
	}{
		{name: "fixed", penalty: admm.Fixed{}},
		{name: "residual balancing", penalty: admm.ResidualBalancing{Mu: 1.01}},
		{name: "normalized balancing", penalty: admm.NormalizedBalancing{Factor: 1.01}},
		{name: "spectral", penalty: &admm.Spectral{}},
		{name: "anderson", penalty: admm.Fixed{}, anderson: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := admm.Start{Z: filled(d, k, 1)}
			allocs := func(iters int) float64 {
				s := admm.Settings{MaxIter: iters, Penalty: tt.penalty, AndersonMemory: tt.anderson, Converger: neverConverger{}}
				return testing.AllocsPerRun(5, func() {
					if _, err := admm.Solve(context.Background(), admm.Problem{F: halfBlock{}, G: copyBlock{}}, start, &s); err != nil {
						t.Fatal(err)
					}
				})
			}
			one, many := allocs(1), allocs(21)
			if many != one {
				t.Errorf("allocations: %v for 1 iteration, %v for 21, want the same", one, many)
			}
		})
	}
}

// BenchmarkIteration measures the engine's cost per iteration with
// trivial blocks on d·k = 25,000 variables.
func BenchmarkIteration(b *testing.B) {
	const d, k, iters = 500, 50, 20
	for _, bc := range []struct {
		name     string
		penalty  admm.Penalty
		anderson int
	}{
		{name: "fixed", penalty: admm.Fixed{}},
		{name: "spectral", penalty: &admm.Spectral{}},
		{name: "anderson5", penalty: admm.Fixed{}, anderson: 5},
	} {
		b.Run(bc.name, func(b *testing.B) {
			start := admm.Start{Z: filled(d, k, 1)}
			s := admm.Settings{MaxIter: iters, Penalty: bc.penalty, AndersonMemory: bc.anderson, Converger: neverConverger{}}
			p := admm.Problem{F: halfBlock{}, G: copyBlock{}}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := admm.Solve(context.Background(), p, start, &s); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*iters), "ns/iter")
		})
	}
}
