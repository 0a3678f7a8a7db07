package reports

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"net/url"
	"os"
	"path"
	"slices"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/warrenmq/warren/capacity"
	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/results"
)

// Files a capacity search writes besides capacity.json.
const (
	CapacityFile      = "capacity.md"
	CapacityChartFile = "capacity.png"
)

// capacityChartHeight is taller than a run's charts: three panels share
// the offered-rate axis.
const capacityChartHeight = 9 * vg.Inch

// RenderCapacity writes a capacity search's capacity.md and capacity.png
// into dir, which must exist.
func RenderCapacity(dir string, rep *capacity.Report) error {
	if rep == nil {
		return errors.New("reports: render capacity: no report")
	}
	if fi, err := os.Stat(dir); err != nil {
		return fmt.Errorf("reports: render capacity into %s: %w", dir, err)
	} else if !fi.IsDir() {
		return fmt.Errorf("reports: render capacity into %s: not a directory", dir)
	}
	png, err := capacityChart(rep)
	if err != nil {
		return fmt.Errorf("reports: render capacity: %s: %w", CapacityChartFile, err)
	}
	return writeFiles(dir, []results.File{{Name: CapacityChartFile, Data: png}, {Name: CapacityFile, Data: capacityMarkdown(rep)}}, nil)
}

