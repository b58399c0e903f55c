package data

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadLIBSVMValid(t *testing.T) {
	for _, tc := range []struct {
		name     string
		content  string
		opts     LIBSVMOptions
		wantX    [][]float64
		wantY    []int
		classes  int
		labelMap []int
	}{
		{
			name:    "sparse rows",
			content: "1 1:0.5 3:2\n0 2:-1\n2\n",
			wantX:   [][]float64{{0.5, 0, 2}, {0, -1, 0}, {0, 0, 0}},
			wantY:   []int{1, 0, 2},
			classes: 3,
		},
		{
			name:    "comments blank lines and CRLF",
			content: "# a header comment\r\n\r\n1 2:3 # trailing comment\r\n0 1:1\r\n",
			wantX:   [][]float64{{0, 3}, {1, 0}},
			wantY:   []int{1, 0},
			classes: 2,
		},
		{
			name:    "explicit features",
			content: "0 1:1\n",
			opts:    LIBSVMOptions{Features: 4},
			wantX:   [][]float64{{1, 0, 0, 0}},
			wantY:   []int{0},
			classes: 1,
		},
		{
			name:     "remap svmlight signs",
			content:  "+1 1:1\n-1 1:2\n+1 1:3\n",
			opts:     LIBSVMOptions{Remap: true},
			wantX:    [][]float64{{1}, {2}, {3}},
			wantY:    []int{1, 0, 1},
			classes:  2,
			labelMap: []int{-1, 1},
		},
		{
			name:     "remap 1 2 3",
			content:  "1 1:1\n2 1:1\n3 1:1\n",
			opts:     LIBSVMOptions{Classes: 3, Remap: true},
			wantX:    [][]float64{{1}, {1}, {1}},
			wantY:    []int{0, 1, 2},
			classes:  3,
			labelMap: []int{1, 2, 3},
		},
		{
			name:    "zero variance column",
			content: "0 1:5 2:1\n1 1:5 2:2\n",
			wantX:   [][]float64{{5, 1}, {5, 2}},
			wantY:   []int{0, 1},
			classes: 2,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "set.svm", tc.content)
			ds, err := ReadLIBSVM(path, tc.opts)
			if err != nil {
				t.Fatalf("ReadLIBSVM: %v", err)
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

func TestReadLIBSVMInvalid(t *testing.T) {
	for _, tc := range []struct {
		name    string
		content string
		opts    LIBSVMOptions
		line    int    // line of the *ParseError, or 0 for another error
		field   int    // field of the *ParseError
		want    string // a substring of the message
	}{
		{"label above classes", "1 1:1\n2 1:1\n3 1:1\n", LIBSVMOptions{Classes: 3}, 3, 0, "label 3 is outside 0..2 for 3 classes; set Remap"},
		{"negative label", "# comment\n-1 1:1\n", LIBSVMOptions{}, 2, 0, "label -1 is negative"},
		{"non-integer label", "0.5 1:1\n", LIBSVMOptions{}, 1, 1, `label "0.5" is not an integer`},
		{"multi-label", "1,2 1:1\n", LIBSVMOptions{}, 1, 1, `label "1,2" is not an integer`},
		{"missing colon", "0 1:1 7\n", LIBSVMOptions{}, 1, 3, `token "7" is not index:value`},
		{"empty value", "0 1:\n", LIBSVMOptions{}, 1, 2, "the value is empty"},
		{"non-numeric value", "0 1:abc\n", LIBSVMOptions{}, 1, 2, `value "abc" is not a number`},
		{"NaN value", "0 1:nan\n", LIBSVMOptions{}, 1, 2, `value "nan" is not finite`},
		{"zero index", "0 0:1\n", LIBSVMOptions{}, 1, 2, `index "0" in token "0:1" is not a positive integer; indices are 1-based`},
		{"descending", "0 3:1 2:1\n", LIBSVMOptions{}, 1, 3, "index 2 follows index 3; indices must be strictly ascending"},
		{"repeated index", "0 2:1 2:1\n", LIBSVMOptions{}, 1, 3, "index 2 follows index 2"},
		{"index over features", "0 5:1\n", LIBSVMOptions{Features: 4}, 1, 2, "index 5 exceeds Features = 4"},
		{"query id", "0 qid:3 1:1\n", LIBSVMOptions{}, 1, 2, "query ids are not supported"},
		{"label not in map", "7 1:1\n", LIBSVMOptions{LabelMap: []int{-1, 1}}, 1, 0, "label 7 is not in LabelMap [-1 1]"},
		{"zero samples", "# only a comment\n\n", LIBSVMOptions{}, 0, 0, "the file contains no samples"},
		{"no features", "0\n1\n", LIBSVMOptions{}, 0, 0, "no sample has a feature"},
		{"too large", "0 2000000000:1\n", LIBSVMOptions{}, 0, 0, "a dense 1×2000000000 matrix exceeds the limit"},
		{"negative features", "0 1:1\n", LIBSVMOptions{Features: -1}, 0, 0, "LIBSVMOptions.Features is -1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "bad.svm", tc.content)
			_, err := ReadLIBSVM(path, tc.opts)
			if err == nil {
				t.Fatalf("ReadLIBSVM succeeded, want an error containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
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

// TestReadLIBSVMLongLine checks that a line beyond the scanner's default
// 64 KiB limit is read.
func TestReadLIBSVMLongLine(t *testing.T) {
	const d = 20000 // about 9 bytes per token, so the line is about 180 KB
	var b strings.Builder
	b.WriteString("1")
	for j := 1; j <= d; j++ {
		fmt.Fprintf(&b, " %d:%d", j, j%7)
	}
	b.WriteString("\n")

	ds, err := ReadLIBSVM(writeFile(t, "long.svm", b.String()), LIBSVMOptions{})
	if err != nil {
		t.Fatalf("ReadLIBSVM: %v", err)
	}
	if _, cols := ds.X.Dims(); cols != d {
		t.Errorf("X has %d columns, want %d", cols, d)
	}
	if got := ds.X.At(0, d-1); got != float64(d%7) {
		t.Errorf("X[0][%d] = %v, want %d", d-1, got, d%7)
	}
}
