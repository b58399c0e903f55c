package data

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"github.com/pkg/errors"
	"gonum.org/v1/gonum/mat"
)

// maxLIBSVMLine bounds the length of one line of a LIBSVM file. Lines of
// dense high-dimensional data can be long; this allows about 10⁷ features.
const maxLIBSVMLine = 256 << 20

// LIBSVMOptions configures [ReadLIBSVM]. The zero value infers the
// dimension and the class count.
type LIBSVMOptions struct {
	// Features is the dimension d. 0 means the largest index in the file.
	// Set it when reading a test set, whose largest index may be smaller.
	Features int

	// Classes, Remap and LabelMap act as in [CSVOptions].
	Classes  int
	Remap    bool
	LabelMap []int
}

func (o LIBSVMOptions) labels() labelOptions {
	return labelOptions{classes: o.Classes, remap: o.Remap, labelMap: o.LabelMap}
}

func (o LIBSVMOptions) validate() error {
	if o.Features < 0 {
		return errors.Errorf("data: LIBSVMOptions.Features is %d; set it to 0 to infer the dimension or to a positive count", o.Features)
	}
	return o.labels().validate("LIBSVMOptions")
}

// ReadLIBSVM reads a file in the LIBSVM (svmlight) format: one sample per
// line, written as "label index:value index:value ...", with 1-based,
// strictly ascending indices. Features not listed are 0. Text after '#' is
// a comment, and blank lines are skipped. Dataset.Name is the file name
// without its extension.
//
// ReadLIBSVM returns an error for invalid options. It returns a
// *[ParseError] naming the file, line and field (the label is field 1) for:
//   - a token that is not "index:value", or a query id such as "qid:3",
//   - an index that is not a positive integer, not above the previous
//     index, or above Features,
//   - a value that is empty, not a number, NaN or ±Inf,
//   - a label that is invalid as in [ReadCSV].
//
// A file without samples, or whose samples have no features, is an error
// too, and so is a dense matrix of more than 2²⁸ elements (2 GiB).
func ReadLIBSVM(path string, opts LIBSVMOptions) (*Dataset, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	return readTextDataset(path, func(r io.Reader, name string) (*Dataset, error) {
		return decodeLIBSVM(r, name, opts)
	})
}

// decodeLIBSVM parses LIBSVM text from r; opts must be valid.
func decodeLIBSVM(r io.Reader, name string, opts LIBSVMOptions) (*Dataset, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLIBSVMLine)

	// The nonzeros of sample i are index[start[i]:start[i+1]] (0-based)
	// and value[start[i]:start[i+1]].
	var (
		raw      []int // labels as written
		lines    []int // line of each sample
		start    = []int{0}
		index    []int
		value    []float64
		maxIndex int
	)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		tokens := strings.Fields(text)
		if len(tokens) == 0 {
			continue
		}

		l, err := parseLabel(tokens[0])
		if err != nil {
			return nil, &ParseError{File: name, Line: line, Field: 1, Err: err}
		}
		prev := 0
		for k, tok := range tokens[1:] {
			field := k + 2
			j, v, err := parseLIBSVMPair(tok, prev, opts.Features)
			if err != nil {
				return nil, &ParseError{File: name, Line: line, Field: field, Err: err}
			}
			prev = j
			index = append(index, j-1)
			value = append(value, v)
		}
		maxIndex = max(maxIndex, prev)
		raw = append(raw, l)
		lines = append(lines, line)
		start = append(start, len(index))
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, errors.Errorf("data: %s: line %d is longer than %d bytes", name, line+1, maxLIBSVMLine)
		}
		return nil, errors.Wrapf(err, "data: %s", name)
	}

	// The dimension and the size of the dense matrix.
	n := len(raw)
	if n == 0 {
		return nil, errors.Errorf("data: %s: the file contains no samples; expected at least one line of data", name)
	}
	d := opts.Features
	if d == 0 {
		d = maxIndex
	}
	if d == 0 {
		return nil, errors.Errorf("data: %s: no sample has a feature, so the dimension is 0; set LIBSVMOptions.Features", name)
	}
	if d > maxDenseElements/n {
		return nil, errors.Errorf("data: %s: a dense %d×%d matrix exceeds the limit of %d elements; check the largest feature index %d", name, n, d, maxDenseElements, maxIndex)
	}

	y, classes, labelMap, err := resolveLabels(name, raw, lines, opts.labels())
	if err != nil {
		return nil, err
	}
	x := mat.NewDense(n, d, nil)
	for i := range n {
		row := x.RawRowView(i)
		for p := start[i]; p < start[i+1]; p++ {
			row[index[p]] = value[p]
		}
	}
	return &Dataset{X: x, Y: y, Classes: classes, LabelMap: labelMap}, nil
}

// parseLIBSVMPair parses an "index:value" token whose index must exceed
// prev and, if features > 0, be at most features.
func parseLIBSVMPair(tok string, prev, features int) (index int, value float64, err error) {
	key, val, ok := strings.Cut(tok, ":")
	if !ok {
		return 0, 0, errors.Errorf("token %q is not index:value", tok)
	}
	if key == "qid" {
		return 0, 0, errors.Errorf("token %q is a query id, and query ids are not supported", tok)
	}
	index, err = strconv.Atoi(key)
	if err != nil || index < 1 {
		return 0, 0, errors.Errorf("index %q in token %q is not a positive integer; indices are 1-based", key, tok)
	}
	if index <= prev {
		return 0, 0, errors.Errorf("index %d follows index %d; indices must be strictly ascending", index, prev)
	}
	if features > 0 && index > features {
		return 0, 0, errors.Errorf("index %d exceeds Features = %d", index, features)
	}
	value, err = parseFeature(val)
	if err != nil {
		return 0, 0, errors.Wrapf(err, "token %q", tok)
	}
	return index, value, nil
}
