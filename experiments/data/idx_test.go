package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// idxFile builds an IDX file of unsigned bytes with the given magic number,
// sizes and data, which need not agree.
func idxFile(magic uint32, sizes []uint32, body []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, magic)
	binary.Write(&b, binary.BigEndian, sizes)
	b.Write(body)
	return b.Bytes()
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// twoImages holds two 2×3 images with distinct pixel values.
var twoImages = []byte{
	0, 1, 2, 3, 4, 5,
	250, 251, 252, 253, 254, 255,
}

func TestReadIDXImagesValid(t *testing.T) {
	raw := idxFile(idxImageMagic, []uint32{2, 2, 3}, twoImages)
	for _, tc := range []struct {
		name string
		file []byte
	}{
		{"plain", raw},
		{"gzip", gzipBytes(t, raw)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, rows, cols, pixels, err := ReadIDXImages(bytes.NewReader(tc.file), "images")
			if err != nil {
				t.Fatalf("ReadIDXImages: %v", err)
			}
			if n != 2 || rows != 2 || cols != 3 {
				t.Errorf("sizes = %d×%d×%d, want 2×2×3", n, rows, cols)
			}
			if diff := cmp.Diff(twoImages, pixels); diff != "" {
				t.Errorf("pixels mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadIDXLabelsValid(t *testing.T) {
	want := []byte{7, 0, 9}
	raw := idxFile(idxLabelMagic, []uint32{3}, want)
	for _, tc := range []struct {
		name string
		file []byte
	}{
		{"plain", raw},
		{"gzip", gzipBytes(t, raw)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadIDXLabels(bytes.NewReader(tc.file), "labels")
			if err != nil {
				t.Fatalf("ReadIDXLabels: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("labels mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReadIDXImagesFileGzipNoSuffix checks that compression is detected
// from the content: the file is gzip data under a name without ".gz".
func TestReadIDXImagesFileGzipNoSuffix(t *testing.T) {
	path := filepath.Join(t.TempDir(), "train-images-idx3-ubyte")
	raw := idxFile(idxImageMagic, []uint32{2, 2, 3}, twoImages)
	if err := os.WriteFile(path, gzipBytes(t, raw), 0o644); err != nil {
		t.Fatal(err)
	}
	n, rows, cols, pixels, err := ReadIDXImagesFile(path)
	if err != nil {
		t.Fatalf("ReadIDXImagesFile: %v", err)
	}
	if n != 2 || rows != 2 || cols != 3 {
		t.Errorf("sizes = %d×%d×%d, want 2×2×3", n, rows, cols)
	}
	if diff := cmp.Diff(twoImages, pixels); diff != "" {
		t.Errorf("pixels mismatch (-want +got):\n%s", diff)
	}
}

func TestReadIDXImagesInvalid(t *testing.T) {
	valid := idxFile(idxImageMagic, []uint32{2, 2, 3}, twoImages)
	for _, tc := range []struct {
		name string
		file []byte
		want string // a substring of the error message
	}{
		{"empty", nil, "the file ends after 0 bytes, inside the 16-byte IDX header"},
		{"truncated header", valid[:10], "the file ends after 10 bytes, inside the 16-byte IDX header"},
		{"truncated data", valid[:len(valid)-5], "the header declares 2×2×3 = 12 data bytes and 7 are present"},
		{"truncated gzip", gzipBytes(t, valid)[:30], "unexpected EOF"},
		{"count exceeds data", idxFile(idxImageMagic, []uint32{3, 2, 3}, twoImages), "the header declares 3×2×3 = 18 data bytes and 12 are present"},
		{"label magic", idxFile(idxLabelMagic, []uint32{2}, []byte{1, 2}), "magic number 2049 (0x00000801), expected 2051 (0x00000803) for an IDX image file: this is an IDX label file"},
		{"float elements", idxFile(0x00000d03, []uint32{2, 2, 3}, twoImages), "the element type is 0x0d"},
		{"not IDX", []byte("P5\n28 28\n255\n0123456789"), "this is not an IDX file"},
		{"gzip twice", gzipBytes(t, gzipBytes(t, valid)), "compressed twice"},
		{"trailing bytes", append(append([]byte(nil), valid...), 0, 0, 0), "3 bytes follow the 2×2×3 = 12 data bytes"},
		{"trailing bytes gzip", gzipBytes(t, append(append([]byte(nil), valid...), 9)), "1 bytes follow"},
		{"dimension over limit", idxFile(idxImageMagic, []uint32{1 << 31, 1, 1}, nil), "declares size 2147483648 for dimension 1"},
		{"product over limit", idxFile(idxImageMagic, []uint32{1 << 30, 1 << 30, 1 << 30}, nil), "1073741824×1073741824×1073741824 = 1237940039285380274899124224 data bytes, more than the limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, rows, cols, pixels, err := ReadIDXImages(bytes.NewReader(tc.file), "images.idx")
			if err == nil {
				t.Fatalf("ReadIDXImages = %d×%d×%d with %d pixels, want an error containing %q", n, rows, cols, len(pixels), tc.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "data: images.idx: ") {
				t.Errorf("error %q does not start with the package and file name", msg)
			}
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q does not contain %q", msg, tc.want)
			}
			if pixels != nil {
				t.Errorf("pixels = %v with an error, want nil", pixels)
			}
		})
	}
}

func TestReadIDXLabelsInvalid(t *testing.T) {
	for _, tc := range []struct {
		name string
		file []byte
		want string
	}{
		{"image magic", idxFile(idxImageMagic, []uint32{1, 1, 1}, []byte{0}), "expected 2049 (0x00000801) for an IDX label file: this is an IDX image file"},
		{"count exceeds data", idxFile(idxLabelMagic, []uint32{4}, []byte{1, 2}), "the header declares 4 data bytes and 2 are present"},
		{"trailing bytes", idxFile(idxLabelMagic, []uint32{1}, []byte{1, 2}), "1 bytes follow the 1 data bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadIDXLabels(bytes.NewReader(tc.file), "labels.idx")
			if err == nil {
				t.Fatalf("ReadIDXLabels succeeded, want an error containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestIDXDecoderCompression(t *testing.T) {
	raw := idxFile(idxLabelMagic, []uint32{1}, []byte{5})
	compressed := gzipBytes(t, raw)
	for _, tc := range []struct {
		name        string
		compression Compression
		file        []byte
		want        string // a substring of the error, or "" for success
	}{
		{"detect plain", DetectCompression, raw, ""},
		{"detect gzip", DetectCompression, compressed, ""},
		{"uncompressed plain", Uncompressed, raw, ""},
		{"gzip gzip", Gzip, compressed, ""},
		{"uncompressed given gzip", Uncompressed, compressed, "data: labels: the file is gzip-compressed but was read as uncompressed"},
		{"gzip given plain", Gzip, raw, "data: labels: the file is not gzip-compressed (it starts with 00 00) but was read as gzip"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			labels, err := IDXDecoder{Compression: tc.compression}.Labels(bytes.NewReader(tc.file), "labels")
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Labels: %v", err)
				}
				if diff := cmp.Diff([]byte{5}, labels); diff != "" {
					t.Errorf("labels mismatch (-want +got):\n%s", diff)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Labels error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestReadIDXImagesFileMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent-idx3-ubyte")
	_, _, _, _, err := ReadIDXImagesFile(path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("ReadIDXImagesFile error = %v, want one naming %s", err, path)
	}
}
