// Package metrics measures how well a reduction matrix W (d×k) captures the
// principal subspace of a covariance Σ.
//
// Notation: Σ = QΛQᵀ with eigenvalues λ₁ ≥ … ≥ λ_d, P_k the orthogonal
// projector onto the span of the top-k eigenvectors, and P_W the projector
// onto range(W). The measures are
//
//	pca_objective  tr(WᵀΣW)
//	evr            tr(Q_WᵀΣQ_W) / (λ₁ + … + λ_k), Q_W an orthonormal basis of range(W)
//	subspace_dist  ‖sin Θ‖_F = ‖P_W − P_k‖_F / √2, Θ the principal angles
//
// Functions panic on programmer errors (shapes that do not match the
// reference) and never on values: a rank-deficient W or a zero-variance
// direction gives finite numbers.
package metrics

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// rankTol is the relative singular-value cutoff that decides the rank of W:
// singular values below rankTol·σ_max count as zero. A backward-stable SVD
// of a d×k matrix errs by a modest multiple of ε·σ_max, with ε ≈ 2.2e-16,
// so 1e-13 (about 450ε) separates round-off from a true singular value.
const rankTol = 1e-13

// Reference holds Σ and its top-k eigenspace.
type Reference struct {
	sigma  *mat.SymDense
	topK   *mat.Dense // d×k, the top-k eigenvectors
	topSum float64    // λ₁ + … + λ_k
	k      int
}

// NewReference builds the reference for k from Σ and its eigenpairs, values
// sorted in descending order with the columns of vectors matching. It
// panics if k is outside [1, d] or the shapes disagree.
func NewReference(sigma *mat.SymDense, values []float64, vectors *mat.Dense, k int) *Reference {
	d := sigma.SymmetricDim()
	if k < 1 || k > d {
		panic("metrics: k outside [1, d]")
	}
	if r, c := vectors.Dims(); r != d || c != d || len(values) != d {
		panic("metrics: eigenpairs do not match Σ")
	}
	var sum float64
	for _, v := range values[:k] {
		sum += v
	}
	top := mat.DenseCopyOf(vectors.Slice(0, d, 0, k))
	return &Reference{sigma: sigma, topK: top, topSum: sum, k: k}
}

// TopK returns the top-k eigenvectors of Σ as the columns of a d×k matrix.
// The matrix belongs to the reference.
func (r *Reference) TopK() *mat.Dense { return r.topK }

// TopSum returns λ₁ + … + λ_k, the largest value of tr(WᵀΣW) over matrices
// with orthonormal columns.
func (r *Reference) TopSum() float64 { return r.topSum }

// Objective returns tr(WᵀΣW).
func (r *Reference) Objective(w *mat.Dense) float64 {
	var sw mat.Dense
	sw.Mul(r.sigma, w)
	return traceProduct(w, &sw)
}

// EVR returns the explained variance ratio of range(W). A W of rank below k
// scores below 1 even inside the principal subspace. If Σ has no variance in
// its top-k directions (λ₁ + … + λ_k = 0), every subspace explains all of it
// and EVR returns 1.
func (r *Reference) EVR(w *mat.Dense) float64 {
	if r.topSum <= 0 {
		return 1
	}
	q := orthonormalBasis(w)
	if q == nil {
		return 0
	}
	return r.Objective(q) / r.topSum
}

// SubspaceDist returns ‖P_W − P_k‖_F / √2, which equals ‖sin Θ‖_F when
// rank(W) = k. It is computed as
//
//	‖P_W − P_k‖²_F = ‖(I − P_k)Q_W‖²_F + ‖(I − P_W)Q_k‖²_F
//
// from two residual matrices, so a distance of 1e-15 comes out as 1e-15;
// the shorter form m + k − 2‖Q_kᵀQ_W‖²_F cancels catastrophically and
// floors the distance near 1e-7.
func (r *Reference) SubspaceDist(w *mat.Dense) float64 {
	q := orthonormalBasis(w)
	if q == nil {
		return math.Sqrt(float64(r.k) / 2)
	}
	a := residualNorm(r.topK, q)
	b := residualNorm(q, r.topK)
	return math.Sqrt((a*a + b*b) / 2)
}

// residualNorm returns ‖(I − QQᵀ)A‖_F for Q with orthonormal columns.
func residualNorm(q, a *mat.Dense) float64 {
	var c, res mat.Dense
	c.Mul(q.T(), a)
	res.Mul(q, &c)
	res.Sub(a, &res)
	return mat.Norm(&res, 2)
}

// orthonormalBasis returns the left singular vectors of w whose singular
// values exceed rankTol·σ_max, or nil if w is zero.
func orthonormalBasis(w *mat.Dense) *mat.Dense {
	var svd mat.SVD
	if !svd.Factorize(w, mat.SVDThin) {
		return nil
	}
	sv := svd.Values(nil)
	if len(sv) == 0 || sv[0] == 0 || math.IsNaN(sv[0]) {
		return nil
	}
	rank := 0
	for _, s := range sv {
		if s > rankTol*sv[0] {
			rank++
		}
	}
	var u mat.Dense
	svd.UTo(&u)
	d, _ := u.Dims()
	return mat.DenseCopyOf(u.Slice(0, d, 0, rank))
}

// traceProduct returns tr(AᵀB), the sum of the elementwise product.
func traceProduct(a, b *mat.Dense) float64 {
	var e mat.Dense
	e.MulElem(a, b)
	return mat.Sum(&e)
}
