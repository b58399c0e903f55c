// Package runner trains the reduce-then-predict network by each method of
// an experiment and measures every iteration.
//
// The network is x → h = Wᵀx → head(h) → softmax, with W (d×k) on a
// constraint set and λ·tr(WᵀΣW) rewarded beside the cross-entropy. The
// methods are
//
//	admm       W-step on the PCA objective, Z-step on the cross-entropy,
//	           scaled dual U, consensus W = Z
//	joint      projected minibatch gradient descent on L_ce − λ tr(WᵀΣW)
//	two-stage  exact PCA for W, then the head trained on the fixed W
//
// The runner never prints: every measured row goes to a [Sink], and the
// command line decides what to write where.
package runner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/admm-go/admm/constraints"
)

// Method names accepted in Config.Methods.
const (
	MethodADMM        = "admm"
	MethodJoint       = "joint"
	MethodJointCustom = "joint-custom"
	MethodAlternating = "alternating"
	MethodTwoStage    = "two-stage"
	MethodCEOnly      = "ce-only"
)

// MethodNames lists every method.
var MethodNames = []string{MethodADMM, MethodJoint, MethodJointCustom, MethodAlternating, MethodTwoStage, MethodCEOnly}

// DefaultMethods are the methods of the main job, in the order it trains
// them.
var DefaultMethods = []string{MethodADMM, MethodJoint, MethodTwoStage}

// Config describes one experiment. JSON keys are the snake_case field
// names; DefaultConfig gives every default.
type Config struct {
	// Data.
	Dataset   string `json:"dataset"`    // "mnist", "csv" or "libsvm"
	DataDir   string `json:"data_dir"`   // mnist: directory of the IDX files; "" finds the GoMNIST module
	TrainPath string `json:"train_path"` // csv, libsvm: training file
	TestPath  string `json:"test_path"`  // csv, libsvm: test file
	TrainSize int    `json:"train_size"` // first n training samples; 0 means all
	TestSize  int    `json:"test_size"`  // first n test samples; 0 means all
	// CSV and LIBSVM reading. Header states that a CSV file starts with
	// column names (never guessed); LabelColumn names the CSV label
	// column (default: the last column); Classes fixes C (0: inferred);
	// Remap maps the distinct training labels in ascending order to
	// 0..C−1, and the run manifest records the map.
	Header      bool   `json:"header"`
	LabelColumn string `json:"label_column"`
	Classes     int    `json:"classes"`
	Remap       bool   `json:"remap"`

	// Model and objective.
	K          int     `json:"k"`          // reduced dimension, 1 ≤ k ≤ d
	Lambda     float64 `json:"lambda"`     // weight λ ≥ 0 of the PCA objective
	Constraint string  `json:"constraint"` // constraint set of W
	Radius     float64 `json:"radius"`     // radius c of a ball constraint

	// Architecture. The head maps h (and, with Skip, the input of W beside
	// it) to the logits: "linear", or "mlp" with Hidden widths and
	// Activation between its layers. PreLayer > 0 adds a trainable layer
	// a = σ(Ax + a₀) of that width before W, with PreActivation σ; then Σ
	// is the covariance of a, which changes as A trains, and
	// PCAThroughPre lets the PCA gradient flow into A (otherwise Σ is
	// treated as a constant of each step).
	Head          string `json:"head"`
	Hidden        []int  `json:"hidden"`
	Activation    string `json:"activation"`
	PreLayer      int    `json:"pre_layer"`
	PreActivation string `json:"pre_activation"`
	PCAThroughPre bool   `json:"pca_through_pre"`
	Skip          bool   `json:"skip"`

	// WStep is the W-step of admm and alternating. The names are "power"
	// (Stiefel only), "exact" (spectral, frobenius, columns), "custom"
	// (projected ascent on any set), and "oja" or "gha" (Stiefel). An empty
	// name picks power on Stiefel and exact elsewhere. WStepSteps and
	// WStepEta are the steps per W-step and the step size of custom, oja
	// and gha, where 0 selects the solver's default.
	WStep      string  `json:"wstep"`
	WStepSteps int     `json:"wstep_steps"`
	WStepEta   float64 `json:"wstep_eta"`
	// Covariance is the estimate of Σ that the W-step and joint use. "full"
	// is formed once from all training data. "minibatch" draws a fresh
	// batch of CovBatch samples per use and computes Σ_B W without forming
	// Σ_B. "ewma" is a running average with weight EWMABeta on each batch.
	Covariance string  `json:"covariance"`
	CovBatch   int     `json:"cov_batch"`
	EWMABeta   float64 `json:"ewma_beta"`
	// Direction replaces the PCA part of W's gradient in joint-custom:
	// "full" (2λΣW from all data), "oja" or "gha" (their Hebbian
	// directions on all data).
	Direction string `json:"direction"`

	// Methods and seeds.
	Methods []string `json:"methods"`
	Seeds   []uint64 `json:"seeds"`

	// Minibatch training, shared by every method.
	BatchSize int     `json:"batch_size"`
	Optimizer string  `json:"optimizer"` // "sgd", "nesterov" or "adam"
	LR        float64 `json:"lr"`        // initial learning rate
	Momentum  float64 `json:"momentum"`  // momentum μ of SGD, in [0, 1)
	Epochs    int     `json:"epochs"`    // epochs of joint and of two-stage's head
	// LRSchedule is "constant", "step" or "cosine". "step" multiplies the
	// rate by StepFactor every StepEvery steps. "cosine" anneals it from LR
	// to LR/100 over all the minibatch steps of a method, so that the last
	// iterates carry less minibatch noise.
	LRSchedule string  `json:"lr_schedule"`
	StepEvery  int     `json:"step_every"`
	StepFactor float64 `json:"step_factor"`

	// ADMM.
	Rho     float64 `json:"rho"`      // initial penalty ρ > 0
	Alpha   float64 `json:"alpha"`    // over-relaxation α ∈ (0, 2)
	MaxIter int     `json:"max_iter"` // outer iterations at most
	ZSteps  int     `json:"z_steps"`  // minibatch steps per Z-step
	AbsTol  float64 `json:"abs_tol"`  // ε_abs
	RelTol  float64 `json:"rel_tol"`  // ε_rel
	Penalty string  `json:"penalty"`  // "fixed", "balancing", "normalized" or "spectral"
	Mu      float64 `json:"mu"`       // residual balancing ratio μ > 1
	Tau     float64 `json:"tau"`      // residual balancing factor τ > 1
	GPIIter int     `json:"gpi_iter"` // inner iterations of the W-step at most
	// Anderson is the memory of Anderson acceleration of the (Z, U)
	// iteration; 0 turns it off.
	Anderson int `json:"anderson"`
}

