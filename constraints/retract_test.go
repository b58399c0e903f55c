package constraints

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

var retractions = []struct {
	name    string
	retract func(dst, w, xi *mat.Dense)
}{
	{"qr", RetractQR},
	{"polar", RetractPolar},
	{"cayley", RetractCayley},
}

// tangentPoint returns a random point W of the 7×3 Stiefel set and a unit
// tangent direction ξ at W.
func tangentPoint(rnd *rand.Rand) (w, xi *mat.Dense) {
	w = orthonormal(rnd, 7, 3)
	xi = gaussian(rnd, 7, 3)
	TangentProject(xi, w, xi)
	xi.Scale(1/mat.Norm(xi, 2), xi)
	return w, xi
}

func TestTangentProjectKnownAnswer(t *testing.T) {
	// At W = e₁ in R², Wᵀg = g₁ and the tangent space is span(e₂).
	w := mat.NewDense(2, 1, []float64{1, 0})
	g := mat.NewDense(2, 1, []float64{1, 2})
	var got mat.Dense
	TangentProject(&got, w, g)
	want := mat.NewDense(2, 1, []float64{0, 2})
	if !mat.EqualApprox(&got, want, roundTol) {
		t.Errorf("TangentProject = %v, want %v", mat.Formatted(got.T()), mat.Formatted(want.T()))
	}
}

func TestTangentProjectIsProjection(t *testing.T) {
	rnd := newRand(10)
	w := orthonormal(rnd, 7, 3)
	g := gaussian(rnd, 7, 3)
	var xi mat.Dense
	TangentProject(&xi, w, g)

	// Tangent: Wᵀξ + ξᵀW = 0.
	var wtxi, skewErr mat.Dense
	wtxi.Mul(w.T(), &xi)
	skewErr.Add(&wtxi, wtxi.T())
	if got := mat.Norm(&skewErr, 2); got > roundTol {
		t.Errorf("‖Wᵀξ + ξᵀW‖_F = %g, want 0", got)
	}

	// Idempotent: a tangent direction is unchanged.
	var again mat.Dense
	TangentProject(&again, w, &xi)
	if got := distance(&again, &xi); got > roundTol {
		t.Errorf("‖P(P(g)) − P(g)‖_F = %g, want 0", got)
	}

	// Orthogonal: the residual g − ξ is orthogonal to every tangent
	// direction, here the projections of other random matrices.
	var residual mat.Dense
	residual.Sub(g, &xi)
	for i := 0; i < 10; i++ {
		var eta mat.Dense
		TangentProject(&eta, w, gaussian(rnd, 7, 3))
		if got := mat.Dot(mat.NewVecDense(21, residual.RawMatrix().Data), mat.NewVecDense(21, eta.RawMatrix().Data)); math.Abs(got) > roundTol {
			t.Errorf("⟨g − ξ, η⟩ = %g for tangent η, want 0", got)
		}
	}

	// In place.
	TangentProject(g, w, g)
	if !mat.Equal(g, &xi) {
		t.Errorf("TangentProject(g, w, g) differs from TangentProject(dst, w, g)")
	}
}

func TestRetractionsStayOnManifold(t *testing.T) {
	rnd := newRand(11)
	w, xi := tangentPoint(rnd)
	for _, r := range retractions {
		// Step lengths from tiny to far larger than the set's diameter 2√3.
		for _, step := range []float64{1e-8, 0.1, 1, 10} {
			var scaled, y mat.Dense
			scaled.Scale(step, xi)
			r.retract(&y, w, &scaled)
			if e := gramError(&y); e > roundTol {
				t.Errorf("%s, step %g: ‖YᵀY − I‖_F = %g, want ≤ %g", r.name, step, e, roundTol)
			}
		}
	}
}

