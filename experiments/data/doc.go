// Package data loads classification datasets into dense matrices: MNIST from
// its IDX files, and generic data from CSV and LIBSVM (svmlight) text files.
//
// Every loader returns a [Dataset] whose X holds one sample per row (n×d,
// float64) and whose Y holds integer labels in [0, Classes). Each Dataset
// records the files it was read from with their SHA-256 digests, so that a
// run manifest can name the exact input.
//
// Errors: malformed input returns an error, for example a wrong magic
// number, a truncated file, a field that is not a number or a label outside
// [0, Classes). The error starts with "data:" and names the file (and for
// text formats the line and field), and it states what was expected. Text-format errors at a line are of
// type *[ParseError]. No input makes a loader panic. [Subset] and [Center] panic
// on programmer errors (a nil dataset, a negative count, a dimension
// mismatch), as their doc comments say.
package data

import "gonum.org/v1/gonum/mat"

// Dataset is a labeled sample set for classification.
type Dataset struct {
	// X is the n×d sample matrix, one sample per row.
	X *mat.Dense
	// Y is the label of each row of X, in [0, Classes).
	Y []int
	// Classes is the number of classes C. Some classes may have no sample.
	Classes int
	// Name identifies the dataset in logs and manifests, e.g. "mnist-train".
	Name string
	// Files lists the files read to build the dataset.
	Files []FileInfo
	// LabelMap is nil unless the labels were remapped. Then LabelMap[c] is
	// the original label value of class c.
	LabelMap []int
}

// FileInfo identifies an input file for a run manifest.
type FileInfo struct {
	// Path is the absolute path of the file, or the path as given when it
	// cannot be made absolute.
	Path string
	// SHA256 is the lower-case hexadecimal SHA-256 digest of the file's bytes
	// as stored (before any gzip decompression).
	SHA256 string
}
