package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/admm-go/admm/experiments/runner"
)

// flagAliases are short names kept from before the flags were derived from
// the configuration, by JSON key.
var flagAliases = map[string]string{
	"data_dir":   "data",
	"batch_size": "batch",
}

// fieldHelp is the help text of configuration fields whose struct field has
// no help tag, by JSON key. A help:"..." tag on a field of runner.Config
// takes precedence.
var fieldHelp = map[string]string{
	"dataset":    "data set: mnist, csv or libsvm",
	"data_dir":   "directory of the MNIST IDX files (default: the GoMNIST module in the Go module cache)",
	"train_path": "training `file` of a csv or libsvm data set",
	"test_path":  "test `file` of a csv or libsvm data set",
	"train_size": "use the first `n` training samples (0: all)",
	"test_size":  "use the first `n` test samples (0: all)",
	"k":          "reduced dimension k, the number of columns of W",
	"lambda":     "weight λ ≥ 0 of the PCA objective tr(WᵀΣW)",
	"constraint": "constraint set of W: stiefel, spectral, frobenius or columns",
	"radius":     "radius c of the spectral or Frobenius ball (0: 1)",
	"methods":    "comma-separated methods: " + strings.Join(runner.MethodNames, ", "),
	"seeds":      "comma-separated seeds; each method runs once per seed",
	"batch_size": "minibatch size",
	"lr":         "initial learning rate",
	"lr_schedule": "learning-rate schedule: constant, step, " +
		"or cosine (anneal to lr/100 over a method's steps)",
	"momentum":  "SGD momentum in [0, 1)",
	"epochs":    "epochs of the gradient methods and of the head of two-stage",
	"rho":       "initial ADMM penalty ρ > 0",
	"alpha":     "ADMM over-relaxation α in (0, 2)",
	"max_iter":  "ADMM outer iterations at most",
	"z_steps":   "minibatch steps per ADMM Z-step",
	"abs_tol":   "ADMM absolute tolerance ε_abs",
	"rel_tol":   "ADMM relative tolerance ε_rel",
	"penalty":   "ρ schedule: fixed, balancing, normalized or spectral",
	"mu":        "residual balancing: change ρ when one residual exceeds μ times the other",
	"tau":       "residual balancing: factor τ of a change of ρ",
	"gpi_iter":  "inner iterations of the W-step at most",
	"anderson":  "memory of Anderson acceleration of the ADMM iteration (0: off)",
	"optimizer": "minibatch optimizer: sgd, nesterov or adam",

	"header":          "the CSV files start with a line of column names",
	"label_column":    "name of the CSV label column (default: the last column)",
	"classes":         "number of classes C (0: inferred from the labels)",
	"remap":           "map the distinct training labels in ascending order to 0..C−1",
	"head":            "head of the network: linear or mlp",
	"hidden":          "comma-separated widths of the hidden layers of an mlp head",
	"activation":      "activation between the layers of an mlp head: relu or tanh",
	"pre_layer":       "width of a trainable layer before W (0: none)",
	"pre_activation":  "activation of the layer before W: relu or tanh",
	"pca_through_pre": "let the PCA gradient flow into the layer before W",
	"skip":            "feed the input of W to the head beside Wᵀx",
	"wstep":           "W-step of admm and alternating: power, exact, custom, oja or gha (default: the best for the constraint)",
	"wstep_steps":     "steps per W-step of custom, oja and gha (0: the solver's default)",
	"wstep_eta":       "step size of custom, oja and gha (0: the solver's default)",
	"covariance":      "estimate of Σ: full, minibatch or ewma",
	"cov_batch":       "samples per minibatch estimate of Σ (0: batch-size)",
	"ewma_beta":       "weight of each new batch in the ewma estimate of Σ, in (0, 1]",
	"direction":       "PCA direction of joint-custom: full, oja or gha",
	"step_every":      "step schedule: minibatch steps between changes of the learning rate",
	"step_factor":     "step schedule: factor of each change of the learning rate, in (0, 1]",
}

// configFlag describes one flag derived from a field of runner.Config.
type configFlag struct {
	Key   string // the JSON key, such as max_iter
	Name  string // the flag name, such as max-iter
	Alias string // a second flag name, or ""
	Help  string
	index []int // the field index within runner.Config
}

// configFlags returns a flag for every JSON field of runner.Config, in
// field order. It panics if a field has a type that no flag parses, so
// that a new field of such a type fails the tests instead of being left
// out.
func configFlags() []configFlag {
	t := reflect.TypeFor[runner.Config]()
	var flags []configFlag
	for _, f := range reflect.VisibleFields(t) {
		key := jsonKey(f)
		if key == "" || !f.IsExported() || f.Anonymous {
			continue
		}
		if _, ok := flagTypeName(f.Type); !ok {
			panic(fmt.Sprintf("admm: runner.Config field %s has type %s, which has no flag; add the type to newFieldValue", f.Name, f.Type))
		}
		flags = append(flags, configFlag{
			Key:   key,
			Name:  strings.ReplaceAll(key, "_", "-"),
			Alias: flagAliases[key],
			Help:  helpOf(f, key),
			index: f.Index,
		})
	}
	return flags
}

