package report

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/pkg/errors"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// Figure size of every plot, about the text width of a one-column page.
// The PNG renderer of gonum/plot v0.17.0 draws it at 96 dots per inch.
const (
	plotWidth  = 6 * vg.Inch
	plotHeight = 4 * vg.Inch
)

// plotFormats are the file formats WritePlots accepts, each the name of a
// gonum/plot canvas format and the file extension.
var plotFormats = []string{"svg", "png", "pdf"}

// zeroFloor is the log-scale floor of a figure with no positive value at
// all. It is near the float64 machine epsilon, 2.2e-16, so exact zeros
// show at the level of rounding error.
const zeroFloor = 1e-16

// plotMetric is a metric that WritePlots draws against each x-axis.
type plotMetric struct {
	name  string // the column name, as in Columns; also the file name prefix
	label string // the y-axis label
	log   bool   // a log-scale y-axis
	// value returns the metric of r, and false if r lacks it.
	value func(r *Row) (float64, bool)
}

var plotMetrics = []plotMetric{
	{"train_ce", "training cross-entropy", false, func(r *Row) (float64, bool) { return r.TrainCE, true }},
	{"test_acc", "test accuracy", false, func(r *Row) (float64, bool) { return r.TestAcc, true }},
	{"evr", "explained variance ratio", false, func(r *Row) (float64, bool) { return r.EVR, true }},
	{"subspace_dist", "subspace distance ||sin Θ||_F", true, func(r *Row) (float64, bool) { return r.SubspaceDist, true }},
	{"primal_res", "primal residual ||r||_F", true, admmValue(func(a *ADMMStats) float64 { return a.Primal })},
	{"dual_res", "dual residual ||s||_F", true, admmValue(func(a *ADMMStats) float64 { return a.Dual })},
	// Residual balancing multiplies or divides ρ by a fixed factor, so a
	// log scale shows each change as a step of the same height.
	{"rho", "penalty ρ", true, admmValue(func(a *ADMMStats) float64 { return a.Rho })},
}

func admmValue(get func(*ADMMStats) float64) func(*Row) (float64, bool) {
	return func(r *Row) (float64, bool) {
		if r.ADMM == nil {
			return 0, false
		}
		return get(r.ADMM), true
	}
}

// plotAxis is an x-axis that WritePlots draws every metric against.
type plotAxis struct {
	name  string // the column name, as in Columns; also the file name suffix
	label string
	value func(r *Row) float64
}

var plotAxes = []plotAxis{
	{"iter", "iteration", func(r *Row) float64 { return float64(r.Iter) }},
	{"time_s", "wall time (s)", func(r *Row) float64 { return r.TimeS }},
	{"samples", "training samples", func(r *Row) float64 { return float64(r.Samples) }},
}

// WritePlots draws convergence figures from rows into dir, creating dir
// if needed, and returns the paths it wrote. Each of train_ce, test_acc,
// evr, subspace_dist, primal_res, dual_res and rho gets one figure per
// x-axis (iter, time_s and samples), named like evr_vs_iter.svg. Every
// figure is written in each of formats: "svg", "png" or "pdf", with or
// without a leading dot.
//
// Each method is one line. With several seeds the line is the mean
// across the seeds that reached each iteration, inside a shaded band of ±
// one sample standard deviation. On the time_s and samples axes a point
// sits at the mean x of those seeds.
//
// Special cases:
//   - Rows with a non-finite metric or x value are left out.
//   - A figure with no finite data is skipped, and so is a method with no
//     finite data within a figure. Methods without ADMM statistics do not
//     appear in the primal_res, dual_res and rho figures.
//   - subspace_dist, primal_res, dual_res and rho use a log-scale y-axis.
//     There, a mean or band edge below a floor is drawn at the floor: one
//     tenth of the smallest positive mean of the figure, or 1e-16 if the
//     figure has none. So a residual of exactly 0 shows at the bottom.
//
// An unsupported format, an empty formats list or a failure to create or
// write a file returns an error. Each file is written atomically (see
// WriteFileAtomic), so an error leaves earlier files complete; the
// returned paths are those written before the error.
func WritePlots(dir string, rows []Row, formats []string) ([]string, error) {
	exts, err := plotExtensions(formats)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, errors.Wrapf(err, "report: create the plot directory %s", dir)
	}

	var written []string
	for _, m := range plotMetrics {
		for _, a := range plotAxes {
			series := aggregateSeries(rows, m, a)
			if len(series) == 0 {
				continue
			}
			p, err := newFigure(m, a, series)
			if err != nil {
				return written, err
			}
			for _, ext := range exts {
				path := filepath.Join(dir, fmt.Sprintf("%s_vs_%s.%s", m.name, a.name, ext))
				if err := savePlot(p, path, ext); err != nil {
					return written, err
				}
				written = append(written, path)
			}
		}
	}
	return written, nil
}

