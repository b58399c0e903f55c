package data

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/pkg/errors"
)

// ParseError reports invalid content in a text file (CSV or LIBSVM) at a
// line and, where it concerns one field, the field's position.
type ParseError struct {
	File  string
	Line  int // 1-based line number
	Field int // 1-based field number on the line, or 0 for the whole line
	Err   error
}

func (e *ParseError) Error() string {
	if e.Field > 0 {
		return fmt.Sprintf("data: %s:%d: field %d: %v", e.File, e.Line, e.Field, e.Err)
	}
	return fmt.Sprintf("data: %s:%d: %v", e.File, e.Line, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// maxInferredClasses bounds the class count inferred as the maximum label
// plus one, so that a stray large label is reported instead of creating a
// model with millions of outputs. An explicit Classes option is not bounded.
//
// NOTE: the bound is a judgment call, far above common benchmarks (1,000
// ImageNet classes), not a limit of any format.
const maxInferredClasses = 1 << 16

// maxDenseElements bounds n·d for a matrix built from sparse input, where
// a single large feature index can demand far more memory than the file
// size suggests. 2²⁸ float64 values take 2 GiB. Tests lower it.
var maxDenseElements = 1 << 28

// parseFeature parses one feature value and rejects empty, non-numeric and
// non-finite values.
func parseFeature(s string) (float64, error) {
	if s == "" {
		return 0, errors.New("the value is empty")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, errors.Errorf("value %q is outside the float64 range", s)
		}
		return 0, errors.Errorf("value %q is not a number", s)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, errors.Errorf("value %q is not finite; NaN and ±Inf are rejected", s)
	}
	return v, nil
}

// maxExactInt is 2⁵³, above which float64 does not represent every integer.
const maxExactInt = 1 << 53

// parseLabel parses a class label. Integer-valued decimals such as "2.0"
// and a leading '+' ("+1" in svmlight files) are accepted.
func parseLabel(s string) (int, error) {
	if s == "" {
		return 0, errors.New("the label is empty")
	}
	if l, err := strconv.Atoi(s); err == nil {
		if l > maxExactInt || l < -maxExactInt {
			return 0, errors.Errorf("label %q is outside ±2⁵³", s)
		}
		return l, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != math.Trunc(v) {
		return 0, errors.Errorf("label %q is not an integer", s)
	}
	if math.Abs(v) > maxExactInt {
		return 0, errors.Errorf("label %q is outside ±2⁵³", s)
	}
	return int(v), nil
}

// labelOptions are the label settings shared by the text formats; see
// [CSVOptions] for their meaning.
type labelOptions struct {
	classes  int
	remap    bool
	labelMap []int
}

func (o labelOptions) validate(format string) error {
	if o.classes < 0 {
		return errors.Errorf("data: %s.Classes is %d; set it to 0 to infer the count or to a positive count", format, o.classes)
	}
	if o.labelMap == nil {
		return nil
	}
	if len(o.labelMap) == 0 {
		return errors.Errorf("data: %s.LabelMap is empty; leave it nil or list the original label of each class", format)
	}
	if o.classes != 0 && o.classes != len(o.labelMap) {
		return errors.Errorf("data: %s.Classes is %d but LabelMap lists %d classes; set Classes to 0 or to %d", format, o.classes, len(o.labelMap), len(o.labelMap))
	}
	seen := make(map[int]bool, len(o.labelMap))
	for _, l := range o.labelMap {
		if seen[l] {
			return errors.Errorf("data: %s.LabelMap lists label %d twice; each original label must map to one class", format, l)
		}
		seen[l] = true
	}
	return nil
}

// resolveLabels turns the raw labels of a file into class indices. line[i]
// is the line of label i, for errors. It returns the labels, the class
// count and, when remapping, the original label of each class. raw must
// not be empty.
func resolveLabels(file string, raw, line []int, o labelOptions) (y []int, classes int, labelMap []int, err error) {
	switch {
	case o.labelMap != nil:
		labelMap = slices.Clone(o.labelMap)
	case o.remap:
		labelMap = slices.Clone(raw)
		slices.Sort(labelMap)
		labelMap = slices.Compact(labelMap)
		if o.classes != 0 && o.classes != len(labelMap) {
			return nil, 0, nil, errors.Errorf("data: %s: the file contains %d distinct labels but Classes is %d; with Remap, set Classes to 0 or to the number of distinct labels", file, len(labelMap), o.classes)
		}
	}

	// Remapping: class c is the c-th entry of labelMap.
	if labelMap != nil {
		class := make(map[int]int, len(labelMap))
		for c, l := range labelMap {
			class[l] = c
		}
		y = make([]int, len(raw))
		for i, l := range raw {
			c, ok := class[l]
			if !ok {
				return nil, 0, nil, &ParseError{File: file, Line: line[i], Err: errors.Errorf("label %d is not in LabelMap %v, the labels of the training set when they are remapped; add it to LabelMap or leave LabelMap nil", l, labelMap)}
			}
			y[i] = c
		}
		return y, len(labelMap), labelMap, nil
	}

	// Labels as given: they must lie in [0, C).
	classes = o.classes
	if classes == 0 {
		classes = slices.Max(raw) + 1
		if classes > maxInferredClasses {
			i := slices.Index(raw, classes-1)
			return nil, 0, nil, &ParseError{File: file, Line: line[i], Err: errors.Errorf("label %d would make %d classes, more than %d; set Classes or Remap if this is intended", raw[i], classes, maxInferredClasses)}
		}
	}
	for i, l := range raw {
		if l < 0 {
			return nil, 0, nil, &ParseError{File: file, Line: line[i], Err: errors.Errorf("label %d is negative, and labels must be class indices 0..C−1; set Remap (the -remap flag) to map the labels to 0..C−1 in sorted order", l)}
		}
		if l >= classes {
			return nil, 0, nil, &ParseError{File: file, Line: line[i], Err: errors.Errorf("label %d is outside 0..%d for %d classes; set Remap (the -remap flag) to map the labels to 0..C−1 in sorted order", l, classes-1, classes)}
		}
	}
	return slices.Clone(raw), classes, nil, nil
}
