// Package nets holds the pieces of a feed-forward network trained on
// minibatches: layers with forward and backward passes, the softmax
// cross-entropy loss, and optimizers.
//
// A minibatch is a *mat.Dense with one sample per row, so a dense layer
// computes Y = XW + 1bᵀ with W stored in×out. Layers panic on programmer
// errors (an input whose width does not match the layer) and return no
// errors: values are never inspected in the forward or backward pass.
//
// Training combines a [Layer] (usually a [Sequential]), the loss
// [SoftmaxCrossEntropy], an [Optimizer] ([SGD] or [Adam]) and a [Batcher]
// with [GatherRows]. An optimizer uses its constant LR field unless its
// Schedule field is set, in which case the t-th Step, counting from 0, uses
// Schedule.Rate(t).
package nets

import "gonum.org/v1/gonum/mat"

// Param is a trainable matrix and the gradient of the loss with respect to
// it, of the same shape.
type Param struct {
	Name  string
	Value *mat.Dense
	Grad  *mat.Dense
}

// Layer is one stage of a network.
type Layer interface {
	// Forward returns the output for the minibatch x and keeps what
	// Backward needs. The returned matrix belongs to the layer and is
	// valid until the next call of Forward.
	Forward(x *mat.Dense) *mat.Dense
	// Backward takes the gradient of the loss with respect to the output
	// of the last Forward, overwrites the gradients of the layer's
	// parameters, and returns the gradient with respect to its input. The
	// returned matrix belongs to the layer.
	Backward(dy *mat.Dense) *mat.Dense
	// Params returns the trainable parameters, in a fixed order.
	Params() []Param
}
