// Package report writes convergence tables: one row per (method, seed,
// iteration) as CSV and as Markdown, and a summary of the final row of each
// method with the mean and standard deviation across seeds.
//
// ReadCSV reads a metrics CSV back into rows, Summary.WriteLaTeX prints
// the summary as a booktabs table, and WritePlots draws each metric
// against iterations, wall time and training samples.
//
// Non-finite values are written as the strings NaN, +Inf and -Inf, so a
// failed run stays visible in its table instead of breaking the file.
package report

import "strconv"

// Row is one line of a convergence table, measured after an outer ADMM
// iteration or an epoch of another method.
type Row struct {
	Method  string
	Seed    uint64
	Iter    int     // outer iteration or epoch, starting at 1; 0 is the starting point
	TimeS   float64 // wall time spent training, cumulative, in seconds
	Samples int64   // training samples processed, cumulative

	TrainCE             float64
	TrainAcc            float64
	TestAcc             float64
	PCAObjective        float64 // tr(WᵀΣW)
	EVR                 float64
	SubspaceDist        float64
	ConstraintViolation float64

	// ADMM holds the quantities that only ADMM has; nil for other methods.
	ADMM *ADMMStats
}

// ADMMStats are the residuals and the penalty of one ADMM iteration.
type ADMMStats struct {
	Primal, Dual    float64 // ‖r‖_F and ‖s‖_F
	EpsPri, EpsDual float64 // the stopping thresholds
	Rho             float64 // the penalty used in the iteration
}

// Columns are the CSV columns, in order. Seed comes last so that the first
// fourteen columns keep the order that plotting scripts rely on.
var Columns = []string{
	"method", "iter", "time_s", "samples", "train_ce", "train_acc", "test_acc",
	"pca_objective", "evr", "subspace_dist", "constraint_violation",
	"primal_res", "dual_res", "rho", "seed",
}

// TimingColumns are the columns that depend on the machine and its load.
var TimingColumns = []string{"time_s"}

// Fields returns the row formatted for CSV, in the order of Columns.
// Floats use the shortest representation that parses back to the same
// value; admm-only columns are empty for other methods.
func (r *Row) Fields() []string {
	f := []string{
		r.Method,
		strconv.Itoa(r.Iter),
		formatFloat(r.TimeS),
		strconv.FormatInt(r.Samples, 10),
		formatFloat(r.TrainCE),
		formatFloat(r.TrainAcc),
		formatFloat(r.TestAcc),
		formatFloat(r.PCAObjective),
		formatFloat(r.EVR),
		formatFloat(r.SubspaceDist),
		formatFloat(r.ConstraintViolation),
		"", "", "",
		strconv.FormatUint(r.Seed, 10),
	}
	if r.ADMM != nil {
		f[11] = formatFloat(r.ADMM.Primal)
		f[12] = formatFloat(r.ADMM.Dual)
		f[13] = formatFloat(r.ADMM.Rho)
	}
	return f
}

// formatFloat writes the shortest decimal that parses back to v;
// non-finite values come out as NaN, +Inf and -Inf.
func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
