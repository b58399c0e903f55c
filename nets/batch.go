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

// BatcherState is the position of a [Batcher] within its epochs, for
// checkpoints. The generator's state is saved separately by its owner,
// because a *rand.Rand does not expose its source.
type BatcherState struct {
	Perm  []int // the order of the current epoch; nil before the first batch
	Pos   int   // the index into Perm of the next batch
	Epoch int   // completed epochs
}

// State returns a copy of the Batcher's position.
func (b *Batcher) State() BatcherState {
	return BatcherState{Perm: append([]int(nil), b.perm...), Pos: b.pos, Epoch: b.epoch}
}

// Restore sets the Batcher's position from st. It returns an error if st
// does not fit a Batcher over n samples: a permutation of another length or
// one that is not a permutation, or a position outside it.
func (b *Batcher) Restore(st BatcherState) error {
	if st.Epoch < 0 || st.Pos < 0 || st.Pos >= b.n {
		return fmt.Errorf("nets: invalid batcher state: position %d and epoch %d for %d samples", st.Pos, st.Epoch, b.n)
	}
	if st.Pos > 0 || st.Perm != nil {
		if len(st.Perm) != b.n {
			return fmt.Errorf("nets: invalid batcher state: permutation of %d indices for %d samples", len(st.Perm), b.n)
		}
		seen := make([]bool, b.n)
		for _, i := range st.Perm {
			if i < 0 || i >= b.n || seen[i] {
				return fmt.Errorf("nets: invalid batcher state: %v is not a permutation of [0, %d)", i, b.n)
			}
			seen[i] = true
		}
	}
	b.perm = append([]int(nil), st.Perm...)
	b.pos, b.epoch = st.Pos, st.Epoch
	return nil
}
