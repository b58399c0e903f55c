package admm_test

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/admm-go/admm/admm"
)

// leastSquares is f(x) = ½‖Dx − b‖². Its proximal operator solves
// (DᵀD + ρI)x = Dᵀb + ρv.
type leastSquares struct{ d, b *mat.Dense }

func (l leastSquares) Prox(_ context.Context, dst, v *mat.Dense, rho float64) error {
	_, n := l.d.Dims()
	sys := mat.NewSymDense(n, nil)
	sys.SymOuterK(1, l.d.T())
	for i := range n {
		sys.SetSym(i, i, sys.At(i, i)+rho)
	}
	var rhs mat.Dense
	rhs.Mul(l.d.T(), l.b)
	var pv mat.Dense
	pv.Scale(rho, v)
	rhs.Add(&rhs, &pv)
	var chol mat.Cholesky
	if !chol.Factorize(sys) {
		return fmt.Errorf("leastSquares: DᵀD + ρI is not positive definite")
	}
	return chol.SolveTo(dst, &rhs)
}

// softThreshold is g(z) = λ‖z‖₁, whose proximal operator shrinks every
// entry towards zero by λ/ρ.
type softThreshold struct{ lambda float64 }

func (s softThreshold) Prox(_ context.Context, dst, v *mat.Dense, rho float64) error {
	t := s.lambda / rho
	dst.Apply(func(_, _ int, x float64) float64 {
		return math.Copysign(math.Max(math.Abs(x)-t, 0), x)
	}, v)
	return nil
}

// ExampleSolve_lasso solves the lasso, minimize ½‖Dx − b‖² + λ‖x‖₁, split
// into a least-squares x-block and an l1 z-block.
func ExampleSolve_lasso() {
	d := mat.NewDense(4, 3, []float64{
		1, 0, 0.5,
		0, 1, 0,
		1, 1, 1,
		0, 0.5, 1,
	})
	b := mat.NewDense(4, 1, []float64{1, 0.1, 1.2, 0.2})
	p := admm.Problem{F: leastSquares{d: d, b: b}, G: softThreshold{lambda: 0.5}}

	settings := &admm.Settings{AbsTol: 1e-10, RelTol: 1e-10, Penalty: &admm.Spectral{}}
	res, err := admm.Solve(context.Background(), p, admm.Start{Z: mat.NewDense(3, 1, nil)}, settings)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Status)
	fmt.Printf("z = [%.4f %.4f %.4f]\n", res.Z.At(0, 0), res.Z.At(1, 0), res.Z.At(2, 0))
	// Output:
	// converged
	// z = [0.7667 0.0000 0.1111]
}

// nearest is f(x) = ½‖x − a‖², the distance to a point a.
type nearest struct{ a *mat.Dense }

func (n nearest) Prox(_ context.Context, dst, v *mat.Dense, rho float64) error {
	// (a + ρv)/(1 + ρ)
	dst.Scale(rho, v)
	dst.Add(dst, n.a)
	dst.Scale(1/(1+rho), dst)
	return nil
}

// nonnegative is the indicator of {z ≥ 0}; its proximal operator is the
// projection, whatever ρ.
type nonnegative struct{}

func (nonnegative) Prox(_ context.Context, dst, v *mat.Dense, _ float64) error {
	dst.Apply(func(_, _ int, x float64) float64 { return math.Max(x, 0) }, v)
	return nil
}

// ExampleSolve shows a user-defined two-block problem: the nearest
// nonnegative matrix to a, whose solution is max(a, 0) entrywise.
func ExampleSolve() {
	a := mat.NewDense(2, 2, []float64{1.5, -2, -0.25, 3})
	p := admm.Problem{F: nearest{a: a}, G: nonnegative{}}
	res, err := admm.Solve(context.Background(), p, admm.Start{Z: mat.NewDense(2, 2, nil)}, &admm.Settings{AbsTol: 1e-9, RelTol: 1e-9})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Status)
	fmt.Printf("%.4f\n", mat.Formatted(res.Z))
	// Output:
	// converged
	// ⎡1.5000  0.0000⎤
	// ⎣0.0000  3.0000⎦
}
