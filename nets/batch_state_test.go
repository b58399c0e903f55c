package nets

import (
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBatcherRestoreContinuesSequence(t *testing.T) {
	pcg := rand.NewPCG(3, 4)
	b := NewBatcher(10, 3, rand.New(pcg))
	for i := 0; i < 5; i++ {
		b.Next()
	}
	st := b.State()
	src, err := pcg.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var want [][]int
	for i := 0; i < 6; i++ {
		want = append(want, b.Next())
	}

	pcg2 := rand.NewPCG(0, 0)
	if err := pcg2.UnmarshalBinary(src); err != nil {
		t.Fatal(err)
	}
	c := NewBatcher(10, 3, rand.New(pcg2))
	if err := c.Restore(st); err != nil {
		t.Fatal(err)
	}
	var got [][]int
	for i := 0; i < 6; i++ {
		got = append(got, c.Next())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("batches after restore (-want +got):\n%s", diff)
	}
	if b.Epoch() != c.Epoch() {
		t.Errorf("epoch %d after restore, want %d", c.Epoch(), b.Epoch())
	}
}

func TestBatcherRestoreRejectsBadState(t *testing.T) {
	b := NewBatcher(4, 2, rand.New(rand.NewPCG(1, 1)))
	for _, st := range []BatcherState{
		{Perm: []int{0, 1, 2}, Pos: 2},
		{Perm: []int{0, 1, 1, 3}, Pos: 2},
		{Perm: []int{0, 1, 2, 3}, Pos: 4},
		{Pos: -1},
	} {
		if err := b.Restore(st); err == nil {
			t.Errorf("Restore(%+v): no error", st)
		}
	}
}
