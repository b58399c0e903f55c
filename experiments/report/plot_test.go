package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// pngMagic is the signature every PNG file starts with (PNG
// specification, section 5.2).
var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// plotRows returns the rows of two methods over two seeds and iterations
// 0 to 3. admm carries ADMM statistics, reaches a primal residual of
// exactly 0 at iteration 3 with seed 2, and has a NaN train_ce at
// iteration 2 with seed 1; joint has no ADMM statistics.
func plotRows() []Row {
	var rows []Row
	for _, seed := range []uint64{1, 2} {
		for it := range 4 {
			s := float64(seed)
			admm := Row{
				Method: "admm", Seed: seed, Iter: it, TimeS: 0.5 * float64(it) * s, Samples: int64(100 * it),
				TrainCE: 2 / float64(it+1), TestAcc: 0.5 + 0.1*float64(it), EVR: 1 - 0.5/float64(it+1)/s,
				SubspaceDist: math.Pow(10, -float64(it)) * s,
				ADMM:         &ADMMStats{Primal: math.Pow(10, -2*float64(it)) * s, Dual: 1 / (1 + float64(it)), Rho: math.Pow(2, float64(it))},
			}
			if seed == 1 && it == 2 {
				admm.TrainCE = math.NaN()
			}
			if seed == 2 && it == 3 {
				admm.ADMM.Primal = 0
			}
			joint := Row{
				Method: "joint", Seed: seed, Iter: it, TimeS: 0.2 * float64(it), Samples: int64(50 * it),
				TrainCE: 2.3 - 0.2*float64(it), TestAcc: 0.4 + 0.05*float64(it)*s, EVR: 0.1 * float64(it+1),
				SubspaceDist: 1.2 - 0.1*float64(it),
			}
			rows = append(rows, admm, joint)
		}
	}
	return rows
}

// plotNames returns the file names WritePlots writes for the given
// metrics, in its order: metric, then x-axis, then format.
func plotNames(metrics []string, exts ...string) []string {
	var names []string
	for _, m := range metrics {
		for _, a := range []string{"iter", "time_s", "samples"} {
			for _, ext := range exts {
				names = append(names, fmt.Sprintf("%s_vs_%s.%s", m, a, ext))
			}
		}
	}
	return names
}

// checkImage fails t unless the file at path is a non-empty PNG, PDF or a
// well-formed SVG document, according to its extension.
func checkImage(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) == 0 {
		t.Errorf("%s is empty", path)
		return
	}
	switch filepath.Ext(path) {
	case ".png":
		if !bytes.HasPrefix(data, pngMagic) {
			t.Errorf("%s does not start with the PNG signature: % x", path, data[:min(8, len(data))])
		}
	case ".svg":
		if root, err := xmlRoot(data); err != nil {
			t.Errorf("%s is not well-formed XML: %v", path, err)
		} else if root != "svg" {
			t.Errorf("%s has root element %q, want svg", path, root)
		}
	case ".pdf":
		if !bytes.HasPrefix(data, []byte("%PDF-")) {
			t.Errorf("%s does not start with %%PDF-: %q", path, data[:min(8, len(data))])
		}
	default:
		t.Errorf("%s has an unexpected extension", path)
	}
}

// xmlRoot parses the whole document and returns the name of its root
// element.
func xmlRoot(data []byte) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	root := ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if root == "" {
				return "", fmt.Errorf("no element")
			}
			return root, nil
		}
		if err != nil {
			return "", err
		}
		if start, ok := tok.(xml.StartElement); ok && root == "" {
			root = start.Name.Local
		}
	}
}

func TestWritePlotsSyntheticRuns(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "plots") // WritePlots creates it
	paths, err := WritePlots(dir, plotRows(), []string{"svg", "png"})
	if err != nil {
		t.Fatal(err)
	}

	want := plotNames([]string{"train_ce", "test_acc", "evr", "subspace_dist", "primal_res", "dual_res", "rho"}, "svg", "png")
	var got []string
	for _, p := range paths {
		if filepath.Dir(p) != dir {
			t.Errorf("path %s is outside %s", p, dir)
		}
		got = append(got, filepath.Base(p))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("written files (-want +got):\n%s", diff)
	}
	for _, p := range paths {
		checkImage(t, p)
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(want) {
		t.Errorf("%s has %d entries, want %d (temporary files left behind?)", dir, len(entries), len(want))
	}
}

