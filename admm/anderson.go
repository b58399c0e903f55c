package admm

import (
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// andersonReg is the Tikhonov term added to the diagonal of the m×m
// least-squares system, relative to its largest diagonal entry. It only
// keeps the Cholesky factorization defined when differences are nearly
// collinear; the value is a common choice, not tuned.
const andersonReg = 1e-10

// anderson is type-II Anderson acceleration with memory m of the ADMM
// iteration seen as a fixed-point map T on w = (z, u) (Walker and Ni 2011,
// "Anderson acceleration for fixed-point iterations", SIAM J. Numer. Anal.
// 49(4)). With g = T(w) and f = g − w, the next start is
//
//	w⁺ = g − ΔG γ,  γ = argmin_γ ‖f − ΔF γ‖,
//
// where the rows of ΔF and ΔG are the last m differences of f and g. The
// Gram matrix ΔF ΔFᵀ is updated one row at a time, so an extrapolation
// costs O(m·n) for vectors of length n.
type anderson struct {
	m, n     int
	k        int        // stored differences, at most m
	next     int        // ring slot of the next difference
	dF, dG   *mat.Dense // m×n, one difference per row
	gram     *mat.SymDense
	sys      *mat.SymDense // regularized gram, identity on unused slots
	rhs      *mat.VecDense // ΔF f
	gamma    *mat.VecDense
	f        []float64 // f of the current iteration
	fPrev    []float64
	gPrev    []float64
	havePrev bool
}

func newAnderson(m, n int) *anderson {
	return &anderson{
		m: m, n: n,
		dF:    mat.NewDense(m, n, nil),
		dG:    mat.NewDense(m, n, nil),
		gram:  mat.NewSymDense(m, nil),
		sys:   mat.NewSymDense(m, nil),
		rhs:   mat.NewVecDense(m, nil),
		gamma: mat.NewVecDense(m, nil),
		f:     make([]float64, n),
		fPrev: make([]float64, n),
		gPrev: make([]float64, n),
	}
}

// reset clears every stored difference.
func (a *anderson) reset() {
	a.k, a.next, a.havePrev = 0, 0, false
	a.gram.Zero()
}

// extrapolate records the pair w = (wz, wu), g = (gz, gu) and writes the
// accelerated start into (outZ, outU). It reports false, writing nothing,
// while fewer than one difference is stored or the system is singular.
// outZ and outU may alias wz and wu. All matrices must be contiguous, as
// the engine's own are.
func (a *anderson) extrapolate(outZ, outU, wz, wu, gz, gu *mat.Dense) bool {
	gzData, guData := gz.RawMatrix().Data, gu.RawMatrix().Data
	nz := len(gzData)

	// f = g − w, read before outZ and outU, which may alias w, are written.
	floats.SubTo(a.f[:nz], gz.RawMatrix().Data, wz.RawMatrix().Data)
	floats.SubTo(a.f[nz:], gu.RawMatrix().Data, wu.RawMatrix().Data)

	if a.havePrev {
		slot := a.next
		df := a.dF.RawRowView(slot)
		dg := a.dG.RawRowView(slot)
		floats.SubTo(df, a.f, a.fPrev)
		floats.SubTo(dg[:nz], gzData, a.gPrev[:nz])
		floats.SubTo(dg[nz:], guData, a.gPrev[nz:])
		a.k = min(a.k+1, a.m)
		for i := range a.k {
			a.gram.SetSym(slot, i, floats.Dot(df, a.dF.RawRowView(i)))
		}
		a.next = (a.next + 1) % a.m
	}
	copy(a.fPrev, a.f)
	copy(a.gPrev[:nz], gzData)
	copy(a.gPrev[nz:], guData)
	a.havePrev = true
	if a.k == 0 {
		return false
	}

	// Least squares by the regularized normal equations
	// (ΔF ΔFᵀ + δI) γ = ΔF f, with unused slots pinned to γ_i = 0.
	maxDiag := 0.0
	for i := range a.k {
		maxDiag = max(maxDiag, a.gram.At(i, i))
	}
	if maxDiag == 0 {
		return false
	}
	for i := range a.m {
		for j := i; j < a.m; j++ {
			v := 0.0
			switch {
			case i < a.k && j < a.k:
				v = a.gram.At(i, j)
			case i == j:
				v = 1
			}
			if i == j && i < a.k {
				v += andersonReg * maxDiag
			}
			a.sys.SetSym(i, j, v)
		}
		v := 0.0
		if i < a.k {
			v = floats.Dot(a.dF.RawRowView(i), a.f)
		}
		a.rhs.SetVec(i, v)
	}
	// LAPACK directly, because mat.Cholesky also estimates the condition
	// number with pooled work space and so allocates on every call.
	tri, ok := lapack64.Potrf(a.sys.RawSymmetric())
	if !ok {
		return false
	}
	a.gamma.CopyVec(a.rhs)
	g := a.gamma.RawVector()
	lapack64.Potrs(tri, blas64.General{Rows: a.m, Cols: 1, Stride: 1, Data: g.Data})

	// w⁺ = g − ΔG γ.
	outZData, outUData := outZ.RawMatrix().Data, outU.RawMatrix().Data
	copy(outZData, gzData)
	copy(outUData, guData)
	for i := range a.k {
		dg := a.dG.RawRowView(i)
		floats.AddScaled(outZData, -a.gamma.AtVec(i), dg[:nz])
		floats.AddScaled(outUData, -a.gamma.AtVec(i), dg[nz:])
	}
	return true
}
