package constraints

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestUnitColumnsProject(t *testing.T) {
	tests := []struct {
		name string
		w    *mat.Dense
		want *mat.Dense
	}{
		{
			name: "3-4-5 columns",
			w:    mat.NewDense(2, 2, []float64{3, 0, 4, -2}),
			want: mat.NewDense(2, 2, []float64{0.6, 0, 0.8, -1}),
		},
		{
			// A zero column is equally far from every unit vector, and the
			// projection picks e_j.
			name: "zero columns",
			w:    mat.NewDense(3, 3, []float64{0, 2, 0, 0, 0, 0, 0, 0, 0}),
			want: mat.NewDense(3, 3, []float64{1, 1, 0, 0, 0, 0, 0, 0, 1}),
		},
		{
			// With k > d a zero column j maps to e_{j mod d}.
			name: "wide zero",
			w:    mat.NewDense(2, 3, nil),
			want: mat.NewDense(2, 3, []float64{1, 0, 1, 0, 1, 0}),
		},
		{
			// 1e-310 is subnormal, its reciprocal overflows to +Inf.
			name: "subnormal column",
			w:    mat.NewDense(2, 1, []float64{3e-310, 4e-310}),
			want: mat.NewDense(2, 1, []float64{0.6, 0.8}),
		},
		{
			name: "huge column",
			w:    mat.NewDense(2, 1, []float64{3e300, -4e300}),
			want: mat.NewDense(2, 1, []float64{0.6, -0.8}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p mat.Dense
			UnitColumns{}.Project(&p, tt.w)
			if !mat.EqualApprox(&p, tt.want, roundTol) {
				t.Errorf("projection =\n%v\nwant\n%v", mat.Formatted(&p), mat.Formatted(tt.want))
			}
		})
	}
}

func TestUnitColumnsViolation(t *testing.T) {
	// Column norms 5, 1 and 0 give √((5 − 1)² + 0² + (0 − 1)²) = √17.
	w := mat.NewDense(2, 3, []float64{3, 0, 0, 4, 1, 0})
	if got := (UnitColumns{}).Violation(w); math.Abs(got-math.Sqrt(17)) > roundTol {
		t.Errorf("Violation = %.17g, want √17", got)
	}
}
