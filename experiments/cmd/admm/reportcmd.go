package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/admm-go/admm/experiments/report"
	"github.com/admm-go/admm/experiments/runinfo"
	pkgerrors "github.com/pkg/errors"
)

// cmdReport implements "admm report RUNDIR...": it rebuilds summary.md,
// summary.tex and the plots from the metrics.csv of run directories,
// without training.
func cmdReport(e *env, args []string) int {
	fs := flag.NewFlagSet("admm report", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: admm report [-out DIR] [-plots FORMATS] RUNDIR...\n\n"+
			"Rebuilds summary.md, summary.tex and plots/ from the metrics.csv of each RUNDIR.\n"+
			"Several run directories make one comparison, each method named RUNDIR/method.\n\n")
		fs.PrintDefaults()
	}
	out := fs.String("out", "", "output `directory`, created if missing (default: the run directory when there is one; required with several)")
	plots := defaultPlots
	fs.Var(listValue{&plots}, "plots", "comma-separated plot `formats` of svg, png and pdf, or none")

	dirs, err := parseFlags(e, fs, args)
	if err != nil {
		return exitStatus(e, err)
	}
	if err := checkReportArgs(dirs, out); err != nil {
		return exitStatus(e, err)
	}
	if err := checkPlotFormats(plots); err != nil {
		return exitStatus(e, err)
	}

	labels := runLabels(dirs)
	var rows []report.Row
	statuses := map[string]string{}
	for i, dir := range dirs {
		runRows, runStatuses, err := readRun(e, dir)
		if err != nil {
			return exitStatus(e, err)
		}
		prefix := ""
		if len(dirs) > 1 {
			prefix = labels[i] + "/"
		}
		for _, r := range runRows {
			r.Method = prefix + r.Method
			rows = append(rows, r)
		}
		for key, status := range runStatuses {
			statuses[prefix+key] = status
		}
	}

	if err := os.MkdirAll(*out, 0o755); err != nil {
		return exitStatus(e, pkgerrors.Wrap(err, "admm report: create the output directory"))
	}
	if err := writeSummaries(e, *out, rows, statuses, plots, true); err != nil {
		return exitStatus(e, err)
	}
	e.log.Info("report written", "dir", *out, "runs", len(dirs), "rows", len(rows))
	return exitOK
}

// checkReportArgs checks the run directories and sets *out to the run
// directory when there is one and -out is unset.
func checkReportArgs(dirs []string, out *string) error {
	if len(dirs) == 0 {
		return usageErrorf("admm report: missing run directory; usage: admm report [-out DIR] RUNDIR...")
	}
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "metrics.csv")); err != nil {
			return usageErrorf("admm report: %s has no metrics.csv: give a run directory that admm run wrote", dir)
		}
	}
	if *out == "" {
		if len(dirs) > 1 {
			return usageErrorf("admm report: -out is required with %d run directories: name a directory for the comparison", len(dirs))
		}
		*out = dirs[0]
		return nil
	}
	if len(dirs) > 1 {
		// The comparison would replace the summary of one of the runs.
		for _, dir := range dirs {
			if samePath(dir, *out) {
				return usageErrorf("admm report: -out %s is one of the compared run directories: choose a directory of its own", *out)
			}
		}
	}
	return nil
}

// samePath reports whether a and b name the same directory.
func samePath(a, b string) bool {
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	return errA == nil && errB == nil && absA == absB
}

// runLabels returns the label of each run directory in a comparison: its
// base name, or its cleaned path when two base names are equal.
func runLabels(dirs []string) []string {
	count := map[string]int{}
	for _, d := range dirs {
		count[filepath.Base(filepath.Clean(d))]++
	}
	labels := make([]string, len(dirs))
	for i, d := range dirs {
		labels[i] = filepath.Base(filepath.Clean(d))
		if count[labels[i]] > 1 {
			labels[i] = filepath.ToSlash(filepath.Clean(d))
		}
	}
	return labels
}

// readRun reads the rows of dir/metrics.csv and the status of each run
// from dir/manifest.json. A missing or unreadable manifest leaves the
// statuses empty, with a warning for an unreadable one.
func readRun(e *env, dir string) ([]report.Row, map[string]string, error) {
	path := filepath.Join(dir, "metrics.csv")
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, pkgerrors.Wrap(err, "admm report: read metrics")
	}
	rows, err := report.ReadCSV(f)
	f.Close()
	if err != nil {
		return nil, nil, pkgerrors.Wrapf(err, "admm report: %s", path)
	}

	statuses := map[string]string{}
	mf, err := os.Open(filepath.Join(dir, "manifest.json"))
	if err != nil {
		if !os.IsNotExist(err) {
			e.log.Warn("cannot read the manifest; the status column stays empty", "dir", dir, "err", err)
		}
		return rows, statuses, nil
	}
	defer mf.Close()
	m, err := runinfo.Read(mf)
	if err != nil {
		e.log.Warn("cannot read the manifest; the status column stays empty", "dir", dir, "err", err)
		return rows, statuses, nil
	}
	for _, r := range m.Runs {
		statuses[runKey(r.Method, r.Seed)] = r.Status
	}
	return rows, statuses, nil
}
