package main

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/warrenmq/warren/reports"
	"github.com/warrenmq/warren/sizing"
)

// The sizing charts look like the run reports' (reports/charts.go): 8×4.5
// inches at 150 dpi, Liberation Sans, Okabe and Ito's colour-blind-safe
// palette, light grid, legend in rows under the axes where it never hides
// data, from the style reports exports.

// sizeChart is a plot with its legend below the axes.
type sizeChart struct {
	p      *plot.Plot
	legend []scLegend
}

type scLegend struct {
	label string
	thumb plot.Thumbnailer
}

func newSizeChart(title, xLabel, yLabel string) *sizeChart {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = reports.Font(15, true)
	p.Title.Padding = vg.Points(10)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = reports.Font(12, false)
		a.Tick.Label.Font = reports.Font(10.5, false)
		a.Padding = vg.Points(3)
		a.Tick.Marker = reports.NiceTicks{}
	}
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	p.X.Label.Padding, p.Y.Label.Padding = vg.Points(4), vg.Points(6)
	g := plotter.NewGrid()
	g.Vertical, g.Horizontal = reports.LineStyle(0xE3E3E3, 0.8, false), reports.LineStyle(0xE3E3E3, 0.8, false)
	p.Add(g)
	return &sizeChart{p: p}
}

// line adds a series with a legend entry.
func (c *sizeChart) line(label string, style draw.LineStyle, pts plotter.XYs) error {
	l, err := plotter.NewLine(pts)
	if err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	l.LineStyle = style
	c.p.Add(l)
	c.legend = append(c.legend, scLegend{label, l})
	return nil
}

// marker draws a labelled point (the plan's own answer) on the chart.
func (c *sizeChart) marker(label string, hex uint32, x, y float64) error {
	s, err := plotter.NewScatter(plotter.XYs{{X: x, Y: y}})
	if err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	s.GlyphStyle = draw.GlyphStyle{Color: reports.Colour(hex), Radius: vg.Points(4.5), Shape: draw.CircleGlyph{}}
	c.p.Add(s)
	c.legend = append(c.legend, scLegend{label, s})
	return nil
}

// png draws the chart with the legend in rows below the data.
func (c *sizeChart) png() ([]byte, error) {
	img := vgimg.NewWith(vgimg.UseWH(reports.ChartWidth, reports.ChartHeight), vgimg.UseDPI(reports.ChartDPI))
	dc := draw.New(img)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	margin := vg.Points(9)
	area := draw.Crop(dc, margin, -margin, margin, -margin)
	sty := text.Style{Color: color.Black, Font: reports.Font(10.5, false), Handler: c.p.TextHandler, XAlign: draw.XLeft, YAlign: draw.YCenter}
	const thumbW, gap, spacing = 22, 5, 16
	width := func(it scLegend) vg.Length { return vg.Points(thumbW+gap) + sty.Rectangle(it.label).Max.X }
	var rows [][]scLegend
	var rowW vg.Length
	for _, it := range c.legend {
		w := width(it)
		if n := len(rows); n > 0 && rowW+vg.Points(spacing)+w <= area.Max.X-area.Min.X {
			rows[n-1] = append(rows[n-1], it)
			rowW += vg.Points(spacing) + w
			continue
		}
		rows = append(rows, []scLegend{it})
		rowW = w
	}
	rowH := sty.Rectangle("Mg").Size().Y * 1.45
	legendH := vg.Length(0)
	if len(rows) > 0 {
		legendH = rowH*vg.Length(len(rows)) + vg.Points(4)
	}
	plotArea := draw.Crop(area, 0, 0, legendH, 0)
	c.p.Draw(plotArea)
	data := c.p.DataCanvas(plotArea)
	for i, row := range rows {
		var w vg.Length
		for j, it := range row {
			if j > 0 {
				w += vg.Points(spacing)
			}
			w += width(it)
		}
		x := max(min((data.Min.X+data.Max.X)/2-w/2, area.Max.X-w), area.Min.X)
		y := area.Min.Y + rowH*vg.Length(len(rows)-i) - rowH/2
		for _, it := range row {
			icon := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
				Min: vg.Point{X: x, Y: y - rowH/3}, Max: vg.Point{X: x + vg.Points(thumbW), Y: y + rowH/3},
			}}
			it.thumb.Thumbnail(&icon)
			x += vg.Points(thumbW + gap)
			dc.FillText(sty, vg.Point{X: x, Y: y}, it.label)
			x += sty.Rectangle(it.label).Max.X + vg.Points(spacing)
		}
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// byteScale picks the binary unit for an axis whose highest value is hi
// bytes.
func byteScale(hi float64) (float64, string) {
	switch {
	case hi >= 2<<40:
		return 1 << 40, "TiB"
	case hi >= 2<<30:
		return 1 << 30, "GiB"
	case hi >= 2<<20:
		return 1 << 20, "MiB"
	case hi >= 2<<10:
		return 1 << 10, "KiB"
	}
	return 1, "B"
}

