package report

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// latexRows are the final rows of three methods: admm with two seeds, a
// method whose name needs escaping with one seed, and a diverged run.
func latexRows() []Row {
	return []Row{
		{Method: "admm", Seed: 1, Iter: 0, TestAcc: 0.1},
		{Method: "admm", Seed: 1, Iter: 5, TimeS: 12.34, Samples: 1280000, TrainCE: 0.3012, TestAcc: 0.875,
			EVR: 0.9991, SubspaceDist: 1.3e-14, ConstraintViolation: 2.2e-16, ADMM: &ADMMStats{Primal: 1e-9, Dual: 2e-9, Rho: 4}},
		{Method: "admm", Seed: 2, Iter: 5, TimeS: 13.1, Samples: 1280000, TrainCE: 0.2988, TestAcc: 0.885,
			EVR: 0.9989, SubspaceDist: 1.5e-14, ConstraintViolation: 0, ADMM: &ADMMStats{Primal: 2e-9, Dual: 1e-9, Rho: 8}},
		{Method: "joint_lr=1%", Seed: 1, Iter: 3, TimeS: 0.5, Samples: 640, TrainCE: 0.45, TestAcc: 0.8125,
			EVR: 0.75, SubspaceDist: 0.61, ConstraintViolation: 0.0004},
		{Method: "two-stage", Seed: 1, Iter: 2, TimeS: 0.021, Samples: 64, TrainCE: math.NaN(), TestAcc: 0.1,
			EVR: 0.5, SubspaceDist: math.Inf(1), ConstraintViolation: 123456},
		{Method: "two-stage", Seed: 2, Iter: 2, TimeS: 0.019, Samples: 64, TrainCE: 2.3, TestAcc: 0.1,
			EVR: 0.5, SubspaceDist: 0.9, ConstraintViolation: 123456},
	}
}

func TestWriteLaTeXGolden(t *testing.T) {
	statuses := map[string]string{
		"admm/1": "converged", "admm/2": "converged",
		"joint_lr=1%/1": "iteration_limit",
		"two-stage/1":   "diverged", "two-stage/2": "converged",
	}
	var buf bytes.Buffer
	if err := Summarize(latexRows(), statuses).WriteLaTeX(&buf); err != nil {
		t.Fatal(err)
	}

	golden := filepath.Join("testdata", "summary.tex")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("WriteLaTeX (-want +got):\n%s", diff)
	}
}

func TestWriteLaTeXStructure(t *testing.T) {
	var buf bytes.Buffer
	if err := Summarize(latexRows(), nil).WriteLaTeX(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")

	wantOrder := []string{`\begin{tabular}`, `\toprule`, `\midrule`, `\bottomrule`, `\end{tabular}`}
	at := 0
	for _, mark := range wantOrder {
		for at < len(lines) && !strings.HasPrefix(lines[at], mark) {
			at++
		}
		if at == len(lines) {
			t.Fatalf("table lacks %s in order %v:\n%s", mark, wantOrder, buf.String())
		}
	}

	// Every header and body row has as many cells as the column spec has
	// letters: method, seeds, the metrics and status.
	wantCells := 3 + len(latexColumns)
	for _, l := range lines {
		if !strings.HasSuffix(l, `\\`) {
			continue
		}
		if n := strings.Count(l, " & ") + 1; n != wantCells {
			t.Errorf("row %q has %d cells, want %d", l, n, wantCells)
		}
		if n := strings.Count(l, "$"); n%2 != 0 {
			t.Errorf("row %q has %d dollar signs, want an even number", l, n)
		}
	}
}

func TestWriteLaTeXEmptySummary(t *testing.T) {
	var buf bytes.Buffer
	if err := (&Summary{}).WriteLaTeX(&buf); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(buf.String(), `\\`); got != 1 {
		t.Errorf("empty summary has %d rows, want the header only:\n%s", got, buf.String())
	}
}

func TestEscapeLaTeX(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"two-stage", "two-stage"},
		{"admm_sgd", `admm\_sgd`},
		{"lr=1%", `lr=1\%`},
		{"a&b", `a\&b`},
		{"#3", `\#3`},
		{"$x$", `\$x\$`},
		{"{z}", `\{z\}`},
		{`a\b`, `a\textbackslash{}b`},
		{"~^", `\textasciitilde{}\textasciicircum{}`},
		{"ρ-adaptive", "ρ-adaptive"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := escapeLaTeX(tt.in); got != tt.want {
				t.Errorf("escapeLaTeX(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLaTeXNumberFormats(t *testing.T) {
	three, two := significant(3), significant(2)
	tests := []struct {
		name   string
		format func(float64) string
		in     float64
		want   string
	}{
		{"zero", three, 0, "0"},
		{"negative zero", three, math.Copysign(0, -1), "0"},
		{"fixed", three, 0.30123, "0.301"},
		{"fixed large", three, 12345.6, "12346"},
		{"fixed at 1e-3", three, 0.00123, "0.00123"},
		{"tiny", two, 1.3e-14, `1.3\times10^{-14}`},
		{"tiny negative", three, -2.5e-7, `-2.50\times10^{-7}`},
		{"huge", three, 1280000, `1.28\times10^{6}`},
		// Rounding carries into the exponent: 9.9996e-4 is 1.00e-3.
		{"rounds up into fixed", three, 9.9996e-4, "0.00100"},
		{"rounds up into scientific", three, 99999.9, `1.00\times10^{5}`},
		{"nan", three, math.NaN(), `\mathrm{NaN}`},
		{"inf", three, math.Inf(1), `\infty`},
		{"minus inf", three, math.Inf(-1), `-\infty`},
		{"count", count, 640, "640"},
		{"count below 1e5", count, 99999, "99999"},
		{"count from 1e5", count, 100000, `1.00\times10^{5}`},
		{"fractional mean count", count, 64.5, "64.5"},
		{"count nan", count, math.NaN(), `\mathrm{NaN}`},
		{"percent", percent, 0.875, "87.50"},
		{"percent rounds", percent, 0.123456, "12.35"},
		{"percent nan", percent, math.NaN(), `\mathrm{NaN}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.format(tt.in); got != tt.want {
				t.Errorf("format(%v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestStatusSummary(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want string
	}{
		{"none", nil, ""},
		{"one seed", []string{"converged"}, "converged"},
		{"all equal", []string{"converged", "converged"}, "converged"},
		{"mixed", []string{"converged", "diverged", "converged"}, "converged (2), diverged (1)"},
		{"missing status", []string{"converged", ""}, "converged (1), unknown (1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := statusSummary(tt.in); got != tt.want {
				t.Errorf("statusSummary(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