// DefaultConfig returns the main job: MNIST, k = 32, W on the Stiefel
// manifold, admm against joint and two-stage.
func DefaultConfig() Config {
	return Config{
		Dataset:       "mnist",
		K:             32,
		Lambda:        1,
		Constraint:    "stiefel",
		Head:          "linear",
		Activation:    "relu",
		PreActivation: "tanh",
		Covariance:    "full",
		EWMABeta:      0.1,
		Direction:     "oja",
		Optimizer:     "sgd",
		StepEvery:     1000,
		StepFactor:    0.5,
		Methods:       append([]string(nil), DefaultMethods...),
		Seeds:         []uint64{1},
		BatchSize:     128,
		LR:            0.05,
		Momentum:      0.9,
		Epochs:        10,
		LRSchedule:    "cosine",
		Rho:           1,
		Alpha:         1,
		MaxIter:       50,
		ZSteps:        100,
		AbsTol:        1e-4,
		RelTol:        1e-3,
		Penalty:       "balancing",
		Mu:            10,
		Tau:           2,
		GPIIter:       100,
	}
}

// Validate checks every field and returns an error naming the first invalid
// one, its value and the accepted range.
func (c *Config) Validate() error {
	bad := func(field string, value any, want string) error {
		return fmt.Errorf("runner: invalid %s %v: want %s", field, value, want)
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch c.Dataset {
	case "mnist":
	case "csv", "libsvm":
		if c.TrainPath == "" || c.TestPath == "" {
			return bad("train_path and test_path", fmt.Sprintf("%q and %q", c.TrainPath, c.TestPath),
				"both files for dataset "+c.Dataset)
		}
	default:
		return bad("dataset", fmt.Sprintf("%q", c.Dataset), `"mnist", "csv" or "libsvm"`)
	}
	if c.Classes < 0 || c.Classes == 1 {
		return bad("classes", c.Classes, "a count ≥ 2, or 0 to infer it from the labels")
	}
	if c.Dataset == "mnist" {
		// The CSV and LIBSVM settings do not apply to MNIST, whose files
		// fix them; a value there is a mistake to report, not to ignore.
		switch {
		case c.TrainPath != "" || c.TestPath != "":
			return bad("train_path and test_path", fmt.Sprintf("%q and %q", c.TrainPath, c.TestPath), `none with dataset "mnist"; set dataset to "csv" or "libsvm", or use data_dir for MNIST files`)
		case c.Classes != 0 && c.Classes != 10:
			return bad("classes", c.Classes, `0 or 10 with dataset "mnist"`)
		case c.Header || c.LabelColumn != "" || c.Remap:
			return fmt.Errorf(`runner: invalid header, label_column or remap with dataset "mnist": they apply to "csv" and "libsvm" only`)
		}
	}
	if c.TrainSize < 0 {
		return bad("train_size", c.TrainSize, "a count ≥ 1, or 0 for the whole training set")
	}
	if c.TestSize < 0 {
		return bad("test_size", c.TestSize, "a count ≥ 1, or 0 for the whole test set")
	}
	if c.K < 1 {
		return bad("k", c.K, "an integer ≥ 1 and at most the input dimension")
	}
	if !(c.Lambda >= 0) || !finite(c.Lambda) {
		return bad("lambda", c.Lambda, "a finite value ≥ 0")
	}
	if _, err := constraints.Parse(c.Constraint, c.radius()); err != nil {
		return fmt.Errorf("runner: invalid constraint: %w", err)
	}
	if err := c.validateArchitecture(); err != nil {
		return err
	}
	if len(c.Methods) == 0 {
		return bad("methods", "[]", "one or more of "+strings.Join(MethodNames, ", "))
	}
	seen := map[string]bool{}
	for _, m := range c.Methods {
		if !slices.Contains(MethodNames, m) {
			return bad("method", fmt.Sprintf("%q", m), "one of "+strings.Join(MethodNames, ", "))
		}
		if seen[m] {
			return bad("methods", c.Methods, "each method once")
		}
		seen[m] = true
	}
	if len(c.Seeds) == 0 {
		return bad("seeds", "[]", "one or more seeds")
	}
	for i, seed := range c.Seeds {
		if slices.Contains(c.Seeds[:i], seed) {
			return bad("seeds", fmt.Sprint(c.Seeds), fmt.Sprintf("distinct seeds; %d appears twice", seed))
		}
	}
	if c.BatchSize < 1 {
		return bad("batch_size", c.BatchSize, "an integer ≥ 1 and at most the number of training samples")
	}
	if !(c.LR > 0) || !finite(c.LR) {
		return bad("lr", c.LR, "a finite value > 0")
	}
	if !(c.Momentum >= 0 && c.Momentum < 1) {
		return bad("momentum", c.Momentum, "a value in [0, 1)")
	}
	if c.StepEvery < 1 {
		return bad("step_every", c.StepEvery, "an integer ≥ 1")
	}
	if !(c.StepFactor > 0 && c.StepFactor <= 1) {
		return bad("step_factor", c.StepFactor, "a value in (0, 1]")
	}
	switch c.LRSchedule {
	case "constant", "cosine", "step":
	default:
		return bad("lr_schedule", fmt.Sprintf("%q", c.LRSchedule), `"constant", "step" or "cosine"`)
	}
	if !slices.Contains([]string{"sgd", "nesterov", "adam"}, c.Optimizer) {
		return bad("optimizer", fmt.Sprintf("%q", c.Optimizer), `"sgd", "nesterov" or "adam"`)
	}
	if c.Epochs < 1 {
		return bad("epochs", c.Epochs, "an integer ≥ 1")
	}
	if !(c.Rho > 0) || !finite(c.Rho) {
		return bad("rho", c.Rho, "a finite value > 0")
	}
	if !(c.Alpha > 0 && c.Alpha < 2) {
		return bad("alpha", c.Alpha, "a value in (0, 2); 1 is plain ADMM")
	}
	if c.MaxIter < 1 {
		return bad("max_iter", c.MaxIter, "an integer ≥ 1")
	}
	if c.ZSteps < 1 {
		return bad("z_steps", c.ZSteps, "an integer ≥ 1")
	}
	if !(c.AbsTol > 0) || !finite(c.AbsTol) {
		return bad("abs_tol", c.AbsTol, "a finite value > 0")
	}
	if !(c.RelTol >= 0) || !finite(c.RelTol) {
		return bad("rel_tol", c.RelTol, "a finite value ≥ 0")
	}
	switch c.Penalty {
	case "fixed", "normalized", "spectral":
	case "balancing":
		if !(c.Mu > 1) || !finite(c.Mu) {
			return bad("mu", c.Mu, "a finite value > 1")
		}
		if !(c.Tau > 1) || !finite(c.Tau) {
			return bad("tau", c.Tau, "a finite value > 1")
		}
	default:
		return bad("penalty", fmt.Sprintf("%q", c.Penalty), `"fixed", "balancing", "normalized" or "spectral"`)
	}
	if c.Anderson < 0 {
		return bad("anderson", c.Anderson, "a memory ≥ 1, or 0 for no acceleration")
	}
	if c.GPIIter < 1 {
		return bad("gpi_iter", c.GPIIter, "an integer ≥ 1")
	}
	return nil
}

// validateArchitecture checks the head, the layer before W, the W-step and
// the covariance source.
func (c *Config) validateArchitecture() error {
	bad := func(field string, value any, want string) error {
		return fmt.Errorf("runner: invalid %s %v: want %s", field, value, want)
	}
	activations := []string{"relu", "tanh"}
	if !slices.Contains(activations, c.Activation) {
		return bad("activation", fmt.Sprintf("%q", c.Activation), `"relu" or "tanh"`)
	}
	if !slices.Contains(activations, c.PreActivation) {
		return bad("pre_activation", fmt.Sprintf("%q", c.PreActivation), `"relu" or "tanh"`)
	}
	switch c.Head {
	case "linear":
		if len(c.Hidden) > 0 {
			return bad("hidden", c.Hidden, `no widths with head "linear"; set head to "mlp" to use them`)
		}
	case "mlp":
		if len(c.Hidden) == 0 {
			return bad("hidden", c.Hidden, "one or more widths for an mlp head, e.g. [64]")
		}
		for _, h := range c.Hidden {
			if h < 1 {
				return bad("hidden", c.Hidden, "widths ≥ 1")
			}
		}
	default:
		return bad("head", fmt.Sprintf("%q", c.Head), `"linear" or "mlp"`)
	}
	if c.PreLayer < 0 {
		return bad("pre_layer", c.PreLayer, "a width ≥ 1, or 0 for no layer before W")
	}
	if c.PreLayer == 0 && c.PCAThroughPre {
		return bad("pca_through_pre", true, "false without a layer before W; set pre_layer to its width")
	}
	if c.PreLayer > 0 {
		if err := c.validatePreLayer(); err != nil {
			return err
		}
		if c.K > c.PreLayer {
			return bad("k", c.K, fmt.Sprintf("at most pre_layer = %d, the input dimension of W", c.PreLayer))
		}
	}
	if c.WStep != "" && !slices.Contains([]string{"exact", "power", "custom", "oja", "gha"}, c.WStep) {
		return bad("wstep", fmt.Sprintf("%q", c.WStep), `"exact", "power", "custom", "oja", "gha", or "" for the best solver of the constraint`)
	}
	stiefelOnly := slices.Contains([]string{"power", "oja", "gha"}, c.wstepName())
	if stiefelOnly != (c.Constraint == "stiefel") && c.wstepName() != "custom" {
		return bad("wstep", fmt.Sprintf("%q with constraint %q", c.wstepName(), c.Constraint),
			`"power", "oja" or "gha" with stiefel, "exact" with spectral, frobenius or columns, or "custom" with any`)
	}
	if c.WStepSteps < 0 {
		return bad("wstep_steps", c.WStepSteps, "an integer ≥ 1, or 0 for the solver's default")
	}
	if !(c.WStepEta >= 0) || math.IsInf(c.WStepEta, 0) {
		return bad("wstep_eta", c.WStepEta, "a finite step > 0, or 0 for the solver's default")
	}
	if c.CovBatch < 0 {
		return bad("cov_batch", c.CovBatch, "a count ≥ 1, or 0 for batch_size")
	}
	if !(c.EWMABeta > 0 && c.EWMABeta <= 1) {
		return bad("ewma_beta", c.EWMABeta, "a weight in (0, 1]")
	}
	switch c.Covariance {
	case "full", "minibatch", "ewma":
	default:
		return bad("covariance", fmt.Sprintf("%q", c.Covariance), `"full", "minibatch" or "ewma"`)
	}
	if !slices.Contains([]string{"full", "oja", "gha"}, c.Direction) {
		return bad("direction", fmt.Sprintf("%q", c.Direction), `"full", "oja" or "gha"`)
	}
	return nil
}

// validatePreLayer checks the settings that a layer before W restricts.
// The splitting methods recompute Σ of the layer's output from all the
// training data once per outer iteration and treat it as a constant of the
// W-step. So they need the full covariance and a W-step that reads Σ at
// every call, which the exact solvers with their one eigendecomposition do
// not, and they admit no PCA gradient into the layer.
func (c *Config) validatePreLayer() error {
	splitting := slices.Contains(c.Methods, MethodADMM) || slices.Contains(c.Methods, MethodAlternating)
	if !splitting {
		return nil
	}
	switch {
	case c.PCAThroughPre:
		return fmt.Errorf("runner: invalid pca_through_pre with pre_layer %d and method admm or alternating: "+
			"the splitting treats the covariance of the layer's output as a constant of each W-step; "+
			"use joint, joint-custom or ce-only for the PCA gradient into the layer", c.PreLayer)
	case c.Covariance != "full":
		return fmt.Errorf("runner: invalid covariance %q with pre_layer %d and method admm or alternating: "+
			"want \"full\", recomputed from the layer's output at every outer iteration", c.Covariance, c.PreLayer)
	case c.wstepName() == "exact":
		return fmt.Errorf("runner: invalid wstep \"exact\" with pre_layer %d and method admm or alternating: "+
			"the exact solvers keep one eigendecomposition of Σ, which the layer changes; use \"custom\"", c.PreLayer)
	}
	return nil
}

// wstepName returns the configured W-step, resolving "" to the best solver
// of the constraint set.
func (c *Config) wstepName() string {
	if c.WStep != "" {
		return c.WStep
	}
	if c.Constraint == "stiefel" {
		return "power"
	}
	return "exact"
}

// radius returns the ball radius, 1 when unset.
func (c *Config) radius() float64 {
	if c.Radius == 0 {
		return 1
	}
	return c.Radius
}

// DecodeConfig decodes one JSON object from r over cfg, which holds the
// defaults. Decoding is strict: an unknown key, a value of the wrong type
// or trailing data is an error. DecodeConfig does not validate; call
// [Config.Validate] afterwards.
func DecodeConfig(r io.Reader, cfg *Config) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("runner: read configuration: %w", err)
	}

	// encoding/json matches keys without regard to case, skips null values
	// and keeps the last of two equal keys, so a first pass over the keys
	// makes "K", "k": null and a repeated key errors.
	if err := checkKeys(raw); err != nil {
		return fmt.Errorf("runner: invalid configuration: %w", err)
	}

	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(cfg); err != nil {
		return fmt.Errorf("runner: invalid configuration: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("runner: invalid configuration: data after the JSON object")
	}
	return nil
}

// checkKeys returns an error unless raw is one JSON object whose keys are
// keys of Config, each once, spelled exactly, and not null unless the key
// is a list.
func checkKeys(raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("the configuration is %v, want a JSON object such as {\"k\": 32}", tok)
	}
	known := configKeys()
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key := tok.(string) // an object's keys are strings, or Token fails
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return err
		}
		kind, ok := known[key]
		switch {
		case !ok:
			return fmt.Errorf("unknown key %q; keys are lower case with underscores, as in \"max_iter\"", key)
		case seen[key]:
			return fmt.Errorf("key %q appears twice; keep one", key)
		case kind != reflect.Slice && string(bytes.TrimSpace(value)) == "null":
			// A null list is the empty list, as encoding/json writes a nil
			// slice.
			return fmt.Errorf("key %q is null; give a value or leave the key out for its default", key)
		}
		seen[key] = true
	}
	return nil
}

// configKeys returns the JSON keys of Config with the kinds of their
// fields.
func configKeys() map[string]reflect.Kind {
	keys := map[string]reflect.Kind{}
	t := reflect.TypeFor[Config]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			keys[name] = t.Field(i).Type.Kind()
		}
	}
	return keys
}
