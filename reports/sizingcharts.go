package reports

import (
	"fmt"
	"math"
	"time"

	"gonum.org/v1/plot/plotter"

	"github.com/warrenmq/warren/sizing"
)

// The charts of a sizing plan (warren size --out), drawn like the run
// reports' charts.

// sizingRAMChart draws the RAM the broker needs against the backlog it holds,
// from none to past the target (and to where the line meets the memory
// limit, when that is near), with the memory alarm's line.
func sizingRAMChart(p sizing.Plan) (*chart, error) {
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
	scaleName, scale := byteAxis(ymax)
	for i := range ram {
		ram[i].Y /= scale
		napkin[i].Y /= scale
	}
	title := fmt.Sprintf("RAM the broker needs — %s msg/s of %s B, %s queue", sizing.FormatValue(in.Rate, sizing.UnitCount), sizing.FormatValue(float64(in.BodyBytes), sizing.UnitCount), in.QueueType)
	c := newChart(title, fmt.Sprintf("Backlog held (%s of peak traffic)", unitName), fmt.Sprintf("RAM (%s)", scaleName))
	c.addGrid()
	if _, err := c.addLine("RAM needed (overhead, connections, baseline)", solid(colourBlue, 2.2), []plotter.XYs{ram}); err != nil {
		return nil, err
	}
	napkinLabel := "payload only (the napkin number)"
	if in.QueueType != sizing.Classic {
		napkinLabel = "payload (the napkin number; a quorum queue keeps it on disk)"
		if in.QueueType == sizing.Stream {
			napkinLabel = "payload (the napkin number; a stream keeps it on disk)"
		}
	}
	if _, err := c.addLine(napkinLabel, dashed(colourGreen, 1.8), []plotter.XYs{napkin}); err != nil {
		return nil, err
	}
	if _, err := c.addLine(limitLabel, dashed(colourVermillion, 1.6), []plotter.XYs{{{X: 0, Y: limit / scale}, {X: xmax / unit, Y: limit / scale}}}); err != nil {
		return nil, err
	}
	if err := c.addMarker(fmt.Sprintf("the plan: %s backlog, %s", sizing.FormatValue(target, sizing.UnitSeconds), sizing.FormatValue(p.Value("ram_needed"), sizing.UnitBytes)), colourOrange, target/unit, p.Value("ram_needed")/scale); err != nil {
		return nil, err
	}
	if l, ok := p.Line("backlog_capacity"); ok && l.Value > 0 && l.Value <= xmax {
		if err := c.addMarker(fmt.Sprintf("alarm at %s of backlog", l.Display()), colourVermillion, l.Value/unit, limit/scale); err != nil {
			return nil, err
		}
	}
	c.p.X.Min, c.p.X.Max = 0, xmax/unit
	c.p.Y.Min, c.p.Y.Max = 0, ymax/scale
	return c, nil
}

// sizingConsumersChart draws the consumers per queue needed against the
// processing time per message, at the utilisation target and at 100%.
func sizingConsumersChart(p sizing.Plan) (*chart, error) {
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
	c := newChart(title, "Processing time per message (ms)", "Consumers per queue")
	c.addGrid()
	if _, err := c.addLine(fmt.Sprintf("needed at %s%% utilisation", sizing.FormatValue(in.Utilisation*100, sizing.UnitCount)), solid(colourBlue, 2.2), []plotter.XYs{atTarget}); err != nil {
		return nil, err
	}
	if _, err := c.addLine("bare minimum (consumers busy 100% of the time)", dashed(colourGrey, 1.6), []plotter.XYs{atFull}); err != nil {
		return nil, err
	}
	n := p.Value("consumers_per_queue")
	if err := c.addMarker(fmt.Sprintf("the plan: %s at %s", sizing.FormatValue(n, sizing.UnitCount), sizing.FormatValue(pt, sizing.UnitSeconds)), colourOrange, pt*1000, n); err != nil {
		return nil, err
	}
	c.p.X.Min, c.p.X.Max = 0, xmax*1000
	c.p.Y.Min, c.p.Y.Max = 0, need(xmax, in.Utilisation)*1.08
	return c, nil
}
