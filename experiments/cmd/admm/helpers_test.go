package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// runCommand calls run in-process and returns the exit status and the
// output.
func runCommand(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// mustRun calls run and fails the test unless it exits with want.
func mustRun(t *testing.T, want int, args ...string) (stdout, stderr string) {
	t.Helper()
	code, stdout, stderr := runCommand(t, args...)
	if code != want {
		t.Fatalf("admm %s: exit status %d, want %d\nstderr:\n%s", strings.Join(args, " "), code, want, stderr)
	}
	return stdout, stderr
}

// Size of the synthetic CSV data set: small enough that a run with every
// method takes a few tens of milliseconds.
const (
	csvFeatures = 12
	csvTrain    = 120
	csvTest     = 40
)

// writeCSVData writes a training and a test CSV file into dir: two classes
// labelled −1 and +1, separated along the first feature, so that the
// label map of -remap is [-1 1].
func writeCSVData(t *testing.T, dir string) (trainPath, testPath string) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 1))
	write := func(name string, n int) string {
		var b strings.Builder
		for i := range n {
			label := 2*(i%2) - 1
			for j := range csvFeatures {
				v := rng.NormFloat64()
				if j == 0 {
					v += 2 * float64(label)
				}
				fmt.Fprintf(&b, "%.6f,", v)
			}
			fmt.Fprintf(&b, "%d\n", label)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	return write("train.csv", csvTrain), write("test.csv", csvTest)
}

// csvArgs returns the flags of a short run on the CSV data in dir that
// writes into out: every method of the main job, three ADMM iterations
// and two epochs, no plots.
func csvArgs(t *testing.T, dir, out string) []string {
	t.Helper()
	trainPath, testPath := writeCSVData(t, dir)
	return []string{
		"-dataset", "csv", "-train-path", trainPath, "-test-path", testPath, "-remap",
		"-k", "3", "-batch", "16", "-max-iter", "3", "-z-steps", "5", "-epochs", "2",
		"-plots", "none", "-out", out,
	}
}

// mnistArgs are the flags of the main job scaled down to a second or two:
// Σ of 600 images is quick, and the 784×784 eigendecomposition dominates.
var mnistArgs = []string{"-train-size", "600", "-test-size", "100", "-max-iter", "1", "-z-steps", "2", "-epochs", "1"}

// Binary built once for the subprocess tests, in a directory that
// TestMain removes.
var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	binErr    error
)

// buildBinary builds the command with go build and returns its path. It
// skips the test when go is not on the PATH.
func buildBinary(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go is not on the PATH, so the command cannot be built")
	}
	buildOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "admm-test-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "admm")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// tempFiles returns the names of leftover temporary files of
// report.WriteFileAtomic under dir.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.Contains(d.Name(), ".tmp-") {
			found = append(found, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}
