package reports

import (
	"fmt"
	"math"
	"slices"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/warrenmq/warren/results"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// sweepAxis places each variant on the x axis: at its value of the one
// swept numeric parameter (on a log scale when the values span more than
// a decade), or one after another in sweep order.
type sweepAxis struct {
	x     []float64
	ticks plot.ConstantTicks
	label string
	log   bool
	// categorical axes put unordered variants side by side: their points
	// are not joined, as nothing lies between them.
	categorical bool
}

func newSweepAxis(vs []SweepVariant) sweepAxis {
	keys := sweptKeys(vs)
	var a sweepAxis
	if len(keys) == 1 && keys[0] != "variant" {
		if vals, ok := numericValues(vs, keys[0]); ok {
			lo, hi := slices.Min(vals), slices.Max(vals)
			a.log = hi/lo > 10
			a.label = keys[0]
			if a.log {
				a.label += " (log scale)"
			}
			for i, v := range vals {
				x := v
				if a.log {
					x = math.Log10(v)
				}
				a.x = append(a.x, x)
				a.ticks = append(a.ticks, plot.Tick{Value: x, Label: vs[i].Params[keys[0]]})
			}
			return a
		}
	}
	a.label, a.categorical = "variant", true
	for i, v := range vs {
		label := variantLabel(v, keys)
		if !v.ran() {
			label += " (failed)"
		}
		a.x = append(a.x, float64(i))
		a.ticks = append(a.ticks, plot.Tick{Value: float64(i), Label: label})
	}
	return a
}

// apply sets the chart's x axis, with a margin so the end points' markers
// are not cut.
func (a sweepAxis) apply(c *chart) {
	lo, hi := slices.Min(a.x), slices.Max(a.x)
	pad := (hi - lo) * 0.05
	if pad == 0 {
		pad = 0.5
	}
	if a.categorical {
		// Room for the end labels, which are centred on their points.
		pad = 0.4
	}
	c.p.X.Min, c.p.X.Max = lo-pad, hi+pad
	c.p.X.Tick.Marker = a.ticks
	c.p.X.Label.Text = a.label
}

// addMarkedLine draws a series as a dot at each point, joined by a line
// unless the axis is categorical.
func (c *chart) addMarkedLine(ax sweepAxis, label string, style draw.LineStyle, pts plotter.XYs) error {
	if len(pts) == 0 {
		return nil
	}
	l, s, err := plotter.NewLinePoints(pts)
	if err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	l.LineStyle = style
	radius := vg.Points(3.2)
	if ax.categorical {
		radius = vg.Points(4.5)
	}
	s.GlyphStyle = draw.GlyphStyle{Color: style.Color, Radius: radius, Shape: draw.CircleGlyph{}}
	if ax.categorical {
		c.p.Add(s)
		c.legend = append(c.legend, legendItem{label: label, thumbs: []plot.Thumbnailer{s}})
		return nil
	}
	c.p.Add(l, s)
	c.legend = append(c.legend, legendItem{label: label, thumbs: []plot.Thumbnailer{l, s}})
	return nil
}

// addRecommended rings the recommended variant's point.
func (c *chart) addRecommended(x, y float64) error {
	s, err := plotter.NewScatter(plotter.XYs{{X: x, Y: y}})
	if err != nil {
		return err
	}
	s.GlyphStyle = draw.GlyphStyle{Color: colour(colourVermillion), Radius: vg.Points(8), Shape: draw.RingGlyph{}}
	c.p.Add(s)
	c.legend = append(c.legend, legendItem{label: "recommended", thumbs: []plot.Thumbnailer{s}})
	return nil
}

// addKnee draws a dashed vertical line at the knee.
func (c *chart) addKnee(x, ymin, ymax float64) error {
	l, err := plotter.NewLine(plotter.XYs{{X: x, Y: ymin}, {X: x, Y: ymax}})
	if err != nil {
		return err
	}
	// Dotted, unlike the data's dashed lines: it marks a place, not a
	// measurement.
	l.LineStyle = draw.LineStyle{Color: colour(0x444444), Width: vg.Points(1.4), Dashes: []vg.Length{vg.Points(1.5), vg.Points(3)}}
	c.p.Add(l)
	c.legend = append(c.legend, legendItem{label: "knee (more stops paying)", thumbs: []plot.Thumbnailer{l}})
	return nil
}

func sweepTitle(vs []SweepVariant, what string) string {
	if r := firstResult(vs); r != nil {
		return scenarioName(r) + " — " + what
	}
	return what
}

// rangeBars draws the spread of each variant's runs: a vertical bar with
// caps from the lowest to the highest run.
type rangeBars struct {
	lows, highs plotter.XYs
	style       draw.LineStyle
}

func (b rangeBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	// Caps wider than the median's dot, so that a spread smaller than
	// the dot still shows.
	cap := vg.Points(6)
	for i := range b.lows {
		x, lo, hi := trX(b.lows[i].X), trY(b.lows[i].Y), trY(b.highs[i].Y)
		c.StrokeLines(b.style, c.ClipLinesY([]vg.Point{{X: x, Y: lo}, {X: x, Y: hi}})...)
		for _, y := range []vg.Length{lo, hi} {
			if c.ContainsY(y) {
				c.StrokeLine2(b.style, x-cap, y, x+cap, y)
			}
		}
	}
}

func (b rangeBars) Thumbnail(c *draw.Canvas) {
	x := (c.Min.X + c.Max.X) / 2
	c.StrokeLine2(b.style, x, c.Min.Y, x, c.Max.Y)
	c.StrokeLine2(b.style, x-vg.Points(3), c.Min.Y, x+vg.Points(3), c.Min.Y)
	c.StrokeLine2(b.style, x-vg.Points(3), c.Max.Y, x+vg.Points(3), c.Max.Y)
}

// addRange draws the runs' spread, when some variant ran more than once
// and its runs differ.
func (c *chart) addRange(label string, colour uint32, lows, highs plotter.XYs) {
	spread := false
	for i := range lows {
		if highs[i].Y > lows[i].Y {
			spread = true
		}
	}
	if !spread {
		return
	}
	b := rangeBars{lows: lows, highs: highs, style: solid(colour, 1.5)}
	c.p.Add(b)
	c.legend = append(c.legend, legendItem{label: label, thumbs: []plot.Thumbnailer{b}})
}

// sweepThroughputChart draws throughput against the swept parameter, the
// median of each variant's runs with their spread, the recommended
// variant ringed and the knee marked.
func sweepThroughputChart(vs []SweepVariant, rec Recommendation) (*chart, error) {
	const yLabel = "Messages per second"
	ax := newSweepAxis(vs)
	title := sweepTitle(vs, "throughput by "+axisName(vs, sweptKeys(vs)))
	if firstResult(vs) == nil {
		return noDataChart(title, ax.label, yLabel, "No data: no variant ran to completion"), nil
	}
	c := newChart(title, ax.label, yLabel)
	c.addGrid()
	var consumed, published, lows, highs plotter.XYs
	anyConsumers := false
	var ymax float64
	for i, v := range vs {
		rs := v.results()
		if len(rs) == 0 {
			continue
		}
		s := summarise(v)
		if hasConsumers(rs[0]) {
			anyConsumers = true
			consumed = append(consumed, plotter.XY{X: ax.x[i], Y: s.throughput.Median})
			lows = append(lows, plotter.XY{X: ax.x[i], Y: s.throughput.Min})
			highs = append(highs, plotter.XY{X: ax.x[i], Y: s.throughput.Max})
			ymax = max(ymax, s.throughput.Max)
		}
		published = append(published, plotter.XY{X: ax.x[i], Y: s.published.Median})
		ymax = max(ymax, s.published.Max)
	}
	ymax = niceCeiling(ymax)
	ax.apply(c)
	c.p.Y.Min, c.p.Y.Max = 0, ymax
	if rec.Knee >= 0 {
		if err := c.addKnee(ax.x[rec.Knee], 0, ymax); err != nil {
			return nil, err
		}
	}
	if err := c.addMarkedLine(ax, "published", solid(colourSky, 1.6), published); err != nil {
		return nil, err
	}
	if anyConsumers {
		if err := c.addMarkedLine(ax, "consumed while publishing (all queues), median of runs", solid(colourGreen, 2.2), consumed); err != nil {
			return nil, err
		}
		c.addRange("range of runs", 0x000000, lows, highs)
	}
	if rec.Best >= 0 {
		if err := c.addRecommended(ax.x[rec.Best], summarise(vs[rec.Best]).throughput.Median); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// sweepP99Chart draws end-to-end p50, p99 and p99.9 against the swept
// parameter (medians of each variant's runs, the p99 with their spread),
// with the objective and the recommended variant.
func sweepP99Chart(vs []SweepVariant, rec Recommendation) (*chart, error) {
	ax := newSweepAxis(vs)
	title := sweepTitle(vs, "end-to-end latency by "+axisName(vs, sweptKeys(vs)))
	yLabel := "Latency (ms)"
	var p50, p99, p999, lows, highs plotter.XYs
	lo, hi := math.Inf(1), 0.0
	ring := plotter.XYs{}
	for i, v := range vs {
		s := summarise(v)
		if !s.hasLatency {
			continue
		}
		x := ax.x[i]
		p50 = append(p50, plotter.XY{X: x, Y: s.p50.Median / 1000})
		p99 = append(p99, plotter.XY{X: x, Y: s.p99.Median / 1000})
		p999 = append(p999, plotter.XY{X: x, Y: s.p999.Median / 1000})
		lows = append(lows, plotter.XY{X: x, Y: s.p99.Min / 1000})
		highs = append(highs, plotter.XY{X: x, Y: s.p99.Max / 1000})
		if s.p50.Median > 0 {
			lo = min(lo, s.p50.Median/1000)
		}
		hi = max(hi, s.p999.Median/1000, s.p99.Max/1000)
		if i == rec.Best {
			ring = plotter.XYs{{X: x, Y: s.p99.Median / 1000}}
		}
	}
	if len(p99) == 0 {
		return noDataChart(title, ax.label, yLabel, "No data: no variant recorded end-to-end latency"), nil
	}
	objective := float64(rec.Objective) / 1000
	hi = max(hi, objective)
	c := newChart(title, ax.label, yLabel)
	c.addGrid()
	ax.apply(c)
	var objLine plotter.XYs
	if rec.Objective > 0 {
		objLine = plotter.XYs{{X: c.p.X.Min, Y: objective}, {X: c.p.X.Max, Y: objective}}
	}
	if lo > 0 && hi/lo > comparisonLogAbove {
		useLogScale(&c.p.Y, lo, hi, []plotter.XYs{p50, p99, p999, lows, highs, objLine, ring})
		c.p.Y.Label.Text = "Latency (ms, log scale)"
	} else {
		c.p.Y.Min, c.p.Y.Max = 0, niceCeiling(hi)
	}
	if len(objLine) > 0 {
		label := "objective " + formatMillis(rec.Objective) + " ms"
		if rec.Derived {
			label = fmt.Sprintf("objective %s ms (%d× best p99)", formatMillis(rec.Objective), DefaultObjectiveFactor)
		}
		if _, err := c.addLine(label, dashed(colourGrey, 1.4), []plotter.XYs{objLine}); err != nil {
			return nil, err
		}
	}
	if err := c.addMarkedLine(ax, "p99.9", solid(colourPurple, 1.4), p999); err != nil {
		return nil, err
	}
	if err := c.addMarkedLine(ax, "p99, median of runs", solid(colourVermillion, 2.4), p99); err != nil {
		return nil, err
	}
	c.addRange("p99, range of runs", 0x000000, lows, highs)
	if err := c.addMarkedLine(ax, "p50", solid(colourBlue, 1.6), p50); err != nil {
		return nil, err
	}
	if len(ring) > 0 {
		if err := c.addRecommended(ring[0].X, ring[0].Y); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// sweepStyle gives the i-th of n variants a colour that stays distinct:
// the colour-blind-safe palette in order, then dashed.
func sweepStyle(i int) draw.LineStyle {
	colours := []uint32{colourBlue, colourOrange, colourGreen, colourVermillion, colourSky, colourPurple, 0x000000}
	if i >= len(colours) {
		return dashed(colours[i%len(colours)], 2)
	}
	return solid(colours[i], 2)
}

// sweepSpectrumChart overlays the end-to-end percentile spectrum of every
// variant, over all its runs.
func sweepSpectrumChart(vs []SweepVariant, _ Recommendation) (*chart, error) {
	keys := sweptKeys(vs)
	var curves []spectrumCurve
	for i, v := range vs {
		// The runs' histograms add up (HdrHistogram): one curve of every
		// message of the variant.
		var h *hdrhistogram.Histogram
		for _, r := range v.results() {
			rh, err := r.Histogram(results.MetricEndToEnd)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", v.Name, err)
			}
			switch {
			case rh == nil:
			case h == nil:
				h = rh
			default:
				h.Merge(rh)
			}
		}
		if h == nil {
			continue
		}
		curves = append(curves, spectrumCurve{label: variantLabel(v, keys), style: sweepStyle(i), h: h})
	}
	return spectrumChart(sweepTitle(vs, "end-to-end latency by percentile"),
		"No data: no variant recorded end-to-end latency", comparisonLogAbove, curves), nil
}
