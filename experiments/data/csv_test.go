package data

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/mat"
)

// writeFile writes content to a file in a fresh temporary directory.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// rows converts a matrix for cmp, which cannot compare *mat.Dense.
func rows(m mat.Matrix) [][]float64 {
	r, c := m.Dims()
	out := make([][]float64, r)
	for i := range out {
		out[i] = make([]float64, c)
		for j := range out[i] {
			out[i][j] = m.At(i, j)
		}
	}
	return out
}

func TestReadCSVValid(t *testing.T) {
	for _, tc := range []struct {
		name     string
		content  string
		opts     CSVOptions
		wantX    [][]float64
		wantY    []int
		classes  int
		labelMap []int
	}{
		{
			name:    "last column",
			content: "1.5,2,0\n-3,4e1,2\n",
			wantX:   [][]float64{{1.5, 2}, {-3, 40}},
			wantY:   []int{0, 2},
			classes: 3,
		},
		{
			name:    "header and label name",
			content: "y,a,b\n1,0.5,1\n0,0.25,2\n",
			opts:    CSVOptions{Header: true, LabelColumn: "y"},
			wantX:   [][]float64{{0.5, 1}, {0.25, 2}},
			wantY:   []int{1, 0},
			classes: 2,
		},
		{
			name:    "label index",
			content: "5,1,6\n7,0,8\n",
			opts:    CSVOptions{LabelIndex: 2},
			wantX:   [][]float64{{5, 6}, {7, 8}},
			wantY:   []int{1, 0},
			classes: 2,
		},
		{
			name:    "explicit classes",
			content: "1,0\n2,1\n",
			opts:    CSVOptions{Classes: 5},
			wantX:   [][]float64{{1}, {2}},
			wantY:   []int{0, 1},
			classes: 5,
		},
		{
			name:     "remap",
			content:  "1,1\n2,2\n3,3\n4,1\n",
			opts:     CSVOptions{Classes: 3, Remap: true},
			wantX:    [][]float64{{1}, {2}, {3}, {4}},
			wantY:    []int{0, 1, 2, 0},
			classes:  3,
			labelMap: []int{1, 2, 3},
		},
		{
			name:     "remap signs",
			content:  "0.5,+1\n0.5,-1\n",
			opts:     CSVOptions{Remap: true},
			wantX:    [][]float64{{0.5}, {0.5}},
			wantY:    []int{1, 0},
			classes:  2,
			labelMap: []int{-1, 1},
		},
		{
			// A test set lacking label 2 keeps the training classes.
			name:     "label map",
			content:  "0,3\n0,1\n",
			opts:     CSVOptions{LabelMap: []int{1, 2, 3}},
			wantX:    [][]float64{{0}, {0}},
			wantY:    []int{2, 0},
			classes:  3,
			labelMap: []int{1, 2, 3},
		},
		{
			name:    "integral float label",
			content: "1,2.0\n",
			wantX:   [][]float64{{1}},
			wantY:   []int{2},
			classes: 3,
		},
		{
			name:    "zero variance column",
			content: "7,1,0\n7,2,1\n7,3,1\n",
			wantX:   [][]float64{{7, 1}, {7, 2}, {7, 3}},
			wantY:   []int{0, 1, 1},
			classes: 2,
		},
		{
			name:    "spaces blank lines and quotes",
			content: " 1 , \"2\", 0\r\n\r\n3,4,1\n",
			wantX:   [][]float64{{1, 2}, {3, 4}},
			wantY:   []int{0, 1},
			classes: 2,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "set.csv", tc.content)
			ds, err := ReadCSV(path, tc.opts)
			if err != nil {
				t.Fatalf("ReadCSV: %v", err)
			}
			if diff := cmp.Diff(tc.wantX, rows(ds.X)); diff != "" {
				t.Errorf("X mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantY, ds.Y); diff != "" {
				t.Errorf("Y mismatch (-want +got):\n%s", diff)
			}
			if ds.Classes != tc.classes {
				t.Errorf("Classes = %d, want %d", ds.Classes, tc.classes)
			}
			if diff := cmp.Diff(tc.labelMap, ds.LabelMap); diff != "" {
				t.Errorf("LabelMap mismatch (-want +got):\n%s", diff)
			}
			if ds.Name != "set" || len(ds.Files) != 1 || ds.Files[0].Path != path || len(ds.Files[0].SHA256) != 64 {
				t.Errorf("Name = %q, Files = %+v, want \"set\" and %s with a digest", ds.Name, ds.Files, path)
			}
		})
	}
}