func TestRetractionsFirstOrder(t *testing.T) {
	// R(W, tξ) − (W + tξ) = t²a + O(t³) for a tangent ξ, so the error
	// ratio between steps t and t/2 is 4 + O(t). With ‖ξ‖_F = 1 and
	// t = 0.01 the O(t) part is about 5e-5 for these seeds, so 4 ± 0.2
	// leaves a wide margin and still rejects an error of order t³ (ratio
	// 8) or of order t (ratio 2).
	const (
		step     = 0.01
		ratioTol = 0.2
	)
	rnd := newRand(12)
	w, xi := tangentPoint(rnd)
	for _, r := range retractions {
		t.Run(r.name, func(t *testing.T) {
			e1 := stepError(r.retract, w, xi, xi, step)
			e2 := stepError(r.retract, w, xi, xi, step/2)
			if ratio := e1 / e2; math.Abs(ratio-4) > ratioTol {
				t.Errorf("error ratio e(%g)/e(%g) = %g (errors %g, %g), want 4 ± %g",
					step, step/2, ratio, e1, e2, ratioTol)
			}
		})
	}
}

func TestRetractCayleyNonTangent(t *testing.T) {
	// For any ξ the Cayley curve has derivative TangentProject(W, ξ) at
	// t = 0, so it agrees to first order with W + t·TangentProject(W, ξ).
	const (
		step     = 0.01
		ratioTol = 0.2 // as in TestRetractionsFirstOrder
	)
	rnd := newRand(13)
	w := orthonormal(rnd, 7, 3)
	xi := gaussian(rnd, 7, 3)
	xi.Scale(1/mat.Norm(xi, 2), xi)
	var tangent mat.Dense
	TangentProject(&tangent, w, xi)

	e1 := stepError(RetractCayley, w, xi, &tangent, step)
	e2 := stepError(RetractCayley, w, xi, &tangent, step/2)
	if ratio := e1 / e2; math.Abs(ratio-4) > ratioTol {
		t.Errorf("error ratio = %g (errors %g, %g), want 4 ± %g", ratio, e1, e2, ratioTol)
	}
}

// stepError returns ‖R(W, t·xi) − (W + t·line)‖_F.
func stepError(retract func(dst, w, xi *mat.Dense), w, xi, line *mat.Dense, t float64) float64 {
	var scaled, y, straight mat.Dense
	scaled.Scale(t, xi)
	retract(&y, w, &scaled)
	straight.Scale(t, line)
	straight.Add(w, &straight)
	return distance(&y, &straight)
}

func TestRetractQRPositiveDiagonal(t *testing.T) {
	rnd := newRand(14)
	w, xi := tangentPoint(rnd)
	xi.Scale(3, xi)
	var sum, q mat.Dense
	sum.Add(w, xi)
	RetractQR(&q, w, xi)

	// R = Qᵀ(W + ξ) is upper triangular with a positive diagonal.
	var r mat.Dense
	r.Mul(q.T(), &sum)
	_, k := r.Dims()
	for i := 0; i < k; i++ {
		if r.At(i, i) <= 0 {
			t.Errorf("R[%d,%d] = %g, want > 0", i, i, r.At(i, i))
		}
		for j := 0; j < i; j++ {
			if math.Abs(r.At(i, j)) > roundTol {
				t.Errorf("R[%d,%d] = %g below the diagonal, want 0", i, j, r.At(i, j))
			}
		}
	}

	// The Cholesky factor of (W + ξ)ᵀ(W + ξ) = RᵀR is the same R, so
	// Q = (W + ξ)R⁻¹ follows without a QR factorization.
	var gram mat.SymDense
	gram.SymOuterK(1, sum.T())
	var chol mat.Cholesky
	if !chol.Factorize(&gram) {
		t.Fatal("(W + ξ)ᵀ(W + ξ) is not positive definite")
	}
	var upper mat.TriDense
	chol.UTo(&upper)
	var want mat.Dense
	if err := want.Solve(upper.T(), sum.T()); err != nil {
		t.Fatalf("solve with the Cholesky factor: %v", err)
	}
	if !mat.EqualApprox(&q, want.T(), roundTol) {
		t.Errorf("RetractQR =\n%v\nwant (W + ξ)R⁻¹ =\n%v", mat.Formatted(&q), mat.Formatted(want.T()))
	}
}

