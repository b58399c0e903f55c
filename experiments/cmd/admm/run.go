package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/admm-go/admm/experiments/data"
	"github.com/admm-go/admm/experiments/report"
	"github.com/admm-go/admm/experiments/runinfo"
	"github.com/admm-go/admm/experiments/runner"
	pkgerrors "github.com/pkg/errors"
)

// runOptions are the settings of a run that are not part of the
// experiment, so config.json leaves them out.
type runOptions struct {
	// out is the run directory to create; "" means results/<timestamp>.
	out string
	// plots are the plot formats; none means no plots.
	plots []string
	// checkpointEvery is the number of iterations or epochs of a method
	// between checkpoints; 0 writes one only on an interrupt.
	checkpointEvery int
}

// defaultCheckpointEvery is the default interval of checkpoints. Writing
// one costs a gob encoding of the network and the rows so far, well under
// the time of one outer iteration on MNIST.
const defaultCheckpointEvery = 10

// defaultPlots are the formats of the plots of a run.
var defaultPlots = []string{"svg", "png"}

// plotFormats are the formats report.WritePlots accepts.
var plotFormats = []string{"svg", "png", "pdf"}

// usageError is an error in the command line or the configuration; it
// exits with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitStatus prints err, unless it is nil or a request for help, and
// returns the exit status for it.
func exitStatus(e *env, err error) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintln(e.stderr, err)
		return exitUsage
	case errors.Is(err, context.Canceled):
		e.log.Warn("run canceled", "err", err)
		return exitInterrupted
	case errors.Is(err, runner.ErrStopped):
		e.log.Warn("run stopped at an interrupt", "err", err)
		return exitInterrupted
	}
	e.log.Error("failed", "err", err)
	return exitFailed
}

// cmdRun implements "admm run".
func cmdRun(ctx context.Context, e *env, args []string) int {
	cfg, opts, err := parseRunFlags(e, args)
	if err != nil {
		return exitStatus(e, err)
	}
	_, err = doRun(ctx, e, cfg, opts)
	return exitStatus(e, err)
}

// parseFlags parses args with fs and returns the positional arguments.
// Unlike fs.Parse alone, it accepts flags after a positional argument,
// as in "admm reproduce DIR -tol 1e-9". On -h it prints the usage to
// e.stdout and returns flag.ErrHelp.
func parseFlags(e *env, fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(e.stdout)
				fs.Usage()
				return nil, err
			}
			return nil, usageErrorf("%s: %v; run \"%s -h\" to list the flags", fs.Name(), err, fs.Name())
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// newRunFlagSet returns the flags of "admm run": one for every field of
// cfg, and -config, -out and -plots.
func newRunFlagSet(cfg *runner.Config, opts *runOptions, configPath *string) *flag.FlagSet {
	fs := flag.NewFlagSet("admm run", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: admm run [flags]\n\nFlags set the fields of the configuration (JSON keys with - for _) and override -config.\n\n")
		printFlags(fs, fs.Output())
	}
	fs.StringVar(configPath, "config", "", "JSON configuration `file` (snake_case keys); flags override its fields")
	fs.StringVar(&opts.out, "out", "", "run `directory` to create (default results/<timestamp>); it must not exist")
	fs.Var(listValue{&opts.plots}, "plots", "comma-separated plot `formats` of svg, png and pdf, or none")
	fs.IntVar(&opts.checkpointEvery, "checkpoint-every", defaultCheckpointEvery, "write a checkpoint every `n` iterations or epochs of a method; 0: only on an interrupt")
	bindConfigFlags(fs, cfg)
	return fs
}

