package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/results"
	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Every chart is 8×4.5 inches at 150 dpi: 1200×675 pixels.
const (
	chartWidth  = 8 * vg.Inch
	chartHeight = 4.5 * vg.Inch
	chartDPI    = 150
)

// Colours from Okabe and Ito's palette, which stays distinct for readers
// with colour-blindness.
const (
	colourBlue       = 0x0072B2
	colourOrange     = 0xE69F00
	colourGreen      = 0x009E73
	colourVermillion = 0xD55E00
	colourSky        = 0x56B4E9
	colourPurple     = 0xCC79A7
	colourGrey       = 0x7F7F7F
)

// colour turns a 0xRRGGBB palette entry into an opaque colour.
func colour(hex uint32) color.RGBA {
	return color.RGBA{R: uint8(hex >> 16), G: uint8(hex >> 8), B: uint8(hex), A: 0xff}
}

// chartFont is the charts' typeface (Liberation Sans) at a size.
func chartFont(size vg.Length, bold bool) font.Font {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
	if bold {
		f.Weight = xfont.WeightBold
	}
	return f
}

// lineStyle is a chart line of a palette colour, solid or dashed.
func lineStyle(hex uint32, width float64, dashed bool) draw.LineStyle {
	s := draw.LineStyle{Color: colour(hex), Width: vg.Points(width)}
	if dashed {
		s.Dashes = []vg.Length{vg.Points(7), vg.Points(3.5)}
	}
	return s
}

func solid(hex uint32, width float64) draw.LineStyle { return lineStyle(hex, width, false) }

func dashed(hex uint32, width float64) draw.LineStyle { return lineStyle(hex, width, true) }

// legendItem is one entry of a chart's legend.
type legendItem struct {
	label  string
	thumbs []plot.Thumbnailer
}

// chart is a plot with its legend drawn in a row below the axes, where it
// can never hide data.
type chart struct {
	p      *plot.Plot
	legend []legendItem
}

func newChart(title, xLabel, yLabel string) *chart {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = chartFont(15, true)
	p.Title.Padding = vg.Points(10)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = chartFont(12, false)
		a.Tick.Label.Font = chartFont(10.5, false)
		a.Padding = vg.Points(3)
		a.Tick.Marker = niceTicks{}
	}
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.X.Label.Padding = vg.Points(4)
	p.Y.Label.Padding = vg.Points(6)
	return &chart{p: p}
}

// addGrid draws light grid lines behind the data; call it before adding
// data.
func (c *chart) addGrid() {
	g := plotter.NewGrid()
	g.Vertical = solid(0xE3E3E3, 0.8)
	g.Horizontal = solid(0xE3E3E3, 0.8)
	c.p.Add(g)
}

// addLine adds one series, drawn as a line per segment (a gap in the data
// is a gap in the line; a lone point is drawn as a dot), with one legend
// entry. Empty series add nothing and report false.
func (c *chart) addLine(label string, style draw.LineStyle, segments []plotter.XYs) (bool, error) {
	var thumb plot.Thumbnailer
	for _, seg := range segments {
		switch len(seg) {
		case 0:
			continue
		case 1:
			s, err := plotter.NewScatter(seg)
			if err != nil {
				return false, fmt.Errorf("%s: %w", label, err)
			}
			s.GlyphStyle = draw.GlyphStyle{Color: style.Color, Radius: style.Width * 1.5, Shape: draw.CircleGlyph{}}
			c.p.Add(s)
		default:
			l, err := plotter.NewLine(seg)
			if err != nil {
				return false, fmt.Errorf("%s: %w", label, err)
			}
			l.LineStyle = style
			c.p.Add(l)
			if thumb == nil {
				thumb = l
			}
		}
		if thumb == nil {
			thumb = &plotter.Line{LineStyle: style}
		}
	}
	if thumb == nil {
		return false, nil
	}
	c.legend = append(c.legend, legendItem{label: label, thumbs: []plot.Thumbnailer{thumb}})
	return true, nil
}

