package constraints

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// SpectralBall is the set of matrices with spectral norm ‖W‖₂ ≤ Radius,
// that is with every singular value at most Radius.
//
// Maximizing tr(WᵀΣW) over it gives the same top-k eigenspace as
// [Stiefel], reached at Radius times a Stiefel maximizer, with value
// Radius²·(λ₁ + … + λ_k). The ball is the convex hull of Radius times the
// Stiefel set, and the objective is convex in W, so its maximum over the
// ball is attained on that scaled Stiefel set.
//
// The zero value is the ball of radius 0, the set {0}. Use
// [NewSpectralBall] to build a ball from a configuration value.
type SpectralBall struct {
	Radius float64 // c ≥ 0; +Inf means the whole space
}

// NewSpectralBall returns the spectral ball of radius c. It returns an
// error unless c is finite and greater than 0.
func NewSpectralBall(c float64) (SpectralBall, error) {
	if err := checkRadius("spectral ball", c); err != nil {
		return SpectralBall{}, err
	}
	return SpectralBall{Radius: c}, nil
}

// Project sets dst to U·min(S, c)·Vᵀ for w = USVᵀ, clipping every singular
// value at the radius c. This is the nearest point in the Frobenius norm,
// because the norm is unitarily invariant and the ball only constrains the
// singular values. Project copies w unchanged when ‖w‖₂ ≤ c, and it
// accepts any shape, including d < k. If the SVD fails to converge,
// Project sets dst to NaN. Project panics if the radius is negative or
// NaN.
func (b SpectralBall) Project(dst, w *mat.Dense) {
	panicIfBadRadius("spectral ball", "NewSpectralBall", b.Radius)
	if !prepare(dst, w) {
		return
	}

	var svd mat.SVD
	if !svd.Factorize(w, mat.SVDThin) {
		fillNaN(dst)
		return
	}
	s := svd.Values(nil)
	if s[0] <= b.Radius {
		dst.Copy(w)
		return
	}

	// dst = U·diag(min(sᵢ, c))·Vᵀ, with the diagonal folded into U's columns.
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	for j, sj := range s {
		col := u.ColView(j).(*mat.VecDense)
		col.ScaleVec(math.Min(sj, b.Radius), col)
	}
	dst.Mul(&u, v.T())
}

// Violation returns max(0, σ_max(w) − c), how far the largest singular
// value exceeds the radius. This is not the Frobenius distance to the ball
// when several singular values exceed c, which is √Σᵢ max(0, σᵢ − c)².
// Violation returns NaN if the SVD fails to converge.
func (b SpectralBall) Violation(w *mat.Dense) float64 {
	if v := nonFinite(w); v != 0 {
		return v
	}
	var svd mat.SVD
	if !svd.Factorize(w, mat.SVDNone) {
		return math.NaN()
	}
	return math.Max(0, svd.Values(nil)[0]-b.Radius)
}

// Contains reports whether σ_max(w) ≤ c + tol.
func (b SpectralBall) Contains(w *mat.Dense, tol float64) bool { return b.Violation(w) <= tol }

func (SpectralBall) String() string { return "spectral" }

// FrobeniusBall is the set of matrices with Frobenius norm ‖W‖_F ≤ Radius.
//
// Maximizing tr(WᵀΣW) over it does not recover a k-dimensional PCA. The
// maximizers are the rank-one matrices Radius·q₁aᵀ with ‖a‖ = 1, all mass
// on the top eigenvector, and the value is Radius²·λ₁.
//
// The zero value is the ball of radius 0, the set {0}. Use
// [NewFrobeniusBall] to build a ball from a configuration value.
type FrobeniusBall struct {
	Radius float64 // c ≥ 0; +Inf means the whole space
}

// NewFrobeniusBall returns the Frobenius ball of radius c. It returns an
// error unless c is finite and greater than 0.
func NewFrobeniusBall(c float64) (FrobeniusBall, error) {
	if err := checkRadius("Frobenius ball", c); err != nil {
		return FrobeniusBall{}, err
	}
	return FrobeniusBall{Radius: c}, nil
}

// Project sets dst to w·min(1, c/‖w‖_F). Project copies w unchanged when
// ‖w‖_F ≤ c and accepts any shape. It panics if the radius is negative or
// NaN.
func (b FrobeniusBall) Project(dst, w *mat.Dense) {
	panicIfBadRadius("Frobenius ball", "NewFrobeniusBall", b.Radius)
	if !prepare(dst, w) {
		return
	}

	// mat.Norm with order 2 is the Frobenius norm of a matrix, computed
	// with scaling (LAPACK dlange), so it does not overflow for large
	// finite elements.
	n := mat.Norm(w, 2)
	if n <= b.Radius {
		dst.Copy(w)
		return
	}
	dst.Scale(b.Radius/n, w)
}

// Violation returns max(0, ‖w‖_F − c), the Frobenius distance to the ball.
func (b FrobeniusBall) Violation(w *mat.Dense) float64 {
	if v := nonFinite(w); v != 0 {
		return v
	}
	return math.Max(0, mat.Norm(w, 2)-b.Radius)
}

// Contains reports whether ‖w‖_F ≤ c + tol.
func (b FrobeniusBall) Contains(w *mat.Dense, tol float64) bool { return b.Violation(w) <= tol }

func (FrobeniusBall) String() string { return "frobenius" }
