package constraints

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/mat"
)

func TestSpectralBallProjectClipsSingularValues(t *testing.T) {
	// A wide 4×6 matrix: the spectral ball accepts any shape.
	w := gaussian(newRand(6), 4, 6)
	w.Scale(0.5, w)

	var svd mat.SVD
	if !svd.Factorize(w, mat.SVDThin) {
		t.Fatal("SVD failed to converge")
	}
	s := svd.Values(nil)
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	// The test needs singular values on both sides of the radius 1, so
	// that some are clipped and some are kept.
	if s[0] <= 1 || s[len(s)-1] >= 1 {
		t.Fatalf("singular values %v do not straddle 1, pick another seed", s)
	}

	var p mat.Dense
	SpectralBall{Radius: 1}.Project(&p, w)

	if got := singularValues(t, &p)[0]; math.Abs(got-1) > roundTol {
		t.Errorf("largest singular value = %.17g, want 1", got)
	}

	// Uᵀ·P·V = diag(min(sᵢ, 1)) holds exactly when P keeps the singular
	// vectors of w, even where clipping makes several singular values equal
	// and the SVD of P alone would not determine them.
	var up, core mat.Dense
	up.Mul(u.T(), &p)
	core.Mul(&up, &v)
	want := mat.NewDense(len(s), len(s), nil)
	for i, si := range s {
		want.Set(i, i, math.Min(si, 1))
	}
	if !mat.EqualApprox(&core, want, roundTol) {
		t.Errorf("UᵀPV =\n%v\nwant\n%v", mat.Formatted(&core), mat.Formatted(want))
	}
}

func TestSpectralBallViolation(t *testing.T) {
	tests := []struct {
		name   string
		radius float64
		w      *mat.Dense
		want   float64
	}{
		{"inside", 3, mat.NewDense(2, 2, []float64{2, 0, 0, 1}), 0},
		{"on the boundary", 2, mat.NewDense(2, 2, []float64{2, 0, 0, 1}), 0},
		// Only the largest singular value counts, 5 − 1, not √(4² + 2²).
		{"two above", 1, mat.NewDense(2, 2, []float64{0, 5, 3, 0}), 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (SpectralBall{Radius: tt.radius}).Violation(tt.w); math.Abs(got-tt.want) > roundTol {
				t.Errorf("Violation = %g, want %g", got, tt.want)
			}
		})
	}
}

func TestFrobeniusBallProjectScales(t *testing.T) {
	// ‖w‖_F = √(3² + 4²) = 5, so radius 2 scales by 2/5.
	w := mat.NewDense(2, 1, []float64{3, 4})
	var p mat.Dense
	FrobeniusBall{Radius: 2}.Project(&p, w)
	want := mat.NewDense(2, 1, []float64{1.2, 1.6})
	if !mat.EqualApprox(&p, want, roundTol) {
		t.Errorf("projection = %v, want %v", mat.Formatted(p.T()), mat.Formatted(want.T()))
	}
	if got := (FrobeniusBall{Radius: 2}).Violation(w); math.Abs(got-3) > roundTol {
		t.Errorf("Violation = %g, want 5 − 2 = 3", got)
	}
}

func TestBallsKeepInteriorPoints(t *testing.T) {
	rnd := newRand(7)
	w := gaussian(rnd, 5, 3)
	// Scale w to spectral norm 1 and Frobenius norm at most √3, which puts
	// it strictly inside both balls of radius 2, and at norm exactly 2 for
	// the boundary cases.
	w.Scale(1/singularValues(t, w)[0], w)
	onSpectral := mat.DenseCopyOf(w)
	onSpectral.Scale(2, w)
	onFrobenius := mat.DenseCopyOf(w)
	onFrobenius.Scale(2/mat.Norm(w, 2), w)

	tests := []struct {
		name string
		set  Set
		w    *mat.Dense
	}{
		{"spectral interior", SpectralBall{Radius: 2}, w},
		{"frobenius interior", FrobeniusBall{Radius: 2}, w},
		{"spectral boundary", SpectralBall{Radius: 2}, onSpectral},
		{"frobenius boundary", FrobeniusBall{Radius: 2}, onFrobenius},
		{"spectral infinite radius", SpectralBall{Radius: math.Inf(1)}, onSpectral},
		{"frobenius infinite radius", FrobeniusBall{Radius: math.Inf(1)}, onFrobenius},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p mat.Dense
			tt.set.Project(&p, tt.w)
			// The documentation promises a copy, so the test wants exact
			// equality. A point on the boundary may miss it by one rounding
			// of the norm, so it gets the rounding tolerance.
			tol := 0.0
			if strings.HasSuffix(tt.name, "boundary") {
				tol = roundTol
			}
			if !mat.EqualApprox(&p, tt.w, tol) {
				t.Errorf("projection changed an interior point:\n%v\nwant\n%v", mat.Formatted(&p), mat.Formatted(tt.w))
			}
		})
	}
}