func TestWritePlotsSkipsMetricWithoutData(t *testing.T) {
	var rows []Row
	for _, r := range plotRows() {
		if r.Method != "joint" {
			continue
		}
		r.EVR = math.NaN()
		rows = append(rows, r)
	}
	paths, err := WritePlots(t.TempDir(), rows, []string{"svg"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range paths {
		got = append(got, filepath.Base(p))
	}
	// evr is NaN everywhere, and joint has no residuals or penalty.
	want := plotNames([]string{"train_ce", "test_acc", "subspace_dist"}, "svg")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("written files (-want +got):\n%s", diff)
	}
}

func TestWritePlotsHostileValues(t *testing.T) {
	base := Row{Method: "admm", Seed: 1, TrainCE: 1, TestAcc: 0.5, EVR: 0.5, SubspaceDist: 0.1,
		ADMM: &ADMMStats{Primal: 1, Dual: 1, Rho: 1}}
	at := func(seed uint64, it int, edit func(*Row)) Row {
		r := base
		a := *base.ADMM
		r.ADMM = &a
		r.Seed, r.Iter, r.TimeS, r.Samples = seed, it, float64(it), int64(it)
		edit(&r)
		return r
	}
	tests := []struct {
		name string
		rows []Row
		want int // figures written, each in one format
	}{
		{"no rows", nil, 0},
		{"single point", []Row{at(1, 0, func(*Row) {})}, 21},
		{
			// log-scale metrics that are all exactly 0 sit at the floor 1e-16.
			"all zero on log scale",
			[]Row{
				at(1, 0, func(r *Row) { r.SubspaceDist, r.ADMM.Primal, r.ADMM.Dual, r.ADMM.Rho = 0, 0, 0, 0 }),
				at(1, 1, func(r *Row) { r.SubspaceDist, r.ADMM.Primal, r.ADMM.Dual, r.ADMM.Rho = 0, 0, 0, 0 }),
			},
			21,
		},
		{
			"negative on log scale",
			[]Row{at(1, 0, func(r *Row) { r.ADMM.Rho = -1 }), at(1, 1, func(r *Row) { r.ADMM.Rho = 2 })},
			21,
		},
		{
			// The means of two seeds at 1e308 overflow to +Inf.
			"overflowing mean",
			[]Row{
				at(1, 0, func(r *Row) { r.TrainCE, r.ADMM.Primal = 1e308, 1e308 }),
				at(2, 0, func(r *Row) { r.TrainCE, r.ADMM.Primal = 1e308, 1e308 }),
				at(1, 1, func(r *Row) {}),
				at(2, 1, func(r *Row) {}),
			},
			21,
		},
		{
			// The deviation of ±1e308 overflows, so the band loses the point.
			"overflowing deviation",
			[]Row{
				at(1, 0, func(r *Row) { r.TrainCE, r.ADMM.Dual = 1e308, 1e308 }),
				at(2, 0, func(r *Row) { r.TrainCE, r.ADMM.Dual = -1e308, 1e-308 }),
				at(1, 1, func(r *Row) {}),
				at(2, 1, func(r *Row) {}),
			},
			21,
		},
		{"near max float on log scale", []Row{at(1, 0, func(r *Row) { r.ADMM.Primal = math.MaxFloat64 })}, 21},
		{
			"non-finite x values",
			[]Row{at(1, 0, func(r *Row) { r.TimeS = math.NaN() }), at(1, 1, func(r *Row) { r.TimeS = math.Inf(1) })},
			14, // no time_s figures
		},
		{
			"infinite metric",
			[]Row{at(1, 0, func(r *Row) { r.EVR = math.Inf(-1) }), at(1, 1, func(r *Row) { r.EVR = math.Inf(1) })},
			18, // no evr figures
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			paths, err := WritePlots(t.TempDir(), tt.rows, []string{"svg"})
			if err != nil {
				t.Fatal(err)
			}
			if len(paths) != tt.want {
				t.Errorf("wrote %d files, want %d: %v", len(paths), tt.want, paths)
			}
			for _, p := range paths {
				checkImage(t, p)
			}
		})
	}
}

