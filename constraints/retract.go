package constraints

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// RetractQR sets dst to the Q factor of the thin QR factorization
// W + ξ = QR, with the signs of Q's columns chosen so that diag(R) > 0,
// which makes the factor unique when W + ξ has full column rank. A zero
// diagonal element of R, where W + ξ is rank deficient, keeps the sign
// that the Householder QR gives. The result has orthonormal columns whether
// or not W is on the Stiefel set.
func RetractQR(dst, w, xi *mat.Dense) {
	if !prepareStep(dst, w, xi) {
		return
	}
	d, k := w.Dims()

	// LAPACK dgeqrf and dorgqr through lapack64 rather than mat.QR, which
	// forms the full d×d Q in O(d²k) work where the thin Q needs O(dk²).
	// After dgeqrf the upper triangle of a holds R, and dorgqr then
	// overwrites a with the first k columns of Q.
	a := mat.NewDense(d, k, nil)
	a.Add(w, xi)
	raw := a.RawMatrix()
	tau := make([]float64, k)
	work := []float64{0}
	lapack64.Geqrf(raw, tau, work, -1)
	work = make([]float64, int(work[0]))
	lapack64.Geqrf(raw, tau, work, len(work))
	negative := make([]bool, k)
	for j := range negative {
		negative[j] = raw.Data[j*raw.Stride+j] < 0
	}
	lapack64.Orgqr(raw, tau, work, -1)
	if n := int(work[0]); n > len(work) {
		work = make([]float64, n)
	}
	lapack64.Orgqr(raw, tau, work, len(work))

	// Flip column j of Q with row j of R where R_jj < 0: QR = (QD)(DR)
	// for D = diag(±1).
	for j, flip := range negative {
		if flip {
			col := a.ColView(j).(*mat.VecDense)
			col.ScaleVec(-1, col)
		}
	}
	dst.Copy(a)
}

// RetractPolar sets dst to the polar factor of W + ξ, its projection onto
// the Stiefel set (see [Stiefel.Project]). The result has orthonormal
// columns whether or not W is on the Stiefel set.
func RetractPolar(dst, w, xi *mat.Dense) {
	if !prepareStep(dst, w, xi) {
		return
	}
	var sum mat.Dense
	sum.Add(w, xi)
	Stiefel{}.Project(dst, &sum)
}

// RetractCayley sets dst to the Cayley transform
//
//	Y = (I − ½A)⁻¹(I + ½A)W,   A = PξWᵀ − WξᵀP,   P = I − ½WWᵀ,
//
// the update that keeps orthonormal columns in Wen and Yin 2013, "A
// feasible method for optimization with orthogonality constraints"
// (Mathematical Programming 142, 397–434), written here for a step ξ
// instead of a gradient. This A is skew-symmetric and, when WᵀW = I,
// satisfies AW = ξ − W·sym(Wᵀξ), so Y agrees with W + ξ to first order for
// a tangent ξ, and with W + TangentProject(W, ξ) for any ξ.
//
// A = UVᵀ with U = [Pξ, W] and V = [W, −Pξ], both d×2k, so by the
// Sherman-Morrison-Woodbury formula
//
//	Y = W + U(I − ½VᵀU)⁻¹VᵀW,
//
// which costs O(dk²) and a 2k×2k solve instead of a d×d one. A is skew for
// any W, so I − ½A has eigenvalues 1 + iθ/2 and is invertible, and so is
// I − ½VᵀU, whose eigenvalues other than 1 are those of I − ½A. The
// Cayley factor (I − ½A)⁻¹(I + ½A) is orthogonal, so YᵀY = WᵀW and Y has
// orthonormal columns only if w does: w must be on the Stiefel set. If
// the solve still reports an exactly singular system, dst is set to NaN.
func RetractCayley(dst, w, xi *mat.Dense) {
	if !prepareStep(dst, w, xi) {
		return
	}
	d, k := w.Dims()

	// Pξ = ξ − ½W(Wᵀξ).
	var wtxi, half, pxi mat.Dense
	wtxi.Mul(w.T(), xi)
	half.Mul(w, &wtxi)
	half.Scale(0.5, &half)
	pxi.Sub(xi, &half)

	// U = [Pξ, W], V = [W, −Pξ].
	u := mat.NewDense(d, 2*k, nil)
	v := mat.NewDense(d, 2*k, nil)
	u.Slice(0, d, 0, k).(*mat.Dense).Copy(&pxi)
	u.Slice(0, d, k, 2*k).(*mat.Dense).Copy(w)
	v.Slice(0, d, 0, k).(*mat.Dense).Copy(w)
	vRight := v.Slice(0, d, k, 2*k).(*mat.Dense)
	vRight.Scale(-1, &pxi)

	// Solve (I − ½VᵀU)Z = VᵀW.
	var m, rhs, z mat.Dense
	m.Mul(v.T(), u)
	m.Scale(-0.5, &m)
	for i := 0; i < 2*k; i++ {
		m.Set(i, i, m.At(i, i)+1)
	}
	rhs.Mul(v.T(), w)
	if err := z.Solve(&m, &rhs); err != nil {
		// mat.Solve returns a Condition error, with the solution, when the
		// system is ill conditioned, and no solution when it is singular.
		var cond mat.Condition
		if !errors.As(err, &cond) || math.IsInf(float64(cond), 1) {
			fillNaN(dst)
			return
		}
	}

	// Y = W + UZ.
	var uz mat.Dense
	uz.Mul(u, &z)
	dst.Add(w, &uz)
}

// TangentProject sets dst to g − W·sym(Wᵀg), sym(M) = (M + Mᵀ)/2, the
// orthogonal projection of g onto the tangent space of the Stiefel set at
// W in the Euclidean metric. Applied to a Euclidean gradient it gives the
// Riemannian gradient. The formula is a projection only when WᵀW = I. dst
// may be w or g. TangentProject panics if w and g differ in shape or have
// more columns than rows.
func TangentProject(dst, w, g *mat.Dense) {
	if !prepareStep(dst, w, g) {
		return
	}

	// sym(Wᵀg), then W·sym(Wᵀg).
	var wtg, sym, wsym mat.Dense
	wtg.Mul(w.T(), g)
	sym.Add(&wtg, wtg.T())
	sym.Scale(0.5, &sym)
	wsym.Mul(w, &sym)

	dst.Sub(g, &wsym)
}

// prepareStep checks the operands of a retraction and sizes dst to match
// w. It returns false, with dst filled with NaN, if w or xi contains NaN or
// ±Inf.
func prepareStep(dst, w, xi *mat.Dense) (finite bool) {
	if w == nil || xi == nil {
		panic("constraints: nil matrix")
	}
	d, k := w.Dims()
	if r, c := xi.Dims(); r != d || c != k {
		panic(fmt.Sprintf("constraints: direction is %d×%d, want %d×%d like w", r, c, d, k))
	}
	if k > d {
		panic(fmt.Sprintf("constraints: Stiefel retraction of a %d×%d matrix needs rows ≥ columns", d, k))
	}
	if !prepare(dst, w) {
		return false
	}
	if nonFinite(xi) != 0 {
		fillNaN(dst)
		return false
	}
	return true
}