// plotExtensions normalizes formats to lower case without a leading dot,
// drops repeats, and rejects an empty list or an unsupported format.
func plotExtensions(formats []string) ([]string, error) {
	if len(formats) == 0 {
		return nil, errors.Errorf("report: no plot formats given; pass one or more of %v", plotFormats)
	}
	var exts []string
	for _, f := range formats {
		ext := strings.ToLower(strings.TrimPrefix(f, "."))
		if !slices.Contains(plotFormats, ext) {
			return nil, errors.Errorf("report: unsupported plot format %q; use one of %v", f, plotFormats)
		}
		if !slices.Contains(exts, ext) {
			exts = append(exts, ext)
		}
	}
	return exts, nil
}

// savePlot renders p in the format ext and writes it to path atomically.
func savePlot(p *plot.Plot, path, ext string) error {
	wt, err := p.WriterTo(plotWidth, plotHeight, ext)
	if err != nil {
		return errors.Wrapf(err, "report: render %s", path)
	}
	return WriteFileAtomic(path, func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
}

// newFigure builds the plot of one metric against one x-axis: the bands
// first, so that every line is drawn over them, then the lines.
func newFigure(m plotMetric, a plotAxis, series []methodSeries) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = m.name + " vs " + a.name
	p.X.Label.Text = a.label
	p.Y.Label.Text = m.label
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	if m.log {
		clampLogSeries(series)
	}

	for i, s := range series {
		if !s.hasBand() {
			continue
		}
		band, err := plotter.NewPolygon(s.band())
		if err != nil {
			return nil, errors.Wrapf(err, "report: band of %s in %s vs %s", s.method, m.name, a.name)
		}
		band.Color = translucent(plotutil.Color(i))
		band.LineStyle.Width = 0
		p.Add(band)
	}
	for i, s := range series {
		line, err := plotter.NewLine(s.meanLine())
		if err != nil {
			return nil, errors.Wrapf(err, "report: line of %s in %s vs %s", s.method, m.name, a.name)
		}
		line.Color = plotutil.Color(i)
		line.Dashes = plotutil.Dashes(i)
		line.Width = vg.Points(1.5)
		p.Add(line)
		p.Legend.Add(s.method, line)
	}

	if m.log {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.TickerFunc(decadeTicks)
		p.Y.Min, p.Y.Max = decadeRange(series)
	}
	return p, nil
}

// translucent returns the opaque color c with a quarter of full opacity,
// for bands.
func translucent(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x40}
}

// methodSeries is one method's curve in a figure, ordered by iteration.
type methodSeries struct {
	method string
	points []seriesPoint
}

// seriesPoint aggregates the seeds that reached one iteration.
type seriesPoint struct {
	x    float64 // the mean x over the seeds
	y    MeanStd // the metric over the same seeds
	low  float64 // y.Mean − y.Std, raised to the floor on a log scale
	high float64 // y.Mean + y.Std
}

// aggregateSeries groups the rows with a finite metric and x value by
// method, in order of first appearance, and by iteration. Methods without
// any such row are left out.
func aggregateSeries(rows []Row, m plotMetric, a plotAxis) []methodSeries {
	type sample struct{ x, y float64 }
	var order []string
	byMethod := map[string]map[int][]sample{}
	for i := range rows {
		r := &rows[i]
		y, ok := m.value(r)
		x := a.value(r)
		if !ok || !isFinite(y) || !isFinite(x) {
			continue
		}
		if byMethod[r.Method] == nil {
			order = append(order, r.Method)
			byMethod[r.Method] = map[int][]sample{}
		}
		byMethod[r.Method][r.Iter] = append(byMethod[r.Method][r.Iter], sample{x, y})
	}

	var series []methodSeries
	for _, method := range order {
		byIter := byMethod[method]
		iters := make([]int, 0, len(byIter))
		for it := range byIter {
			iters = append(iters, it)
		}
		slices.Sort(iters)

		s := methodSeries{method: method}
		for _, it := range iters {
			samples := byIter[it]
			xs := make([]float64, len(samples))
			ys := make([]float64, len(samples))
			for j, smp := range samples {
				xs[j], ys[j] = smp.x, smp.y
			}
			pt := seriesPoint{x: meanStd(xs).Mean, y: meanStd(ys)}
			// A sum of finite values can overflow; such a point has no
			// position on the figure.
			if !isFinite(pt.x) || !isFinite(pt.y.Mean) {
				continue
			}
			pt.low, pt.high = pt.y.Mean-pt.y.Std, pt.y.Mean+pt.y.Std
			s.points = append(s.points, pt)
		}
		if len(s.points) > 0 {
			series = append(series, s)
		}
	}
	return series
}

