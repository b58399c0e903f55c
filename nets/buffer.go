package nets

import "gonum.org/v1/gonum/mat"

// reuseAs makes m an r×c matrix. A matrix that already has that shape is
// left as it is. Otherwise m is zeroed at the new shape, reusing its backing
// slice when it is large enough. m must not be a view of another matrix,
// because reshaping would write into the parent's storage.
func reuseAs(m *mat.Dense, r, c int) {
	if mr, mc := m.Dims(); mr == r && mc == c {
		return
	}
	m.Reset()
	m.ReuseAs(r, c)
}
