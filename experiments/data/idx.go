package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/big"

	"github.com/pkg/errors"
)

// IDX magic numbers: two zero bytes, the element type (0x08 is unsigned
// byte) and the number of dimensions, read as one big-endian uint32.
const (
	idxImageMagic = 0x00000803 // 2051: unsigned bytes, 3 dimensions (n, rows, cols)
	idxLabelMagic = 0x00000801 // 2049: unsigned bytes, 1 dimension (n)
)

// maxIDXBytes bounds each header size and the declared data size. It keeps
// every size within int on 32-bit platforms and rejects corrupt headers
// before any allocation; the MNIST training images need 47,040,000 bytes.
const maxIDXBytes = math.MaxInt32

// initialIDXBuffer caps the buffer allocated from a header's declared size.
// The buffer grows as data arrives, so a lying header cannot force a large
// allocation.
const initialIDXBuffer = 16 << 20

// Compression selects how an IDX stream is decoded.
type Compression int

const (
	// DetectCompression decompresses the stream if it starts with the gzip
	// magic bytes 0x1f 0x8b and reads it as is otherwise. File names play
	// no part.
	DetectCompression Compression = iota
	// Uncompressed reads the stream as is and rejects gzip data.
	Uncompressed
	// Gzip decompresses the stream and rejects data without the gzip magic.
	Gzip
)

// IDXDecoder reads IDX files of unsigned bytes, the format of the MNIST
// files, plain or gzip-compressed. The zero value detects compression.
type IDXDecoder struct {
	Compression Compression
}

// ReadIDXImages reads an IDX image file (magic number 2051) with
// compression detected. See [IDXDecoder.Images].
func ReadIDXImages(r io.Reader, name string) (n, rows, cols int, pixels []byte, err error) {
	return IDXDecoder{}.Images(r, name)
}

// ReadIDXLabels reads an IDX label file (magic number 2049) with
// compression detected. See [IDXDecoder.Labels].
func ReadIDXLabels(r io.Reader, name string) ([]byte, error) {
	return IDXDecoder{}.Labels(r, name)
}

// Images reads an IDX image file: the magic number 2051, the image count n,
// rows and cols as big-endian uint32, then n·rows·cols pixel bytes, image
// after image in row-major order. The name identifies the stream in errors.
//
// Images returns an error, and never a partial or zero-padded result, if the
// magic number differs, a size exceeds 2³¹−1 bytes, the stream holds fewer
// or more bytes than the header declares, or the compression differs from
// d.Compression. It panics if d.Compression is not one of the defined
// values.
func (d IDXDecoder) Images(r io.Reader, name string) (n, rows, cols int, pixels []byte, err error) {
	sizes, pixels, err := d.read(r, name, idxImageMagic)
	if err != nil {
		return 0, 0, 0, nil, err
	}
	return sizes[0], sizes[1], sizes[2], pixels, nil
}

// Labels reads an IDX label file: the magic number 2049, the count n as a
// big-endian uint32, then n label bytes. It returns an error under the same
// conditions as [IDXDecoder.Images]; it does not check the label values.
func (d IDXDecoder) Labels(r io.Reader, name string) ([]byte, error) {
	_, labels, err := d.read(r, name, idxLabelMagic)
	return labels, err
}

