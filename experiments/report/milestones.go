package report

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// Milestone is when one (method, seed) run first reached a target: the
// cumulative training time and samples of the first row at or past it.
// Reached is false when no row did.
type Milestone struct {
	Reached bool
	TimeS   float64
	Samples int64
}

// MethodMilestones aggregates, for one method, its final test accuracy and
// EVR across seeds and the milestones of each seed.
type MethodMilestones struct {
	Method  string
	TestAcc MeanStd
	EVR     MeanStd
	// EVRTarget is the first row with evr ≥ the EVR target, per seed.
	EVRTarget []Milestone
	// AccTarget is the first row whose test accuracy reaches the final
	// test accuracy of the reference method for the same seed.
	AccTarget []Milestone
	// NoReference is true when the table has no run of the reference
	// method to compare with, so AccTarget does not apply.
	NoReference bool
}

// Milestones computes the milestones of each method, in order of
// appearance. They are the final test accuracy and evr, as mean and
// standard deviation across seeds. They also include the time and samples
// to reach evr ≥ evrTarget and the time to reach the final test accuracy
// of the reference method on the same seed.
func Milestones(rows []Row, evrTarget float64, reference string) []MethodMilestones {
	type key struct {
		method string
		seed   uint64
	}
	runs := map[key][]Row{}
	var methods []string
	seedsOf := map[string][]uint64{}
	for _, r := range rows {
		k := key{r.Method, r.Seed}
		if _, ok := runs[k]; !ok {
			if len(seedsOf[r.Method]) == 0 {
				methods = append(methods, r.Method)
			}
			seedsOf[r.Method] = append(seedsOf[r.Method], r.Seed)
		}
		runs[k] = append(runs[k], r)
	}
	final := func(k key) Row { rs := runs[k]; return rs[len(rs)-1] }
	first := func(rs []Row, reached func(Row) bool) Milestone {
		for _, r := range rs {
			if reached(r) {
				return Milestone{Reached: true, TimeS: r.TimeS, Samples: r.Samples}
			}
		}
		return Milestone{}
	}

	// In a comparison of several run directories, methods are named
	// "run/method", and each compares with the reference of its own run.
	referenceOf := func(m string) string {
		if i := strings.LastIndex(m, "/"); i >= 0 {
			return m[:i+1] + reference
		}
		return reference
	}

	var out []MethodMilestones
	for _, m := range methods {
		mm := MethodMilestones{Method: m}
		ref := referenceOf(m)
		if len(seedsOf[ref]) == 0 {
			mm.NoReference = true
		}
		var acc, evr []float64
		for _, seed := range seedsOf[m] {
			k := key{m, seed}
			last := final(k)
			acc = append(acc, last.TestAcc)
			evr = append(evr, last.EVR)
			mm.EVRTarget = append(mm.EVRTarget, first(runs[k], func(r Row) bool { return r.EVR >= evrTarget }))
			target := math.NaN()
			if refRows, ok := runs[key{ref, seed}]; ok {
				target = refRows[len(refRows)-1].TestAcc
			}
			mm.AccTarget = append(mm.AccTarget, first(runs[k], func(r Row) bool { return r.TestAcc >= target }))
		}
		mm.TestAcc, mm.EVR = meanStd(acc), meanStd(evr)
		out = append(out, mm)
	}
	return out
}

// WriteMilestonesMarkdown prints the milestones as a Markdown table. A
// milestone cell averages the seeds that reached it and counts them.
func WriteMilestonesMarkdown(w io.Writer, ms []MethodMilestones, evrTarget float64, reference string) error {
	cols := []string{
		"method", "seeds", "test_acc", "evr",
		fmt.Sprintf("time_s to evr ≥ %g", evrTarget), fmt.Sprintf("samples to evr ≥ %g", evrTarget),
		fmt.Sprintf("time_s to %s's final test_acc", reference),
	}
	if err := writeMarkdownHeader(w, cols); err != nil {
		return err
	}
	for _, m := range ms {
		cells := []string{
			m.Method, fmt.Sprint(m.TestAcc.N), formatMeanStd(m.TestAcc), formatMeanStd(m.EVR),
			milestoneCell(m.EVRTarget, func(x Milestone) float64 { return x.TimeS }, "%.3g"),
			milestoneCell(m.EVRTarget, func(x Milestone) float64 { return float64(x.Samples) }, "%.0f"),
			milestoneCell(m.AccTarget, func(x Milestone) float64 { return x.TimeS }, "%.3g"),
		}
		if m.NoReference {
			cells[6] = "n/a: no " + reference + " run"
		}
		if _, err := fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | ")); err != nil {
			return err
		}
	}
	return nil
}

func formatMeanStd(s MeanStd) string {
	if s.N < 2 {
		return short(s.Mean)
	}
	return short(s.Mean) + " ± " + short(s.Std)
}

// milestoneCell returns "mean ± std" of the reached milestones, with
// "(r/n)" when only r of the n seeds reached it, or "not reached".
func milestoneCell(ms []Milestone, value func(Milestone) float64, format string) string {
	var v []float64
	for _, m := range ms {
		if m.Reached {
			v = append(v, value(m))
		}
	}
	if len(v) == 0 {
		return "not reached"
	}
	st := meanStd(v)
	cell := fmt.Sprintf(format, st.Mean)
	if st.N > 1 {
		cell += " ± " + fmt.Sprintf(format, st.Std)
	}
	if len(v) < len(ms) {
		cell += fmt.Sprintf(" (%d/%d)", len(v), len(ms))
	}
	return cell
}