// ramChart draws the RAM the broker needs against the backlog it holds,
// from none to past the target (and to where the line meets the memory
// limit, when that is near), with the memory alarm's line.
func ramChart(p sizing.Plan) ([]byte, error) {
	in := p.Input
	lambda := p.Value("queue_rate")
	target := in.Backlog.Seconds()
	if in.BacklogMessages > 0 {
		target = float64(in.BacklogMessages) / lambda
	}
	W := p.Constants.HighWatermark.Value
	limit, limitLabel := p.Value("node_ram")*W, ""
	if in.BrokerRAM > 0 {
		limit = float64(in.BrokerRAM) * W
		limitLabel = fmt.Sprintf("memory alarm: %s × %s node = %s", sizing.FormatValue(W, sizing.UnitFraction), sizing.FormatValue(float64(in.BrokerRAM), sizing.UnitBytes), sizing.FormatValue(limit, sizing.UnitBytes))
	} else {
		limitLabel = fmt.Sprintf("memory alarm: %s × the %s node to provision = %s", sizing.FormatValue(W, sizing.UnitFraction), sizing.FormatValue(p.Value("node_ram"), sizing.UnitBytes), sizing.FormatValue(limit, sizing.UnitBytes))
	}
	at := func(seconds float64) (sizing.Plan, error) {
		q := in
		q.BacklogMessages = 0
		q.Backlog = time.Duration(seconds * float64(time.Second))
		return sizing.Compute(q)
	}
	xmax := 2 * target
	if target == 0 {
		xmax = 60
	}
	// Stretch to where the RAM meets the limit when that is within twenty
	// times the target, so the reader sees how much more the node holds.
	if l, ok := p.Line("backlog_capacity"); ok && l.Value > 0 && l.Value <= 20*math.Max(target, 3) {
		xmax = math.Max(xmax, l.Value*1.15)
	}
	unit, unitName := 1.0, "s"
	if xmax >= 600 {
		unit, unitName = 60, "min"
	}
	const steps = 120
	var ram, napkin plotter.XYs
	var ymax float64
	for i := 0; i <= steps; i++ {
		x := xmax * float64(i) / steps
		m, err := at(x)
		if err != nil {
			return nil, err
		}
		ram = append(ram, plotter.XY{X: x / unit, Y: m.Value("ram_needed")})
		napkin = append(napkin, plotter.XY{X: x / unit, Y: m.Value("payload") * float64(in.Queues)})
		ymax = math.Max(ymax, m.Value("ram_needed"))
	}
	ymax = math.Max(ymax, limit) * 1.08
	scale, scaleName := byteScale(ymax)
	for i := range ram {
		ram[i].Y /= scale
		napkin[i].Y /= scale
	}
	title := fmt.Sprintf("RAM the broker needs — %s msg/s of %s B, %s queue", sizing.FormatValue(in.Rate, sizing.UnitCount), sizing.FormatValue(float64(in.BodyBytes), sizing.UnitCount), in.QueueType)
	c := newSizeChart(title, fmt.Sprintf("Backlog held (%s of peak traffic)", unitName), fmt.Sprintf("RAM (%s)", scaleName))
	if err := c.line("RAM needed (overhead, connections, baseline)", reports.LineStyle(reports.ColourBlue, 2.2, false), ram); err != nil {
		return nil, err
	}
	napkinLabel := "payload only (the napkin number)"
	if in.QueueType != sizing.Classic {
		napkinLabel = "payload (the napkin number; a quorum queue keeps it on disk)"
		if in.QueueType == sizing.Stream {
			napkinLabel = "payload (the napkin number; a stream keeps it on disk)"
		}
	}
	if err := c.line(napkinLabel, reports.LineStyle(reports.ColourGreen, 1.8, true), napkin); err != nil {
		return nil, err
	}
	if err := c.line(limitLabel, reports.LineStyle(reports.ColourVermillion, 1.6, true), plotter.XYs{{X: 0, Y: limit / scale}, {X: xmax / unit, Y: limit / scale}}); err != nil {
		return nil, err
	}
	if err := c.marker(fmt.Sprintf("the plan: %s backlog, %s", sizing.FormatValue(target, sizing.UnitSeconds), sizing.FormatValue(p.Value("ram_needed"), sizing.UnitBytes)), reports.ColourOrange, target/unit, p.Value("ram_needed")/scale); err != nil {
		return nil, err
	}
	if l, ok := p.Line("backlog_capacity"); ok && l.Value > 0 && l.Value <= xmax {
		if err := c.marker(fmt.Sprintf("alarm at %s of backlog", l.Display()), reports.ColourVermillion, l.Value/unit, limit/scale); err != nil {
			return nil, err
		}
	}
	c.p.X.Min, c.p.X.Max = 0, xmax/unit
	c.p.Y.Min, c.p.Y.Max = 0, ymax/scale
	return c.png()
}

