package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/admm-go/admm/experiments/report"
	"github.com/admm-go/admm/experiments/runner"
	pkgerrors "github.com/pkg/errors"
)

// bindFlags registers the flags of "run" on fs, each writing into cfg.
func bindFlags(fs *flag.FlagSet, cfg *runner.Config) {
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "directory of the MNIST IDX files (default: the GoMNIST module in the Go module cache)")
	fs.IntVar(&cfg.TrainSize, "train-size", cfg.TrainSize, "use the first `n` training samples (0: all 60000)")
	fs.IntVar(&cfg.TestSize, "test-size", cfg.TestSize, "use the first `n` test samples (0: all 10000)")
	fs.IntVar(&cfg.K, "k", cfg.K, "reduced dimension k, the number of columns of W")
	fs.Float64Var(&cfg.Lambda, "lambda", cfg.Lambda, "weight λ ≥ 0 of the PCA objective tr(WᵀΣW)")
	fs.StringVar(&cfg.Constraint, "constraint", cfg.Constraint, "constraint set of W: stiefel, spectral, frobenius or columns")
	fs.Float64Var(&cfg.Radius, "radius", cfg.Radius, "radius c of the spectral or Frobenius ball (0: 1)")
	fs.Var((*listFlag)(&cfg.Methods), "methods", "comma-separated methods: "+strings.Join(runner.MethodNames, ", "))
	fs.Var((*seedsFlag)(&cfg.Seeds), "seeds", "comma-separated seeds; each method runs once per seed")
	fs.IntVar(&cfg.BatchSize, "batch", cfg.BatchSize, "minibatch size")
	fs.Float64Var(&cfg.LR, "lr", cfg.LR, "SGD learning rate")
	fs.StringVar(&cfg.LRSchedule, "lr-schedule", cfg.LRSchedule, "learning-rate schedule: constant, or cosine (anneal to lr/100 over a method's steps)")
	fs.Float64Var(&cfg.Momentum, "momentum", cfg.Momentum, "SGD momentum in [0, 1)")
	fs.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "epochs of joint and of the head of two-stage")
	fs.Float64Var(&cfg.Rho, "rho", cfg.Rho, "initial ADMM penalty ρ > 0")
	fs.Float64Var(&cfg.Alpha, "alpha", cfg.Alpha, "ADMM over-relaxation α in (0, 2)")
	fs.IntVar(&cfg.MaxIter, "max-iter", cfg.MaxIter, "ADMM outer iterations at most")
	fs.IntVar(&cfg.ZSteps, "z-steps", cfg.ZSteps, "minibatch steps per ADMM Z-step")
	fs.Float64Var(&cfg.AbsTol, "abs-tol", cfg.AbsTol, "ADMM absolute tolerance ε_abs")
	fs.Float64Var(&cfg.RelTol, "rel-tol", cfg.RelTol, "ADMM relative tolerance ε_rel")
	fs.StringVar(&cfg.Penalty, "penalty", cfg.Penalty, "ρ schedule: fixed or balancing")
	fs.Float64Var(&cfg.Mu, "mu", cfg.Mu, "residual balancing: change ρ when one residual exceeds μ times the other")
	fs.Float64Var(&cfg.Tau, "tau", cfg.Tau, "residual balancing: factor τ of a change of ρ")
	fs.IntVar(&cfg.GPIIter, "gpi-iter", cfg.GPIIter, "inner iterations of the W-step at most")
}

// cmdRun implements "admm run".
func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer, log *slog.Logger) int {
	cfg, out, err := parseRunFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if err := doRun(ctx, cfg, out, stdout, log); err != nil {
		log.Error("run failed", "err", err)
		return 1
	}
	return 0
}