// hasBand reports whether some point of s aggregates several seeds.
func (s *methodSeries) hasBand() bool {
	for _, p := range s.points {
		if p.y.N > 1 {
			return true
		}
	}
	return false
}

func (s *methodSeries) meanLine() plotter.XYs {
	xys := make(plotter.XYs, len(s.points))
	for i, p := range s.points {
		xys[i] = plotter.XY{X: p.x, Y: p.y.Mean}
	}
	return xys
}

// band returns the outline of the ± std band: the upper edge from left to
// right, then the lower edge back. Points whose edges are not finite, as
// after an overflow of the deviation, are left out of the band only.
func (s *methodSeries) band() plotter.XYs {
	var upper, lower plotter.XYs
	for _, p := range s.points {
		if !isFinite(p.low) || !isFinite(p.high) {
			continue
		}
		upper = append(upper, plotter.XY{X: p.x, Y: p.high})
		lower = append(lower, plotter.XY{X: p.x, Y: p.low})
	}
	slices.Reverse(lower)
	return append(upper, lower...)
}

// clampLogSeries raises every mean and band edge below the floor of the
// series to that floor, so that a log scale can draw it.
func clampLogSeries(series []methodSeries) {
	floor := math.Inf(1)
	for _, s := range series {
		for _, p := range s.points {
			if p.y.Mean > 0 {
				floor = math.Min(floor, p.y.Mean/10)
			}
		}
	}
	if math.IsInf(floor, 1) {
		floor = zeroFloor
	}
	for _, s := range series {
		for i := range s.points {
			p := &s.points[i]
			p.y.Mean = math.Max(p.y.Mean, floor)
			p.low = math.Max(p.low, floor)
			p.high = math.Max(p.high, floor)
		}
	}
}

// decadeRange returns the powers of ten just around every mean and band
// edge in series, all positive after clampLogSeries, so that a log axis
// starts and ends on a labeled tick.
func decadeRange(series []methodSeries) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, s := range series {
		for _, p := range s.points {
			for _, v := range []float64{p.y.Mean, p.low, p.high} {
				if isFinite(v) {
					lo, hi = math.Min(lo, v), math.Max(hi, v)
				}
			}
		}
	}
	lo = math.Pow(10, math.Floor(math.Log10(lo)))
	top := math.Pow(10, math.Ceil(math.Log10(hi)))
	// Near math.MaxFloat64 the next power of ten overflows.
	if !math.IsInf(top, 1) {
		hi = top
	}
	if lo >= hi {
		hi = lo * 10
	}
	return lo, hi
}

// decadeTicks marks the powers of ten between lower and upper, labeling at
// most about nine of them, and adds unlabeled ticks at 2 to 9 times each
// power when the range spans at most eight decades. It replaces
// plot.LogTicks, whose labels carry the rounding error of repeated
// multiplication by 10 (9.999999999999999e-05). Ranges that are not
// positive and finite get no ticks.
func decadeTicks(lower, upper float64) []plot.Tick {
	if !(lower > 0) || !(upper >= lower) || math.IsInf(upper, 1) {
		return nil
	}
	lo := int(math.Floor(math.Log10(lower)))
	hi := int(math.Ceil(math.Log10(upper)))
	decades := hi - lo
	stride := max(1, (decades+7)/8)

	var ticks []plot.Tick
	for k := lo; k <= hi; k++ {
		v := math.Pow10(k)
		if math.IsInf(v, 1) {
			break
		}
		// Labels sit on multiples of the stride, so 1e-16, 1e-12, … rather
		// than exponents offset by the lower end.
		if ((k%stride)+stride)%stride == 0 {
			ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64)})
		} else {
			ticks = append(ticks, plot.Tick{Value: v})
		}
		if decades <= 8 && k < hi {
			for m := 2; m <= 9; m++ {
				ticks = append(ticks, plot.Tick{Value: float64(m) * v})
			}
		}
	}
	return ticks
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
