package nets

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func BenchmarkDenseForwardBackward(b *testing.B) {
	for _, size := range []struct{ n, in, out int }{
		{128, 784, 32},
	} {
		b.Run(fmt.Sprintf("%dx%dto%d", size.n, size.in, size.out), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			d := NewDense(size.in, size.out, true, rng)
			x := randDense(size.n, size.in, rng)
			dy := randDense(size.n, size.out, rng)
			b.ReportAllocs()
			for b.Loop() {
				d.Forward(x)
				d.Backward(dy)
			}
		})
	}
}
