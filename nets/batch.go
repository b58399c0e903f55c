package nets

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Batcher draws minibatches of sample indices: each epoch visits every
// index in [0, n) exactly once, in an order drawn from its generator.
type Batcher struct {
	n, size int
	rng     *rand.Rand

	perm  []int
	pos   int
	epoch int
}

// NewBatcher returns a Batcher over n samples with batches of size
// samples, shuffling with rng. A size above n gives one batch of all n
// samples per epoch. NewBatcher panics if n or size is not positive or rng
// is nil.
func NewBatcher(n, size int, rng *rand.Rand) *Batcher {
	if n <= 0 || size <= 0 {
		panic(fmt.Sprintf("nets: Batcher needs positive n and size, got n = %d, size = %d", n, size))
	}
	if rng == nil {
		panic("nets: nil rng")
	}
	return &Batcher{n: n, size: size, rng: rng}
}

// Next returns the indices of the next minibatch. A new permutation is
// drawn at the start of each epoch, and the last batch of an epoch holds
// the n mod size remaining indices when size does not divide n. The
// returned slice is not reused by the Batcher.
func (b *Batcher) Next() []int {
	if b.pos == 0 {
		b.perm = b.rng.Perm(b.n)
	}
	end := min(b.pos+b.size, b.n)
	idx := b.perm[b.pos:end:end]
	b.pos = end
	if b.pos == b.n {
		b.pos = 0
		b.epoch++
	}
	return idx
}

// Epoch returns the number of completed epochs: it becomes 1 when Next has
// returned the last batch of the first epoch.
func (b *Batcher) Epoch() int { return b.epoch }

// GatherRows sets dst to the rows of src at idx, in order, so dst is
// len(idx)×c for a src with c columns. dst keeps its storage when it
// already has that shape and otherwise is reshaped, reusing its backing
// slice where it is large enough. dst must not be a view of a matrix, nor
// share storage with src. GatherRows panics if idx is empty or holds an
// index outside [0, rows of src).
func GatherRows(dst, src *mat.Dense, idx []int) {
	if len(idx) == 0 {
		panic("nets: GatherRows needs at least one index")
	}
	r, c := src.Dims()
	reuseAs(dst, len(idx), c)
	for i, k := range idx {
		if k < 0 || k >= r {
			panic(fmt.Sprintf("nets: GatherRows index %d is outside [0, %d)", k, r))
		}
		copy(dst.RawRowView(i), src.RawRowView(k))
	}
}