// parseRunFlags reads -config, then the other flags, which override the
// fields of the configuration file.
func parseRunFlags(e *env, args []string) (runner.Config, runOptions, error) {
	cfg := runner.DefaultConfig()
	opts := runOptions{plots: defaultPlots, checkpointEvery: defaultCheckpointEvery}
	var configPath string
	fs := newRunFlagSet(&cfg, &opts, &configPath)
	positional, err := parseFlags(e, fs, args)
	if err != nil {
		return cfg, opts, err
	}
	if len(positional) > 0 {
		return cfg, opts, usageErrorf("admm run: unexpected argument %q: every setting is a flag; run \"admm run -h\" to list them", positional[0])
	}
	if err := checkPlotFormats(opts.plots); err != nil {
		return cfg, opts, err
	}
	if opts.checkpointEvery < 0 {
		return cfg, opts, usageErrorf("admm run: invalid -checkpoint-every %d: want ≥ 1, or 0 for checkpoints only on an interrupt", opts.checkpointEvery)
	}
	if err := checkNewDir(opts.out); err != nil {
		return cfg, opts, err
	}

	if configPath != "" {
		// Decode the file over the defaults, then parse the command line
		// again over it, so that exactly the flags given override it.
		cfg = runner.DefaultConfig()
		if err := readConfig(configPath, &cfg); err != nil {
			return cfg, opts, err
		}
		if _, err := parseFlags(e, newRunFlagSet(&cfg, &opts, &configPath), args); err != nil {
			return cfg, opts, err
		}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, opts, usageErrorf("admm run: %v; change the flag or the configuration key", err)
	}
	return cfg, opts, nil
}

// readConfig decodes the JSON file at path over cfg. A file that does not
// decode (a misspelled key, a wrong type) is a usage error.
func readConfig(path string, cfg *runner.Config) error {
	f, err := os.Open(path)
	if err != nil {
		return usageErrorf("admm: cannot read the configuration: %v", err)
	}
	defer f.Close()
	if err := runner.DecodeConfig(f, cfg); err != nil {
		return usageErrorf("admm: configuration %s: %v; fix the key or value, \"admm run -h\" lists every key", path, err)
	}
	return nil
}

// checkPlotFormats rejects formats that report.WritePlots does not write,
// before training starts rather than after.
func checkPlotFormats(formats []string) error {
	for _, f := range formats {
		if !slices.Contains(plotFormats, f) {
			return usageErrorf("admm: invalid plot format %q: want a comma-separated list of %s, or none", f, strings.Join(plotFormats, ", "))
		}
	}
	return nil
}

// doRun loads the data, creates the run directory, trains, and writes the
// tables, the plots and the manifest. It returns the run directory, once
// created, even with an error.
func doRun(ctx context.Context, e *env, cfg runner.Config, opts runOptions) (string, error) {
	start := time.Now()
	train, test, err := runner.LoadData(cfg)
	var setting *runner.SettingError
	if errors.As(err, &setting) {
		return "", usageErrorf("admm run: %v", err)
	}
	if err != nil {
		return "", err
	}
	n, d := train.X.Dims()
	nt, _ := test.X.Dims()
	e.log.Info("data loaded", "train", n, "test", nt, "features", d, "seconds", time.Since(start).Seconds())
	if err := ctx.Err(); err != nil {
		return "", err
	}

	if err := runner.CheckData(cfg, train, test); err != nil {
		return "", usageErrorf("admm run: %v", err)
	}

	dir := opts.out
	if dir == "" {
		var err error
		if dir, err = createDefaultRunDir(start); err != nil {
			return "", err
		}
	} else if err := createRunDir(dir); err != nil {
		return "", err
	}
	if err := writeJSON(filepath.Join(dir, "config.json"), cfg); err != nil {
		return dir, err
	}
	wd, _ := os.Getwd()
	manifest := &runinfo.Manifest{
		Command: e.command,
		Build:   runinfo.ReadBuild(wd),
		Machine: runinfo.ReadMachine(),
		Data:    runinfo.NewData(cfg.Dataset, train, test),
		Seeds:   cfg.Seeds,
		Start:   start,
		Status:  runinfo.StatusRunning,
		Runs:    manifestRuns(&cfg, nil, nil, false),
	}
	// An early manifest identifies the run directory even if the process
	// dies before the end.
	if err := writeManifest(dir, manifest); err != nil {
		return dir, err
	}
	e.log.Info("writing results", "dir", dir)
	return dir, trainAndWrite(ctx, e, cfg, opts, dir, train, test, manifest, nil)
}