// jsonKey returns the JSON key of a struct field, or "" if encoding/json
// skips the field.
func jsonKey(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	if tag == "-" {
		return ""
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		return f.Name
	}
	return name
}

// helpOf returns the help text of a field: its help tag, else fieldHelp,
// else a generic text with the JSON key.
func helpOf(f reflect.StructField, key string) string {
	if h := f.Tag.Get("help"); h != "" {
		return h
	}
	if h, ok := fieldHelp[key]; ok {
		return h
	}
	if f.Type.Kind() == reflect.Slice {
		return fmt.Sprintf("sets %s of the configuration, a comma-separated list", key)
	}
	return fmt.Sprintf("sets %s of the configuration", key)
}

// flagTypeName returns the placeholder of a field type in the help text,
// and false if no flag parses the type.
func flagTypeName(t reflect.Type) (string, bool) {
	switch t.Kind() {
	case reflect.String:
		return "string", true
	case reflect.Bool:
		return "bool", true
	case reflect.Int:
		return "int", true
	case reflect.Uint64:
		return "uint", true
	case reflect.Float64:
		return "float", true
	case reflect.Slice:
		switch t.Elem().Kind() {
		case reflect.String, reflect.Int, reflect.Uint64, reflect.Float64:
			elem, _ := flagTypeName(t.Elem())
			return elem + "s", true
		}
	}
	return "", false
}

// printFlags writes the flags of fs to w in the layout of
// flag.PrintDefaults, with the type of each configuration field after its
// name, and defaults shown unless they are zero.
func printFlags(fs *flag.FlagSet, w io.Writer) {
	fs.VisitAll(func(f *flag.Flag) {
		placeholder, usage := flag.UnquoteUsage(f)
		if fv, ok := f.Value.(*fieldValue); ok && !strings.Contains(f.Usage, "`") {
			placeholder, _ = flagTypeName(fv.v.Type())
		}
		if fv, ok := f.Value.(*fieldValue); ok && fv.IsBoolFlag() {
			placeholder = ""
		}
		line := "  -" + f.Name
		if placeholder != "" {
			line += " " + placeholder
		}
		line += "\n    \t" + strings.ReplaceAll(usage, "\n", "\n    \t")
		switch f.DefValue {
		case "", "0", "false":
		default:
			line += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintln(w, line)
	})
}

// bindConfigFlags registers a flag for every field of cfg, each writing
// into it, and returns the flags.
func bindConfigFlags(fs *flag.FlagSet, cfg *runner.Config) []configFlag {
	flags := configFlags()
	v := reflect.ValueOf(cfg).Elem()
	for _, cf := range flags {
		fv := &fieldValue{v: v.FieldByIndex(cf.index)}
		fs.Var(fv, cf.Name, cf.Help)
		if cf.Alias != "" {
			fs.Var(fv, cf.Alias, "alias of -"+cf.Name)
		}
	}
	return flags
}

// fieldValue is a flag.Value that parses into a field of runner.Config:
// a string, bool, int, uint64 or float64, or a slice of these written as
// a comma-separated list.
type fieldValue struct {
	v reflect.Value
}

func (f *fieldValue) String() string {
	// flag.PrintDefaults calls String on a zero fieldValue.
	if f == nil || !f.v.IsValid() {
		return ""
	}
	if f.v.Kind() != reflect.Slice {
		return formatScalar(f.v)
	}
	parts := make([]string, f.v.Len())
	for i := range parts {
		parts[i] = formatScalar(f.v.Index(i))
	}
	return strings.Join(parts, ",")
}

func (f *fieldValue) Set(s string) error {
	if f.v.Kind() != reflect.Slice {
		return parseScalar(f.v, s)
	}
	// An empty string sets a nil list, as a missing JSON key leaves it. The
	// configuration's Validate then decides whether the field may be empty.
	if strings.TrimSpace(s) == "" {
		f.v.Set(reflect.Zero(f.v.Type()))
		return nil
	}
	list := reflect.MakeSlice(f.v.Type(), 0, 0)
	for i, part := range strings.Split(s, ",") {
		elem := reflect.New(f.v.Type().Elem()).Elem()
		if err := parseScalar(elem, strings.TrimSpace(part)); err != nil {
			return fmt.Errorf("element %d: %w", i+1, err)
		}
		list = reflect.Append(list, elem)
	}
	f.v.Set(list)
	return nil
}

// IsBoolFlag lets a bool field be set by -name alone.
func (f *fieldValue) IsBoolFlag() bool { return f.v.IsValid() && f.v.Kind() == reflect.Bool }

func formatScalar(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	}
	panic("admm: no flag format for " + v.Type().String())
}

// parseScalar parses s into v. Floats must be finite, because a JSON
// configuration cannot hold NaN or ±Inf and config.json must read back.
func parseScalar(v reflect.Value, s string) error {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("want true or false")
		}
		v.SetBool(b)
	case reflect.Int:
		n, err := strconv.ParseInt(s, 10, strconv.IntSize)
		if err != nil {
			return fmt.Errorf("want an integer")
		}
		v.SetInt(n)
	case reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return fmt.Errorf("want a non-negative integer")
		}
		v.SetUint(n)
	case reflect.Float64:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("want a finite number")
		}
		v.SetFloat(x)
	default:
		panic("admm: no flag parser for " + v.Type().String())
	}
	return nil
}
