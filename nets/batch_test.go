package nets

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/mat"
)

func TestBatcherEpochs(t *testing.T) {
	for _, tc := range []struct {
		name    string
		n, size int
	}{
		{"uneven last batch", 10, 3},
		{"even batches", 10, 5},
		{"size above n", 7, 10},
		{"single sample", 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := NewBatcher(tc.n, tc.size, rand.New(rand.NewPCG(13, 14)))
			var prev []int
			for epoch := range 3 {
				if got := b.Epoch(); got != epoch {
					t.Fatalf("Epoch() = %d at the start of epoch %d", got, epoch)
				}

				var seen []int
				for len(seen) < tc.n {
					idx := b.Next()
					want := min(tc.size, tc.n-len(seen))
					if len(idx) != want {
						t.Fatalf("epoch %d: batch of %d indices, want %d", epoch, len(idx), want)
					}
					seen = append(seen, idx...)
					if len(seen) < tc.n && b.Epoch() != epoch {
						t.Fatalf("Epoch() = %d in the middle of epoch %d", b.Epoch(), epoch)
					}
				}

				order := slices.Clone(seen)
				slices.Sort(order)
				for i, k := range order {
					if i != k {
						t.Fatalf("epoch %d visits %v, want each of 0..%d once", epoch, seen, tc.n-1)
					}
				}
				// With n ≥ 5 two epochs in the same order would point to a
				// permutation drawn once instead of once per epoch.
				if tc.n >= 5 && slices.Equal(seen, prev) {
					t.Errorf("epoch %d repeats the order of the previous epoch", epoch)
				}
				prev = seen
			}
		})
	}
}

func TestBatcherReproducible(t *testing.T) {
	draw := func(seed uint64) [][]int {
		b := NewBatcher(10, 4, rand.New(rand.NewPCG(seed, 1)))
		var batches [][]int
		for range 8 {
			batches = append(batches, slices.Clone(b.Next()))
		}
		return batches
	}
	first := draw(1)
	if diff := cmp.Diff(first, draw(1)); diff != "" {
		t.Errorf("same seed gave different batches (-first +second):\n%s", diff)
	}
	if cmp.Equal(first, draw(2)) {
		t.Error("different seeds gave the same batches")
	}
}

func TestGatherRows(t *testing.T) {
	src := mat.NewDense(4, 2, []float64{0, 1, 10, 11, 20, 21, 30, 31})
	var dst mat.Dense
	for _, tc := range []struct {
		name string
		idx  []int
		want [][]float64
	}{
		{"first", []int{3, 0, 2}, [][]float64{{30, 31}, {0, 1}, {20, 21}}},
		{"same shape", []int{1, 1, 0}, [][]float64{{10, 11}, {10, 11}, {0, 1}}},
		{"smaller", []int{2}, [][]float64{{20, 21}}},
		{"larger", []int{0, 1, 2, 3}, [][]float64{{0, 1}, {10, 11}, {20, 21}, {30, 31}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			GatherRows(&dst, src, tc.idx)
			if diff := cmp.Diff(tc.want, rows(&dst)); diff != "" {
				t.Errorf("GatherRows mismatch (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("index out of range", func(t *testing.T) {
		mustPanic(t, func() { GatherRows(&dst, src, []int{0, 4}) })
	})
	t.Run("empty index", func(t *testing.T) {
		mustPanic(t, func() { GatherRows(&dst, src, nil) })
	})
}
