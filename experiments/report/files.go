package report

import (
	"bufio"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"

	"github.com/pkg/errors"
	"gonum.org/v1/gonum/mat"
)

// WriteCSV writes the header and rows to w.
func WriteCSV(w io.Writer, rows []Row) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return err
	}
	for i := range rows {
		if err := cw.Write(rows[i].Fields()); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteMatrixCSV writes m as CSV, one row of m per line, every value in
// the shortest form that parses back to it.
func WriteMatrixCSV(w io.Writer, m mat.Matrix) error {
	r, c := m.Dims()
	cw := csv.NewWriter(w)
	record := make([]string, c)
	for i := 0; i < r; i++ {
		for j := range record {
			record[j] = formatFloat(m.At(i, j))
		}
		if err := cw.Write(record); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteFileAtomic writes a file through a temporary file in the same
// directory, synced and then renamed over path. After a crash or a full
// disk, path holds either its old content or the complete new content,
// never a half-written file.
func WriteFileAtomic(path string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return errors.Wrapf(err, "report: create a temporary file for %s", path)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriter(tmp)
	if err = write(bw); err != nil {
		return errors.Wrapf(err, "report: write %s", path)
	}
	if err = bw.Flush(); err != nil {
		return errors.Wrapf(err, "report: write %s", path)
	}
	if err = tmp.Sync(); err != nil {
		return errors.Wrapf(err, "report: sync %s", path)
	}
	if err = tmp.Close(); err != nil {
		return errors.Wrapf(err, "report: close %s", path)
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return errors.Wrapf(err, "report: set permissions of %s", path)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return errors.Wrapf(err, "report: rename into %s", path)
	}
	return nil
}
