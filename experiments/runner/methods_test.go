package runner

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

func randomDense(rng *rand.Rand, r, c int) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			m.Set(i, j, rng.NormFloat64())
		}
	}
	return m
}

// batchObjective returns −λ tr(WᵀΣ_B W) with Σ_B the covariance of the
// rows of a, centered by their mean.
func batchObjective(a, w *mat.Dense, lambda float64) float64 {
	var c centeredBatch
	c.set(a)
	var sw mat.Dense
	_, k := w.Dims()
	sw.ReuseAs(c.Dim(), k)
	c.MulTo(&sw, w)
	var e mat.Dense
	e.MulElem(w, &sw)
	return -lambda * mat.Sum(&e)
}

func TestCenteredBatchMatchesExplicitCovariance(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	a := randomDense(rng, 7, 4)
	w := randomDense(rng, 4, 2)
	var c centeredBatch
	c.set(a)
	got := mat.NewDense(4, 2, nil)
	c.MulTo(got, w)

	// Σ_B = (A − 1āᵀ)ᵀ(A − 1āᵀ)/n formed explicitly.
	centered := mat.DenseCopyOf(a)
	for j := 0; j < 4; j++ {
		var mean float64
		for i := 0; i < 7; i++ {
			mean += a.At(i, j) / 7
		}
		for i := 0; i < 7; i++ {
			centered.Set(i, j, a.At(i, j)-mean)
		}
	}
	var sigma, want mat.Dense
	sigma.Mul(centered.T(), centered)
	sigma.Scale(1.0/7, &sigma)
	want.Mul(&sigma, w)
	// Entries are O(1) sums of 7 products: a few ulps each.
	if !mat.EqualApprox(got, &want, 1e-12) {
		t.Errorf("Σ_B W = %v, want %v", mat.Formatted(got), mat.Formatted(&want))
	}
}

func TestPCAInputGradientMatchesFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	const n, d, k, lambda = 6, 5, 2, 0.7
	a := randomDense(rng, n, d)
	w := randomDense(rng, d, k)

	var c centeredBatch
	c.set(a)
	sw := mat.NewDense(d, k, nil)
	c.MulTo(sw, w)
	got := mat.NewDense(n, d, nil)
	c.addInputGradient(got, w, lambda)

	want := make([]float64, n*d)
	fd.Gradient(want, func(x []float64) float64 {
		return batchObjective(mat.NewDense(n, d, x), w, lambda)
	}, mat.DenseCopyOf(a).RawMatrix().Data, &fd.Settings{Formula: fd.Central, Step: 1e-6})
	// Central differences with step h err by O(h²·f''') plus O(ε/h)
	// round-off, about 1e-9 here; 1e-6 leaves a wide margin yet catches a
	// missing factor or sign.
	for i, v := range want {
		if g := got.RawMatrix().Data[i]; math.Abs(g-v) > 1e-6 {
			t.Fatalf("entry %d: gradient %v, finite difference %v", i, g, v)
		}
	}
}

func TestEveryMethodRunsOnSmallMNIST(t *testing.T) {
	train, test := smallMNIST(t)
	cfg := smallConfig()
	cfg.Methods = MethodNames
	cfg.MaxIter, cfg.ZSteps, cfg.Epochs = 3, 20, 2
	rows, outcomes := collect(t, cfg, train, test)
	if len(outcomes) != len(MethodNames) {
		t.Fatalf("%d outcomes, want %d", len(outcomes), len(MethodNames))
	}
	perMethod := map[string]int{}
	for _, r := range rows {
		perMethod[r.Method]++
	}
	for _, o := range outcomes {
		if o.Err != nil {
			t.Errorf("%s failed: %v", o.Key(), o.Err)
		}
		want := cfg.Epochs + 1
		if o.Method == MethodADMM || o.Method == MethodAlternating {
			want = cfg.MaxIter + 1
		}
		if perMethod[o.Method] != want {
			t.Errorf("%s: %d rows, want %d (the start and every iteration)", o.Method, perMethod[o.Method], want)
		}
	}
	ce := lastRow(rows, MethodCEOnly)
	two := lastRow(rows, MethodTwoStage)
	// ce-only ignores the PCA objective, so it explains less variance than
	// the exact PCA subspace of two-stage.
	if !(ce.EVR < two.EVR) {
		t.Errorf("ce-only evr %v is not below two-stage evr %v", ce.EVR, two.EVR)
	}
}

func TestArchitecturesRun(t *testing.T) {
	train, test := smallMNIST(t)
	tests := []struct {
		name string
		edit func(*Config)
	}{
		{"mlp head with skip", func(c *Config) { c.Head, c.Hidden, c.Skip = "mlp", []int{16}, true }},
		{"layer before W", func(c *Config) {
			c.PreLayer, c.PCAThroughPre = 64, true
			c.Methods = []string{MethodJoint, MethodJointCustom, MethodCEOnly}
		}},
		{"layer before W with the splitting methods", func(c *Config) {
			c.PreLayer, c.PreActivation = 48, "tanh"
			c.Methods = []string{MethodADMM, MethodAlternating, MethodTwoStage}
		}},
		{"adam and step decay", func(c *Config) { c.Optimizer, c.LR, c.LRSchedule = "adam", 0.003, "step" }},
		{"minibatch covariance with custom W-step", func(c *Config) { c.Covariance, c.WStep = "minibatch", "custom" }},
		{"spectral ball", func(c *Config) { c.Constraint, c.Radius = "spectral", 2 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := smallConfig()
			cfg.MaxIter, cfg.ZSteps, cfg.Epochs = 2, 10, 1
			tc.edit(&cfg)
			rows, outcomes := collect(t, cfg, train, test)
			for _, o := range outcomes {
				if o.Err != nil {
					t.Errorf("%s failed: %v", o.Key(), o.Err)
				}
			}
			for _, r := range rows {
				for _, v := range []float64{r.TrainCE, r.TestAcc, r.EVR, r.SubspaceDist, r.ConstraintViolation} {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("%s iteration %d has a non-finite metric: %+v", r.Method, r.Iter, r)
					}
				}
			}
			if last := rows[len(rows)-1]; last.ConstraintViolation > 1e-10 {
				t.Errorf("%s ends %v off its constraint set", last.Method, last.ConstraintViolation)
			}
		})
	}
}