// consumersChart draws the consumers per queue needed against the
// processing time per message, at the utilisation target and at 100%.
func consumersChart(p sizing.Plan) ([]byte, error) {
	in := p.Input
	lambda := p.Value("queue_rate")
	pt := in.ProcessingTime.Seconds()
	xmax := 3 * pt
	need := func(x, u float64) float64 { return math.Max(1, math.Ceil(lambda*x/u-1e-9)) }
	// Exact steps: n consumers suffice up to n × u ÷ λ seconds a message.
	steps := func(u float64) plotter.XYs {
		if lambda*xmax/u > 2000 {
			// Too many steps to draw one by one: sample them.
			var pts plotter.XYs
			for i := 0; i <= 2000; i++ {
				x := xmax * float64(i) / 2000
				pts = append(pts, plotter.XY{X: x * 1000, Y: need(x, u)})
			}
			return pts
		}
		pts := plotter.XYs{{X: 0, Y: 1}}
		for n := 1.0; lambda > 0; n++ {
			x := n * u / lambda
			if x >= xmax {
				break
			}
			pts = append(pts, plotter.XY{X: x * 1000, Y: n}, plotter.XY{X: x * 1000, Y: n + 1})
		}
		last := pts[len(pts)-1].Y
		return append(pts, plotter.XY{X: xmax * 1000, Y: last})
	}
	atTarget, atFull := steps(in.Utilisation), steps(1)
	title := fmt.Sprintf("Consumers per queue — %s msg/s into each queue", sizing.FormatValue(lambda, sizing.UnitCount))
	c := newSizeChart(title, "Processing time per message (ms)", "Consumers per queue")
	if err := c.line(fmt.Sprintf("needed at %s%% utilisation", sizing.FormatValue(in.Utilisation*100, sizing.UnitCount)), reports.LineStyle(reports.ColourBlue, 2.2, false), atTarget); err != nil {
		return nil, err
	}
	if err := c.line("bare minimum (consumers busy 100% of the time)", reports.LineStyle(reports.ColourGrey, 1.6, true), atFull); err != nil {
		return nil, err
	}
	n := p.Value("consumers_per_queue")
	if err := c.marker(fmt.Sprintf("the plan: %s at %s", sizing.FormatValue(n, sizing.UnitCount), sizing.FormatValue(pt, sizing.UnitSeconds)), reports.ColourOrange, pt*1000, n); err != nil {
		return nil, err
	}
	c.p.X.Min, c.p.X.Max = 0, xmax*1000
	c.p.Y.Min, c.p.Y.Max = 0, need(xmax, in.Utilisation)*1.08
	return c.png()
}
