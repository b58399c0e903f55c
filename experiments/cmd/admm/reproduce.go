package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/admm-go/admm/experiments/report"
	"github.com/admm-go/admm/experiments/runner"
	pkgerrors "github.com/pkg/errors"
)

// maxShownDifferences is how many differences reproduce prints before the
// count.
const maxShownDifferences = 10

// cmdReproduce implements "admm reproduce DIR": it reruns the experiment
// of DIR/config.json into a new run directory and compares the two
// metrics.csv files. It exits 0 when they agree and 1 when they differ.
func cmdReproduce(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("admm reproduce", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: admm reproduce [-tol T] [-out NEWDIR] DIR\n\n"+
			"Reruns the experiment of DIR/config.json into a new run directory and compares\n"+
			"every value of metrics.csv except the timing columns (%s).\n\n",
			strings.Join(report.TimingColumns, ", "))
		fs.PrintDefaults()
	}
	tol := fs.Float64("tol", 0, "relative `tolerance` T: values a and b agree when |a−b| ≤ T·max(1, |a|); 0 requires identical bits")
	opts := runOptions{plots: defaultPlots}
	fs.StringVar(&opts.out, "out", "", "run `directory` of the rerun, which must not exist (default DIR-reproduce-<timestamp>)")
	fs.Var(listValue{&opts.plots}, "plots", "comma-separated plot `formats` of the rerun: svg, png, pdf, or none")

	positional, err := parseFlags(e, fs, args)
	if err != nil {
		return exitStatus(e, err)
	}
	if len(positional) != 1 {
		return exitStatus(e, usageErrorf("admm reproduce: want one run directory, got %d arguments; usage: admm reproduce [-tol T] [-out NEWDIR] DIR", len(positional)))
	}
	dir := positional[0]
	if !(*tol >= 0) || math.IsInf(*tol, 0) {
		return exitStatus(e, usageErrorf("admm reproduce: invalid -tol %v: want a finite value ≥ 0", *tol))
	}
	if err := checkPlotFormats(opts.plots); err != nil {
		return exitStatus(e, err)
	}
	for _, name := range []string{"config.json", "metrics.csv"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return exitStatus(e, usageErrorf("admm reproduce: %s has no %s: give a run directory that admm run wrote", dir, name))
		}
	}
	cfg := runner.DefaultConfig()
	if err := readConfig(filepath.Join(dir, "config.json"), &cfg); err != nil {
		return exitStatus(e, err)
	}
	if err := cfg.Validate(); err != nil {
		return exitStatus(e, usageErrorf("admm reproduce: %s/config.json: %v", dir, err))
	}
	if opts.out == "" {
		opts.out = filepath.Clean(dir) + "-reproduce-" + time.Now().Format("20060102-150405")
	}
	if err := checkNewDir(opts.out); err != nil {
		return exitStatus(e, err)
	}
	fmt.Fprintf(e.stderr, "admm reproduce: rerunning %s into %s\n", filepath.Join(dir, "config.json"), opts.out)

	newDir, err := doRun(ctx, e, cfg, opts)
	var failed *methodsFailedError
	if err != nil && !errors.As(err, &failed) {
		return exitStatus(e, err)
	}
	if failed != nil {
		// A failure that the first run had too is part of what reproduces,
		// so the comparison decides.
		e.log.Warn("some method runs failed; comparing anyway", "err", err)
	}

	diffs, err := compareMetricsFiles(filepath.Join(dir, "metrics.csv"), filepath.Join(newDir, "metrics.csv"), *tol)
	if err != nil {
		return exitStatus(e, err)
	}
	printDifferences(e, dir, newDir, diffs, *tol)
	if len(diffs) > 0 {
		return exitFailed
	}
	return exitOK
}

