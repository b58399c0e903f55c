package nets

import (
	"fmt"
	"math"
)

// Optimizer updates parameters from their gradients.
type Optimizer interface {
	// Step updates every Value in place from its Grad. An optimizer keeps
	// its state (momentum, moment estimates) per parameter in the order of
	// params, so every call must pass the same parameters in the same
	// order, with the same shapes. Step panics if they change.
	Step(params []Param)
}

// Checkpointer is an optimizer whose state can be saved and restored, so a
// resumed run continues exactly where the saved one stopped.
type Checkpointer interface {
	Optimizer
	// State returns the number of steps taken and copies of the moment
	// buffers, each a parameter's values in row-major order. Before the
	// first step it returns 0 and nil.
	State() (step int, moments [][]float64)
	// Restore replaces the state with a copy of one returned by State. It
	// returns an error if the buffers do not fit params.
	Restore(params []Param, step int, moments [][]float64) error
}

// SGD is stochastic gradient descent with classical or Nesterov momentum
// (Sutskever, Martens, Dahl and Hinton 2013, "On the importance of
// initialization and momentum in deep learning", eqs. 1–4).
//
// With learning rate η, momentum μ and gradient g, classical momentum is
//
//	v ← μv − ηg(W)
//	W ← W + v
//
// Nesterov momentum evaluates the gradient at the look-ahead point W + μv:
//
//	v ← μv − ηg(W + μv)
//	W ← W + v
//
// SGD stores the look-ahead point Θ = W + μv in the parameter instead of W,
// so that the gradient a caller computes at the stored value is the one
// the method needs. In Θ the same iteration reads
//
//	v ← μv − ηg(Θ)
//	Θ ← Θ + μv − ηg(Θ)
//
// with the new v. Momentum 0 gives plain gradient descent in both forms.
type SGD struct {
	// LR is the learning rate η, used when Schedule is nil.
	LR float64
	// Schedule, when not nil, sets the learning rate of the t-th call of
	// Step to Schedule.Rate(t), counting from t = 0, and LR is ignored.
	Schedule Schedule
	// Momentum is μ, in [0, 1).
	Momentum float64
	// Nesterov selects Nesterov momentum over classical momentum.
	Nesterov bool

	step int
	// v holds the velocity of each parameter in row-major order.
	v [][]float64
}

// NewSGD returns SGD with a constant learning rate.
func NewSGD(lr, momentum float64, nesterov bool) *SGD {
	return &SGD{LR: lr, Momentum: momentum, Nesterov: nesterov}
}

// Validate returns an error if the learning rate, the momentum or the
// schedule is out of range.
func (o *SGD) Validate() error {
	if err := validateRate("SGD", o.LR, o.Schedule); err != nil {
		return err
	}
	if !(o.Momentum >= 0 && o.Momentum < 1) {
		return fmt.Errorf("nets: SGD momentum %v is outside [0, 1); use 0 for none or a value such as 0.9", o.Momentum)
	}
	return nil
}

// Step applies one update to every parameter. It panics if the parameters
// differ in number or shape from those of the first step, or if a Grad
// does not have the shape of its Value.
func (o *SGD) Step(params []Param) {
	if o.v == nil {
		o.v = zeroBuffers(params)
	}
	checkParams("SGD", params, o.v)
	eta := rateAt(o.LR, o.Schedule, o.step)
	mu := o.Momentum

	for k, p := range params {
		r, c := p.Value.Dims()
		v := o.v[k]
		for i := 0; i < r; i++ {
			w := p.Value.RawRowView(i)
			g := p.Grad.RawRowView(i)
			vi := v[i*c : (i+1)*c]
			for j := range w {
				// v ← μv − ηg.
				vi[j] = mu*vi[j] - eta*g[j]

				// W ← W + v, or Θ ← Θ + μv − ηg for Nesterov.
				if o.Nesterov {
					w[j] += mu*vi[j] - eta*g[j]
				} else {
					w[j] += vi[j]
				}
			}
		}
	}
	o.step++
}

// Reset clears the step count and the velocities, for a new run.
func (o *SGD) Reset() {
	o.step = 0
	o.v = nil
}

