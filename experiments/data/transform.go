package data

import (
	"fmt"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Subset returns a copy of the first n samples of ds, or of all samples if
// ds has fewer than n. The copy shares no memory with ds, so centering or
// scaling it leaves ds unchanged. Subset panics if ds is nil or n < 1,
// because a Dataset holds at least one sample.
func Subset(ds *Dataset, n int) *Dataset {
	if ds == nil {
		panic("data: Subset of a nil Dataset")
	}
	if n < 1 {
		panic(fmt.Sprintf("data: Subset size %d, expected at least 1", n))
	}
	rows, _ := ds.X.Dims()
	n = min(n, rows)

	x := mat.DenseCopyOf(ds.X.Slice(0, n, 0, ds.X.RawMatrix().Cols))
	return &Dataset{
		X:        x,
		Y:        append([]int(nil), ds.Y[:n]...),
		Classes:  ds.Classes,
		Name:     ds.Name,
		Files:    append([]FileInfo(nil), ds.Files...),
		LabelMap: append([]int(nil), ds.LabelMap...),
	}
}

// Center subtracts the column means of train.X from train.X and from the X
// of every other dataset, in place, and returns the means. Centering a test
// set with the training mean keeps it in the coordinates the model was
// trained in. Center panics if a dataset is nil, if the column counts
// differ, or if two datasets share their X, which would be centered twice.
func Center(train *Dataset, others ...*Dataset) (mean []float64) {
	if train == nil {
		panic("data: Center of a nil training Dataset")
	}
	n, d := train.X.Dims()
	seen := map[*mat.Dense]bool{train.X: true}
	for i, ds := range others {
		if ds == nil {
			panic(fmt.Sprintf("data: Center: dataset %d is nil", i))
		}
		if seen[ds.X] {
			panic(fmt.Sprintf("data: Center: dataset %d shares its X with an earlier dataset", i))
		}
		seen[ds.X] = true
		if _, c := ds.X.Dims(); c != d {
			panic(fmt.Sprintf("data: Center: dataset %d has %d columns and the training set %d", i, c, d))
		}
	}

	// mean = Xᵀ1/n.
	ones := make([]float64, n)
	floats.AddConst(1, ones)
	var m mat.VecDense
	m.MulVec(train.X.T(), mat.NewVecDense(n, ones))
	m.ScaleVec(1/float64(n), &m)
	mean = m.RawVector().Data

	for _, ds := range append([]*Dataset{train}, others...) {
		rows, _ := ds.X.Dims()
		for i := range rows {
			floats.Sub(ds.X.RawRowView(i), mean)
		}
	}
	return mean
}
