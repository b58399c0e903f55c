package data

import (
	"bytes"
	"math"
	"testing"
)

// fuzzMaxDenseElements replaces maxDenseElements while fuzzing, so that an
// input with a large feature index costs megabytes instead of gigabytes.
const fuzzMaxDenseElements = 1 << 20

func FuzzReadIDXImages(f *testing.F) {
	f.Add(idxFile(idxImageMagic, []uint32{2, 2, 3}, twoImages))
	f.Add(gzipBytes(f, idxFile(idxImageMagic, []uint32{1, 1, 2}, []byte{7, 8})))
	f.Fuzz(func(t *testing.T, file []byte) {
		n, rows, cols, pixels, err := ReadIDXImages(bytes.NewReader(file), "fuzz")
		if err != nil {
			return
		}
		if len(pixels) != n*rows*cols {
			t.Fatalf("%d pixels for %d×%d×%d images", len(pixels), n, rows, cols)
		}
		// An uncompressed file that was accepted is exactly header and data.
		if !isGzipMagic(file) {
			if want := idxFile(idxImageMagic, []uint32{uint32(n), uint32(rows), uint32(cols)}, pixels); !bytes.Equal(file, want) {
				t.Fatalf("accepted %d bytes that are not a 16-byte header and %d data bytes", len(file), len(pixels))
			}
		}
	})
}

func FuzzReadCSV(f *testing.F) {
	maxDense := maxDenseElements
	maxDenseElements = fuzzMaxDenseElements
	f.Cleanup(func() { maxDenseElements = maxDense })

	f.Add([]byte("1.5,2,0\n-3,4e1,2\n"), false, false)
	f.Add([]byte("y,a\n1,0.5\n0,2\n"), true, false)
	f.Add([]byte("1,-1\n2,1\n"), false, true)
	f.Fuzz(func(t *testing.T, file []byte, header, remap bool) {
		ds, err := decodeCSV(bytes.NewReader(file), "fuzz", CSVOptions{Header: header, Remap: remap})
		if err != nil {
			return
		}
		checkDataset(t, ds)
	})
}

func FuzzReadLIBSVM(f *testing.F) {
	maxDense := maxDenseElements
	maxDenseElements = fuzzMaxDenseElements
	f.Cleanup(func() { maxDenseElements = maxDense })

	f.Add([]byte("1 1:0.5 3:2\n0 2:-1 # comment\n"), uint16(0), false)
	f.Add([]byte("+1 1:1\n-1 2:1\n"), uint16(2), true)
	f.Fuzz(func(t *testing.T, file []byte, features uint16, remap bool) {
		opts := LIBSVMOptions{Features: int(features), Remap: remap}
		ds, err := decodeLIBSVM(bytes.NewReader(file), "fuzz", opts)
		if err != nil {
			return
		}
		checkDataset(t, ds)
		if _, d := ds.X.Dims(); features != 0 && d != int(features) {
			t.Fatalf("X has %d columns, want Features = %d", d, features)
		}
	})
}

// checkDataset fails t unless ds is consistent: one label per row, labels
// in [0, Classes), finite features and a LabelMap of Classes entries.
func checkDataset(t *testing.T, ds *Dataset) {
	t.Helper()
	n, _ := ds.X.Dims()
	if len(ds.Y) != n {
		t.Fatalf("%d labels for %d rows", len(ds.Y), n)
	}
	for i, y := range ds.Y {
		if y < 0 || y >= ds.Classes {
			t.Fatalf("Y[%d] = %d, outside 0..%d", i, y, ds.Classes-1)
		}
	}
	if ds.LabelMap != nil && len(ds.LabelMap) != ds.Classes {
		t.Fatalf("LabelMap has %d entries for %d classes", len(ds.LabelMap), ds.Classes)
	}
	for i := range n {
		for j, v := range ds.X.RawRowView(i) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("X[%d][%d] = %v", i, j, v)
			}
		}
	}
}
