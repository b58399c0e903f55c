package nets

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// SoftmaxCrossEntropy returns the mean over rows of −log softmax(z)_y, for
// the logits z in each row and its label y.
//
// Each term is logsumexp(z) − z_y with logsumexp(z) = m + log Σⱼ exp(zⱼ − m)
// and m = maxⱼ zⱼ, evaluated as log Σⱼ exp(zⱼ − m) − (z_y − m). The shift by
// m keeps every exponential in [0, 1], and no logarithm of an underflowed
// probability is taken. Subtracting m before adding the logarithm keeps a
// large m from absorbing it, so logits [1e8, 1e8] give ln 2 to full
// precision. If grad is not nil it is overwritten with the gradient
// of the mean loss with respect to the logits, (softmax(z) − onehot(y))/n.
//
// Special cases are:
//
//	a NaN or +Inf logit in a row gives a NaN loss and gradient row
//	a −Inf logit has probability 0, and the loss is +Inf if it is the label's
//	a row of −Inf logits gives a NaN loss
//
// SoftmaxCrossEntropy panics if logits is empty, if len(labels) is not the
// number of rows, if a label is outside [0, cols), or if grad is not nil
// and not of the same shape as logits. Labels are validated where data is
// loaded, so a bad label here is a programmer error.
func SoftmaxCrossEntropy(logits *mat.Dense, labels []int, grad *mat.Dense) float64 {
	n, c := checkLogits(logits, labels)
	if grad != nil {
		if r, k := grad.Dims(); r != n || k != c {
			panic(fmt.Sprintf("nets: gradient is %d×%d, want %d×%d like the logits", r, k, n, c))
		}
	}

	var sum float64
	for i := 0; i < n; i++ {
		z := logits.RawRowView(i)
		y := labels[i]

		// s = Σⱼ exp(zⱼ − m) with m = maxⱼ zⱼ, so 1 ≤ s ≤ cols.
		m := z[0]
		for _, v := range z[1:] {
			m = math.Max(m, v)
		}
		var s float64
		for _, v := range z {
			s += math.Exp(v - m)
		}

		// −log softmax(z)_y = log s − (z_y − m).
		sum += math.Log(s) - (z[y] - m)

		// ∂/∂zⱼ = (softmax(z)ⱼ − [j = y])/n with softmax(z)ⱼ = exp(zⱼ − m)/s.
		if grad != nil {
			g := grad.RawRowView(i)
			for j, v := range z {
				g[j] = math.Exp(v-m) / s / float64(n)
			}
			g[y] -= 1 / float64(n)
		}
	}
	return sum / float64(n)
}

// Accuracy returns the fraction of rows whose largest logit is at the
// label's index. A tie goes to the lowest index, and a NaN logit is never
// the largest unless it is in column 0. Accuracy panics under the same
// conditions as [SoftmaxCrossEntropy].
func Accuracy(logits *mat.Dense, labels []int) float64 {
	n, _ := checkLogits(logits, labels)

	var correct int
	for i := 0; i < n; i++ {
		z := logits.RawRowView(i)
		best := 0
		for j, v := range z {
			if v > z[best] {
				best = j
			}
		}
		if best == labels[i] {
			correct++
		}
	}
	return float64(correct) / float64(n)
}

// checkLogits panics unless logits is non-empty, has one row per label and
// every label is a column index. It returns the dimensions of logits.
func checkLogits(logits *mat.Dense, labels []int) (n, c int) {
	if logits.IsEmpty() {
		panic("nets: empty logits")
	}
	n, c = logits.Dims()
	if len(labels) != n {
		panic(fmt.Sprintf("nets: %d labels for %d rows of logits", len(labels), n))
	}
	for i, y := range labels {
		if y < 0 || y >= c {
			panic(fmt.Sprintf("nets: label %d of row %d is outside [0, %d)", y, i, c))
		}
	}
	return n, c
}
