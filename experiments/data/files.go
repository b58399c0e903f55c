package data

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pkg/errors"
)

// readFile opens path, passes its bytes to decode with the path as the name
// for errors, and returns the path with the SHA-256 digest of the whole file.
func readFile(path string, decode func(r io.Reader, name string) error) (FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		// The *os.PathError names the path.
		return FileInfo{}, errors.Wrap(err, "data")
	}
	defer f.Close()

	h := sha256.New()
	if err := decode(io.TeeReader(f, h), path); err != nil {
		return FileInfo{}, err
	}
	// Hash what decode left unread, so that the digest covers the whole file.
	if _, err := io.Copy(h, f); err != nil {
		return FileInfo{}, errors.Wrapf(err, "data: reading %s", path)
	}

	info := FileInfo{Path: path, SHA256: hex.EncodeToString(h.Sum(nil))}
	if abs, err := filepath.Abs(path); err == nil {
		info.Path = abs
	}
	return info, nil
}

// ReadIDXImagesFile reads an IDX image file, plain or gzip-compressed, as
// [ReadIDXImages] does. Errors name the path.
func ReadIDXImagesFile(path string) (n, rows, cols int, pixels []byte, err error) {
	_, err = readFile(path, func(r io.Reader, name string) error {
		n, rows, cols, pixels, err = ReadIDXImages(r, name)
		return err
	})
	if err != nil {
		return 0, 0, 0, nil, err
	}
	return n, rows, cols, pixels, nil
}

// ReadIDXLabelsFile reads an IDX label file, plain or gzip-compressed, as
// [ReadIDXLabels] does. Errors name the path.
func ReadIDXLabelsFile(path string) ([]byte, error) {
	var labels []byte
	_, err := readFile(path, func(r io.Reader, name string) (err error) {
		labels, err = ReadIDXLabels(r, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	return labels, nil
}

// readTextDataset reads the data set in the file at path with decode, and
// sets its name (the file name without its extension) and file digest.
func readTextDataset(path string, decode func(r io.Reader, name string) (*Dataset, error)) (*Dataset, error) {
	var ds *Dataset
	info, err := readFile(path, func(r io.Reader, name string) (err error) {
		ds, err = decode(r, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	ds.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	ds.Files = []FileInfo{info}
	return ds, nil
}