// printDifferences prints the first differences and their count.
func printDifferences(e *env, oldDir, newDir string, diffs []difference, tol float64) {
	how := "bit for bit"
	if tol > 0 {
		how = fmt.Sprintf("within relative tolerance %g", tol)
	}
	if len(diffs) == 0 {
		fmt.Fprintf(e.stdout, "\nreproduced: %s agrees with %s %s (%s not compared)\n",
			filepath.Join(newDir, "metrics.csv"), filepath.Join(oldDir, "metrics.csv"), how, strings.Join(report.TimingColumns, ", "))
		return
	}
	noun := "values of %s differ"
	if len(diffs) == 1 {
		noun = "value of %s differs"
	}
	fmt.Fprintf(e.stdout, "\nnot reproduced: %d "+noun+" from %s (compared %s)\n",
		len(diffs), filepath.Join(newDir, "metrics.csv"), filepath.Join(oldDir, "metrics.csv"), how)
	for _, d := range diffs[:min(len(diffs), maxShownDifferences)] {
		fmt.Fprintf(e.stdout, "  line %d, column %s: old %s, new %s\n", d.Line, d.Column, d.Old, d.New)
	}
	if len(diffs) > maxShownDifferences {
		fmt.Fprintf(e.stdout, "  and %d more\n", len(diffs)-maxShownDifferences)
	}
}

// difference is a value of metrics.csv that differs between two runs.
type difference struct {
	Line     int    // line number in both files; the header is line 1
	Column   string // column name; "row" when one file lacks the line
	Old, New string // the values, or "(missing)" and the whole record for a missing line
}

// compareMetricsFiles reads two metrics.csv files and compares them with
// compareTables.
func compareMetricsFiles(oldPath, newPath string, tol float64) ([]difference, error) {
	oldTable, err := readTable(oldPath)
	if err != nil {
		return nil, err
	}
	newTable, err := readTable(newPath)
	if err != nil {
		return nil, err
	}
	return compareTables(oldTable, newTable, tol)
}

func readTable(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, pkgerrors.Wrap(err, "admm: read metrics")
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, pkgerrors.Wrapf(err, "admm: read %s", path)
	}
	if len(records) == 0 {
		return nil, fmt.Errorf("admm: %s is empty: want a header line and rows", path)
	}
	return records, nil
}

// compareTables compares two CSV tables with the same header, value by
// value, except the columns in report.TimingColumns. Two values agree
// when their strings are equal or both parse as floats that agree: with
// tol = 0 when their bits are equal, otherwise when |a−b| ≤ tol·max(1,
// |a|). NaN agrees with NaN and an infinity with itself. A line that only
// one table has is one difference. Tables with different headers are an
// error, since their columns cannot be matched.
func compareTables(oldTable, newTable [][]string, tol float64) ([]difference, error) {
	header := oldTable[0]
	if !slices.Equal(header, newTable[0]) {
		return nil, fmt.Errorf("admm: the metrics tables have different columns, %v and %v: compare runs of the same program version", header, newTable[0])
	}
	var diffs []difference
	for i := 1; i < max(len(oldTable), len(newTable)); i++ {
		line := i + 1
		if i >= len(oldTable) {
			diffs = append(diffs, difference{Line: line, Column: "row", Old: "(missing)", New: strings.Join(newTable[i], ",")})
			continue
		}
		if i >= len(newTable) {
			diffs = append(diffs, difference{Line: line, Column: "row", Old: strings.Join(oldTable[i], ","), New: "(missing)"})
			continue
		}
		oldRec, newRec := oldTable[i], newTable[i]
		for j, col := range header {
			if slices.Contains(report.TimingColumns, col) {
				continue
			}
			a, b := field(oldRec, j), field(newRec, j)
			if !sameValue(a, b, tol) {
				diffs = append(diffs, difference{Line: line, Column: col, Old: a, New: b})
			}
		}
	}
	return diffs, nil
}

// field returns record[j], or "(missing)" for a short record.
func field(record []string, j int) string {
	if j < len(record) {
		return record[j]
	}
	return "(missing)"
}

// sameValue reports whether two CSV values agree; see compareTables.
func sameValue(a, b string, tol float64) bool {
	if a == b {
		return true
	}
	x, errX := strconv.ParseFloat(a, 64)
	y, errY := strconv.ParseFloat(b, 64)
	if errX != nil || errY != nil {
		return false
	}
	switch {
	case math.IsNaN(x) || math.IsNaN(y):
		return math.IsNaN(x) && math.IsNaN(y)
	case tol == 0:
		return math.Float64bits(x) == math.Float64bits(y)
	case x == y:
		// Equal infinities, whose difference is NaN.
		return true
	case math.IsInf(x, 0) || math.IsInf(y, 0):
		// The bound T·|a| is infinite too, so an infinity agrees only
		// with itself.
		return false
	}
	return math.Abs(x-y) <= tol*math.Max(1, math.Abs(x))
}