// addMarker draws one labelled point, a figure the reader looks for on the
// curves (the plan's own answer), with a legend entry.
func (c *chart) addMarker(label string, hex uint32, x, y float64) error {
	s, err := plotter.NewScatter(plotter.XYs{{X: x, Y: y}})
	if err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	s.GlyphStyle = draw.GlyphStyle{Color: colour(hex), Radius: vg.Points(4.5), Shape: draw.CircleGlyph{}}
	c.p.Add(s)
	c.legend = append(c.legend, legendItem{label: label, thumbs: []plot.Thumbnailer{s}})
	return nil
}

// byteAxis picks the binary unit for an axis of bytes whose values reach
// top, and the divisor that turns bytes into it.
func byteAxis(top float64) (unit string, div float64) {
	switch {
	case top >= 2<<40:
		return "TiB", 1 << 40
	case top >= 2<<30:
		return "GiB", 1 << 30
	case top >= 2<<20:
		return "MiB", 1 << 20
	case top >= 2<<10:
		return "KiB", 1 << 10
	}
	return "B", 1
}

// Layout of the legend row, in points.
const (
	legendThumb   = 22
	legendGap     = 5
	legendSpacing = 16
	legendTopPad  = 4
)

// png draws the chart and encodes it.
func (c *chart) png() ([]byte, error) {
	img := vgimg.NewWith(vgimg.UseWH(chartWidth, chartHeight), vgimg.UseDPI(chartDPI))
	dc := draw.New(img)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	margin := vg.Points(9)
	area := draw.Crop(dc, margin, -margin, margin, -margin)

	sty := text.Style{
		Color:   color.Black,
		Font:    chartFont(10.5, false),
		Handler: c.p.TextHandler,
		XAlign:  draw.XLeft,
		YAlign:  draw.YCenter,
	}
	rows := c.legendRows(sty, area.Max.X-area.Min.X)
	rowH := sty.Rectangle("Mg").Size().Y * 1.45
	legendH := vg.Length(0)
	if len(rows) > 0 {
		legendH = rowH*vg.Length(len(rows)) + vg.Points(legendTopPad)
	}
	plotArea := draw.Crop(area, 0, 0, legendH, 0)
	c.p.Draw(plotArea)

	drawLegend(dc, area, c.p.DataCanvas(plotArea), sty, rows, rowH)
	return encodePNG(img)
}

// drawLegend writes the legend rows at the bottom of area, centred under
// the data area rather than the whole image.
func drawLegend(dc draw.Canvas, area, data draw.Canvas, sty text.Style, rows [][]legendItem, rowH vg.Length) {
	for i, row := range rows {
		width := rowWidth(sty, row)
		x := (data.Min.X+data.Max.X)/2 - width/2
		x = max(min(x, area.Max.X-width), area.Min.X)
		y := area.Min.Y + rowH*vg.Length(len(rows)-i) - rowH/2
		for _, it := range row {
			icon := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
				Min: vg.Point{X: x, Y: y - rowH/3},
				Max: vg.Point{X: x + vg.Points(legendThumb), Y: y + rowH/3},
			}}
			for _, th := range it.thumbs {
				th.Thumbnail(&icon)
			}
			x += vg.Points(legendThumb + legendGap)
			dc.FillText(sty, vg.Point{X: x, Y: y}, it.label)
			x += sty.Rectangle(it.label).Max.X + vg.Points(legendSpacing)
		}
	}
}

func encodePNG(img *vgimg.Canvas) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}

func itemWidth(sty text.Style, it legendItem) vg.Length {
	return vg.Points(legendThumb+legendGap) + sty.Rectangle(it.label).Max.X
}