// capacityMarkdown is capacity.md: the finding first, then the criteria,
// every step with its verdict, and how the search ran.
func capacityMarkdown(rep *capacity.Report) []byte {
	var w mdWriter
	obj := rep.Objective
	w.linef("# warren capacity: %s within p99 %s", textfmt.EscapeMarkdown(rep.Scenario), objectiveText(obj))
	w.blank()
	w.line(capacityFinding(rep))
	w.blank()
	if rep.LimitedBy == capacity.LimitGenerator {
		w.linef("> **The limit found is warren's, not the broker's.** %s The broker may sustain more: run the load from "+
			"more instances (the same `--run-id` with a distinct `--instance-id` on each machine, then `warren merge`; "+
			"see the README, \"Load from several machines\"), or give warren more cores with `--procs`.", generatorWhy(rep))
		w.blank()
	}
	if rep.Error != "" {
		w.linef("> **Warning:** the search ended early: %s", textfmt.EscapeMarkdown(rep.Error))
		w.blank()
	}
	if p := rep.Plan; p != nil && rep.SustainableRate > 0 {
		w.linef("**Plan:** `%s` plans a broker for %s, the sustainable rate divided by a headroom of %s.",
			p.Command, textfmt.Rate(p.Rate), strconv.FormatFloat(p.Headroom, 'f', -1, 64))
		w.blank()
	}
	if q := rep.Queue; q != nil {
		bound := ""
		if q.AtLeast {
			bound = "at least "
		}
		w.linef("**One queue:** every message went to %s, a %s queue, whose consumers took them as fast as they came: one %s queue "+
			"sustains %s%s of %s %s messages on this broker. `warren size --calibration %s` plans with that figure, and warns when a plan asks one queue for more.",
			code(q.Queue), q.Type, q.Type, bound, textfmt.Rate(q.Rate), textfmt.Bytes(q.BodyBytes), publishing(q), capacity.File)
		w.blank()
	}
	w.linef("![End-to-end p99, backlog growth and achieved rate against the offered rate](%s)", CapacityChartFile)
	w.blank()

	w.line("## What a step must meet")
	w.blank()
	w.linef("- publishers reach at least %s of the offered rate (one message across a step is rounding);", formatPercent(obj.MinAchieved))
	w.linef("- consumers keep up: the backlog of the consumed queues, once a second after the warm-up, does not grow "+
		"faster than %s of the offered rate (at least %s msg/s), by a least-squares slope that stands %s standard errors clear of zero. "+
		"The backlog is counted twice: by warren (copies sent to those queues and not yet consumed, which includes what waits in "+
		"consumers' prefetch buffers) and by the broker (ready messages, as the run's monitor sampled them); either growing fails the step;",
		formatPercent(obj.MaxGrowth), strconv.FormatFloat(capacity.MinGrowth, 'f', -1, 64), strconv.FormatFloat(capacity.GrowthSignificance, 'f', -1, 64))
	w.linef("- end-to-end p99, from the time each message was meant to be sent, is at most %s;", objectiveText(obj))
	w.line("- no alarm blocks publishers, and no confirmed message is lost.")
	w.blank()
	w.linef("Each step runs on fresh queues, deleted afterwards, so that no step inherits another's backlog. %s",
		retryText(rep.Search.Retries))
	w.blank()

	w.line("## Steps")
	w.blank()
	t := table{
		header: []string{"#", "phase", "offered msg/s", "achieved msg/s", "consumed msg/s", "e2e p99 ms", "backlog growth msg/s", "queue growth msg/s", "verdict", "why", "run"},
		align:  []byte{'r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'l', 'l'},
	}
	for _, s := range rep.Steps {
		verdict, why := "pass", ""
		if !s.Pass {
			verdict = "fail"
			why = joinEscaped(s.Reasons)
			if s.GeneratorLimited {
				verdict = "fail (warren)"
				why += "; " + textfmt.EscapeMarkdown(s.GeneratorWhy)
			}
		}
		t.add(strconv.Itoa(s.N), s.Phase, textfmt.Number(s.Rate), textfmt.Number(s.Achieved), textfmt.Number(s.Consumed),
			formatMillis(s.P99Micros), growthText(s.Growth), growthText(s.DepthGrowth), verdict, why, stepLink(s.Dir))
	}
	w.table(t)
	w.blank()

	w.line("## Search")
	w.blank()
	sr := rep.Search
	w.linef("- **Climb:** from %s, ×%s after each pass; then bisection between the last pass and the first fail down to %s.",
		textfmt.Rate(sr.Start), strconv.FormatFloat(sr.Factor, 'f', -1, 64), formatPercent(sr.Resolution))
	w.linef("- **Each step:** %s of warm-up left out of every figure, then at least %s and %s.",
		textfmt.Seconds(sr.WarmUpS), textfmt.Seconds(sr.HoldS), textfmt.Plural(sr.MinMessages, "message"))
	bounds := fmt.Sprintf("at most %s and %s", textfmt.Plural(sr.MaxSteps, "step"), textfmt.Seconds(sr.MaxTimeS))
	if sr.MaxRate > 0 {
		bounds += fmt.Sprintf(", rates from %s to %s", textfmt.Number(sr.MinRate), textfmt.Rate(sr.MaxRate))
	} else {
		bounds += fmt.Sprintf(", rates from %s", textfmt.Rate(sr.MinRate))
	}
	w.linef("- **Bounds:** %s.", bounds)
	var took float64
	for _, s := range rep.Steps {
		took += s.TookS
	}
	w.linef("- **Ran:** %s in %s; stopped: %s.", textfmt.Plural(len(rep.Steps), "step"), textfmt.Seconds(math.Round(took)), textfmt.EscapeMarkdown(rep.Stopped))
	if rep.Broker != "" {
		w.linef("- **Broker:** %s", code(rep.Broker))
	}
	return []byte(w.String())
}

// publishing says how the messages of a queue rate were published.
func publishing(q *capacity.QueueRate) string {
	s := "transient"
	if q.Persistent {
		s = "persistent"
	}
	if q.Confirms {
		return s + " confirmed"
	}
	return s + " unconfirmed"
}

// capacityFinding is the opening sentence: the rate, and what failed above
// it.
func capacityFinding(rep *capacity.Report) string {
	if rep.SustainableRate == 0 {
		if rep.FirstFailRate > 0 {
			return fmt.Sprintf("**No rate met the objective**: even %s failed (%s).",
				textfmt.Rate(rep.FirstFailRate), firstReason(rep, rep.FirstFailRate))
		}
		return "**No rate was judged**: the search ended before a step completed (" + textfmt.EscapeMarkdown(rep.Stopped) + ")."
	}
	s := fmt.Sprintf("**Sustainable rate: %s**, the highest offered rate that met every criterion", textfmt.Rate(rep.SustainableRate))
	switch {
	case rep.FirstFailRate > 0 && rep.Resolved:
		s += fmt.Sprintf("; %s failed (%s). The search reached its %s resolution.",
			textfmt.Rate(rep.FirstFailRate), firstReason(rep, rep.FirstFailRate), formatPercent(rep.Search.Resolution))
	case rep.FirstFailRate > 0:
		s += fmt.Sprintf("; %s failed (%s). The search stopped before its %s resolution (%s): the limit lies between the two.",
			textfmt.Rate(rep.FirstFailRate), firstReason(rep, rep.FirstFailRate), formatPercent(rep.Search.Resolution), textfmt.EscapeMarkdown(rep.Stopped))
	default:
		s += fmt.Sprintf(". No rate failed (the search stopped: %s), so the broker sustains at least this much.", textfmt.EscapeMarkdown(rep.Stopped))
	}
	return s
}

// firstReason is the first reason the last attempt at rate failed.
func firstReason(rep *capacity.Report, rate float64) string {
	for i := len(rep.Steps) - 1; i >= 0; i-- {
		if s := rep.Steps[i]; s.Rate == rate && !s.Pass && len(s.Reasons) > 0 {
			return textfmt.EscapeMarkdown(s.Reasons[0])
		}
	}
	return "no reason recorded"
}

// generatorWhy says what showed warren to be the limit at the first
// failing rate.
func generatorWhy(rep *capacity.Report) string {
	for _, s := range rep.Steps {
		if s.Rate == rep.FirstFailRate && s.GeneratorLimited {
			return fmt.Sprintf("At %s, %s.", textfmt.Rate(s.Rate), textfmt.EscapeMarkdown(s.GeneratorWhy))
		}
	}
	return ""
}

func retryText(retries int) string {
	switch retries {
	case 0:
		return "A failed rate is believed at once."
	case 1:
		return "A failed rate is run once more before the fail is believed; a pass the second time makes it pass."
	}
	return fmt.Sprintf("A failed rate is run up to %d more times before the fail is believed; one pass among them makes it pass.", retries)
}

func joinEscaped(reasons []string) string {
	out := ""
	for i, r := range reasons {
		if i > 0 {
			out += "; "
		}
		out += textfmt.EscapeMarkdown(r)
	}
	return out
}

// growthText shows the slope of the queue depth, or a dash without enough
// samples to fit one.
func growthText(g capacity.Growth) string {
	if g.N < 3 {
		return "—"
	}
	return strconv.FormatFloat(g.Slope, 'f', 2, 64)
}

// stepLink links a step's run directory (relative to capacity.md).
func stepLink(dir string) string {
	if dir == "" {
		return "—"
	}
	u := url.URL{Path: path.Join(dir, results.ResultFile)}
	return "[" + textfmt.EscapeMarkdown(dir) + "](" + u.EscapedPath() + ")"
}

// capacityChart draws three panels against the offered rate: the
// end-to-end p99 with the objective, the backlog's growth (the faster of
// warren's and the broker's count) with what the objective allows, and the rate achieved with the share it must reach.
// Passes and fails are marked apart (fails on warren's account apart
// again), and the sustainable rate is marked on each.
func capacityChart(rep *capacity.Report) ([]byte, error) {
	title := rep.Scenario + " — capacity within p99 " + objectiveText(rep.Objective)
	const xLabel = "Offered rate (msg/s)"
	if len(rep.Steps) == 0 {
		c := noDataChart(title, xLabel, "p99 (ms)", "No data: no step completed")
		return c.png()
	}
	ax := newRateAxis(rep)
	panels := []struct {
		c     *chart
		value func(capacity.Step) float64
	}{
		{newChart(title, "", "End-to-end p99 (ms)"), func(s capacity.Step) float64 { return float64(s.P99Micros) / 1000 }},
		{newChart("", "", "Backlog growth (msg/s)"), func(s capacity.Step) float64 { return s.MaxSlope() }},
		{newChart("", ax.label, "Achieved (% of offered)"), func(s capacity.Step) float64 { return 100 * s.Achieved / s.Rate }},
	}
	var charts []*chart
	for i, p := range panels {
		c := p.c
		c.addGrid()
		ax.apply(c)
		if i == len(panels)-1 {
			c.p.X.Label.Text = ax.label
		}
		var marks [numStepKinds]plotter.XYs
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, s := range rep.Steps {
			v := p.value(s)
			k := stepKind(rep, s)
			marks[k] = append(marks[k], plotter.XY{X: ax.x(s.Rate), Y: v})
			lo, hi = min(lo, v), max(hi, v)
		}
		// The line each panel's figure is judged against.
		var bar plotter.XYs
		var barLabel string
		switch i {
		case 0:
			obj := float64(rep.Objective.P99Micros) / 1000
			bar, barLabel = plotter.XYs{{X: c.p.X.Min, Y: obj}, {X: c.p.X.Max, Y: obj}}, "objective "+objectiveText(rep.Objective)
		case 1:
			for _, r := range ax.allowanceRates() {
				bar = append(bar, plotter.XY{X: ax.x(r), Y: capacity.AllowedGrowth(r, rep.Objective.MaxGrowth)})
			}
			barLabel = "growth allowed"
		case 2:
			need := 100 * rep.Objective.MinAchieved
			bar, barLabel = plotter.XYs{{X: c.p.X.Min, Y: need}, {X: c.p.X.Max, Y: need}}, "achieved needed "+formatPercent(rep.Objective.MinAchieved)
		}
		for _, pt := range bar {
			lo, hi = min(lo, pt.Y), max(hi, pt.Y)
		}
		switch {
		case i == 0 && lo > 0 && wideRange(lo, hi):
			useLogScale(&c.p.Y, lo, hi, []plotter.XYs{marks[0], marks[1], marks[2], bar})
			c.p.Y.Label.Text = "End-to-end p99 (ms, log)"
		case i == 2:
			c.p.Y.Min, c.p.Y.Max = min(lo, 100)-2, 102
		default:
			pad := (hi - min(lo, 0)) * 0.05
			c.p.Y.Min, c.p.Y.Max = min(lo, 0)-pad, niceCeiling(hi)
		}
		if _, err := c.addLine(barLabel, dashed(colourGrey, 1.4), []plotter.XYs{bar}); err != nil {
			return nil, err
		}
		if err := c.addLimit(ax, rep, c.p.Y.Min, c.p.Y.Max); err != nil {
			return nil, err
		}
		if err := c.addSteps(marks); err != nil {
			return nil, err
		}
		charts = append(charts, c)
	}
	return stackedPNG(charts, capacityChartHeight)
}

// Kinds of step on the chart.
const (
	stepPass = iota
	stepFail
	stepFailGenerator
	stepFailRetried // a fail that a retry at the same rate overturned
	numStepKinds
)

func stepKind(rep *capacity.Report, s capacity.Step) int {
	switch {
	case s.Pass:
		return stepPass
	case passedLater(rep, s):
		return stepFailRetried
	case s.GeneratorLimited:
		return stepFailGenerator
	}
	return stepFail
}

// passedLater tells whether a later step at the same rate passed, which
// makes the rate pass.
func passedLater(rep *capacity.Report, s capacity.Step) bool {
	for _, o := range rep.Steps {
		if o.N > s.N && o.Rate == s.Rate && o.Pass {
			return true
		}
	}
	return false
}

// objectiveText is the p99 objective as a reader takes it in: "50 ms",
// "2 s".
func objectiveText(o capacity.ObjectiveRecord) string {
	return textfmt.Duration(time.Duration(o.P99Micros) * time.Microsecond)
}

// rateAxis places offered rates on the x axis: on a log scale when they
// span more than a decade (the climb doubles the rate each step).
type rateAxis struct {
	lo, hi float64 // in rates
	log    bool
	label  string
}

func newRateAxis(rep *capacity.Report) rateAxis {
	a := rateAxis{lo: math.Inf(1), label: "Offered rate (msg/s)"}
	for _, s := range rep.Steps {
		a.lo, a.hi = min(a.lo, s.Rate), max(a.hi, s.Rate)
	}
	a.log = a.hi/a.lo > 10
	if a.log {
		a.label = "Offered rate (msg/s, log scale)"
	}
	return a
}

func (a rateAxis) x(rate float64) float64 {
	if a.log {
		return math.Log10(rate)
	}
	return rate
}

// allowanceRates are the rates at which the growth allowance is drawn: it
// bends where MaxGrowth × rate meets MinGrowth, so enough points to show
// the bend.
func (a rateAxis) allowanceRates() []float64 {
	const n = 60
	out := make([]float64, 0, n+1)
	for i := 0; i <= n; i++ {
		f := float64(i) / n
		if a.log {
			out = append(out, a.lo*math.Pow(a.hi/a.lo, f))
		} else {
			out = append(out, a.lo+(a.hi-a.lo)*f)
		}
	}
	return out
}

func (a rateAxis) apply(c *chart) {
	lo, hi := a.x(a.lo), a.x(a.hi)
	pad := (hi - lo) * 0.05
	if pad == 0 {
		pad = math.Max(math.Abs(lo)*0.1, 0.5)
		if a.log {
			pad = 0.1
		}
	}
	c.p.X.Min, c.p.X.Max = lo-pad, hi+pad
	if a.log {
		c.p.X.Tick.Marker = rateTicks{a}
	}
}

// rateTicks are logTicks with the lowest and highest rates labelled too,
// unless a labelled tick is close: the climb's start rate is rarely a
// round number.
type rateTicks struct{ a rateAxis }

func (t rateTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := logTicks{}.Ticks(lo, hi)
	for _, r := range []float64{t.a.lo, t.a.hi} {
		x := math.Log10(r)
		near := false
		for _, tk := range ticks {
			if tk.Label != "" && math.Abs(tk.Value-x) < 0.12 {
				near = true
			}
		}
		if !near {
			ticks = append(ticks, plot.Tick{Value: x, Label: textfmt.Thousands(strconv.FormatFloat(r, 'f', -1, 64))})
		}
	}
	return ticks
}

// addSteps marks passing steps with green dots, failing ones with
// vermillion crosses, fails on warren's account with purple triangles and
// fails that a retry overturned with grey crosses.
func (c *chart) addSteps(marks [numStepKinds]plotter.XYs) error {
	for kind, set := range []struct {
		label  string
		colour uint32
		shape  draw.GlyphDrawer
		radius float64
	}{
		stepPass:          {"pass", colourGreen, draw.CircleGlyph{}, 4.5},
		stepFail:          {"fail", colourVermillion, draw.CrossGlyph{}, 6},
		stepFailGenerator: {"fail: warren fell behind", colourPurple, draw.TriangleGlyph{}, 5},
		stepFailRetried:   {"fail, passed on retry", colourGrey, thickCross{}, 6},
	} {
		if len(marks[kind]) == 0 {
			continue
		}
		s, err := plotter.NewScatter(marks[kind])
		if err != nil {
			return fmt.Errorf("%s: %w", set.label, err)
		}
		s.GlyphStyle = draw.GlyphStyle{Color: colour(set.colour), Radius: vg.Points(set.radius), Shape: set.shape}
		if kind == stepFail || kind == stepFailRetried {
			// A cross is drawn with lines: thicken it to the weight of
			// the dots.
			s.GlyphStyle.Shape = thickCross{}
		}
		c.p.Add(s)
		c.legend = append(c.legend, legendItem{label: set.label, thumbs: []plot.Thumbnailer{s}})
	}
	return nil
}

// thickCross is an × drawn with lines as heavy as the dots beside it.
type thickCross struct{}

func (thickCross) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: vg.Points(2.2)})
	r := sty.Radius * 0.8
	var p vg.Path
	p.Move(vg.Point{X: pt.X - r, Y: pt.Y - r})
	p.Line(vg.Point{X: pt.X + r, Y: pt.Y + r})
	p.Move(vg.Point{X: pt.X - r, Y: pt.Y + r})
	p.Line(vg.Point{X: pt.X + r, Y: pt.Y - r})
	c.Stroke(p)
}