// parseRunFlags reads -config, then the other flags, which override the
// fields of the configuration file.
func parseRunFlags(args []string, stderr io.Writer) (runner.Config, string, error) {
	cfg := runner.DefaultConfig()
	fs := flag.NewFlagSet("admm run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "JSON configuration `file`; flags override its fields")
	out := fs.String("out", "", "run directory to create (default results/<timestamp>); it must not exist")
	bindFlags(fs, &cfg)
	if err := fs.Parse(args); err != nil {
		return cfg, "", err
	}
	if fs.NArg() > 0 {
		return cfg, "", fmt.Errorf("admm run: unexpected argument %q: every setting is a flag (see admm run -h)", fs.Arg(0))
	}
	if *configPath == "" {
		return cfg, *out, cfg.Validate()
	}

	// Decode the file over the defaults, then replay the flags that were
	// set on the command line.
	fileCfg := runner.DefaultConfig()
	f, err := os.Open(*configPath)
	if err != nil {
		return cfg, "", pkgerrors.Wrap(err, "admm run: read configuration")
	}
	err = runner.DecodeConfig(f, &fileCfg)
	f.Close()
	if err != nil {
		return cfg, "", pkgerrors.Wrapf(err, "admm run: invalid configuration %s", *configPath)
	}
	replay := flag.NewFlagSet("admm run", flag.ContinueOnError)
	bindFlags(replay, &fileCfg)
	var replayErr error
	fs.Visit(func(f *flag.Flag) {
		if replay.Lookup(f.Name) != nil && replayErr == nil {
			replayErr = replay.Set(f.Name, f.Value.String())
		}
	})
	if replayErr != nil {
		return cfg, "", replayErr
	}
	return fileCfg, *out, fileCfg.Validate()
}

// doRun loads the data, creates the run directory, trains, and writes the
// tables.
func doRun(ctx context.Context, cfg runner.Config, out string, stdout io.Writer, log *slog.Logger) error {
	start := time.Now()
	train, test, err := runner.LoadData(cfg)
	if err != nil {
		return err
	}
	n, d := train.X.Dims()
	nt, _ := test.X.Dims()
	log.Info("data loaded", "train", n, "test", nt, "features", d, "seconds", time.Since(start).Seconds())

	if out == "" {
		out = filepath.Join("results", start.Format("20060102-150405"))
	}
	if err := createRunDir(out); err != nil {
		return err
	}
	log.Info("writing results", "dir", out)
	if err := report.WriteFileAtomic(filepath.Join(out, "config.json"), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(cfg)
	}); err != nil {
		return err
	}

	var rows []report.Row
	stream := report.NewMarkdownStream(stdout)
	csvPath := filepath.Join(out, "metrics.csv")
	sink := func(r *report.Row) error {
		rows = append(rows, *r)
		if err := stream.Write(r); err != nil {
			return err
		}
		// Rewriting the whole file keeps it complete after every row, so an
		// interrupted run still leaves a valid table.
		return report.WriteFileAtomic(csvPath, func(w io.Writer) error { return report.WriteCSV(w, rows) })
	}
	outcomes, runErr := runner.Run(ctx, cfg, train, test, runner.Options{Sink: sink, Logger: log})

	statuses := map[string]string{}
	failed := 0
	for i := range outcomes {
		statuses[outcomes[i].Key()] = outcomes[i].Status
		if outcomes[i].Err != nil {
			failed++
		}
	}
	summary := report.Summarize(rows, statuses)
	fmt.Fprintln(stdout)
	if err := summary.WriteMarkdown(stdout); err != nil {
		return err
	}
	if err := report.WriteFileAtomic(filepath.Join(out, "summary.md"), summary.WriteMarkdown); err != nil {
		return err
	}
	log.Info("done", "dir", out, "seconds", time.Since(start).Seconds())
	if runErr != nil {
		return runErr
	}
	if failed > 0 {
		return fmt.Errorf("admm run: %d of %d method runs failed; see the status column of %s", failed, len(outcomes), filepath.Join(out, "summary.md"))
	}
	return nil
}

// createRunDir creates dir and its parents. An existing dir is an error, so
// a run never overwrites the results of another.
func createRunDir(dir string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return pkgerrors.Wrap(err, "admm run: create the results directory")
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("admm run: run directory %s already exists: choose another -out, or remove it", dir)
		}
		return pkgerrors.Wrap(err, "admm run: create the run directory")
	}
	return nil
}

// listFlag is a comma-separated list of names.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	*l = nil
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			*l = append(*l, f)
		}
	}
	return nil
}

// seedsFlag is a comma-separated list of unsigned integers.
type seedsFlag []uint64

func (l *seedsFlag) String() string {
	parts := make([]string, len(*l))
	for i, s := range *l {
		parts[i] = strconv.FormatUint(s, 10)
	}
	return strings.Join(parts, ",")
}

func (l *seedsFlag) Set(s string) error {
	*l = nil
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
		if err != nil {
			return fmt.Errorf("invalid seed %q: want a non-negative integer", f)
		}
		*l = append(*l, v)
	}
	return nil
}
