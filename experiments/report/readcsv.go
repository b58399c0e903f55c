package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/pkg/errors"
)

// ParseError is the error ReadCSV returns for a header, record or field
// that it rejects.
type ParseError struct {
	Line   int    // line number in the input, starting at 1
	Column string // the column name from Columns; empty for an error about the whole record
	Err    error
}

func (e *ParseError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("report: line %d: %v", e.Line, e.Err)
	}
	return fmt.Sprintf("report: line %d, column %s: %v", e.Line, e.Column, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// ReadCSV parses a table written by WriteCSV back into rows. Numbers
// round-trip exactly, including NaN, +Inf and -Inf. A row whose
// primal_res, dual_res and rho are all empty gets a nil ADMM; EpsPri and
// EpsDual are not in the file and read back as zero.
//
// ReadCSV is strict, and returns a *ParseError naming the line and, where
// it applies, the column for each of these: a header that differs from
// Columns (a missing, extra or reordered column), a record with the wrong
// number of fields, a field that does not parse, and admm columns that
// are only partly filled. Input with no header at all is an error too. A
// header with no records returns no rows and no error.
func ReadCSV(r io.Reader) ([]Row, error) {
	cr := csv.NewReader(r)
	// The field count is checked here, so that the error names the
	// expected columns instead of the count of the first record.
	cr.FieldsPerRecord = -1

	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.Errorf("report: empty input, expected a header line with the columns %v", Columns)
	}
	if err != nil {
		return nil, errors.Wrap(err, "report: read csv header")
	}
	if err := checkHeader(header, cr); err != nil {
		return nil, err
	}

	var rows []Row
	for {
		record, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, errors.Wrap(err, "report: read csv")
		}
		line, _ := cr.FieldPos(0)
		row, err := parseRecord(record, line)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
}

// checkHeader returns a *ParseError unless header equals Columns.
func checkHeader(header []string, cr *csv.Reader) error {
	line, _ := cr.FieldPos(0)
	for i, want := range Columns {
		if i >= len(header) {
			return &ParseError{Line: line, Column: want, Err: errors.Errorf(
				"header lacks column %d %q; expected the columns %v", i+1, want, Columns)}
		}
		if header[i] != want {
			return &ParseError{Line: line, Column: want, Err: errors.Errorf(
				"header has %q as column %d where %q belongs; expected the columns %v", header[i], i+1, want, Columns)}
		}
	}
	if len(header) > len(Columns) {
		return &ParseError{Line: line, Err: errors.Errorf(
			"header has %d columns, %d extra (%q first); expected the columns %v",
			len(header), len(header)-len(Columns), header[len(Columns)], Columns)}
	}
	return nil
}

// parseRecord converts the fields of one record, laid out as Columns,
// into a row.
func parseRecord(f []string, line int) (Row, error) {
	if len(f) != len(Columns) {
		return Row{}, &ParseError{Line: line, Err: errors.Errorf(
			"record has %d fields, expected %d (%v)", len(f), len(Columns), Columns)}
	}
	p := fieldParser{fields: f, line: line}
	r := Row{
		Method:              f[0],
		Iter:                p.int(1),
		TimeS:               p.float(2),
		Samples:             p.int64(3),
		TrainCE:             p.float(4),
		TrainAcc:            p.float(5),
		TestAcc:             p.float(6),
		PCAObjective:        p.float(7),
		EVR:                 p.float(8),
		SubspaceDist:        p.float(9),
		ConstraintViolation: p.float(10),
		Seed:                p.uint64(14),
	}
	if p.err != nil {
		return Row{}, p.err
	}

	// The admm-only columns are empty together (another method) or set
	// together (admm); Row.Fields writes nothing else.
	switch countEmpty(f[11:14]) {
	case 3:
	case 0:
		r.ADMM = &ADMMStats{Primal: p.float(11), Dual: p.float(12), Rho: p.float(13)}
		if p.err != nil {
			return Row{}, p.err
		}
	default:
		return Row{}, &ParseError{Line: line, Column: Columns[11+firstEmpty(f[11:14])], Err: errors.Errorf(
			"primal_res, dual_res and rho are %q, %q, %q; expected all three set (admm) or all three empty",
			f[11], f[12], f[13])}
	}
	return r, nil
}

func countEmpty(f []string) int {
	n := 0
	for _, s := range f {
		if s == "" {
			n++
		}
	}
	return n
}

// firstEmpty returns the index of the first empty field of f, or 0 if
// there is none.
func firstEmpty(f []string) int {
	for i, s := range f {
		if s == "" {
			return i
		}
	}
	return 0
}

// fieldParser parses the fields of one record and keeps the first error,
// so that a record reads as a list of conversions.
type fieldParser struct {
	fields []string
	line   int
	err    error
}

// fail records the first error, naming the column of field i and what
// was expected there.
func (p *fieldParser) fail(i int, want string, err error) {
	if p.err != nil {
		return
	}
	if ne, ok := err.(*strconv.NumError); ok {
		err = ne.Err
	}
	p.err = &ParseError{Line: p.line, Column: Columns[i], Err: errors.Errorf(
		"invalid value %q (%v); expected %s", p.fields[i], err, want)}
}

func (p *fieldParser) float(i int) float64 {
	v, err := strconv.ParseFloat(p.fields[i], 64)
	if err != nil {
		p.fail(i, "a float such as 0.25, 1e-08, NaN or +Inf", err)
	}
	return v
}

func (p *fieldParser) int(i int) int {
	v, err := strconv.Atoi(p.fields[i])
	if err != nil {
		p.fail(i, "an integer", err)
	}
	return v
}

func (p *fieldParser) int64(i int) int64 {
	v, err := strconv.ParseInt(p.fields[i], 10, 64)
	if err != nil {
		p.fail(i, "an integer", err)
	}
	return v
}

func (p *fieldParser) uint64(i int) uint64 {
	v, err := strconv.ParseUint(p.fields[i], 10, 64)
	if err != nil {
		p.fail(i, "a non-negative integer", err)
	}
	return v
}
