package report

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// latexColumn is one numeric column of the LaTeX summary.
type latexColumn struct {
	key    string // the summary column, as in Columns
	header string // LaTeX source of the header cell
	// mean and std format a value as LaTeX math without the dollar signs.
	mean, std func(float64) string
}

// latexColumns are the metrics a paper compares methods by, in table
// order. Accuracy is printed in percent with two decimals. Other means get
// three significant digits and deviations two, but a whole sample count
// below 10⁵ is printed in full.
var latexColumns = []latexColumn{
	{"test_acc", `test acc.\ (\%)`, percent, percent},
	{"train_ce", `train CE`, significant(3), significant(2)},
	{"evr", `EVR`, significant(3), significant(2)},
	{"subspace_dist", `$\|\sin\Theta\|_F$`, significant(3), significant(2)},
	{"constraint_violation", `constr.\ viol.`, significant(3), significant(2)},
	{"time_s", `time (s)`, significant(3), significant(2)},
	{"samples", `samples`, count, significant(2)},
}

// WriteLaTeX prints the summary as a booktabs tabular with one row per
// method. The columns are the method, the number of seeds, test accuracy
// in percent, train_ce, evr, subspace_dist, constraint_violation, time_s,
// samples and the status of the runs. With several seeds a cell reads
// "mean ± std", the sample standard deviation across seeds.
//
// Nonzero magnitudes below 10⁻³ or from 10⁵ up are printed as m×10^e,
// non-finite values as NaN, ∞ and −∞, and a column the method lacks as
// "--". Method names and statuses are escaped, so underscores, percent
// signs and the like print literally. The table needs
// \usepackage{booktabs} in the preamble.
func (s *Summary) WriteLaTeX(w io.Writer) error {
	var b strings.Builder
	b.WriteString(`\begin{tabular}{lr` + strings.Repeat("r", len(latexColumns)) + "l}\n")
	b.WriteString("\\toprule\n")
	headers := []string{"method", "seeds"}
	for _, c := range latexColumns {
		headers = append(headers, c.header)
	}
	headers = append(headers, "status")
	b.WriteString(strings.Join(headers, " & ") + ` \\` + "\n")
	b.WriteString("\\midrule\n")

	for _, m := range s.Methods {
		cells := []string{escapeLaTeX(m.Method), strconv.Itoa(m.Seeds)}
		for _, c := range latexColumns {
			cells = append(cells, m.latexCell(c))
		}
		cells = append(cells, escapeLaTeX(statusSummary(m.Status)))
		b.WriteString(strings.Join(cells, " & ") + ` \\` + "\n")
	}

	b.WriteString("\\bottomrule\n")
	b.WriteString("\\end{tabular}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// latexCell formats column c of m as inline math: the mean, followed by
// ± std when several seeds contributed and the mean is finite.
func (m *MethodSummary) latexCell(c latexColumn) string {
	st, ok := m.Stats[c.key]
	if !ok {
		return "--"
	}
	if st.N < 2 || math.IsNaN(st.Mean) || math.IsInf(st.Mean, 0) {
		return "$" + c.mean(st.Mean) + "$"
	}
	return "$" + c.mean(st.Mean) + ` \pm ` + c.std(st.Std) + "$"
}

// statusSummary joins the statuses of a method's runs, each distinct one
// once in order of first appearance, with its count when the runs differ:
// "converged" or "converged (2), iteration limit (1)".
func statusSummary(status []string) string {
	var order []string
	count := map[string]int{}
	for _, s := range status {
		if count[s] == 0 {
			order = append(order, s)
		}
		count[s]++
	}
	if len(order) == 1 {
		return order[0]
	}
	parts := make([]string, len(order))
	for i, s := range order {
		name := s
		if name == "" {
			name = "unknown"
		}
		parts[i] = fmt.Sprintf("%s (%d)", name, count[s])
	}
	return strings.Join(parts, ", ")
}

// percent formats a fraction as a percentage with two decimals.
func percent(v float64) string {
	if s, ok := latexNonFinite(v); ok {
		return s
	}
	return strconv.FormatFloat(100*v+0, 'f', 2, 64)
}

// count formats a whole number below 10⁵ in full and any other value to
// three significant digits.
func count(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e5 {
		return strconv.FormatFloat(v+0, 'f', 0, 64)
	}
	return significant(3)(v)
}

// significant returns a formatter that rounds to digits significant
// digits, in fixed notation for magnitudes in [10⁻³, 10⁵) and as
// m\times10^{e} outside it.
func significant(digits int) func(float64) string {
	return func(v float64) string {
		if s, ok := latexNonFinite(v); ok {
			return s
		}
		if v == 0 {
			return "0"
		}

		// The exponent is read after rounding, so 9.999e-4 at three
		// digits counts as 1.00e-3 and is printed in fixed notation.
		e := strconv.FormatFloat(v, 'e', digits-1, 64)
		mantissa, exp, _ := strings.Cut(e, "e")
		x, _ := strconv.Atoi(exp)
		if x < -3 || x >= 5 {
			return mantissa + `\times10^{` + strconv.Itoa(x) + "}"
		}
		return strconv.FormatFloat(v, 'f', max(0, digits-1-x), 64)
	}
}

// latexNonFinite returns the math-mode form of NaN and ±Inf, and false
// for a finite v.
func latexNonFinite(v float64) (string, bool) {
	switch {
	case math.IsNaN(v):
		return `\mathrm{NaN}`, true
	case math.IsInf(v, 1):
		return `\infty`, true
	case math.IsInf(v, -1):
		return `-\infty`, true
	}
	return "", false
}

// latexEscapes maps the characters that LaTeX treats specially in text
// mode to commands that print them.
var latexEscapes = strings.NewReplacer(
	`\`, `\textbackslash{}`,
	`&`, `\&`,
	`%`, `\%`,
	`$`, `\$`,
	`#`, `\#`,
	`_`, `\_`,
	`{`, `\{`,
	`}`, `\}`,
	`~`, `\textasciitilde{}`,
	`^`, `\textasciicircum{}`,
)

// escapeLaTeX returns s with the characters \ & % $ # _ { } ~ ^ escaped
// for LaTeX text mode, so that a method name such as "admm_lr=1%" prints
// as written. Hyphens and other characters pass through unchanged.
func escapeLaTeX(s string) string { return latexEscapes.Replace(s) }