func TestRetractPolarClosedForm(t *testing.T) {
	// For a tangent ξ, (W + ξ)ᵀ(W + ξ) = I + ξᵀξ, so the polar factor is
	// (W + ξ)(I + ξᵀξ)^(−1/2).
	rnd := newRand(15)
	w, xi := tangentPoint(rnd)
	xi.Scale(2, xi)

	var gram mat.SymDense
	gram.SymOuterK(1, xi.T())
	_, k := w.Dims()
	for i := 0; i < k; i++ {
		gram.SetSym(i, i, gram.At(i, i)+1)
	}
	var eig mat.EigenSym
	if !eig.Factorize(&gram, true) {
		t.Fatal("eigendecomposition failed")
	}
	values := eig.Values(nil)
	var vectors, scaledVectors, invSqrt mat.Dense
	eig.VectorsTo(&vectors)
	scaledVectors.CloneFrom(&vectors)
	for j, v := range values {
		col := scaledVectors.ColView(j).(*mat.VecDense)
		col.ScaleVec(1/math.Sqrt(v), col)
	}
	invSqrt.Mul(&scaledVectors, vectors.T())
	var sum, want mat.Dense
	sum.Add(w, xi)
	want.Mul(&sum, &invSqrt)

	var got mat.Dense
	RetractPolar(&got, w, xi)
	if !mat.EqualApprox(&got, &want, roundTol) {
		t.Errorf("RetractPolar =\n%v\nwant\n%v", mat.Formatted(&got), mat.Formatted(&want))
	}
}

func TestRetractCayleyDenseForm(t *testing.T) {
	// Build the d×d skew matrix A = PξWᵀ − WξᵀP, P = I − ½WWᵀ, and solve
	// (I − ½A)Y = (I + ½A)W directly, without the low-rank formula.
	rnd := newRand(16)
	w, xi := tangentPoint(rnd)
	xi.Scale(2, xi)
	d, _ := w.Dims()

	var p mat.Dense
	p.Mul(w, w.T())
	p.Scale(-0.5, &p)
	for i := 0; i < d; i++ {
		p.Set(i, i, p.At(i, i)+1)
	}
	var pxi, a, at mat.Dense
	pxi.Mul(&p, xi)
	a.Mul(&pxi, w.T())
	at.Mul(w, pxi.T())
	a.Sub(&a, &at)

	var left, right, rhs, want mat.Dense
	left.Scale(-0.5, &a)
	right.Scale(0.5, &a)
	for i := 0; i < d; i++ {
		left.Set(i, i, left.At(i, i)+1)
		right.Set(i, i, right.At(i, i)+1)
	}
	rhs.Mul(&right, w)
	if err := want.Solve(&left, &rhs); err != nil {
		t.Fatalf("solve with I − ½A: %v", err)
	}

	var got mat.Dense
	RetractCayley(&got, w, xi)
	if !mat.EqualApprox(&got, &want, roundTol) {
		t.Errorf("RetractCayley =\n%v\nwant\n%v", mat.Formatted(&got), mat.Formatted(&want))
	}
}

func TestRetractionsInPlace(t *testing.T) {
	rnd := newRand(17)
	w, xi := tangentPoint(rnd)
	for _, r := range retractions {
		t.Run(r.name, func(t *testing.T) {
			var want mat.Dense
			r.retract(&want, w, xi)

			onW := mat.DenseCopyOf(w)
			r.retract(onW, onW, xi)
			if !mat.Equal(onW, &want) {
				t.Error("retract(w, w, xi) differs from retract(dst, w, xi)")
			}
			onXi := mat.DenseCopyOf(xi)
			r.retract(onXi, w, onXi)
			if !mat.Equal(onXi, &want) {
				t.Error("retract(xi, w, xi) differs from retract(dst, w, xi)")
			}
		})
	}
}

func TestRetractionsNonFinite(t *testing.T) {
	w, xi := tangentPoint(newRand(18))
	bad := mat.DenseCopyOf(xi)
	bad.Set(2, 1, math.Inf(1))
	for _, r := range retractions {
		t.Run(r.name, func(t *testing.T) {
			var y mat.Dense
			r.retract(&y, w, bad)
			if !math.IsNaN(y.At(0, 0)) || !math.IsNaN(y.At(6, 2)) {
				t.Errorf("retraction of an infinite direction =\n%v\nwant NaN", mat.Formatted(&y))
			}
		})
	}
}

func TestRetractionsShapePanics(t *testing.T) {
	for _, r := range retractions {
		t.Run(r.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("a 4×2 direction at a 4×3 point did not panic")
				}
			}()
			var y mat.Dense
			r.retract(&y, mat.NewDense(4, 3, nil), mat.NewDense(4, 2, nil))
		})
	}
}
