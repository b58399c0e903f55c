// Package runinfo records what a run directory needs to be trusted later.
// The record names the build (Go version, module versions, VCS revision),
// the machine, the data files with their SHA-256 digests, the seeds, the
// start and end time, and how each (method, seed) run ended. It is written
// as manifest.json beside the results.
//
// encoding/json rejects NaN and ±Inf, so every float of a manifest is a
// [Float], which encodes non-finite values as the strings "NaN", "+Inf"
// and "-Inf" and decodes them back.
package runinfo

import (
	"encoding/json"
	"io"
	"runtime"
	"time"

	"github.com/admm-go/admm/experiments/data"
	"github.com/pkg/errors"
)

// Statuses of a whole run in Manifest.Status.
const (
	StatusRunning   = "running"   // the run has not ended
	StatusCompleted = "completed" // every (method, seed) run ended without an error
	StatusFailed    = "failed"    // one or more (method, seed) runs failed, or the run stopped on an error
	StatusCanceled  = "canceled"  // an interrupt or SIGTERM stopped the run
)

// Statuses of a (method, seed) run that the runner did not report.
const (
	RunCanceled   = "canceled"    // the run was in progress when the run was canceled
	RunNotStarted = "not started" // the run was canceled or stopped before this pair began
)

// Manifest describes one run directory.
type Manifest struct {
	// Command is the command line, program name first.
	Command []string  `json:"command"`
	Build   Build     `json:"build"`
	Machine Machine   `json:"machine"`
	Data    Data      `json:"data"`
	Seeds   []uint64  `json:"seeds"`
	Start   time.Time `json:"start"`
	// End is the zero time while the run is still going.
	End time.Time `json:"end"`
	// Status is one of StatusRunning, StatusCompleted, StatusFailed and
	// StatusCanceled.
	Status string `json:"status"`
	// Error is the error that stopped the run, if any.
	Error string `json:"error,omitempty"`
	// Runs lists every (method, seed) pair of the configuration, in the
	// order they run.
	Runs []Run `json:"runs"`
}

// Machine describes the computer and the Go scheduler settings of a run.
type Machine struct {
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	NumCPU     int    `json:"num_cpu"`
	GOMAXPROCS int    `json:"gomaxprocs"`
}

// ReadMachine returns the current machine.
func ReadMachine() Machine {
	return Machine{
		OS:         runtime.GOOS,
		Arch:       runtime.GOARCH,
		NumCPU:     runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
	}
}

// Data identifies the training and test sets.
type Data struct {
	// Dataset is the configured kind: "mnist", "csv" or "libsvm".
	Dataset    string `json:"dataset"`
	TrainFiles []File `json:"train_files"`
	TestFiles  []File `json:"test_files"`
	// LabelMap is nil unless the labels were remapped; then class c stands
	// for the original label LabelMap[c].
	LabelMap []int `json:"label_map,omitempty"`
}

// NewData returns the files and the label map of the training and test
// sets. It panics if train or test is nil.
func NewData(dataset string, train, test *data.Dataset) Data {
	if train == nil || test == nil {
		panic("runinfo: nil dataset")
	}
	return Data{
		Dataset:    dataset,
		TrainFiles: files(train.Files),
		TestFiles:  files(test.Files),
		LabelMap:   train.LabelMap,
	}
}

// File is an input file and its digest.
type File struct {
	// Path is absolute unless the data package could not make it so.
	Path string `json:"path"`
	// SHA256 is the lower-case hexadecimal SHA-256 digest of the file as
	// stored, before any gzip decompression.
	SHA256 string `json:"sha256"`
}

func files(infos []data.FileInfo) []File {
	var fs []File
	for _, fi := range infos {
		fs = append(fs, File{Path: fi.Path, SHA256: fi.SHA256})
	}
	return fs
}

// Run is the outcome of one (method, seed) run.
type Run struct {
	Method string `json:"method"`
	Seed   uint64 `json:"seed"`
	// Status is the runner's status ("converged", "completed", …),
	// RunCanceled or RunNotStarted.
	Status string `json:"status"`
	// Error is the reason of a failed run.
	Error string `json:"error,omitempty"`
	// Rows is the number of rows the run measured.
	Rows int `json:"rows"`
	// Final holds the last row's values of the columns train_ce,
	// train_acc and test_acc; it is empty for a run without rows.
	Final map[string]Float `json:"final,omitempty"`
}

// Write encodes m as indented JSON.
func (m *Manifest) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return errors.Wrap(err, "runinfo: encode manifest")
	}
	return nil
}

// Read decodes a manifest written by [Manifest.Write]. Unknown keys are
// ignored, so a newer manifest still reads.
func Read(r io.Reader) (*Manifest, error) {
	var m Manifest
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		return nil, errors.Wrap(err, "runinfo: decode manifest")
	}
	return &m, nil
}
