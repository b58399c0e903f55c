package report

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/pkg/errors"
)

func TestReadCSVRoundTrip(t *testing.T) {
	rows := []Row{
		{Method: "admm", Seed: 7, Iter: 0, TimeS: 0, Samples: 0, TrainCE: math.Log(10), TrainAcc: 0.1,
			TestAcc: 0.0987, PCAObjective: 12.5, EVR: 0.3, SubspaceDist: 1.7, ConstraintViolation: 0,
			ADMM: &ADMMStats{Primal: math.NaN(), Dual: math.Inf(1), Rho: 1}},
		{Method: "admm", Seed: 7, Iter: 1, TimeS: 0.1 + 0.2, Samples: 1 << 40, TrainCE: 1.0 / 3,
			TrainAcc: 0.9, TestAcc: 0.875, PCAObjective: 39.4, EVR: 0.99, SubspaceDist: 1e-300,
			ConstraintViolation: 2.5e-15, ADMM: &ADMMStats{Primal: 5e-324, Dual: math.Pi, Rho: 0}},
		{Method: "two-stage", Seed: math.MaxUint64, Iter: 3, TimeS: math.MaxFloat64, Samples: -1,
			TrainCE: math.NaN(), TrainAcc: math.Inf(-1), TestAcc: math.Inf(1), EVR: math.Copysign(0, -1)},
		// A comma and a quote in the method name go through CSV quoting.
		{Method: `joint, "v2"`, Seed: 1, Iter: 2, TrainCE: 0.5},
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	got, err := ReadCSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rows, got, cmpopts.EquateNaNs()); diff != "" {
		t.Errorf("ReadCSV(WriteCSV(rows)) (-want +got):\n%s", diff)
	}
	if !math.Signbit(got[2].EVR) {
		t.Errorf("evr of -0 read back as %v, want the sign kept", got[2].EVR)
	}
}

func TestReadCSVHeaderOnly(t *testing.T) {
	got, err := ReadCSV(strings.NewReader(strings.Join(Columns, ",") + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("rows = %+v, want none", got)
	}
}

func TestReadCSVRejectsBadInput(t *testing.T) {
	header := strings.Join(Columns, ",")
	// good is a valid admm record: method, iter, time_s, samples, seven
	// metrics, primal_res, dual_res, rho, seed.
	good := "admm,1,0.5,64,0.7,0.8,0.8,3,0.9,0.1,0,0.01,0.02,1,3"
	replaceField := func(i int, v string) string {
		f := strings.Split(good, ",")
		f[i] = v
		return strings.Join(f, ",")
	}
	reordered := append([]string{}, Columns...)
	reordered[4], reordered[5] = reordered[5], reordered[4]

	tests := []struct {
		name   string
		input  string
		line   int
		column string
	}{
		{"missing column", strings.Join(Columns[:len(Columns)-1], ","), 1, "seed"},
		{"reordered columns", strings.Join(reordered, ","), 1, "train_ce"},
		{"extra column", header + ",note", 1, ""},
		{"renamed column", strings.Replace(header, "evr", "EVR", 1), 1, "evr"},
		{"too few fields", header + "\n" + good + "\n" + "admm,2,0.5", 3, ""},
		{"too many fields", header + "\n" + good + ",x", 2, ""},
		{"float", header + "\n" + replaceField(4, "0.7.1"), 2, "train_ce"},
		{"empty float", header + "\n" + replaceField(8, ""), 2, "evr"},
		{"iter", header + "\n" + replaceField(1, "1.5"), 2, "iter"},
		{"samples", header + "\n" + replaceField(3, "1e3"), 2, "samples"},
		{"negative seed", header + "\n" + replaceField(14, "-3"), 2, "seed"},
		{"float out of range", header + "\n" + replaceField(2, "1e400"), 2, "time_s"},
		{"admm residual", header + "\n" + replaceField(12, "abc"), 2, "dual_res"},
		// An admm row with rho lost is damaged, not a row of another method.
		{"admm columns partly empty", header + "\n" + replaceField(13, ""), 2, "rho"},
		// Blank lines are skipped, so the bad record is on line 4.
		{"line after blank line", header + "\n\n" + good + "\n" + replaceField(6, "x"), 4, "test_acc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(tt.input + "\n"))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error = %v, want a *ParseError", err)
			}
			if pe.Line != tt.line {
				t.Errorf("line = %d, want %d (error %v)", pe.Line, tt.line, err)
			}
			if pe.Column != tt.column {
				t.Errorf("column = %q, want %q (error %v)", pe.Column, tt.column, err)
			}
			if !strings.HasPrefix(err.Error(), "report: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestReadCSVRejectsEmptyInput(t *testing.T) {
	_, err := ReadCSV(strings.NewReader(""))
	if err == nil || !strings.Contains(err.Error(), "header") {
		t.Errorf("error = %v, want one about the missing header", err)
	}
}

func TestReadCSVRejectsBrokenQuoting(t *testing.T) {
	input := strings.Join(Columns, ",") + "\n" + `"admm,1` + "\n"
	if _, err := ReadCSV(strings.NewReader(input)); err == nil {
		t.Error("error = nil for an unterminated quote")
	}
}
