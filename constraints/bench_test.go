package constraints

import (
	"fmt"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// benchSizes are the shapes of the reduction layer on 784-pixel images.
var benchSizes = []struct{ d, k int }{{784, 32}, {784, 128}}

func BenchmarkProject(b *testing.B) {
	for _, size := range benchSizes {
		w := gaussian(newRand(20), size.d, size.k)
		for _, set := range []Set{Stiefel{}, SpectralBall{Radius: 1}, FrobeniusBall{Radius: 1}, UnitColumns{}} {
			b.Run(fmt.Sprintf("%s/d=%d/k=%d", set, size.d, size.k), func(b *testing.B) {
				var dst mat.Dense
				for b.Loop() {
					set.Project(&dst, w)
				}
			})
		}
	}
}

func BenchmarkRetract(b *testing.B) {
	for _, size := range benchSizes {
		rnd := newRand(21)
		w := orthonormal(rnd, size.d, size.k)
		xi := gaussian(rnd, size.d, size.k)
		TangentProject(xi, w, xi)
		xi.Scale(0.1/mat.Norm(xi, 2), xi)
		for _, r := range retractions {
			b.Run(fmt.Sprintf("%s/d=%d/k=%d", r.name, size.d, size.k), func(b *testing.B) {
				var dst mat.Dense
				for b.Loop() {
					r.retract(&dst, w, xi)
				}
			})
		}
		b.Run(fmt.Sprintf("tangent/d=%d/k=%d", size.d, size.k), func(b *testing.B) {
			var dst mat.Dense
			for b.Loop() {
				TangentProject(&dst, w, xi)
			}
		})
	}
}
