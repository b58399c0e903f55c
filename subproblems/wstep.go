// Package subproblems holds the W-step solvers of the ADMM splitting of
// PCA-regularized classification, and the covariance sources they read.
//
// The W-step is the proximal operator of f(W) = −λ tr(WᵀΣW) + ι_𝒞(W):
//
//	W⁺ = argmin over W ∈ 𝒞 of  −λ tr(WᵀΣW) + (ρ/2)‖W − M‖²_F,   M = Z − U.
//
// Every solver implements [admm.Block]; its Prox receives M as v and the
// previous W in dst as a warm start. Notation:
//
//	W, M    d×k matrices (w, m in the identifiers)
//	Σ       the d×d covariance of the centered input of W (sigma)
//	Q, Λ    the eigenvectors and descending eigenvalues of Σ, Σ = QΛQᵀ
//	λ       the weight of the PCA term, λ ≥ 0 (lambda)
//	ρ       the ADMM penalty, ρ > 0 (rho)
//	μ       the multiplier of a norm constraint (mu)
//	η       a step size (eta)
//
// Because −λ tr(WᵀΣW) is concave, the W-step is nonconvex once 2λΛ_max > ρ.
// The exact solvers still return a global minimizer (the trust-region
// structure makes that possible); the iterative ones return a stationary
// point.
//
// Errors: constructors return an error for an invalid λ or option; Prox
// returns an error for ρ ≤ 0 or non-finite and for a canceled context.
// Everything panics on programmer errors: nil arguments and matrices whose
// shapes do not match d×k.
package subproblems

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// checkLambda returns an error unless λ is finite and ≥ 0.
func checkLambda(lambda float64) error {
	if !(lambda >= 0) || math.IsInf(lambda, 0) {
		return fmt.Errorf("subproblems: invalid lambda %v: want a finite value ≥ 0", lambda)
	}
	return nil
}

// checkRho returns an error unless ρ is finite and > 0.
func checkRho(rho float64) error {
	if !(rho > 0) || math.IsInf(rho, 0) {
		return fmt.Errorf("subproblems: invalid rho %v: want a finite value > 0", rho)
	}
	return nil
}

// checkProxArgs panics unless dst and v are distinct d×k matrices with
// k ≤ d, and returns k.
func checkProxArgs(d int, dst, v *mat.Dense) int {
	if dst == nil || v == nil {
		panic("subproblems: nil matrix passed to Prox")
	}
	dr, dc := dst.Dims()
	vr, vc := v.Dims()
	if dr != d || vr != d || dc != vc {
		panic(fmt.Sprintf("subproblems: Prox needs d×k matrices with d = %d, got dst %d×%d and v %d×%d", d, dr, dc, vr, vc))
	}
	if dc > d {
		panic(fmt.Sprintf("subproblems: Prox needs k ≤ d, got k = %d and d = %d", dc, d))
	}
	if dst == v {
		panic("subproblems: Prox destination aliases v")
	}
	return dc
}

// startProx runs the checks every Prox shares: the context, ρ and the
// shapes. It advances an [Advancer] covariance and returns k.
func startProx(ctx context.Context, cov Covariance, dst, v *mat.Dense, rho float64) (int, error) {
	k := checkProxArgs(cov.Dim(), dst, v)
	if err := ctx.Err(); err != nil {
		return k, err
	}
	if err := checkRho(rho); err != nil {
		return k, err
	}
	if a, ok := cov.(Advancer); ok {
		a.Advance()
	}
	return k, nil
}

// frobDot returns the Frobenius inner product tr(AᵀB) of equal-shaped
// matrices.
func frobDot(a, b *mat.Dense) float64 {
	r, _ := a.Dims()
	var sum float64
	for i := 0; i < r; i++ {
		sum += floats.Dot(a.RawRowView(i), b.RawRowView(i))
	}
	return sum
}
