// Package constraints holds the sets that keep the PCA objective tr(WᵀΣW)
// bounded, with their Euclidean projections.
//
// A matrix W is d×k, d ≥ k. Every set implements [Set]. Methods panic on
// programmer errors (a nil matrix or a destination of the wrong shape) and
// never on the values inside a matrix: a rank-deficient input is projected
// like any other.
package constraints

import "gonum.org/v1/gonum/mat"

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
