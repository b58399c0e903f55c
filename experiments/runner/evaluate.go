package runner

import (
	"github.com/admm-go/admm/experiments/data"
	"github.com/admm-go/admm/experiments/report"
	"github.com/admm-go/admm/nets"
	"gonum.org/v1/gonum/mat"
)

// evalChunk is the number of samples per forward pass when a whole data set
// is measured; it bounds the memory of the activations.
const evalChunk = 10000

// measure fills the metric columns of row: the PCA measures of w (the
// constrained reduction matrix) and the classification measures of the
// network m in its current state (for ADMM, Z in its reduction layer).
func (s *setup) measure(row *report.Row, w *mat.Dense, m *model) {
	ref := s.referenceFor(m)
	row.PCAObjective = ref.Objective(w)
	row.EVR = ref.EVR(w)
	row.SubspaceDist = ref.SubspaceDist(w)
	row.ConstraintViolation = s.set.Violation(w)
	row.TrainCE, row.TrainAcc = classify(m.net, s.train)
	_, row.TestAcc = classify(m.net, s.test)
}

// classify returns the mean cross-entropy and the accuracy of net on ds.
func classify(net nets.Layer, ds *data.Dataset) (ce, acc float64) {
	n, d := ds.X.Dims()
	for lo := 0; lo < n; lo += evalChunk {
		hi := min(lo+evalChunk, n)
		x := ds.X.Slice(lo, hi, 0, d).(*mat.Dense)
		out := net.Forward(x)
		w := float64(hi-lo) / float64(n)
		ce += w * nets.SoftmaxCrossEntropy(out, ds.Y[lo:hi], nil)
		acc += w * nets.Accuracy(out, ds.Y[lo:hi])
	}
	return ce, acc
}
