// Package constraints holds the sets that keep the PCA objective tr(WᵀΣW)
// bounded, with their Euclidean projections, and the retractions that
// manifold methods use on the Stiefel set.
//
// A matrix W is d×k with columns w_j, and d ≥ k wherever the Stiefel set is
// involved. Σ is a d×d covariance with
// eigenvalues λ₁ ≥ … ≥ λ_d ≥ 0 and unit eigenvectors q₁, …, q_d. Every set
// implements [Set].
//
// # What each set does to the PCA objective
//
// Without a constraint tr(WᵀΣW) grows without bound as W is scaled up. Each
// set bounds it, but only the first two recover a k-dimensional PCA:
//
//	set                  maximizers of tr(WᵀΣW)            maximum value
//	Stiefel              W = [q₁ … q_k]·O, O orthogonal     λ₁ + … + λ_k
//	SpectralBall c       c times a Stiefel maximizer        c²(λ₁ + … + λ_k)
//	FrobeniusBall c      W = c·q₁aᵀ, ‖a‖ = 1 (rank one)     c²λ₁
//	UnitColumns          every column w_j = ±q₁             kλ₁
//
// The spectral ball of radius c is the convex hull of c times the Stiefel
// set. tr(WᵀΣW) is convex in W, so its maximum over the ball is attained on
// that scaled Stiefel set. The Frobenius ball and the unit columns bound the
// objective, but its maximizers put all of W on the top eigenvector q₁ and
// contain no information about q₂, …, q_k. When λ_k = λ_{k+1} the top-k
// eigenspace, and so the maximizers, are not unique.
//
// # Retractions
//
// Manifold methods step from a point W of the Stiefel set along a tangent
// direction ξ, one with Wᵀξ + ξᵀW = 0 and usually the output of
// [TangentProject], and map W + ξ back onto the set with a retraction R.
// [RetractQR], [RetractPolar] and [RetractCayley] all agree with the step
// to first order, R(W, tξ) = W + tξ + O(t²). Each panics if w and xi
// differ in shape or have more columns than rows, and sets dst to NaN when
// w or xi contains NaN or ±Inf. dst may be w or xi.
//
// # Errors and special cases
//
// Methods and functions panic on programmer errors: a nil matrix, an empty
// matrix, a destination or second operand of the wrong shape, more columns
// than rows in a Stiefel projection or retraction (Violation still measures
// such a matrix), and a ball whose Radius is negative or
// NaN. [NewSpectralBall] and [NewFrobeniusBall] return an error for an
// invalid radius instead. Nothing panics on the values inside a matrix. If w contains NaN or ±Inf, Project sets every element of dst to
// NaN, and Violation returns NaN when w contains NaN and +Inf when it
// contains ±Inf but no NaN. A rank-deficient or zero w is projected like
// any other matrix.
//
// A destination dst may be the input w. An empty dst (the zero
// [mat.Dense]) is resized to d×k.
package constraints

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Set is a closed set of d×k matrices.
type Set interface {
	// Project sets dst to a Euclidean projection of w onto the set, a
	// nearest point in the Frobenius norm. dst may be w.
	Project(dst, w *mat.Dense)
	// Violation returns a measure of how far w is from the set, zero on the
	// set. Each set documents its measure.
	Violation(w *mat.Dense) float64
	// Contains reports whether Violation(w) ≤ tol.
	Contains(w *mat.Dense, tol float64) bool
	// String returns the set's name as the command line spells it.
	String() string
}

// Names returns the set names that [Parse] accepts, in the order of the
// table in the package documentation, in a new slice on every call.
func Names() []string { return []string{"stiefel", "spectral", "frobenius", "columns"} }

// Parse returns the set that name spells: "stiefel" for [Stiefel],
// "spectral" for [SpectralBall], "frobenius" for [FrobeniusBall] and
// "columns" for [UnitColumns]. Only the two balls use radius, which must
// be finite and positive, and the other sets ignore it. Parse returns an
// error for an unknown name or an invalid radius.
func Parse(name string, radius float64) (Set, error) {
	switch name {
	case "stiefel":
		return Stiefel{}, nil
	case "spectral":
		return NewSpectralBall(radius)
	case "frobenius":
		return NewFrobeniusBall(radius)
	case "columns":
		return UnitColumns{}, nil
	}
	return nil, fmt.Errorf("constraints: unknown set %q: use one of %q", name, Names())
}

// checkRadius returns an error unless c is finite and positive. set names
// the ball in the message.
func checkRadius(set string, c float64) error {
	if c > 0 && !math.IsInf(c, 1) {
		return nil
	}
	return fmt.Errorf("constraints: invalid %s radius %v: use a finite number greater than 0", set, c)
}

// prepare checks the operands of Project and sizes dst to match w. It
// returns false, with dst filled with NaN, if w contains NaN or ±Inf.
func prepare(dst, w *mat.Dense) (finite bool) {
	if dst == nil || w == nil {
		panic("constraints: nil matrix")
	}
	if w.IsEmpty() {
		panic("constraints: empty matrix")
	}
	d, k := w.Dims()
	if dst.IsEmpty() {
		dst.ReuseAs(d, k)
	} else if r, c := dst.Dims(); r != d || c != k {
		panic(fmt.Sprintf("constraints: dst is %d×%d, want %d×%d like w", r, c, d, k))
	}

	if nonFinite(w) != 0 {
		fillNaN(dst)
		return false
	}
	return true
}

// nonFinite returns NaN if w contains NaN, +Inf if it contains ±Inf but no
// NaN, and 0 if every element is finite. It panics on a nil or empty w.
func nonFinite(w *mat.Dense) float64 {
	if w == nil {
		panic("constraints: nil matrix")
	}
	if w.IsEmpty() {
		panic("constraints: empty matrix")
	}
	d, k := w.Dims()
	var v float64
	for i := 0; i < d; i++ {
		for _, x := range w.RawRowView(i)[:k] {
			switch {
			case math.IsNaN(x):
				return math.NaN()
			case math.IsInf(x, 0):
				v = math.Inf(1)
			}
		}
	}
	return v
}

func fillNaN(dst *mat.Dense) {
	d, k := dst.Dims()
	for i := 0; i < d; i++ {
		row := dst.RawRowView(i)[:k]
		for j := range row {
			row[j] = math.NaN()
		}
	}
}

// panicIfBadRadius panics on a radius that no ball can have. A zero radius
// is allowed here, the ball {0}, because it is a closed set even though the
// constructors reject it. constructor names the function that validates
// the radius.
func panicIfBadRadius(set, constructor string, c float64) {
	if c < 0 || math.IsNaN(c) {
		panic(fmt.Sprintf("constraints: invalid %s radius %v: build the ball with %s", set, c, constructor))
	}
}
