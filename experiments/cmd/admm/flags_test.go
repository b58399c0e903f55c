package main

import (
	"bytes"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/admm-go/admm/experiments/runner"
	"github.com/google/go-cmp/cmp"
)

// testEnv returns an env that discards all output.
func testEnv() *env {
	return &env{stdout: io.Discard, stderr: io.Discard, log: slog.New(slog.DiscardHandler), stop: &atomic.Bool{}}
}

func TestEveryConfigFieldHasFlag(t *testing.T) {
	var cfg runner.Config
	var opts runOptions
	var configPath string
	fs := newRunFlagSet(&cfg, &opts, &configPath)

	typ := reflect.TypeFor[runner.Config]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if key == "" || key == "-" {
			continue
		}
		name := strings.ReplaceAll(key, "_", "-")
		if fs.Lookup(name) == nil {
			t.Errorf("field %s (JSON key %s) has no flag -%s", f.Name, key, name)
		}
	}
}

func TestFlagsRoundTripDefaults(t *testing.T) {
	// Setting every flag to the text of its default must leave the
	// default configuration unchanged, so String and Set agree.
	cfg := runner.DefaultConfig()
	var opts runOptions
	var configPath string
	fs := newRunFlagSet(&cfg, &opts, &configPath)
	for _, cf := range configFlags() {
		f := fs.Lookup(cf.Name)
		if err := fs.Set(cf.Name, f.Value.String()); err != nil {
			t.Errorf("-%s %q: %v", cf.Name, f.Value.String(), err)
		}
	}
	if diff := cmp.Diff(runner.DefaultConfig(), cfg); diff != "" {
		t.Errorf("defaults after a round trip through the flags (-want +got):\n%s", diff)
	}
}

func TestFlagValues(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want func(*runner.Config)
	}{
		{"int", []string{"-max-iter", "7"}, func(c *runner.Config) { c.MaxIter = 7 }},
		{"float", []string{"-lambda", "0.25"}, func(c *runner.Config) { c.Lambda = 0.25 }},
		{"string", []string{"-constraint", "frobenius"}, func(c *runner.Config) { c.Constraint = "frobenius" }},
		{"bool without value", []string{"-skip"}, func(c *runner.Config) { c.Skip = true }},
		{"bool with value", []string{"-skip=false"}, func(c *runner.Config) { c.Skip = false }},
		{"string list", []string{"-methods", "joint, admm"}, func(c *runner.Config) { c.Methods = []string{"joint", "admm"} }},
		{"uint64 list", []string{"-seeds", "3,18446744073709551615"}, func(c *runner.Config) { c.Seeds = []uint64{3, 18446744073709551615} }},
		{"int list", []string{"-head", "mlp", "-hidden", "64,32"}, func(c *runner.Config) { c.Head, c.Hidden = "mlp", []int{64, 32} }},
		{"alias data", []string{"-data", "/tmp/mnist"}, func(c *runner.Config) { c.DataDir = "/tmp/mnist" }},
		{"alias batch", []string{"-batch", "64"}, func(c *runner.Config) { c.BatchSize = 64 }},
		{"long name of alias", []string{"-batch-size", "32"}, func(c *runner.Config) { c.BatchSize = 32 }},
		{"last flag wins", []string{"-k", "4", "-k", "5"}, func(c *runner.Config) { c.K = 5 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := parseRunFlags(testEnv(), tt.args)
			if err != nil {
				t.Fatalf("parse %v: %v", tt.args, err)
			}
			want := runner.DefaultConfig()
			tt.want(&want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("parse %v (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}

func TestFlagRejectsBadValue(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // a part of the error
	}{
		{"int", []string{"-k", "four"}, `invalid value "four" for flag -k: want an integer`},
		{"nan", []string{"-lambda", "NaN"}, `invalid value "NaN" for flag -lambda: want a finite number`},
		{"inf", []string{"-rho", "+Inf"}, `for flag -rho: want a finite number`},
		{"negative seed", []string{"-seeds", "1,-2"}, `for flag -seeds: element 2: want a non-negative integer`},
		{"bool", []string{"-remap=maybe"}, `invalid boolean value "maybe" for -remap`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parseRunFlags(testEnv(), tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("parse %v: error %v, want one containing %q", tt.args, err, tt.want)
			}
		})
	}
}

func TestFlagsOverrideConfigFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.json")
	if err := os.WriteFile(path, []byte(`{"k": 8, "lr": 0.1, "seeds": [4, 5]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// The flag comes before -config, which must not matter.
	got, _, err := parseRunFlags(testEnv(), []string{"-k", "4", "-config", path, "-max-iter", "9"})
	if err != nil {
		t.Fatal(err)
	}
	want := runner.DefaultConfig()
	want.K, want.LR, want.Seeds, want.MaxIter = 4, 0.1, []uint64{4, 5}, 9
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("configuration (-want +got):\n%s", diff)
	}
}

func TestHelpOf(t *testing.T) {
	tests := []struct {
		name  string
		field reflect.StructField
		want  string
	}{
		{"help tag", reflect.StructField{Name: "K", Type: reflect.TypeFor[int](), Tag: `json:"k" help:"from the tag"`}, "from the tag"},
		{"table", reflect.StructField{Name: "K", Type: reflect.TypeFor[int](), Tag: `json:"k"`}, fieldHelp["k"]},
		{"generic list", reflect.StructField{Name: "New", Type: reflect.TypeFor[[]float64](), Tag: `json:"new_field"`},
			"sets new_field of the configuration, a comma-separated list"},
		{"generic", reflect.StructField{Name: "New", Type: reflect.TypeFor[bool](), Tag: `json:"new_field"`},
			"sets new_field of the configuration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := helpOf(tt.field, jsonKey(tt.field)); got != tt.want {
				t.Errorf("helpOf = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRunHelpListsFlags(t *testing.T) {
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: io.Discard}
	_, _, err := parseRunFlags(e, []string{"-h"})
	if err != flag.ErrHelp {
		t.Fatalf("parse -h: error %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"-max-iter int\n", "-batch int\n", "alias of -batch-size", "-config file\n", "-seeds uints\n", "(default 50)", "-remap\n", "-train-size n\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, out.String())
		}
	}
	for _, zero := range []string{"(default 0)", "(default false)", "(default )"} {
		if strings.Contains(out.String(), zero) {
			t.Errorf("help shows the zero default %q:\n%s", zero, out.String())
		}
	}
}