// State returns the step count and a copy of the velocity of each
// parameter.
func (o *SGD) State() (step int, moments [][]float64) {
	return o.step, copyBuffers(o.v)
}

// Restore sets the step count and the velocities, which must hold one
// buffer per parameter of params, as returned by [SGD.State].
func (o *SGD) Restore(params []Param, step int, moments [][]float64) error {
	if err := checkRestore("SGD", params, step, moments, 1); err != nil {
		return err
	}
	o.step = step
	o.v = copyBuffers(moments)
	return nil
}

// Adam is the method of Kingma and Ba 2015, "Adam: A method for stochastic
// optimization", Algorithm 1. At step t = 1, 2, … with gradient g:
//
//	m ← β₁m + (1 − β₁)g
//	v ← β₂v + (1 − β₂)g²
//	m̂ = m/(1 − β₁ᵗ),  v̂ = v/(1 − β₂ᵗ)
//	W ← W − α m̂/(√v̂ + ε)
//
// with all operations element-wise. The bias corrections m̂ and v̂ undo the
// pull of the zero initial moments toward zero.
type Adam struct {
	// LR is the step size α, used when Schedule is nil.
	LR float64
	// Schedule, when not nil, sets the step size of the t-th call of Step
	// to Schedule.Rate(t), counting from t = 0, and LR is ignored.
	Schedule Schedule
	// Beta1 and Beta2 are the decay rates β₁ and β₂ of the moment
	// estimates, in [0, 1).
	Beta1, Beta2 float64
	// Eps is ε, which keeps the update finite where v̂ is zero.
	Eps float64

	step int
	// m and v hold the first and second moment estimates of each
	// parameter in row-major order.
	m, v [][]float64
}

