package admm

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Operator is a linear map A from the space of one variable (matrices of
// one shape) to the space of the constraint (matrices of the shape of c).
// Apply and ApplyT write into a dst of the right shape and must not retain
// their arguments.
type Operator interface {
	Apply(dst, x *mat.Dense)  // dst = A(x)
	ApplyT(dst, y *mat.Dense) // dst = Aᵀ(y), the adjoint
}

// Identity is the identity operator.
type Identity struct{}

// Apply copies x into dst.
func (Identity) Apply(dst, x *mat.Dense) { dst.Copy(x) }

// ApplyT copies y into dst.
func (Identity) ApplyT(dst, y *mat.Dense) { dst.Copy(y) }

// ScaledIdentity is the operator x ↦ S·x. S = −1 is the B of the
// consensus constraint x − z = 0.
type ScaledIdentity struct{ S float64 }

// Apply sets dst = S·x.
func (o ScaledIdentity) Apply(dst, x *mat.Dense) { dst.Scale(o.S, x) }

// ApplyT sets dst = S·y.
func (o ScaledIdentity) ApplyT(dst, y *mat.Dense) { dst.Scale(o.S, y) }

// LeftMul is the operator x ↦ M·x for a matrix M with as many columns as x
// has rows.
type LeftMul struct{ M *mat.Dense }

// Apply sets dst = M·x. It panics if the shapes do not match.
func (o LeftMul) Apply(dst, x *mat.Dense) {
	mr, mc := o.M.Dims()
	xr, xc := x.Dims()
	dr, dc := dst.Dims()
	if mc != xr || dr != mr || dc != xc {
		panic(fmt.Sprintf("admm: LeftMul.Apply: M is %d×%d, x is %d×%d, dst is %d×%d", mr, mc, xr, xc, dr, dc))
	}
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, o.M.RawMatrix(), x.RawMatrix(), 0, dst.RawMatrix())
}

// ApplyT sets dst = Mᵀ·y. It panics if the shapes do not match.
func (o LeftMul) ApplyT(dst, y *mat.Dense) {
	mr, mc := o.M.Dims()
	yr, yc := y.Dims()
	dr, dc := dst.Dims()
	if mr != yr || dr != mc || dc != yc {
		panic(fmt.Sprintf("admm: LeftMul.ApplyT: M is %d×%d, y is %d×%d, dst is %d×%d", mr, mc, yr, yc, dr, dc))
	}
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, o.M.RawMatrix(), y.RawMatrix(), 0, dst.RawMatrix())
}

// LinearBlock is one function of the general form Ax + Bz = c, reached
// through the subproblem that the general form needs in place of a plain
// proximal operator.
type LinearBlock interface {
	// ProxLinear overwrites dst with a minimizer, exact or approximate, of
	//
	//	h(x) + (ρ/2)‖op(x) − v‖²_F
	//
	// where h is the block's function and op is the block's operator in
	// the constraint (A for the x-block, B for the z-block). The solver
	// passes v = c − Bz − u for the x-step and v = c − Ax̄ − u for the
	// z-step. The contract on dst and v is that of [Block.Prox].
	ProxLinear(ctx context.Context, dst, v *mat.Dense, op Operator, rho float64) error
}

// Linear adapts a [Block] to a [LinearBlock] whose operator is [Identity]
// or a [ScaledIdentity] with S ≠ 0. For op = s·I the subproblem is a
// proximal step with penalty ρs² at v/s, because (ρ/2)‖sx − v‖² =
// (ρs²/2)‖x − v/s‖². ProxLinear panics for any other operator and for
// S = 0. The adapter keeps work space, so it must not be shared between
// runs that execute at the same time.
func Linear(b Block) LinearBlock {
	if b == nil {
		panic("admm: Linear of a nil block")
	}
	return &scaledProx{block: b}
}

type scaledProx struct {
	block Block
	v     *mat.Dense // v/s
}

func (p *scaledProx) ProxLinear(ctx context.Context, dst, v *mat.Dense, op Operator, rho float64) error {
	switch op := op.(type) {
	case Identity:
		return p.block.Prox(ctx, dst, v, rho)
	case ScaledIdentity:
		if op.S == 0 {
			panic("admm: Linear block with the zero operator")
		}
		r, c := v.Dims()
		if p.v == nil {
			p.v = mat.NewDense(r, c, nil)
		} else if pr, pc := p.v.Dims(); pr != r || pc != c {
			p.v = mat.NewDense(r, c, nil)
		}
		p.v.Scale(1/op.S, v)
		return p.block.Prox(ctx, dst, p.v, rho*op.S*op.S)
	}
	panic(fmt.Sprintf("admm: Linear block needs an Identity or ScaledIdentity operator, not %T", op))
}

// GeneralProblem is the two-block problem of Boyd et al. (2011, §3.1)
//
//	minimize f(x) + g(z)  subject to  Ax + Bz = c.
//
// The consensus problem of [Solve] is A = I, B = −I, c = 0.
type GeneralProblem struct {
	F, G LinearBlock // the x-block, solved first, and the z-block
	A, B Operator
	C    *mat.Dense // c; it fixes the shape of the constraint and of u
}

// SolveGeneral runs ADMM on the general form p from start. Iteration,
// residuals and tolerances follow Boyd et al. (2011, §3.1.1 and eq. 3.12):
//
//	x⁺ = argmin f(x) + (ρ/2)‖Ax + Bz − c + u‖²
//	Ax̄ = αAx⁺ − (1−α)(Bz − c)
//	z⁺ = argmin g(z) + (ρ/2)‖Ax̄ + Bz − c + u‖²
//	u⁺ = u + Ax̄ + Bz⁺ − c
//	r = Ax⁺ + Bz⁺ − c,  s = ρAᵀB(z⁺ − z)
//	ε_pri = √p ε_abs + ε_rel max(‖Ax⁺‖, ‖Bz⁺‖, ‖c‖),  ε_dual = √n ε_abs + ε_rel ‖ρAᵀu⁺‖
//
// with p the size of c and n the size of x. Everything else, settings,
// statuses and errors, is as in [Solve].
//
// Special cases:
//   - A nil block, operator, p.C, start.X or start.Z: SolveGeneral panics,
//     because X and Z fix the shapes of the variables.
//   - start.U of another shape than p.C: SolveGeneral panics. Operators
//     that do not map X and Z to the shape of C panic at their first use.
func SolveGeneral(ctx context.Context, p GeneralProblem, start Start, settings *Settings) (*Result, error) {
	if p.F == nil || p.G == nil {
		panic("admm: nil block")
	}
	if p.A == nil || p.B == nil {
		panic("admm: nil operator")
	}
	if p.C == nil {
		panic("admm: nil GeneralProblem.C")
	}
	if start.X == nil || start.Z == nil {
		panic("admm: nil start.X or start.Z in SolveGeneral")
	}
	if start.U != nil {
		r, c := p.C.Dims()
		if ur, uc := start.U.Dims(); ur != r || uc != c {
			panic(fmt.Sprintf("admm: start.U is %d×%d, C is %d×%d", ur, uc, r, c))
		}
	}
	return solve(ctx, &p, start, settings)
}