func rowWidth(sty text.Style, row []legendItem) vg.Length {
	var w vg.Length
	for i, it := range row {
		if i > 0 {
			w += vg.Points(legendSpacing)
		}
		w += itemWidth(sty, it)
	}
	return w
}

// legendRows wraps the legend entries into rows no wider than width.
func (c *chart) legendRows(sty text.Style, width vg.Length) [][]legendItem {
	var rows [][]legendItem
	var row []legendItem
	for _, it := range c.legend {
		if len(row) > 0 && rowWidth(sty, append(slices.Clone(row), it)) > width {
			rows = append(rows, row)
			row = nil
		}
		row = append(row, it)
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return rows
}

// noDataChart is an honest empty chart: the title and axes a reader
// expects, and a sentence saying why there is nothing to draw.
func noDataChart(title, xLabel, yLabel, why string) *chart {
	c := newChart(title, xLabel, yLabel)
	c.p.X.Min, c.p.X.Max = 0, 1
	c.p.Y.Min, c.p.Y.Max = 0, 1
	c.p.X.Tick.Marker = plot.ConstantTicks{}
	c.p.Y.Tick.Marker = plot.ConstantTicks{}
	c.p.Add(message{text: why, style: text.Style{
		Color:   colour(colourGrey),
		Font:    chartFont(14, false),
		Handler: c.p.TextHandler,
		XAlign:  draw.XCenter,
		YAlign:  draw.YCenter,
	}})
	return c
}

// message is a plotter that writes a sentence in the middle of the data
// area.
type message struct {
	text  string
	style text.Style
}

func (m message) Plot(c draw.Canvas, _ *plot.Plot) {
	c.FillText(m.style, c.Center(), m.text)
}

// span shades a range of x over the whole height of the data area.
type span struct {
	from, to float64
	colour   color.Color
}

func (s span) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	x0, x1 := max(trX(s.from), c.Min.X), min(trX(s.to), c.Max.X)
	if x1 <= x0 {
		return
	}
	c.SetColor(s.colour)
	c.Fill(vg.Rectangle{Min: vg.Point{X: x0, Y: c.Min.Y}, Max: vg.Point{X: x1, Y: c.Max.Y}}.Path())
}

func (s span) Thumbnail(c *draw.Canvas) {
	c.SetColor(s.colour)
	c.Fill(c.Rectangle.Path())
}

// niceTicks label a linear axis at 4 to 7 round values (steps of 1, 2,
// 2.5 or 5 times a power of ten), with thousands separators and no more
// decimals than the step needs, and an unlabelled minor tick between each.
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return nil
	}
	raw := (hi - lo) / 6
	exp := int(math.Floor(math.Log10(raw)))
	mag := math.Pow10(exp)
	step, decimals := 10*mag, max(0, -exp-1)
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			step, decimals = m*mag, max(0, -exp)
			if m == 2.5 {
				decimals = max(0, -exp+1)
			}
			break
		}
	}
	var ticks []plot.Tick
	first := math.Ceil(lo/step - 1e-9)
	for i := 0; ; i++ {
		v := (first + float64(i)) * step
		if v > hi+step*1e-9 {
			break
		}
		label := strconv.FormatFloat(v, 'f', decimals, 64)
		if strings.TrimLeft(label, "-0.") == "" {
			label = strings.TrimPrefix(label, "-")
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: textfmt.Thousands(label)})
		if mid := v + step/2; mid <= hi {
			ticks = append(ticks, plot.Tick{Value: mid})
		}
	}
	if first > 0 || lo < 0 {
		if mid := first*step - step/2; mid >= lo {
			ticks = append(ticks, plot.Tick{Value: mid})
		}
	}
	return ticks
}

// Log axes are drawn as linear axes over log10 of the data: gonum's
// plot.LogScale places axis labels by the arithmetic midpoint of the range
// and so mislays them, squeezing the plot.