// NewAdam returns Adam with step size lr and the defaults of Kingma and Ba
// 2015: β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
func NewAdam(lr float64) *Adam {
	return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// Validate returns an error if the step size, a decay rate, ε or the
// schedule is out of range.
func (o *Adam) Validate() error {
	if err := validateRate("Adam", o.LR, o.Schedule); err != nil {
		return err
	}
	if !(o.Beta1 >= 0 && o.Beta1 < 1) {
		return fmt.Errorf("nets: Adam Beta1 %v is outside [0, 1); the usual value is 0.9", o.Beta1)
	}
	if !(o.Beta2 >= 0 && o.Beta2 < 1) {
		return fmt.Errorf("nets: Adam Beta2 %v is outside [0, 1); the usual value is 0.999", o.Beta2)
	}
	if !(o.Eps > 0 && !math.IsInf(o.Eps, 1)) {
		return fmt.Errorf("nets: Adam Eps %v is not positive and finite; the usual value is 1e-8", o.Eps)
	}
	return nil
}

// Step applies one update to every parameter. It panics if the parameters
// differ in number or shape from those of the first step, or if a Grad
// does not have the shape of its Value.
func (o *Adam) Step(params []Param) {
	if o.m == nil {
		o.m = zeroBuffers(params)
		o.v = zeroBuffers(params)
	}
	checkParams("Adam", params, o.m)
	alpha := rateAt(o.LR, o.Schedule, o.step)
	o.step++
	b1, b2 := o.Beta1, o.Beta2
	c1 := 1 - math.Pow(b1, float64(o.step))
	c2 := 1 - math.Pow(b2, float64(o.step))

	for k, p := range params {
		r, c := p.Value.Dims()
		for i := 0; i < r; i++ {
			w := p.Value.RawRowView(i)
			g := p.Grad.RawRowView(i)
			m := o.m[k][i*c : (i+1)*c]
			v := o.v[k][i*c : (i+1)*c]
			for j := range w {
				m[j] = b1*m[j] + (1-b1)*g[j]
				v[j] = b2*v[j] + (1-b2)*g[j]*g[j]
				w[j] -= alpha * (m[j] / c1) / (math.Sqrt(v[j]/c2) + o.Eps)
			}
		}
	}
}

// Reset clears the step count and the moment estimates, for a new run.
func (o *Adam) Reset() {
	o.step = 0
	o.m, o.v = nil, nil
}

// State returns the step count and copies of the moment estimates: the
// first moments of all parameters in order, then the second moments.
func (o *Adam) State() (step int, moments [][]float64) {
	if o.m == nil {
		return o.step, nil
	}
	return o.step, append(copyBuffers(o.m), copyBuffers(o.v)...)
}

// Restore sets the step count and the moment estimates, laid out as
// [Adam.State] returns them.
func (o *Adam) Restore(params []Param, step int, moments [][]float64) error {
	if err := checkRestore("Adam", params, step, moments, 2); err != nil {
		return err
	}
	o.step = step
	if moments == nil {
		o.m, o.v = nil, nil
		return nil
	}
	o.m = copyBuffers(moments[:len(params)])
	o.v = copyBuffers(moments[len(params):])
	return nil
}

// rateAt returns the learning rate of step t: schedule.Rate(t), or lr when
// schedule is nil.
func rateAt(lr float64, schedule Schedule, t int) float64 {
	if schedule != nil {
		return schedule.Rate(t)
	}
	return lr
}

// validateRate checks the learning rate of the optimizer name, or its
// schedule when there is one.
func validateRate(name string, lr float64, schedule Schedule) error {
	if schedule != nil {
		if v, ok := schedule.(interface{ Validate() error }); ok {
			return v.Validate()
		}
		return nil
	}
	if !(lr > 0 && !math.IsInf(lr, 1)) {
		return fmt.Errorf("nets: %s learning rate %v is not positive and finite; set LR or a Schedule", name, lr)
	}
	return nil
}

// zeroBuffers returns one zero buffer per parameter, of its size.
func zeroBuffers(params []Param) [][]float64 {
	bufs := make([][]float64, len(params))
	for k, p := range params {
		r, c := p.Value.Dims()
		bufs[k] = make([]float64, r*c)
	}
	return bufs
}

func copyBuffers(bufs [][]float64) [][]float64 {
	if bufs == nil {
		return nil
	}
	out := make([][]float64, len(bufs))
	for k, b := range bufs {
		out[k] = append([]float64(nil), b...)
	}
	return out
}

// checkParams panics unless params has one parameter per buffer, each of
// the buffer's size, with a gradient of the value's shape.
func checkParams(name string, params []Param, bufs [][]float64) {
	if len(params) != len(bufs) {
		panic(fmt.Sprintf("nets: %s got %d parameters, want %d as in its first step", name, len(params), len(bufs)))
	}
	for k, p := range params {
		r, c := p.Value.Dims()
		if r*c != len(bufs[k]) {
			panic(fmt.Sprintf("nets: %s parameter %d (%s) has %d elements, want %d as in its first step", name, k, p.Name, r*c, len(bufs[k])))
		}
		if gr, gc := p.Grad.Dims(); gr != r || gc != c {
			panic(fmt.Sprintf("nets: %s parameter %d (%s) is %d×%d but its gradient is %d×%d", name, k, p.Name, r, c, gr, gc))
		}
	}
}

// checkRestore returns an error unless moments holds perParam buffers for
// each parameter (all of the first kind, then all of the second), each of
// the parameter's size, or is nil with step 0.
func checkRestore(name string, params []Param, step int, moments [][]float64, perParam int) error {
	if step < 0 {
		return fmt.Errorf("nets: %s checkpoint step %d is negative; restore a state returned by State", name, step)
	}
	if moments == nil {
		if step != 0 {
			return fmt.Errorf("nets: %s checkpoint has step %d but no moment buffers; restore a state returned by State", name, step)
		}
		return nil
	}
	if len(moments) != perParam*len(params) {
		return fmt.Errorf("nets: %s checkpoint has %d moment buffers, want %d for %d parameters; restore with the network it was saved from", name, len(moments), perParam*len(params), len(params))
	}
	for k, b := range moments {
		p := params[k%len(params)]
		r, c := p.Value.Dims()
		if len(b) != r*c {
			return fmt.Errorf("nets: %s checkpoint buffer %d has %d values, want %d for parameter %s; restore with the network it was saved from", name, k, len(b), r*c, p.Name)
		}
	}
	return nil
}