// addLimit draws the sustainable rate as a dotted vertical line.
func (c *chart) addLimit(ax rateAxis, rep *capacity.Report, ymin, ymax float64) error {
	if rep.SustainableRate <= 0 {
		return nil
	}
	x := ax.x(rep.SustainableRate)
	l, err := plotter.NewLine(plotter.XYs{{X: x, Y: ymin}, {X: x, Y: ymax}})
	if err != nil {
		return err
	}
	l.LineStyle = draw.LineStyle{Color: colour(colourBlue), Width: vg.Points(1.8), Dashes: []vg.Length{vg.Points(1.5), vg.Points(3)}}
	c.p.Add(l)
	label := "sustainable " + textfmt.Rate(rep.SustainableRate)
	if rep.LimitedBy == capacity.LimitGenerator {
		label += " (warren's limit)"
	}
	c.legend = append(c.legend, legendItem{label: label, thumbs: []plot.Thumbnailer{l}})
	return nil
}

// mergedLegend joins the legends of several charts, each label once.
func mergedLegend(charts []*chart) []legendItem {
	var out []legendItem
	var seen []string
	for _, c := range charts {
		for _, it := range c.legend {
			if !slices.Contains(seen, it.label) {
				seen = append(seen, it.label)
				out = append(out, it)
			}
		}
	}
	return out
}