func TestWritePlotsFormats(t *testing.T) {
	rows := []Row{{Method: "pca", Seed: 1, EVR: 1}, {Method: "pca", Seed: 1, Iter: 1, EVR: 1}}
	tests := []struct {
		name    string
		formats []string
		want    []string // extensions of the evr_vs_iter files
		wantErr bool
	}{
		{"svg", []string{"svg"}, []string{"svg"}, false},
		{"dot and upper case", []string{".PNG"}, []string{"png"}, false},
		{"pdf", []string{"pdf"}, []string{"pdf"}, false},
		{"repeat written once", []string{"svg", "SVG"}, []string{"svg"}, false},
		{"unsupported", []string{"svg", "gif"}, nil, true},
		{"none", nil, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			paths, err := WritePlots(dir, rows, tt.formats)
			if tt.wantErr {
				if err == nil || !strings.HasPrefix(err.Error(), "report: ") {
					t.Errorf("error = %v, want a report error", err)
				}
				if entries, _ := os.ReadDir(dir); len(entries) != 0 {
					t.Errorf("files written despite the error: %v", entries)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range paths {
				if strings.HasPrefix(filepath.Base(p), "evr_vs_iter.") {
					got = append(got, strings.TrimPrefix(filepath.Ext(p), "."))
				}
				checkImage(t, p)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("evr_vs_iter formats (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAggregateSeriesAlignsSeeds(t *testing.T) {
	// Seed 2 stops after iteration 1, so iteration 2 has one seed.
	rows := []Row{
		{Method: "admm", Seed: 1, Iter: 0, TimeS: 0, TestAcc: 0.2},
		{Method: "admm", Seed: 2, Iter: 0, TimeS: 0, TestAcc: 0.4},
		{Method: "admm", Seed: 1, Iter: 1, TimeS: 1, TestAcc: 0.5},
		{Method: "admm", Seed: 2, Iter: 1, TimeS: 3, TestAcc: 0.7},
		{Method: "admm", Seed: 1, Iter: 2, TimeS: 2, TestAcc: 0.8},
		{Method: "admm", Seed: 2, Iter: 2, TimeS: 5, TestAcc: math.NaN()},
	}
	metric := plotMetrics[slices.IndexFunc(plotMetrics, func(m plotMetric) bool { return m.name == "test_acc" })]
	timeAxis := plotAxes[slices.IndexFunc(plotAxes, func(a plotAxis) bool { return a.name == "time_s" })]

	got := aggregateSeries(rows, metric, timeAxis)
	// The sample deviation of two values a and b is |a − b|/√2.
	dev := 0.2 / math.Sqrt2
	want := []methodSeries{{method: "admm", points: []seriesPoint{
		{x: 0, y: MeanStd{Mean: 0.3, Std: dev, N: 2}, low: 0.3 - dev, high: 0.3 + dev},
		{x: 2, y: MeanStd{Mean: 0.6, Std: dev, N: 2}, low: 0.6 - dev, high: 0.6 + dev},
		// Seed 2's NaN drops out together with its time of 5.
		{x: 2, y: MeanStd{Mean: 0.8, N: 1}, low: 0.8, high: 0.8},
	}}}
	// The means are sums of two floats halved: a few ulps from the decimals.
	const tol = 1e-15
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(methodSeries{}, seriesPoint{}), cmpopts.EquateApprox(0, tol)); diff != "" {
		t.Errorf("aggregateSeries (-want +got):\n%s", diff)
	}
}

func TestBandOutline(t *testing.T) {
	s := methodSeries{points: []seriesPoint{
		{x: 0, low: 1, high: 3},
		{x: 1, low: math.Inf(-1), high: math.Inf(1)},
		{x: 2, low: 2, high: 4},
	}}
	want := plotter.XYs{{X: 0, Y: 3}, {X: 2, Y: 4}, {X: 2, Y: 2}, {X: 0, Y: 1}}
	if diff := cmp.Diff(want, s.band()); diff != "" {
		t.Errorf("band (-want +got):\n%s", diff)
	}
}

func TestClampLogSeriesFloor(t *testing.T) {
	tests := []struct {
		name      string
		means     []float64
		wantFloor float64
	}{
		{"tenth of smallest positive", []float64{0, 1e-3, 5}, 1e-4},
		{"no positive mean", []float64{0, -2}, zeroFloor},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := methodSeries{}
			for i, m := range tt.means {
				s.points = append(s.points, seriesPoint{x: float64(i), y: MeanStd{Mean: m, Std: 1}, low: m - 1, high: m + 1})
			}
			series := []methodSeries{s}
			clampLogSeries(series)
			for i, p := range series[0].points {
				if p.y.Mean <= 0 || p.low <= 0 || p.high <= 0 {
					t.Errorf("point %d = %+v after clamping, want every value positive", i, p)
				}
				if tt.means[i] <= 0 && p.y.Mean != tt.wantFloor {
					t.Errorf("mean %v clamped to %v, want %v", tt.means[i], p.y.Mean, tt.wantFloor)
				}
				if p.low < tt.wantFloor {
					t.Errorf("band edge %v below the floor %v", p.low, tt.wantFloor)
				}
			}
		})
	}
}

func TestDecadeRange(t *testing.T) {
	tests := []struct {
		name           string
		low, mean, up  float64
		wantLo, wantHi float64
	}{
		{"spans decades", 3e-9, 0.02, 40, 1e-9, 100},
		{"one constant", 2, 2, 2, 1, 10},
		// A power of ten is its own floor and ceiling.
		{"exact power of ten", 1, 1, 1, 1, 10},
		{"near max float", 1, math.MaxFloat64, math.MaxFloat64, 1, math.MaxFloat64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := []methodSeries{{points: []seriesPoint{{y: MeanStd{Mean: tt.mean}, low: tt.low, high: tt.up}}}}
			lo, hi := decadeRange(s)
			// math.Pow(10, n) for integer n is within an ulp or so of 10ⁿ.
			const tol = 1e-14
			if math.Abs(lo-tt.wantLo) > tol*tt.wantLo || math.Abs(hi-tt.wantHi) > tol*tt.wantHi {
				t.Errorf("decadeRange = [%v, %v], want [%v, %v]", lo, hi, tt.wantLo, tt.wantHi)
			}
		})
	}
}

func TestDecadeTicks(t *testing.T) {
	labels := func(ticks []plot.Tick) []string {
		var l []string
		for _, tk := range ticks {
			if tk.Label != "" {
				l = append(l, tk.Label)
			}
		}
		return l
	}
	tests := []struct {
		name       string
		lower      float64
		upper      float64
		wantLabels []string
		wantTicks  int
	}{
		// 5 decades: 6 powers of ten and 8 minor ticks in each decade.
		{"few decades", 1e-5, 1, []string{"1e-05", "0.0001", "0.001", "0.01", "0.1", "1"}, 6 + 5*8},
		{"one decade", 1, 10, []string{"1", "10"}, 2 + 8},
		// 16 decades: a label every second power, no minor ticks.
		{"many decades", 1e-16, 1, []string{"1e-16", "1e-14", "1e-12", "1e-10", "1e-08", "1e-06", "0.0001", "0.01", "1"}, 17},
		{"zero lower", 0, 1, nil, 0},
		{"nan", math.NaN(), 1, nil, 0},
		{"reversed", 10, 1, nil, 0},
		{"infinite upper", 1, math.Inf(1), nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ticks := decadeTicks(tt.lower, tt.upper)
			if diff := cmp.Diff(tt.wantLabels, labels(ticks)); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
			if len(ticks) != tt.wantTicks {
				t.Errorf("%d ticks, want %d", len(ticks), tt.wantTicks)
			}
		})
	}
}