// read decodes an IDX stream whose magic number must be magic and returns
// the sizes of its dimensions and its data bytes.
func (d IDXDecoder) read(r io.Reader, name string, magic uint32) (sizes []int, body []byte, err error) {
	r, err = d.decompress(r, name)
	if err != nil {
		return nil, nil, err
	}

	// Header: the magic number, then one uint32 per dimension. The magic
	// number is checked first, because a file of another kind may have a
	// shorter header.
	dims := int(magic & 0xff)
	header := make([]byte, 4*(1+dims))
	if err := readHeader(r, name, header, 0, 4); err != nil {
		return nil, nil, err
	}
	if found := binary.BigEndian.Uint32(header); found != magic {
		return nil, nil, magicError(name, found, magic)
	}
	if err := readHeader(r, name, header, 4, len(header)); err != nil {
		return nil, nil, err
	}

	// Sizes: check each one, and their product, against the limit before
	// allocating anything.
	sizes = make([]int, dims)
	total := uint64(1)
	for i := range sizes {
		s := uint64(binary.BigEndian.Uint32(header[4*(i+1):]))
		if s > maxIDXBytes {
			return nil, nil, errors.Errorf("data: %s: the header declares size %d for dimension %d, more than the limit of %d; the header is corrupt", name, s, i+1, maxIDXBytes)
		}
		// Both factors are at most 2³¹−1, so the product fits in uint64.
		total *= s
		if total > maxIDXBytes {
			return nil, nil, errors.Errorf("data: %s: the header declares %s data bytes, more than the limit of %d; the header is corrupt", name, formatSizes(header[4:]), maxIDXBytes)
		}
		sizes[i] = int(s)
	}

	// Data: exactly total bytes.
	var buf bytes.Buffer
	buf.Grow(int(min(total, initialIDXBuffer)))
	if _, err := buf.ReadFrom(io.LimitReader(r, int64(total))); err != nil {
		return nil, nil, errors.Wrapf(err, "data: %s: reading data after %d of the %d bytes that the header declares", name, buf.Len(), total)
	}
	if uint64(buf.Len()) < total {
		return nil, nil, errors.Errorf("data: %s: the header declares %s data bytes and %d are present; the file is truncated", name, formatSizes(header[4:]), buf.Len())
	}

	// Trailing bytes: reading to the end also makes gzip verify its checksum.
	extra, err := io.Copy(io.Discard, r)
	if err != nil {
		return nil, nil, errors.Wrapf(err, "data: %s: reading past the %d data bytes", name, total)
	}
	if extra > 0 {
		return nil, nil, errors.Errorf("data: %s: %d bytes follow the %s data bytes that the header declares; the file is corrupt or not a single IDX file", name, extra, formatSizes(header[4:]))
	}
	return sizes, buf.Bytes(), nil
}

// decompress returns a reader of r's IDX bytes, decompressed if the
// stream is gzip data, after checking the data against d.Compression.
func (d IDXDecoder) decompress(r io.Reader, name string) (io.Reader, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(2)
	if err != nil && err != io.EOF {
		return nil, errors.Wrapf(err, "data: %s: reading the first bytes", name)
	}
	isGzip := isGzipMagic(head)

	switch d.Compression {
	case DetectCompression:
	case Uncompressed:
		if isGzip {
			return nil, errors.Errorf("data: %s: the file is gzip-compressed but was read as uncompressed; use DetectCompression or Gzip", name)
		}
	case Gzip:
		if !isGzip {
			return nil, errors.Errorf("data: %s: the file is not gzip-compressed (it starts with % x) but was read as gzip; use DetectCompression or Uncompressed", name, head)
		}
	default:
		panic(fmt.Sprintf("data: invalid Compression value %d", d.Compression))
	}

	if !isGzip {
		return br, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, errors.Wrapf(err, "data: %s: reading the gzip header", name)
	}
	return zr, nil
}

// readHeader fills header[from:to] from r.
func readHeader(r io.Reader, name string, header []byte, from, to int) error {
	got, err := io.ReadFull(r, header[from:to])
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errors.Errorf("data: %s: the file ends after %d bytes, inside the %d-byte IDX header", name, from+got, len(header))
	}
	if err != nil {
		return errors.Wrapf(err, "data: %s: reading the IDX header", name)
	}
	return nil
}

func isGzipMagic(b []byte) bool {
	return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b
}

// magicError describes a wrong magic number and what the found one means.
func magicError(name string, found, want uint32) error {
	kind := map[uint32]string{idxImageMagic: "an IDX image file", idxLabelMagic: "an IDX label file"}
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], found)

	var reason string
	switch {
	case kind[found] != "":
		reason = "this is " + kind[found]
	case isGzipMagic(b[:]):
		reason = "the data is still gzip-compressed after decompression, so the file was compressed twice"
	case b[0] != 0 || b[1] != 0:
		reason = "this is not an IDX file, whose first two bytes are zero"
	case b[2] != 0x08:
		reason = fmt.Sprintf("the element type is 0x%02x, and only 0x08 (unsigned byte) is supported", b[2])
	default:
		reason = fmt.Sprintf("the file has %d dimensions, and %d are expected", b[3], want&0xff)
	}
	return errors.Errorf("data: %s: magic number %d (0x%08x), expected %d (0x%08x) for %s: %s", name, found, found, want, want, kind[want], reason)
}

// formatSizes writes big-endian uint32 sizes as "2×28×28 = 1568", or as
// the bare size when there is one. The product may exceed 64 bits.
func formatSizes(header []byte) string {
	var s string
	total := big.NewInt(1)
	for i := 0; i+4 <= len(header); i += 4 {
		v := binary.BigEndian.Uint32(header[i:])
		if i > 0 {
			s += "×"
		}
		s += fmt.Sprint(v)
		total.Mul(total, new(big.Int).SetUint64(uint64(v)))
	}
	if len(header) == 4 {
		return s
	}
	return s + " = " + total.String()
}