// stackedPNG draws charts one above the other, their data areas aligned so
// that they share the x axis, with one legend below them all.
func stackedPNG(charts []*chart, height vg.Length) ([]byte, error) {
	img := vgimg.NewWith(vgimg.UseWH(chartWidth, height), vgimg.UseDPI(chartDPI))
	dc := draw.New(img)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	margin := vg.Points(9)
	area := draw.Crop(dc, margin, -margin, margin, -margin)
	sty := text.Style{
		Color:   color.Black,
		Font:    chartFont(10.5, false),
		Handler: charts[0].p.TextHandler,
		XAlign:  draw.XLeft,
		YAlign:  draw.YCenter,
	}
	all := &chart{legend: mergedLegend(charts)}
	rows := all.legendRows(sty, area.Max.X-area.Min.X)
	rowH := sty.Rectangle("Mg").Size().Y * 1.45
	legendH := vg.Length(0)
	if len(rows) > 0 {
		legendH = rowH*vg.Length(len(rows)) + vg.Points(legendTopPad)
	}
	plotArea := draw.Crop(area, 0, 0, legendH, 0)
	plots := make([][]*plot.Plot, len(charts))
	for i, c := range charts {
		plots[i] = []*plot.Plot{c.p}
	}
	canvases := plot.Align(plots, draw.Tiles{Rows: len(charts), Cols: 1, PadY: vg.Points(8)}, plotArea)
	for i, c := range charts {
		c.p.Draw(canvases[i][0])
	}
	last := charts[len(charts)-1]
	drawLegend(dc, area, last.p.DataCanvas(canvases[len(charts)-1][0]), sty, rows, rowH)
	return encodePNG(img)
}
