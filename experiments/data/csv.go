package data

import (
	"encoding/csv"
	"io"
	"slices"
	"strings"

	"github.com/pkg/errors"
	"gonum.org/v1/gonum/mat"
)

// CSVOptions configures [ReadCSV]. The zero value reads a file without a
// header whose last column contains labels 0..C−1, with C inferred.
type CSVOptions struct {
	// Header states that the first line contains column names. It is never
	// guessed: a header read as data fails at line 1.
	Header bool

	// LabelColumn names the label column. It requires Header and excludes
	// LabelIndex.
	LabelColumn string

	// LabelIndex is the 1-based position of the label column, counted as in
	// error messages. 0 means the last column.
	LabelIndex int

	// Classes is the number of classes C. 0 means the maximum label plus
	// one, or the number of distinct labels with Remap or LabelMap.
	Classes int

	// Remap maps the distinct labels, in ascending order, to 0..C−1 and
	// records the original values in Dataset.LabelMap. Labels may then be
	// any integers, such as −1 and +1.
	//
	// A training set and a test set remapped separately get different
	// maps when a label is missing from one of them. Read the test set
	// with LabelMap set to the training set's LabelMap instead.
	Remap bool

	// LabelMap, if not nil, maps label LabelMap[c] to class c and rejects
	// labels not listed. It implies Remap.
	LabelMap []int
}

func (o CSVOptions) labels() labelOptions {
	return labelOptions{classes: o.Classes, remap: o.Remap, labelMap: o.LabelMap}
}

func (o CSVOptions) validate() error {
	if o.LabelColumn != "" && !o.Header {
		return errors.Errorf("data: CSVOptions.LabelColumn is %q but Header is false; set Header (the -header flag) or use LabelIndex", o.LabelColumn)
	}
	if o.LabelColumn != "" && o.LabelIndex != 0 {
		return errors.Errorf("data: CSVOptions sets both LabelColumn %q and LabelIndex %d; set one of them", o.LabelColumn, o.LabelIndex)
	}
	if o.LabelIndex < 0 {
		return errors.Errorf("data: CSVOptions.LabelIndex is %d; set a 1-based column position, or 0 for the last column", o.LabelIndex)
	}
	return o.labels().validate("CSVOptions")
}

// ReadCSV reads a CSV file (RFC 4180, as encoding/csv parses it) with one
// sample per line: numeric feature columns and one integer label column.
// Spaces around a field are ignored, and blank lines are skipped.
// Dataset.Name is the file name without its extension.
//
// ReadCSV returns an error for invalid options. It returns a *[ParseError]
// naming the file, line and field for:
//   - a field that is empty, not a number, NaN or ±Inf,
//   - a line whose field count differs from the first line's,
//   - a label that is not an integer,
//   - a label outside 0..C−1, unless Remap or LabelMap is set.
//
// A file without samples or without feature columns is an error too. A
// column whose values are all equal is valid.
func ReadCSV(path string, opts CSVOptions) (*Dataset, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	return readTextDataset(path, func(r io.Reader, name string) (*Dataset, error) {
		return decodeCSV(r, name, opts)
	})
}

// decodeCSV parses CSV from r; opts must be valid.
func decodeCSV(r io.Reader, name string, opts CSVOptions) (*Dataset, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // checked here, for a message with both lengths
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true // so that a quoted field may follow ", "

	// The header, if any, fixes the width and may name the label column.
	var header []string
	width, widthLine := 0, 0
	if opts.Header {
		record, err := cr.Read()
		if err == io.EOF {
			return nil, errors.Errorf("data: %s: the file is empty; expected a header line and at least one sample", name)
		}
		if err != nil {
			return nil, errors.Wrapf(err, "data: %s", name)
		}
		header = make([]string, len(record))
		for i, f := range record {
			header[i] = strings.TrimSpace(f)
		}
		width = len(header)
		widthLine, _ = cr.FieldPos(0)
	}
	labelCol := -1
	if opts.LabelColumn != "" {
		labelCol = slices.Index(header, opts.LabelColumn)
		if labelCol < 0 {
			return nil, &ParseError{File: name, Line: widthLine, Err: errors.Errorf("the header has no column %q; its columns are %q", opts.LabelColumn, header)}
		}
		if slices.Index(header[labelCol+1:], opts.LabelColumn) >= 0 {
			return nil, &ParseError{File: name, Line: widthLine, Err: errors.Errorf("the header names column %q twice; rename one or use LabelIndex", opts.LabelColumn)}
		}
	}

	var (
		x     []float64
		raw   []int // labels as written
		lines []int // line of each sample
	)
	for {
		record, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// A *csv.ParseError names the line and column.
			return nil, errors.Wrapf(err, "data: %s", name)
		}
		line, _ := cr.FieldPos(0)

		// The first line fixes the width and the label column.
		if width == 0 {
			width, widthLine = len(record), line
		}
		if labelCol < 0 {
			labelCol = width - 1
			if opts.LabelIndex > 0 {
				labelCol = opts.LabelIndex - 1
			}
			if labelCol >= width {
				return nil, &ParseError{File: name, Line: widthLine, Err: errors.Errorf("LabelIndex is %d but the line has %d fields", opts.LabelIndex, width)}
			}
			if width < 2 {
				return nil, &ParseError{File: name, Line: widthLine, Err: errors.Errorf("the line has %d field, and at least one feature and the label are expected", width)}
			}
		}
		if len(record) != width {
			return nil, &ParseError{File: name, Line: line, Err: errors.Errorf("the line has %d fields, expected %d as on line %d", len(record), width, widthLine)}
		}

		for j, f := range record {
			f = strings.TrimSpace(f)
			if j == labelCol {
				l, err := parseLabel(f)
				if err != nil {
					return nil, csvFieldError(name, line, j, header, opts, err)
				}
				raw = append(raw, l)
				continue
			}
			v, err := parseFeature(f)
			if err != nil {
				return nil, csvFieldError(name, line, j, header, opts, err)
			}
			x = append(x, v)
		}
		lines = append(lines, line)
	}

	if len(raw) == 0 {
		return nil, errors.Errorf("data: %s: the file contains no samples; expected at least one line of data", name)
	}
	y, classes, labelMap, err := resolveLabels(name, raw, lines, opts.labels())
	if err != nil {
		return nil, err
	}
	return &Dataset{
		X:        mat.NewDense(len(raw), width-1, x),
		Y:        y,
		Classes:  classes,
		LabelMap: labelMap,
	}, nil
}

// csvFieldError reports err at field j (0-based) of a line, with the
// column name if there is a header, and a hint on line 1 that a header may
// have been read as data.
func csvFieldError(name string, line, j int, header []string, opts CSVOptions, err error) error {
	if header != nil {
		err = errors.Wrapf(err, "column %q", header[j])
	}
	if line == 1 && !opts.Header {
		err = errors.Errorf("%v; if line 1 is a header, set Header (the -header flag)", err)
	}
	return &ParseError{File: name, Line: line, Field: j + 1, Err: err}
}