func TestReadCSVInvalid(t *testing.T) {
	for _, tc := range []struct {
		name    string
		content string
		opts    CSVOptions
		line    int    // line of the *ParseError, or 0 for another error
		field   int    // field of the *ParseError
		want    string // a substring of the message
	}{
		{"label above classes", "1,1\n2,2\n3,3\n", CSVOptions{Classes: 3}, 3, 0, "label 3 is outside 0..2 for 3 classes; set Remap"},
		{"negative label", "1,0\n2,-1\n", CSVOptions{}, 2, 0, "label -1 is negative"},
		{"header read as data", "a,b,label\n1,2,0\n", CSVOptions{}, 1, 1, `value "a" is not a number; if line 1 is a header, set Header`},
		{"empty field", "1,2,0\n3,,1\n", CSVOptions{}, 2, 2, "the value is empty"},
		{"empty label", "1,2,0\n3,4,\n", CSVOptions{}, 2, 3, "the label is empty"},
		{"non-numeric", "1,2,0\n3,x7,1\n", CSVOptions{}, 2, 2, `value "x7" is not a number`},
		{"NaN", "1,NaN,0\n", CSVOptions{}, 1, 2, `value "NaN" is not finite`},
		{"Inf", "1,2,0\n-Inf,2,0\n", CSVOptions{}, 2, 1, `value "-Inf" is not finite`},
		{"overflow", "1e400,2,0\n", CSVOptions{}, 1, 1, `value "1e400" is outside the float64 range`},
		{"ragged row", "1,2,0\n3,4,5,1\n", CSVOptions{}, 2, 0, "the line has 4 fields, expected 3 as on line 1"},
		{"ragged after header", "a,b,y\n1,0\n", CSVOptions{Header: true}, 2, 0, "the line has 2 fields, expected 3 as on line 1"},
		{"non-integer label", "1,2,0\n3,4,1.5\n", CSVOptions{}, 2, 3, `label "1.5" is not an integer`},
		{"column name in message", "a,y\nq,1\n", CSVOptions{Header: true, LabelColumn: "y"}, 2, 1, `column "a": value "q" is not a number`},
		{"label not in map", "1,4\n", CSVOptions{LabelMap: []int{1, 2}}, 1, 0, "label 4 is not in LabelMap [1 2]"},
		{"huge inferred classes", "1,1000000\n", CSVOptions{}, 1, 0, "label 1000000 would make 1000001 classes"},
		{"label column missing", "a,b\n1,2\n", CSVOptions{Header: true, LabelColumn: "y"}, 1, 0, `the header has no column "y"`},
		{"label index too large", "1,2\n", CSVOptions{LabelIndex: 3}, 1, 0, "LabelIndex is 3 but the line has 2 fields"},
		{"label only", "1\n2\n", CSVOptions{}, 1, 0, "at least one feature and the label are expected"},
		{"zero samples", "", CSVOptions{}, 0, 0, "the file contains no samples"},
		{"header only", "a,b\n", CSVOptions{Header: true}, 0, 0, "the file contains no samples"},
		{"empty with header", "", CSVOptions{Header: true}, 0, 0, "the file is empty; expected a header line"},
		{"bare quote", "1,a\"b,0\n", CSVOptions{}, 0, 0, "bare \" in non-quoted-field"},
		{"label column without header", "1,0\n", CSVOptions{LabelColumn: "y"}, 0, 0, "LabelColumn is \"y\" but Header is false"},
		{"negative label index", "1,0\n", CSVOptions{LabelIndex: -1}, 0, 0, "LabelIndex is -1"},
		{"negative classes", "1,0\n", CSVOptions{Classes: -2}, 0, 0, "CSVOptions.Classes is -2"},
		{"remap classes mismatch", "1,5\n2,6\n", CSVOptions{Remap: true, Classes: 3}, 0, 0, "contains 2 distinct labels but Classes is 3"},
		{"label map repeated", "1,5\n", CSVOptions{LabelMap: []int{5, 5}}, 0, 0, "lists label 5 twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "bad.csv", tc.content)
			_, err := ReadCSV(path, tc.opts)
			if err == nil {
				t.Fatalf("ReadCSV succeeded, want an error containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "data: ") {
				t.Errorf("error %q does not start with the package name", err)
			}

			var pe *ParseError
			if tc.line == 0 {
				if errors.As(err, &pe) {
					t.Errorf("error %q is a *ParseError, want another kind", err)
				}
				return
			}
			if !errors.As(err, &pe) {
				t.Fatalf("error %q is not a *ParseError", err)
			}
			if pe.File != path || pe.Line != tc.line || pe.Field != tc.field {
				t.Errorf("ParseError at %s:%d field %d, want %s:%d field %d", pe.File, pe.Line, pe.Field, path, tc.line, tc.field)
			}
		})
	}
}

func TestReadCSVMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.csv")
	_, err := ReadCSV(path, CSVOptions{})
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("ReadCSV error = %v, want one naming %s", err, path)
	}
}