func TestBallsZeroRadius(t *testing.T) {
	w := gaussian(newRand(8), 4, 2)
	for _, set := range []Set{SpectralBall{}, FrobeniusBall{}} {
		t.Run(set.String(), func(t *testing.T) {
			var p mat.Dense
			set.Project(&p, w)
			if got := mat.Norm(&p, 2); got != 0 {
				t.Errorf("‖P(w)‖_F = %g, want 0 for the ball {0}", got)
			}
		})
	}
}

func TestNewBallRejectsRadius(t *testing.T) {
	tests := []struct {
		c    float64
		want string // the radius as the message prints it
	}{
		{0, "0"},
		{-1, "-1"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "+Inf"},
		{math.Inf(-1), "-Inf"},
	}
	constructors := []struct {
		name string
		new  func(float64) (Set, error)
	}{
		{"spectral", func(c float64) (Set, error) { return NewSpectralBall(c) }},
		{"frobenius", func(c float64) (Set, error) { return NewFrobeniusBall(c) }},
	}
	for _, ctor := range constructors {
		for _, tt := range tests {
			t.Run(ctor.name+"/"+tt.want, func(t *testing.T) {
				_, err := ctor.new(tt.c)
				if err == nil {
					t.Fatalf("radius %v: got no error", tt.c)
				}
				msg := err.Error()
				if !strings.HasPrefix(msg, "constraints: ") {
					t.Errorf("error %q does not start with the package name", msg)
				}
				if !strings.Contains(msg, "radius "+tt.want) {
					t.Errorf("error %q does not name the radius %s", msg, tt.want)
				}
			})
		}
	}
}

func TestNewBallAcceptsRadius(t *testing.T) {
	s, err := NewSpectralBall(2.5)
	if err != nil {
		t.Fatalf("NewSpectralBall(2.5): %v", err)
	}
	if diff := cmp.Diff(SpectralBall{Radius: 2.5}, s); diff != "" {
		t.Errorf("NewSpectralBall(2.5) mismatch (-want +got):\n%s", diff)
	}
	f, err := NewFrobeniusBall(1e-3)
	if err != nil {
		t.Fatalf("NewFrobeniusBall(1e-3): %v", err)
	}
	if diff := cmp.Diff(FrobeniusBall{Radius: 1e-3}, f); diff != "" {
		t.Errorf("NewFrobeniusBall(1e-3) mismatch (-want +got):\n%s", diff)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name   string
		radius float64
		want   Set
	}{
		{"stiefel", 0, Stiefel{}},
		// The Stiefel set and the unit columns ignore the radius, even an
		// invalid one.
		{"stiefel", math.NaN(), Stiefel{}},
		{"spectral", 2, SpectralBall{Radius: 2}},
		{"frobenius", 0.5, FrobeniusBall{Radius: 0.5}},
		{"columns", -1, UnitColumns{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.name, tt.radius)
			if err != nil {
				t.Fatalf("Parse(%q, %v): %v", tt.name, tt.radius, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%q, %v) mismatch (-want +got):\n%s", tt.name, tt.radius, diff)
			}
			if got.String() != tt.name {
				t.Errorf("String() = %q, want %q", got.String(), tt.name)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name   string
		radius float64
		want   []string // substrings of the message
	}{
		{"Stiefel", 1, []string{`"Stiefel"`, "stiefel", "spectral", "frobenius", "columns"}},
		{"", 1, []string{`""`, "stiefel", "columns"}},
		{"spectral", -2, []string{"radius -2"}},
		{"frobenius", 0, []string{"radius 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.name, tt.radius)
			if err == nil {
				t.Fatalf("Parse(%q, %v): got no error", tt.name, tt.radius)
			}
			for _, sub := range tt.want {
				if !strings.Contains(err.Error(), sub) {
					t.Errorf("error %q does not contain %q", err, sub)
				}
			}
		})
	}
}
