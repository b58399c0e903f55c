package report

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
)

// markdownColumns are the headers of the Markdown tables; they follow
// Columns with seed moved next to the method.
var markdownColumns = []string{
	"method", "seed", "iter", "time_s", "samples", "train_ce", "train_acc", "test_acc",
	"pca_objective", "evr", "subspace_dist", "constraint_violation",
	"primal_res", "dual_res", "rho",
}

// MarkdownStream prints rows as a Markdown table while a run goes on: the
// header before the first row, then one line per row.
type MarkdownStream struct {
	w      io.Writer
	header bool
}

// NewMarkdownStream returns a stream that writes to w.
func NewMarkdownStream(w io.Writer) *MarkdownStream { return &MarkdownStream{w: w} }

// Write prints one row, preceded by the header the first time.
func (m *MarkdownStream) Write(r *Row) error {
	if !m.header {
		if err := writeMarkdownHeader(m.w, markdownColumns); err != nil {
			return err
		}
		m.header = true
	}
	cells := []string{
		r.Method, fmt.Sprint(r.Seed), fmt.Sprint(r.Iter), fmt.Sprintf("%.2f", r.TimeS), fmt.Sprint(r.Samples),
		short(r.TrainCE), short(r.TrainAcc), short(r.TestAcc), short(r.PCAObjective), short(r.EVR),
		short(r.SubspaceDist), short(r.ConstraintViolation), "", "", "",
	}
	if r.ADMM != nil {
		cells[12], cells[13], cells[14] = residual(r.ADMM.Primal), residual(r.ADMM.Dual), short(r.ADMM.Rho)
	}
	_, err := fmt.Fprintf(m.w, "| %s |\n", strings.Join(cells, " | "))
	return err
}

func writeMarkdownHeader(w io.Writer, cols []string) error {
	sep := make([]string, len(cols))
	for i := range sep {
		sep[i] = "---"
	}
	_, err := fmt.Fprintf(w, "| %s |\n|%s|\n", strings.Join(cols, " | "), strings.Join(sep, "|"))
	return err
}

// residual formats a residual, leaving the cell empty for the NaN of a
// starting row, which no iteration has produced yet.
func residual(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return short(v)
}

// short formats a metric with four significant digits, enough to compare
// methods in a table; the CSV keeps every digit.
func short(v float64) string { return fmt.Sprintf("%.4g", v) }

// Summary is the final row of each method, aggregated across seeds.
type Summary struct {
	Methods []MethodSummary
}

// MethodSummary aggregates the final rows of one method.
type MethodSummary struct {
	Method string
	Seeds  int
	Status []string // the status of each seed's run, in seed order
	// Stats holds, for each summarized column, the mean and the sample
	// standard deviation across seeds (zero with one seed).
	Stats map[string]MeanStd
}

// MeanStd is a mean and a sample standard deviation.
type MeanStd struct {
	Mean, Std float64
	N         int
}

// summaryColumns are the columns of the summary table, in order.
var summaryColumns = []string{
	"iter", "time_s", "samples", "train_ce", "train_acc", "test_acc",
	"pca_objective", "evr", "subspace_dist", "constraint_violation",
	"primal_res", "dual_res", "rho",
}

// Summarize takes the final row of every (method, seed) pair in rows and
// aggregates them per method, in the order methods first appear. statuses
// maps "method/seed" to the status of that run; a missing entry is empty.
func Summarize(rows []Row, statuses map[string]string) *Summary {
	type key struct {
		method string
		seed   uint64
	}
	last := map[key]Row{}
	var order []string
	seedsOf := map[string][]uint64{}
	for _, r := range rows {
		k := key{r.Method, r.Seed}
		if _, ok := last[k]; !ok {
			if len(seedsOf[r.Method]) == 0 {
				order = append(order, r.Method)
			}
			seedsOf[r.Method] = append(seedsOf[r.Method], r.Seed)
		}
		if prev, ok := last[k]; !ok || r.Iter >= prev.Iter {
			last[k] = r
		}
	}
	s := &Summary{}
	for _, m := range order {
		seeds := seedsOf[m]
		sort.Slice(seeds, func(i, j int) bool { return seeds[i] < seeds[j] })
		ms := MethodSummary{Method: m, Seeds: len(seeds), Stats: map[string]MeanStd{}}
		values := map[string][]float64{}
		for _, seed := range seeds {
			r := last[key{m, seed}]
			ms.Status = append(ms.Status, statuses[fmt.Sprintf("%s/%d", m, seed)])
			for c, v := range columnValues(&r) {
				values[c] = append(values[c], v)
			}
		}
		for c, v := range values {
			ms.Stats[c] = meanStd(v)
		}
		s.Methods = append(s.Methods, ms)
	}
	return s
}

// columnValues returns the numeric columns of r that apply to it.
func columnValues(r *Row) map[string]float64 {
	v := map[string]float64{
		"iter": float64(r.Iter), "time_s": r.TimeS, "samples": float64(r.Samples),
		"train_ce": r.TrainCE, "train_acc": r.TrainAcc, "test_acc": r.TestAcc,
		"pca_objective": r.PCAObjective, "evr": r.EVR, "subspace_dist": r.SubspaceDist,
		"constraint_violation": r.ConstraintViolation,
	}
	if r.ADMM != nil {
		v["primal_res"], v["dual_res"], v["rho"] = r.ADMM.Primal, r.ADMM.Dual, r.ADMM.Rho
	}
	return v
}

// meanStd returns the mean and the sample standard deviation (n − 1 in the
// denominator) of v, computed in index order.
func meanStd(v []float64) MeanStd {
	n := len(v)
	var sum float64
	for _, x := range v {
		sum += x
	}
	mean := sum / float64(n)
	if n < 2 {
		return MeanStd{Mean: mean, N: n}
	}
	var ss float64
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return MeanStd{Mean: mean, Std: math.Sqrt(ss / float64(n-1)), N: n}
}

// WriteMarkdown prints the summary as a Markdown table, one line per
// method, with "mean ± std" cells when there are several seeds and the
// status of each run in the last column.
func (s *Summary) WriteMarkdown(w io.Writer) error {
	cols := append([]string{"method", "seeds"}, summaryColumns...)
	cols = append(cols, "status")
	if err := writeMarkdownHeader(w, cols); err != nil {
		return err
	}
	for _, m := range s.Methods {
		cells := []string{m.Method, fmt.Sprint(m.Seeds)}
		for _, c := range summaryColumns {
			cells = append(cells, m.cell(c))
		}
		cells = append(cells, strings.Join(m.Status, ", "))
		if _, err := fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | ")); err != nil {
			return err
		}
	}
	return nil
}

func (m *MethodSummary) cell(col string) string {
	st, ok := m.Stats[col]
	if !ok {
		return ""
	}
	format := short
	if col == "iter" || col == "samples" {
		// Counts read better whole than as 6.997e+05.
		format = func(v float64) string { return fmt.Sprintf("%.0f", v) }
	}
	if st.N < 2 {
		return format(st.Mean)
	}
	return format(st.Mean) + " ± " + format(st.Std)
}
