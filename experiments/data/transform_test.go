package data

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

func TestSubset(t *testing.T) {
	ds := &Dataset{
		X:        mat.NewDense(3, 2, []float64{1, 2, 3, 4, 5, 6}),
		Y:        []int{0, 1, 0},
		Classes:  2,
		Name:     "toy",
		LabelMap: []int{-1, 1},
	}
	for _, tc := range []struct {
		name  string
		n     int
		wantY []int
	}{
		{"prefix", 2, []int{0, 1}},
		{"all", 3, []int{0, 1, 0}},
		{"clamped", 10, []int{0, 1, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub := Subset(ds, tc.n)
			if diff := cmp.Diff(tc.wantY, sub.Y); diff != "" {
				t.Errorf("Y mismatch (-want +got):\n%s", diff)
			}
			rows := len(tc.wantY)
			if !mat.Equal(sub.X, ds.X.Slice(0, rows, 0, 2)) {
				t.Errorf("X = %v, want the first %d rows of %v", mat.Formatted(sub.X), rows, mat.Formatted(ds.X))
			}
			if sub.Classes != 2 || sub.Name != "toy" || !cmp.Equal(sub.LabelMap, ds.LabelMap) {
				t.Errorf("Subset lost Classes, Name or LabelMap: %+v", sub)
			}

			// The subset is a copy.
			sub.X.Set(0, 0, 100)
			sub.Y[0] = 1
			if ds.X.At(0, 0) != 1 || ds.Y[0] != 0 {
				t.Error("changing the subset changed the original")
			}
		})
	}
}

func TestSubsetPanics(t *testing.T) {
	ds := &Dataset{X: mat.NewDense(1, 1, nil), Y: []int{0}, Classes: 1}
	for _, tc := range []struct {
		name string
		ds   *Dataset
		n    int
	}{
		{"nil", nil, 1},
		{"zero", ds, 0},
		{"negative", ds, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("Subset did not panic")
				}
			}()
			Subset(tc.ds, tc.n)
		})
	}
}

func TestCenter(t *testing.T) {
	train := &Dataset{X: mat.NewDense(2, 3, []float64{
		1, 10, 5,
		3, 30, 5,
	})}
	test := &Dataset{X: mat.NewDense(1, 3, []float64{0, 0, 0})}

	mean := Center(train, test)

	// The column means are exact in binary floating point here.
	if diff := cmp.Diff([]float64{2, 20, 5}, mean); diff != "" {
		t.Errorf("mean mismatch (-want +got):\n%s", diff)
	}
	wantTrain := mat.NewDense(2, 3, []float64{-1, -10, 0, 1, 10, 0})
	if !mat.Equal(train.X, wantTrain) {
		t.Errorf("centered train.X = %v, want %v", mat.Formatted(train.X), mat.Formatted(wantTrain))
	}
	wantTest := mat.NewDense(1, 3, []float64{-2, -20, -5})
	if !mat.Equal(test.X, wantTest) {
		t.Errorf("centered test.X = %v, want %v", mat.Formatted(test.X), mat.Formatted(wantTest))
	}

	// Centering again finds a zero mean.
	again := Center(train)
	if !floats.EqualApprox(again, []float64{0, 0, 0}, 0) {
		t.Errorf("mean after centering = %v, want zeros", again)
	}
}

func TestCenterPanics(t *testing.T) {
	train := &Dataset{X: mat.NewDense(2, 3, nil)}
	for _, tc := range []struct {
		name   string
		train  *Dataset
		others []*Dataset
	}{
		{"nil train", nil, nil},
		{"nil other", train, []*Dataset{nil}},
		{"column mismatch", train, []*Dataset{{X: mat.NewDense(1, 2, nil)}}},
		{"train twice", train, []*Dataset{train}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("Center did not panic")
				}
			}()
			Center(tc.train, tc.others...)
		})
	}
}