// logTicks mark an axis whose values are log10 of the data: labelled at
// each power of ten (and at 2 and 5 times it when the axis spans no more
// than three decades), with unlabelled minor ticks at the other multiples.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return nil
	}
	dense := hi-lo <= 3
	var ticks []plot.Tick
	for e := int(math.Floor(lo)); e <= int(math.Ceil(hi)); e++ {
		for m := 1; m < 10; m++ {
			v := math.Log10(float64(m)) + float64(e)
			if v < lo-1e-9 || v > hi+1e-9 {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || (dense && (m == 2 || m == 5)) {
				t.Label = textfmt.Thousands(strconv.FormatFloat(float64(m)*math.Pow10(e), 'f', max(0, -e), 64))
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// useLogScale puts the y axis on a log scale from the power of ten at or
// below lo to a little above hi, and replaces each y by its log10 (values
// below the floor are raised to it: a log axis cannot show zero).
func useLogScale(a *plot.Axis, lo, hi float64, series ...[]plotter.XYs) {
	floor := math.Floor(math.Log10(lo))
	for _, segs := range series {
		for _, seg := range segs {
			for i := range seg {
				seg[i].Y = max(math.Log10(max(seg[i].Y, 0)), floor)
			}
		}
	}
	a.Tick.Marker = logTicks{}
	a.Min, a.Max = floor, math.Log10(hi*1.25)
}

// wideRange says whether values from lo to hi need a log axis to be read:
// more than two decades apart.
func wideRange(lo, hi float64) bool { return lo > 0 && hi/lo > 100 }

// percentileTicks mark an axis of log10(1/(1-p)) at 0%, 90%, 99%, 99.9%,
// …, up to the decade at or below xmax (a log10), with minor ticks between.
func percentileTicks(xmax float64) plot.ConstantTicks {
	var ticks plot.ConstantTicks
	for k := 0; float64(k) <= xmax+1e-9; k++ {
		label := strconv.FormatFloat(100-100/math.Pow10(k), 'f', max(k-2, 0), 64) + "%"
		ticks = append(ticks, plot.Tick{Value: float64(k), Label: label})
		for m := 2; m < 10; m++ {
			if v := float64(k) + math.Log10(float64(m)); v <= xmax {
				ticks = append(ticks, plot.Tick{Value: v})
			}
		}
	}
	return ticks
}

// metricStyle gives each latency metric the same look on every chart.
func metricStyle(metric string) draw.LineStyle {
	switch metric {
	case results.MetricEndToEnd:
		return solid(colourBlue, 2)
	case results.MetricEndToEndActual:
		return dashed(colourSky, 2)
	case results.MetricConfirm:
		return solid(colourVermillion, 2)
	case results.MetricSendDelay:
		return solid(colourPurple, 2)
	}
	return solid(colourGrey, 2)
}

// shortMetricLabel names a metric in a chart legend, where space is short.
func shortMetricLabel(metric string) string {
	switch metric {
	case results.MetricEndToEnd:
		return "end-to-end (intended send)"
	case results.MetricEndToEndActual:
		return "end-to-end (actual send)"
	case results.MetricConfirm:
		return "confirm"
	case results.MetricSendDelay:
		return "send delay"
	}
	return metric
}

func chartTitle(r *results.Result, what string) string {
	return scenarioName(r) + " — " + what
}

// latencyChart draws HdrHistogram's percentile spectrum: latency against
// percentile on a log scale of 1/(1-p), one line per metric.
func latencyChart(r *results.Result) (*chart, error) {
	var curves []spectrumCurve
	for _, m := range orderedMetrics(r.Histograms) {
		h, err := r.Histogram(m)
		if err != nil {
			return nil, err
		}
		curves = append(curves, spectrumCurve{label: shortMetricLabel(m), style: metricStyle(m), h: h})
	}
	return spectrumChart(chartTitle(r, "latency by percentile"), "No data: this run recorded no latency histograms", 100, curves), nil
}

// spectrumCurve is one line of a percentile-spectrum chart.
type spectrumCurve struct {
	label string
	style draw.LineStyle
	h     *hdrhistogram.Histogram
}

// spectrumChart draws latency against percentile on a log scale of
// 1/(1-p), one line per curve; curves without values are left out, and a
// chart without any says why (noData). The latency axis turns logarithmic
// when the highest value is more than logAbove times the lowest first
// percentile.
func spectrumChart(title, noData string, logAbove float64, curves []spectrumCurve) *chart {
	const (
		xLabel = "Percentile (log scale of 1/(1−p))"
		yLabel = "Latency (ms)"
	)
	c := newChart(title, xLabel, yLabel)
	c.addGrid()
	var xmax, ymax float64
	// lo is the lowest first percentile: a log axis starts at the power of
	// ten below it, so that no more than the lowest 1% of any curve is
	// raised to the axis (a log axis cannot show zero), and the body of
	// every distribution stays readable next to the tail.
	lo := math.Inf(1)
	var lines []plotter.XYs
	var drawn []spectrumCurve
	for _, cv := range curves {
		h := cv.h
		if h == nil || h.TotalCount() == 0 {
			continue
		}
		total := float64(h.TotalCount())
		var pts plotter.XYs
		for _, b := range h.CumulativeDistributionWithTicks(5) {
			x := total
			if b.Quantile < 100 {
				x = min(1/(1-b.Quantile/100), total)
			}
			x = math.Log10(x)
			y := float64(b.ValueAt) / 1000
			pts = append(pts, plotter.XY{X: x, Y: y})
			ymax = max(ymax, y)
		}
		if p1 := float64(h.ValueAtQuantile(1)) / 1000; p1 > 0 {
			lo = min(lo, p1)
		}
		xmax = max(xmax, total)
		lines = append(lines, pts)
		drawn = append(drawn, cv)
	}
	if len(lines) == 0 {
		return noDataChart(title, xLabel, yLabel, noData)
	}
	// A single sample still needs a decade to draw in.
	xmax = math.Log10(max(xmax, 10))
	c.p.X.Min, c.p.X.Max = 0, xmax
	c.p.X.Tick.Marker = percentileTicks(xmax)
	if lo > 0 && ymax/lo > logAbove {
		useLogScale(&c.p.Y, lo, ymax, lines)
		c.p.Y.Label.Text = "Latency (ms, log scale)"
	} else {
		c.p.Y.Min, c.p.Y.Max = 0, niceCeiling(ymax)
	}
	for i, cv := range drawn {
		// addLine fails only on NaN or infinite points, which a histogram
		// cannot yield.
		if _, err := c.addLine(cv.label, cv.style, []plotter.XYs{lines[i]}); err != nil {
			return noDataChart(title, xLabel, yLabel, err.Error())
		}
	}
	return c
}

// niceCeiling leaves a little headroom above the highest value.
func niceCeiling(v float64) float64 {
	if v <= 0 {
		return 1
	}
	return v * 1.05
}

// throughputChart draws messages per second published, confirmed and
// consumed over the run.
func throughputChart(r *results.Result) (*chart, error) {
	const (
		title  = "throughput"
		xLabel = "Time since start (s)"
		yLabel = "Messages per second"
	)
	series := sortedSeries(r.Series)
	if len(series) == 0 {
		return noDataChart(chartTitle(r, title), xLabel, yLabel, "No data: this run recorded no per-second series"), nil
	}
	c := newChart(chartTitle(r, title), xLabel, yLabel)
	xmax := float64(series[len(series)-1].T)
	c.timeAxis(xmax)
	c.addWarmUp(r, xmax)
	c.addShading(shadings(r), xmax)
	c.addGrid()

	var ymax float64
	line := func(get func(results.Second) int64) plotter.XYs {
		pts := make(plotter.XYs, len(series))
		for i, s := range series {
			pts[i] = plotter.XY{X: float64(s.T), Y: float64(get(s))}
			ymax = max(ymax, pts[i].Y)
		}
		return downsample(pts, maxChartPoints)
	}
	if r.Summary.TargetRate > 0 {
		target := plotter.XYs{{X: 0, Y: r.Summary.TargetRate}, {X: xmax, Y: r.Summary.TargetRate}}
		ymax = max(ymax, r.Summary.TargetRate)
		label := "target " + textfmt.Thousands(strconv.FormatFloat(r.Summary.TargetRate, 'f', -1, 64)) + " msg/s"
		if _, err := c.addLine(label, dashed(colourGrey, 1.2), []plotter.XYs{target}); err != nil {
			return nil, err
		}
	}
	if _, err := c.addLine("published", solid(colourBlue, 2.2), []plotter.XYs{line(func(s results.Second) int64 { return s.Published })}); err != nil {
		return nil, err
	}
	if usesConfirms(r) {
		if _, err := c.addLine("confirmed", dashed(colourOrange, 2), []plotter.XYs{line(func(s results.Second) int64 { return s.Confirmed })}); err != nil {
			return nil, err
		}
	}
	if hasConsumers(r) {
		if _, err := c.addLine("consumed (all queues)", solid(colourGreen, 2), []plotter.XYs{line(func(s results.Second) int64 { return s.Consumed })}); err != nil {
			return nil, err
		}
	}
	c.p.X.Min, c.p.X.Max = 0, xmax
	c.p.Y.Min, c.p.Y.Max = 0, niceCeiling(ymax)
	return c, nil
}

// addWarmUp shades the warm-up, which the latency totals leave out.
func (c *chart) addWarmUp(r *results.Result, xmax float64) {
	if r.Scenario == nil || r.Scenario.Run.WarmUp <= 0 {
		return
	}
	w := r.Scenario.Run.WarmUp.Std().Seconds()
	s := span{from: 0, to: min(w, xmax), colour: color.RGBA{R: 0xEE, G: 0xEE, B: 0xEE, A: 0xff}}
	c.p.Add(s)
	c.legend = append(c.legend, legendItem{label: "warm-up", thumbs: []plot.Thumbnailer{s}})
}

// latencyOverTimeChart draws end-to-end latency (from the intended send)
// per second: p50, p99 and max. Seconds without deliveries are gaps. The y
// axis turns logarithmic when the values span more than two decades.
func latencyOverTimeChart(r *results.Result) (*chart, error) {
	const (
		title  = "end-to-end latency per second"
		xLabel = "Time since start (s)"
		yLabel = "Latency (ms)"
	)
	series := sortedSeries(r.Series)
	var have []results.Second
	for _, s := range series {
		if s.EndToEndMax > 0 || s.EndToEndP99 > 0 || s.EndToEndP50 > 0 {
			have = append(have, s)
		}
	}
	if len(have) == 0 {
		return noDataChart(chartTitle(r, title), xLabel, yLabel, "No data: no message was delivered during the run"), nil
	}
	c := newChart(chartTitle(r, title), xLabel, yLabel)
	xmax := float64(series[len(series)-1].T)
	c.timeAxis(xmax)
	c.addWarmUp(r, xmax)
	c.addGrid()

	lo, hi := math.Inf(1), 0.0
	segments := func(get func(results.Second) int64) []plotter.XYs {
		var segs []plotter.XYs
		var cur plotter.XYs
		for i, s := range have {
			if i > 0 && s.T != have[i-1].T+1 {
				segs = append(segs, cur)
				cur = nil
			}
			v := float64(get(s)) / 1000
			if v > 0 {
				lo = min(lo, v)
			}
			hi = max(hi, v)
			cur = append(cur, plotter.XY{X: float64(s.T), Y: v})
		}
		return append(segs, cur)
	}
	maxSegs := downsampleAll(segments(func(s results.Second) int64 { return s.EndToEndMax }))
	p99Segs := downsampleAll(segments(func(s results.Second) int64 { return s.EndToEndP99 }))
	p50Segs := downsampleAll(segments(func(s results.Second) int64 { return s.EndToEndP50 }))
	c.p.X.Min, c.p.X.Max = 0, xmax
	if wideRange(lo, hi) {
		useLogScale(&c.p.Y, lo, hi, maxSegs, p99Segs, p50Segs)
		c.p.Y.Label.Text = "Latency (ms, log scale)"
	} else {
		c.p.Y.Min, c.p.Y.Max = 0, niceCeiling(hi)
	}
	before := len(c.legend)
	if _, err := c.addLine("max", solid(colourGrey, 1.2), maxSegs); err != nil {
		return nil, err
	}
	if _, err := c.addLine("p99", solid(colourVermillion, 2), p99Segs); err != nil {
		return nil, err
	}
	if _, err := c.addLine("p50", solid(colourBlue, 2), p50Segs); err != nil {
		return nil, err
	}
	// Max is drawn first, under the others; the legend reads p50, p99, max.
	slices.Reverse(c.legend[before:])
	return c, nil
}

func sortedSeries(in []results.Second) []results.Second {
	s := slices.Clone(in)
	slices.SortStableFunc(s, func(a, b results.Second) int { return a.T - b.T })
	return s
}

// maxChartPoints bounds the points a time-series line draws: a chart is
// about 1,000 pixels wide, and an eight-hour run has 28,800 seconds.
const maxChartPoints = 1000

// downsample thins a time series to about limit points by keeping, for
// each bucket of consecutive points, its lowest and its highest in time
// order: peaks and dips survive, which averaging would flatten.
func downsample(pts plotter.XYs, limit int) plotter.XYs {
	if len(pts) <= limit || limit < 4 {
		return pts
	}
	per := (len(pts) + limit/2 - 1) / (limit / 2)
	out := make(plotter.XYs, 0, limit+2)
	for start := 0; start < len(pts); start += per {
		end := min(start+per, len(pts))
		lo, hi := start, start
		for i := start; i < end; i++ {
			if pts[i].Y < pts[lo].Y {
				lo = i
			}
			if pts[i].Y > pts[hi].Y {
				hi = i
			}
		}
		switch {
		case lo == hi:
			out = append(out, pts[lo])
		case lo < hi:
			out = append(out, pts[lo], pts[hi])
		default:
			out = append(out, pts[hi], pts[lo])
		}
	}
	return out
}

func downsampleAll(segs []plotter.XYs) []plotter.XYs {
	for i := range segs {
		segs[i] = downsample(segs[i], maxChartPoints)
	}
	return segs
}

// timeUnit is the unit a time axis of a run of xmax seconds reads best in:
// seconds up to ten minutes, minutes up to three hours, hours beyond.
func timeUnit(xmax float64) (name string, seconds float64) {
	switch {
	case xmax > 3*3600:
		return "h", 3600
	case xmax > 600:
		return "min", 60
	}
	return "s", 1
}

// timeTicks labels an axis whose values are seconds in another unit, at
// round values of that unit.
type timeTicks struct{ seconds float64 }

func (t timeTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := niceTicks{}.Ticks(lo/t.seconds, hi/t.seconds)
	for i := range ticks {
		ticks[i].Value *= t.seconds
	}
	return ticks
}

// timeAxis labels the x axis, whose values are seconds since the start, in
// the unit that suits a run of xmax seconds: an eight-hour soak reads in
// hours, not in tens of thousands of seconds.
func (c *chart) timeAxis(xmax float64) {
	name, secs := timeUnit(xmax)
	c.p.X.Label.Text = "Time since start (" + name + ")"
	if secs > 1 {
		c.p.X.Tick.Marker = timeTicks{seconds: secs}
	}
}
