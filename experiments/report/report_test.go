package report

import (
	"bytes"
	"encoding/csv"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pkg/errors"
)

func TestCSVRoundTripsEveryFloat(t *testing.T) {
	rows := []Row{
		{Method: "admm", Seed: 3, Iter: 1, TimeS: 0.1, Samples: 640, TrainCE: 1.0 / 3, TrainAcc: 0.9,
			TestAcc: 0.875, PCAObjective: 39.4, EVR: 0.99, SubspaceDist: 1e-300, ConstraintViolation: 2.5e-15,
			ADMM: &ADMMStats{Primal: 0.5, Dual: math.Pi, Rho: 2}},
		{Method: "joint", Seed: 3, Iter: 2, TrainCE: math.NaN(), EVR: math.Inf(1)},
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Columns, records[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	parse := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("field %q does not parse: %v", s, err)
		}
		return v
	}
	admm := records[1]
	if got := parse(admm[4]); got != 1.0/3 {
		t.Errorf("train_ce = %v, want exactly 1/3", got)
	}
	if got := parse(admm[9]); got != 1e-300 {
		t.Errorf("subspace_dist = %v, want 1e-300", got)
	}
	if got := parse(admm[12]); got != math.Pi {
		t.Errorf("dual_res = %v, want π", got)
	}
	joint := records[2]
	if joint[4] != "NaN" || joint[8] != "+Inf" {
		t.Errorf("non-finite fields = %q, %q, want NaN and +Inf", joint[4], joint[8])
	}
	if joint[11] != "" || joint[12] != "" || joint[13] != "" {
		t.Errorf("admm-only fields of joint = %q, want empty", joint[11:14])
	}
}

func TestSummarizeMeanAndStd(t *testing.T) {
	rows := []Row{
		{Method: "admm", Seed: 1, Iter: 1, TestAcc: 0.5},
		{Method: "admm", Seed: 1, Iter: 2, TestAcc: 0.8},
		{Method: "joint", Seed: 1, Iter: 1, TestAcc: 0.7},
		{Method: "admm", Seed: 2, Iter: 1, TestAcc: 0.6},
		{Method: "admm", Seed: 2, Iter: 2, TestAcc: 0.9},
	}
	s := Summarize(rows, map[string]string{"admm/1": "converged", "admm/2": "iteration limit"})
	if len(s.Methods) != 2 || s.Methods[0].Method != "admm" || s.Methods[1].Method != "joint" {
		t.Fatalf("methods = %+v, want admm then joint", s.Methods)
	}
	got := s.Methods[0].Stats["test_acc"]
	// The final rows are 0.8 and 0.9: mean 0.85, sample std √0.005.
	if math.Abs(got.Mean-0.85) > 1e-15 || math.Abs(got.Std-math.Sqrt(0.005)) > 1e-15 || got.N != 2 {
		t.Errorf("test_acc = %+v, want mean 0.85, std %v, n 2", got, math.Sqrt(0.005))
	}
	if diff := cmp.Diff([]string{"converged", "iteration limit"}, s.Methods[0].Status); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	var buf bytes.Buffer
	if err := s.WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "| 0.85 ± 0.07071 |") {
		t.Errorf("markdown summary lacks the mean ± std cell:\n%s", buf.String())
	}
}

func TestWriteFileAtomicKeepsOldFileOnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.csv")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	failure := errors.New("disk full")
	err := WriteFileAtomic(path, func(w io.Writer) error {
		w.Write([]byte("half"))
		return failure
	})
	if !errors.Is(err, failure) {
		t.Errorf("error = %v, want it to wrap %v", err, failure)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "old\n" {
		t.Errorf("file = %q after a failed write, want the old content", got)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp*"))
	if len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestMilestonesFindFirstCrossing(t *testing.T) {
	rows := []Row{
		{Method: "joint", Seed: 1, Iter: 0, TimeS: 0, Samples: 10, EVR: 0.5, TestAcc: 0.1},
		{Method: "joint", Seed: 1, Iter: 1, TimeS: 2, Samples: 20, EVR: 0.995, TestAcc: 0.85},
		{Method: "joint", Seed: 1, Iter: 2, TimeS: 4, Samples: 30, EVR: 0.999, TestAcc: 0.9},
		{Method: "admm", Seed: 1, Iter: 0, TimeS: 0, Samples: 10, EVR: 0.2, TestAcc: 0.1},
		{Method: "admm", Seed: 1, Iter: 1, TimeS: 1, Samples: 15, EVR: 0.98, TestAcc: 0.9},
		{Method: "admm", Seed: 1, Iter: 2, TimeS: 3, Samples: 25, EVR: 0.991, TestAcc: 0.91},
	}
	ms := Milestones(rows, 0.99, "joint")
	want := []MethodMilestones{
		{Method: "joint", TestAcc: MeanStd{Mean: 0.9, N: 1}, EVR: MeanStd{Mean: 0.999, N: 1},
			EVRTarget: []Milestone{{true, 2, 20}}, AccTarget: []Milestone{{true, 4, 30}}},
		// admm reaches joint's final 0.9 at iteration 1 and evr 0.99 only at 2.
		{Method: "admm", TestAcc: MeanStd{Mean: 0.91, N: 1}, EVR: MeanStd{Mean: 0.991, N: 1},
			EVRTarget: []Milestone{{true, 3, 25}}, AccTarget: []Milestone{{true, 1, 15}}},
	}
	if diff := cmp.Diff(want, ms); diff != "" {
		t.Errorf("milestones (-want +got):\n%s", diff)
	}
	var buf bytes.Buffer
	if err := WriteMilestonesMarkdown(&buf, ms, 0.99, "joint"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "| admm | 1 | 0.91 | 0.991 | 3 | 25 | 1 |") {
		t.Errorf("markdown lacks the admm row:\n%s", buf.String())
	}
}

func TestMilestonesReferencePerRun(t *testing.T) {
	rows := []Row{
		{Method: "a/joint", Seed: 1, Iter: 1, TimeS: 2, TestAcc: 0.8},
		{Method: "a/admm", Seed: 1, Iter: 1, TimeS: 1, TestAcc: 0.85},
		{Method: "b/admm", Seed: 1, Iter: 1, TimeS: 1, TestAcc: 0.95},
	}
	ms := Milestones(rows, 0.99, "joint")
	if !ms[1].AccTarget[0].Reached || ms[1].NoReference {
		t.Errorf("a/admm = %+v, want it compared with a/joint and reached", ms[1])
	}
	if !ms[2].NoReference {
		t.Errorf("b/admm = %+v, want no reference, since run b has no joint", ms[2])
	}
	var buf bytes.Buffer
	if err := WriteMilestonesMarkdown(&buf, ms, 0.99, "joint"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "n/a: no joint run") {
		t.Errorf("markdown lacks the n/a cell:\n%s", buf.String())
	}
}
