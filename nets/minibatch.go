package nets

import "gonum.org/v1/gonum/mat"

// Minibatch holds the buffers of minibatch training steps under softmax
// cross-entropy, reused from one step to the next. The zero value is ready
// to use.
type Minibatch struct {
	x    mat.Dense
	y    []int
	grad mat.Dense
}

// LossGrad gathers the samples idx of x and y, runs net forward and
// backward, and returns the mean softmax cross-entropy of the minibatch.
// Afterwards the gradients of net's parameters hold the gradient of that
// loss. It panics if a label is outside the network's output range.
func (b *Minibatch) LossGrad(net Layer, x *mat.Dense, y []int, idx []int) float64 {
	GatherRows(&b.x, x, idx)
	b.y = b.y[:0]
	for _, i := range idx {
		b.y = append(b.y, y[i])
	}
	out := net.Forward(&b.x)
	r, c := out.Dims()
	reuseAs(&b.grad, r, c)
	loss := SoftmaxCrossEntropy(out, b.y, &b.grad)
	net.Backward(&b.grad)
	return loss
}