// trainAndWrite trains, from a checkpoint when resume is not nil, and
// writes the tables, the plots, the weights and the final manifest.
func trainAndWrite(ctx context.Context, e *env, cfg runner.Config, opts runOptions, dir string,
	train, test *data.Dataset, manifest *runinfo.Manifest, resume *runner.Checkpoint) error {
	start := time.Now()
	// At every checkpoint the manifest records which runs are done and
	// which one is in progress, so that it is accurate after a hard exit.
	onCheckpoint := func(cp *runner.Checkpoint) error {
		manifest.Runs = checkpointRuns(&cfg, cp)
		return writeManifest(dir, manifest)
	}
	rows, outcomes, runErr := trainAll(ctx, e, cfg, opts, train, test, dir, resume, onCheckpoint)

	stopped := errors.Is(runErr, runner.ErrStopped)
	canceled := errors.Is(runErr, context.Canceled) || stopped
	if !canceled {
		// A finished run has nothing to resume, and a resume from an old
		// checkpoint would train part of it again.
		if err := os.Remove(filepath.Join(dir, checkpointFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
			e.log.Warn("cannot remove the checkpoint of the finished run", "err", err)
		}
	}
	manifest.Runs = manifestRuns(&cfg, outcomes, rows, canceled)
	failed := 0
	statuses := map[string]string{}
	for _, r := range manifest.Runs {
		statuses[runKey(r.Method, r.Seed)] = r.Status
		if r.Error != "" {
			failed++
		}
	}
	writeErr := errors.Join(
		writeSummaries(e, dir, rows, statuses, opts.plots, true),
		writeWeights(dir, outcomes),
	)

	switch {
	case canceled:
		manifest.Status = runinfo.StatusCanceled
	case runErr != nil || writeErr != nil || failed > 0:
		manifest.Status = runinfo.StatusFailed
	default:
		manifest.Status = runinfo.StatusCompleted
	}
	if err := errors.Join(runErr, writeErr); err != nil {
		manifest.Error = err.Error()
	}
	manifest.End = time.Now()
	if err := writeManifest(dir, manifest); err != nil {
		return errors.Join(runErr, writeErr, err)
	}
	e.log.Info("done", "dir", dir, "status", manifest.Status, "seconds", time.Since(start).Seconds())
	if stopped {
		if _, err := os.Stat(filepath.Join(dir, checkpointFile)); err == nil {
			fmt.Fprintf(e.stderr, "admm: stopped; continue with: %s resume %s\n", commandName(), dir)
		}
	}

	if runErr != nil || writeErr != nil {
		return errors.Join(runErr, writeErr)
	}
	if failed > 0 {
		return &methodsFailedError{failed: failed, total: len(manifest.Runs), summary: filepath.Join(dir, "summary.md")}
	}
	return nil
}

// methodsFailedError reports (method, seed) runs that failed while the
// others went on.
type methodsFailedError struct {
	failed, total int
	summary       string // path of the summary with the status of each run
}

func (e *methodsFailedError) Error() string {
	return fmt.Sprintf("admm: %d of %d method runs failed; see the status column of %s", e.failed, e.total, e.summary)
}

// commandName returns how the user ran this program: "go run
// ./experiments/cmd/admm" for a binary that go run built in its cache, the
// program path otherwise.
func commandName() string {
	if strings.Contains(os.Args[0], "go-build") {
		return "go run ./experiments/cmd/admm"
	}
	return os.Args[0]
}

// checkpointFile is the name of the checkpoint in a run directory.
const checkpointFile = "checkpoint.gob"

// trainAll runs every method of cfg, prints each row to e.stdout as it
// comes and rewrites dir/metrics.csv after each. It writes checkpoints to
// dir when cfg allows them, and continues from resume when it is not nil.
func trainAll(ctx context.Context, e *env, cfg runner.Config, opts runOptions, train, test *data.Dataset, dir string,
	resume *runner.Checkpoint, onCheckpoint func(*runner.Checkpoint) error) ([]report.Row, []runner.Outcome, error) {
	var bar *progress
	if e.progress {
		bar = newProgress(e.stderr, &cfg)
		defer bar.finish()
	}
	var rows []report.Row
	if resume != nil {
		rows = append(rows, resume.Rows...)
	}
	stream := report.NewMarkdownStream(e.stdout)
	csvPath := filepath.Join(dir, "metrics.csv")
	writeMetrics := func() error {
		return report.WriteFileAtomic(csvPath, func(w io.Writer) error { return report.WriteCSV(w, rows) })
	}
	var lastWrite time.Time
	sink := func(r *report.Row) error {
		rows = append(rows, *r)
		bar.clear()
		if err := stream.Write(r); err != nil {
			return err
		}
		bar.update(r)
		// Rewriting the whole file keeps it complete, so an interrupted run
		// still leaves a valid table. At most one rewrite a second keeps
		// the cost linear in the number of rows on long runs.
		if time.Since(lastWrite) < csvInterval {
			return nil
		}
		lastWrite = time.Now()
		return writeMetrics()
	}
	ropts := runner.Options{Sink: sink, Logger: e.log, Stop: e.stop.Load, Resume: resume}
	if err := cfg.Checkpointable(); err != nil {
		e.log.Warn("checkpoints are off for this configuration", "reason", err)
	} else {
		cpPath := filepath.Join(dir, checkpointFile)
		ropts.CheckpointEvery = opts.checkpointEvery
		ropts.Checkpoint = func(cp *runner.Checkpoint) error {
			// The table on disk must hold at least the rows of the
			// checkpoint, for a resume after an immediate exit.
			if err := writeMetrics(); err != nil {
				return err
			}
			if err := runner.WriteCheckpoint(cpPath, cp); err != nil {
				return err
			}
			return onCheckpoint(cp)
		}
	}
	outcomes, err := runner.Run(ctx, cfg, train, test, ropts)
	if werr := writeMetrics(); werr != nil {
		err = errors.Join(err, werr)
	}
	return rows, outcomes, err
}

// csvInterval is the least time between two rewrites of metrics.csv while
// a run goes on; the last rows are always written when it ends.
const csvInterval = time.Second

// writeWeights writes the final reduction matrix W of every run, the last
// finite one for a run that failed, to dir/weights/METHOD-seedN.csv, one
// row of W per line.
func writeWeights(dir string, outcomes []runner.Outcome) error {
	var errs []error
	for _, o := range outcomes {
		if o.W == nil {
			continue
		}
		wdir := filepath.Join(dir, "weights")
		if err := os.MkdirAll(wdir, 0o755); err != nil {
			return pkgerrors.Wrap(err, "admm: create the weights directory")
		}
		path := filepath.Join(wdir, fmt.Sprintf("%s-seed%d.csv", o.Method, o.Seed))
		errs = append(errs, report.WriteFileAtomic(path, func(w io.Writer) error { return report.WriteMatrixCSV(w, o.W) }))
	}
	return errors.Join(errs...)
}

// manifestRuns returns every (method, seed) pair of cfg with its outcome.
// A pair without an outcome did not start; with canceled, the last pair
// with an outcome but no status was stopped by the cancellation.
func manifestRuns(cfg *runner.Config, outcomes []runner.Outcome, rows []report.Row, canceled bool) []runinfo.Run {
	byKey := map[string]*runner.Outcome{}
	for i := range outcomes {
		byKey[outcomes[i].Key()] = &outcomes[i]
	}
	last := map[string]*report.Row{}
	for i := range rows {
		last[runKey(rows[i].Method, rows[i].Seed)] = &rows[i]
	}
	var runs []runinfo.Run
	for _, seed := range cfg.Seeds {
		for _, m := range cfg.Methods {
			key := runKey(m, seed)
			r := runinfo.Run{Method: m, Seed: seed, Status: runinfo.RunNotStarted}
			if o, ok := byKey[key]; ok {
				r.Status, r.Rows = o.Status, o.Rows
				if o.Err != nil {
					r.Error = o.Err.Error()
				}
				if r.Status == "" && canceled {
					r.Status = runinfo.RunCanceled
				}
			}
			if row, ok := last[key]; ok {
				r.Final = map[string]runinfo.Float{
					"train_ce":  runinfo.Float(row.TrainCE),
					"train_acc": runinfo.Float(row.TrainAcc),
					"test_acc":  runinfo.Float(row.TestAcc),
				}
			}
			runs = append(runs, r)
		}
	}
	return runs
}

// checkpointRuns returns every (method, seed) pair of cfg with its state at
// the checkpoint cp: finished, in progress (status running) or not started.
func checkpointRuns(cfg *runner.Config, cp *runner.Checkpoint) []runinfo.Run {
	done := map[string]runner.DoneRun{}
	for _, d := range cp.Done {
		done[runKey(d.Method, d.Seed)] = d
	}
	rowsOf := map[string]int{}
	for _, r := range cp.Rows {
		rowsOf[runKey(r.Method, r.Seed)]++
	}
	var runs []runinfo.Run
	for _, seed := range cfg.Seeds {
		for _, m := range cfg.Methods {
			key := runKey(m, seed)
			r := runinfo.Run{Method: m, Seed: seed, Status: runinfo.RunNotStarted, Rows: rowsOf[key]}
			if d, ok := done[key]; ok {
				r.Status, r.Error = d.Status, d.Err
			} else if c := cp.Current; c != nil && c.Method == m && c.Seed == seed {
				r.Status = runinfo.StatusRunning
			}
			runs = append(runs, r)
		}
	}
	return runs
}

// writeSummaries writes summary.md, summary.tex and the plots of rows
// into dir, and with toStdout prints the summary to e.stdout too. It goes
// on after a failure, so one broken file does not cost the others, and
// returns every error.
func writeSummaries(e *env, dir string, rows []report.Row, statuses map[string]string, plots []string, toStdout bool) error {
	summary := report.Summarize(rows, statuses)
	var errs []error
	if toStdout {
		fmt.Fprintln(e.stdout)
		errs = append(errs, summary.WriteMarkdown(e.stdout))
	}
	milestones := report.Milestones(rows, milestoneEVR, milestoneReference)
	errs = append(errs,
		report.WriteFileAtomic(filepath.Join(dir, "summary.md"), summary.WriteMarkdown),
		report.WriteFileAtomic(filepath.Join(dir, "summary.tex"), summary.WriteLaTeX),
		report.WriteFileAtomic(filepath.Join(dir, "milestones.md"), func(w io.Writer) error {
			return report.WriteMilestonesMarkdown(w, milestones, milestoneEVR, milestoneReference)
		}),
	)
	if len(plots) > 0 {
		paths, err := report.WritePlots(filepath.Join(dir, "plots"), rows, plots)
		e.log.Info("plots written", "dir", filepath.Join(dir, "plots"), "files", len(paths))
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Milestones of milestones.md: the first row with evr ≥ milestoneEVR, and
// the first row at or above the final test accuracy of joint backprop for
// the same seed.
const (
	milestoneEVR       = 0.99
	milestoneReference = "joint"
)

// writeJSON writes v as indented JSON to path, atomically.
func writeJSON(path string, v any) error {
	return report.WriteFileAtomic(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return pkgerrors.Wrapf(enc.Encode(v), "admm: encode %s", filepath.Base(path))
	})
}

func writeManifest(dir string, m *runinfo.Manifest) error {
	return report.WriteFileAtomic(filepath.Join(dir, "manifest.json"), m.Write)
}

// checkNewDir rejects an existing run directory, or one that cannot be
// created, before the data is loaded; createRunDir makes the check that
// counts.
func checkNewDir(dir string) error {
	if dir == "" {
		dir = filepath.Join("results", "new")
	} else if _, err := os.Stat(dir); err == nil {
		return usageErrorf("admm: run directory %s already exists: choose another -out, or remove it", dir)
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return usageErrorf("admm: cannot create the parent directory %s of the run directory: %v; choose another -out", parent, err)
	}
	probe, err := os.CreateTemp(parent, ".admm-write-test-*")
	if err != nil {
		return usageErrorf("admm: cannot write into %s, where the run directory goes: %v; choose another -out", parent, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// createDefaultRunDir creates results/<timestamp>, with a suffix -2, -3, …
// when runs started in the same second already took the name.
func createDefaultRunDir(start time.Time) (string, error) {
	base := filepath.Join("results", start.Format("20060102-150405"))
	for i := 1; ; i++ {
		dir := base
		if i > 1 {
			dir = fmt.Sprintf("%s-%d", base, i)
		}
		err := createRunDir(dir)
		var ue *usageError
		if err == nil || !errors.As(err, &ue) {
			return dir, err
		}
	}
}

// createRunDir creates dir and its parents. An existing dir is an error, so
// a run never overwrites the results of another.
func createRunDir(dir string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return pkgerrors.Wrap(err, "admm: create the results directory")
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		if errors.Is(err, os.ErrExist) {
			return usageErrorf("admm: run directory %s already exists: choose another -out, or remove it", dir)
		}
		return pkgerrors.Wrap(err, "admm: create the run directory")
	}
	return nil
}

// listValue is a comma-separated list of names; "none" or "" is the
// empty list.
type listValue struct{ list *[]string }

func (l listValue) String() string {
	if l.list == nil {
		return ""
	}
	return strings.Join(*l.list, ",")
}

func (l listValue) Set(s string) error {
	*l.list = nil
	if s == "none" {
		return nil
	}
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			*l.list = append(*l.list, f)
		}
	}
	return nil
}
