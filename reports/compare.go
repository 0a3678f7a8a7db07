package reports

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/warrenmq/warren/internal/stats"
	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/results"
	"gonum.org/v1/plot/vg/draw"
)

// Names of the files RenderCompare writes.
const (
	CompareFile      = "compare.md"
	CompareChartFile = "compare-latency.png"
)

// Figures a comparison shows, in the order its table lists them.
const (
	FigurePublishRate = "publish rate"
	FigureConsumeRate = "consume rate"
	FigureE2EP50      = "end-to-end p50"
	FigureE2EP99      = "end-to-end p99"
	FigureE2EP999     = "end-to-end p99.9"
	FigureConfirmP99  = "confirm p99"
	FigureLost        = "lost"
)

// Side is one side of a comparison: one run, or several repeats of the
// same run, whose medians are compared.
type Side struct {
	// Label names the side for people: the path it was read from.
	Label string
	Runs  []*results.Result
	// Dirs are the run directories the runs were read from, relative to
	// Label, in the order of Runs ("." for a side that is one run).
	Dirs []string
}

// dir names run k of the side: its directory, or its number when the side
// was not read from directories.
func (s Side) dir(k int) string {
	if k < len(s.Dirs) {
		return s.Dirs[k]
	}
	return "run " + strconv.Itoa(k+1)
}

// LoadSide reads a side of a comparison from path: a run directory (one
// holding result.json), or a directory with several run directories (the
// repeats of a run) anywhere under it.
func LoadSide(path string) (Side, error) {
	dirs, err := results.FindRuns(path)
	if err != nil {
		return Side{}, err
	}
	side := Side{Label: path, Dirs: dirs}
	for _, d := range dirs {
		r, err := results.ReadRun(filepath.Join(path, d))
		if err != nil {
			return Side{}, err
		}
		side.Runs = append(side.Runs, r)
	}
	return side, nil
}

// Gate holds the thresholds a candidate must stay within; a nil limit is
// not checked. Limits are fractions: 0.1 is 10%.
type Gate struct {
	// MaxP99Regression is how much worse a candidate's p99 latencies
	// (end-to-end and confirm) may be than the baseline's.
	MaxP99Regression *float64
	// MaxThroughputDrop is how much lower a candidate's publish and
	// consume rates may be.
	MaxThroughputDrop *float64
	// FailOnLoss fails a candidate any of whose runs lost a message.
	FailOnLoss bool
}

func (g Gate) active() bool {
	return g.MaxP99Regression != nil || g.MaxThroughputDrop != nil || g.FailOnLoss
}

// Spread is a figure over a side's runs: the median and the range.
type Spread struct {
	// Median is the middle run's value; for lost messages, the worst
	// run's.
	Median, Min, Max float64
	// N counts the runs that have the figure (a run without confirms has
	// no confirm latency).
	N int
}

// Cell is one side's value of a figure and, for a candidate, its change
// from the baseline.
type Cell struct {
	Spread
	// Change is (candidate − baseline) / baseline of the medians; NaN
	// when it cannot be computed (no value, or a baseline of zero).
	Change float64
	// WithinSpread says the two sides' ranges over their runs overlap: the
	// difference may be run-to-run noise. Only set when a side has
	// several runs.
	WithinSpread bool
	// Failed says the candidate crossed a gate on this figure.
	Failed bool
}

// Row is one figure across the sides: Cells[0] is the baseline.
type Row struct {
	Figure string
	Cells  []Cell
}

// Failure is a gate a candidate failed, said in one line.
type Failure struct {
	Candidate string
	Figure    string
	Text      string
}

// Comparison is the baseline against each candidate, figure by figure.
type Comparison struct {
	Sides    []Side // the baseline first
	Gate     Gate
	Rows     []Row
	Failures []Failure
	// Notes are things that make the comparison less fair, such as
	// different scenarios or target rates.
	Notes []string
}

// Failed says whether any candidate crossed a threshold.
func (c *Comparison) Failed() bool { return len(c.Failures) > 0 }

// figure says how to read and judge one figure.
type figure struct {
	name   string
	unit   string
	higher bool // higher is better
	get    func(*results.Result) (float64, bool)
	format func(float64) string
	// worst compares the worst run rather than the median: one run that
	// lost messages is one too many.
	worst bool
}

func latencyFigure(metric string, pick func(results.LatencySummary) int64) func(*results.Result) (float64, bool) {
	return func(r *results.Result) (float64, bool) {
		l, ok := r.Latency[metric]
		if !ok || l.Count == 0 {
			return 0, false
		}
		return float64(pick(l)), true
	}
}

func figures() []figure {
	ms := func(us float64) string { return formatMillis(int64(math.Round(us))) }
	count := func(n float64) string {
		if n != math.Trunc(n) {
			return textfmt.Thousands(strconv.FormatFloat(n, 'f', 1, 64))
		}
		return textfmt.Count(int64(n))
	}
	return []figure{
		{FigurePublishRate, "msg/s", true, func(r *results.Result) (float64, bool) { return r.Summary.PublishRate, true }, formatRateCell, false},
		{FigureConsumeRate, "msg/s", true, func(r *results.Result) (float64, bool) {
			return consumeRate(r), r.Summary.Consumed > 0 || hasConsumers(r)
		}, formatRateCell, false},
		{FigureE2EP50, "ms", false, latencyFigure(results.MetricEndToEnd, func(l results.LatencySummary) int64 { return l.P50 }), ms, false},
		{FigureE2EP99, "ms", false, latencyFigure(results.MetricEndToEnd, func(l results.LatencySummary) int64 { return l.P99 }), ms, false},
		{FigureE2EP999, "ms", false, latencyFigure(results.MetricEndToEnd, func(l results.LatencySummary) int64 { return l.P999 }), ms, false},
		{FigureConfirmP99, "ms", false, latencyFigure(results.MetricConfirm, func(l results.LatencySummary) int64 { return l.P99 }), ms, false},
		{FigureLost, "messages", false, func(r *results.Result) (float64, bool) { return float64(r.Integrity.Lost), true }, count, true},
	}
}

func figureByName(name string) figure {
	for _, f := range figures() {
		if f.name == name {
			return f
		}
	}
	return figure{name: name, format: func(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }}
}

// spreadOf is a figure's median (or worst value) and range over runs.
func spreadOf(runs []*results.Result, f figure) Spread {
	var vs []float64
	for _, r := range runs {
		if v, ok := f.get(r); ok && !math.IsNaN(v) {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return Spread{Median: math.NaN(), Min: math.NaN(), Max: math.NaN()}
	}
	s := Spread{Median: stats.Median(vs), Min: slices.Min(vs), Max: slices.Max(vs), N: len(vs)}
	if f.worst {
		if f.higher {
			s.Median = s.Min
		} else {
			s.Median = s.Max
		}
	}
	return s
}

// Compare compares each candidate with the baseline and applies the gate.
// It reads nothing but its arguments.
func Compare(baseline Side, candidates []Side, gate Gate) *Comparison {
	c := &Comparison{Sides: append([]Side{baseline}, candidates...), Gate: gate}
	for _, f := range figures() {
		row := Row{Figure: f.name}
		base := spreadOf(baseline.Runs, f)
		row.Cells = append(row.Cells, Cell{Spread: base, Change: math.NaN()})
		for _, cand := range candidates {
			cs := spreadOf(cand.Runs, f)
			cell := Cell{Spread: cs, Change: change(base.Median, cs.Median)}
			several := len(baseline.Runs) > 1 || len(cand.Runs) > 1
			if several && !f.worst && base.N > 0 && cs.N > 0 && cell.Change != 0 {
				cell.WithinSpread = cs.Min <= base.Max && base.Min <= cs.Max
			}
			if text, failed := judge(f, gate, base, cs, cell.Change); failed {
				cell.Failed = true
				if cell.WithinSpread {
					text += " (the runs' ranges overlap: this may be run-to-run noise; more repeats would tell)"
				}
				c.Failures = append(c.Failures, Failure{Candidate: cand.Label, Figure: f.name, Text: text})
			}
			row.Cells = append(row.Cells, cell)
		}
		c.Rows = append(c.Rows, row)
	}
	c.Notes = fairnessNotes(c)
	return c
}

// change is the relative change from base to v, NaN when undefined.
func change(base, v float64) float64 {
	switch {
	case math.IsNaN(base) || math.IsNaN(v):
		return math.NaN()
	case base == v:
		return 0
	case base == 0:
		return math.NaN()
	}
	return (v - base) / base
}

// gateTolerance keeps a change exactly at a limit (10% slower against a
// 10% limit) from failing by floating-point rounding.
const gateTolerance = 1e-9

// judge applies the gate to one figure of one candidate; it returns the
// failure, said for people, and whether there is one.
func judge(f figure, g Gate, base, cand Spread, ch float64) (string, bool) {
	if cand.N == 0 {
		return "", false
	}
	fromTo := func() string {
		return fmt.Sprintf("%s %s → %s %s", f.format(base.Median), f.unit, f.format(cand.Median), f.unit)
	}
	switch f.name {
	case FigureE2EP99, FigureConfirmP99:
		if g.MaxP99Regression != nil && !math.IsNaN(ch) && ch > *g.MaxP99Regression+gateTolerance {
			return fmt.Sprintf("%s regressed %s (%s), more than the %s allowed (--max-p99-regression)",
				f.name, formatChange(ch), fromTo(), formatLimit(*g.MaxP99Regression)), true
		}
	case FigurePublishRate, FigureConsumeRate:
		if g.MaxThroughputDrop != nil && !math.IsNaN(ch) && -ch > *g.MaxThroughputDrop+gateTolerance {
			return fmt.Sprintf("%s dropped %s (%s), more than the %s allowed (--max-throughput-drop)",
				f.name, strings.TrimPrefix(formatChange(ch), "−"), fromTo(), formatLimit(*g.MaxThroughputDrop)), true
		}
	case FigureLost:
		if g.FailOnLoss && cand.Max > 0 {
			runs := ""
			if cand.N > 1 {
				runs = " in the worst run"
			}
			return fmt.Sprintf("%s: %s messages lost%s (--fail-on-loss)", f.name, f.format(cand.Max), runs), true
		}
	}
	return "", false
}

// fairnessNotes point out what makes the sides hard to compare.
func fairnessNotes(c *Comparison) []string {
	var notes []string
	collect := func(get func(*results.Result) string) []string {
		var out []string
		for _, s := range c.Sides {
			for _, r := range s.Runs {
				out = appendNew(out, get(r))
			}
		}
		return out
	}
	if names := collect(func(r *results.Result) string { return scenarioName(r) }); len(names) > 1 {
		notes = append(notes, "The runs are of different scenarios ("+strings.Join(codeAll(names), ", ")+"): check that this is the comparison you meant.")
	}
	if rates := collect(func(r *results.Result) string {
		if r.Summary.TargetRate == 0 {
			return "unlimited"
		}
		return textfmt.Rate(r.Summary.TargetRate)
	}); len(rates) > 1 {
		notes = append(notes, "The runs had different target publish rates ("+strings.Join(rates, ", ")+"): throughput and latency are not comparable at different loads.")
	}
	// Warnings (the generator fell behind, publishers were blocked) say a
	// run measured less than the broker can do: worth knowing before
	// trusting a difference.
	for i, s := range c.Sides {
		var warned []string
		first := ""
		for k, r := range s.Runs {
			if len(r.Warnings) == 0 {
				continue
			}
			if first == "" {
				first = r.Warnings[0]
			}
			warned = append(warned, s.dir(k))
		}
		if len(warned) == 0 {
			continue
		}
		who := "The " + strings.ToLower(sideName(c, i))
		if len(s.Runs) > 1 {
			who += fmt.Sprintf(" has warnings in %d of its %d runs (%s)", len(warned), len(s.Runs), strings.Join(codeAll(warned), ", "))
		} else {
			who += " has warnings in its report"
		}
		notes = append(notes, who+", for example: "+textfmt.EscapeMarkdown(sentence(first)))
	}
	return notes
}

// sentence is s on one line, ending in a full stop.
func sentence(s string) string {
	s = textfmt.OneLine(s)
	if s != "" && !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// formatChange formats a relative change with its sign: "+12.3%", "−4.0%".
func formatChange(ch float64) string {
	switch {
	case math.IsNaN(ch):
		return "—"
	case ch == 0:
		return "0.0%"
	}
	s := strconv.FormatFloat(math.Abs(ch)*100, 'f', 1, 64)
	if s == "0.0" {
		return "0.0%"
	}
	if ch < 0 {
		return "−" + textfmt.Thousands(s) + "%"
	}
	return "+" + textfmt.Thousands(s) + "%"
}

// formatLimit formats a threshold given as a fraction: "10%", "2.5%".
func formatLimit(f float64) string {
	return strconv.FormatFloat(f*100, 'f', -1, 64) + "%"
}

// Markdown renders the comparison; chart names the overlay chart to link,
// or is empty for none (on a terminal, say). It reads nothing but c: the
// same comparison always yields the same bytes.
func (c *Comparison) Markdown(chart string) []byte {
	var w mdWriter
	w.line("# warren compare")
	w.blank()
	for i, s := range c.Sides {
		role := "Baseline"
		if i > 0 {
			role = sideName(c, i)
		}
		w.linef("- **%s:** %s — %s", role, code(s.Label), sideSummary(s))
	}
	w.blank()

	switch {
	case c.Failed():
		w.linef("**FAIL:** %s crossed.", textfmt.Plural(len(c.Failures), "threshold"))
		w.blank()
		for _, f := range c.Failures {
			prefix := ""
			if len(c.Sides) > 2 {
				prefix = code(f.Candidate) + ": "
			}
			w.linef("- %s%s", prefix, textfmt.EscapeMarkdown(f.Text))
		}
		w.blank()
	case c.Gate.active():
		w.linef("**PASS:** no threshold crossed (%s).", gateText(c.Gate))
		w.blank()
	}
	for _, n := range c.Notes {
		w.linef("> **Note:** %s", n)
		w.blank()
	}

	header := []string{"Figure", "Baseline"}
	align := []byte{'l', 'r'}
	for i := 1; i < len(c.Sides); i++ {
		header = append(header, sideName(c, i), "Change")
		align = append(align, 'r', 'r')
	}
	several := slices.ContainsFunc(c.Sides, func(s Side) bool { return len(s.Runs) > 1 })
	t := table{header: header, align: align}
	for _, row := range c.Rows {
		f := figureByName(row.Figure)
		unit := f.unit
		if f.worst && several {
			unit += ", worst run"
		}
		cells := []string{capitalise(f.name) + " (" + unit + ")", valueText(f, row.Cells[0].Spread)}
		for _, cell := range row.Cells[1:] {
			cells = append(cells, valueText(f, cell.Spread), changeText(f, row.Cells[0].Spread, cell))
		}
		t.add(cells...)
	}
	w.table(t)
	w.blank()
	if several {
		w.line("A side with several runs shows their median, and their range (min–max) in brackets. \"within spread\" marks a difference smaller than the run-to-run variation: the two sides' ranges overlap.")
	} else {
		w.line("Change is relative to the baseline; for latencies and losses a positive change is worse, for rates a negative one. Repeat each side (several run directories under one) to see the run-to-run spread.")
	}
	w.line("The consume rate is per second while the publishers ran, after the warm-up: consumers that fall behind and catch up in the drain show here as slower.")
	w.blank()
	if chart != "" {
		w.linef("![End-to-end latency by percentile](%s)", chart)
		w.blank()
	}
	return []byte(w.String())
}

// sideName is the table's name of side i: "Candidate", or "Candidate 2"
// when there are several.
func sideName(c *Comparison, i int) string {
	if i == 0 {
		return "Baseline"
	}
	if len(c.Sides) == 2 {
		return "Candidate"
	}
	return "Candidate " + strconv.Itoa(i)
}

func sideSummary(s Side) string {
	names := []string{}
	for _, r := range s.Runs {
		names = appendNew(names, code(scenarioName(r)))
	}
	text := strings.Join(names, ", ")
	if len(s.Runs) > 1 {
		dirs := make([]string, len(s.Runs))
		for k := range s.Runs {
			dirs[k] = s.dir(k)
		}
		return fmt.Sprintf("%s, %d runs (%s)", text, len(s.Runs), strings.Join(codeAll(dirs), ", "))
	}
	if r := s.Runs[0]; r.ID != "" {
		text += ", run " + code(r.ID)
	}
	return text
}

func codeAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = code(s)
	}
	return out
}

// gateText lists the thresholds checked.
func gateText(g Gate) string {
	var parts []string
	if g.MaxP99Regression != nil {
		parts = append(parts, "p99 latency at most "+formatLimit(*g.MaxP99Regression)+" worse")
	}
	if g.MaxThroughputDrop != nil {
		parts = append(parts, "throughput at most "+formatLimit(*g.MaxThroughputDrop)+" lower")
	}
	if g.FailOnLoss {
		parts = append(parts, "no message lost")
	}
	return strings.Join(parts, "; ")
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func valueText(f figure, s Spread) string {
	if s.N == 0 {
		return "—"
	}
	v := f.format(s.Median)
	if s.N > 1 && !f.worst {
		v += " (" + f.format(s.Min) + "–" + f.format(s.Max) + ")"
	}
	return v
}

func changeText(f figure, base Spread, cell Cell) string {
	var text string
	switch {
	case cell.N == 0 || base.N == 0:
		return "—"
	case f.name == FigureLost:
		// A percentage of a loss is no use: say how many more or fewer.
		d := cell.Median - base.Median
		switch {
		case d > 0:
			text = "+" + f.format(d)
		case d < 0:
			text = "−" + f.format(-d)
		default:
			text = "0"
		}
	case math.IsNaN(cell.Change):
		text = "new"
	default:
		text = formatChange(cell.Change)
	}
	if cell.Failed {
		text = "**" + text + " ✗**"
	}
	if cell.WithinSpread {
		text += " (within spread)"
	}
	return text
}

// sideHistogram merges the end-to-end histograms of a side's runs: the
// repeats of one run, drawn as one distribution.
func sideHistogram(s Side) (*hdrhistogram.Histogram, error) {
	var merged *hdrhistogram.Histogram
	for _, r := range s.Runs {
		h, err := r.Histogram(results.MetricEndToEnd)
		if err != nil {
			return nil, err
		}
		if h == nil {
			continue
		}
		if merged == nil {
			merged = h
			continue
		}
		merged.Merge(h)
	}
	return merged, nil
}

// compareColour gives the baseline black and each candidate a colour.
func compareStyle(i int) draw.LineStyle {
	if i == 0 {
		return solid(0x000000, 2.2)
	}
	colours := []uint32{colourVermillion, colourBlue, colourGreen, colourOrange, colourPurple, colourSky}
	s := solid(colours[(i-1)%len(colours)], 2)
	if i > len(colours) {
		s = dashed(colours[(i-1)%len(colours)], 2)
	}
	return s
}

// comparisonLogAbove is the spread of values above which the charts that
// set runs side by side turn their latency axis logarithmic: curves a
// decade apart squash the lower ones on a linear axis.
const comparisonLogAbove = 10

// compareChart overlays each side's end-to-end percentile spectrum.
func compareChart(c *Comparison) (*chart, error) {
	var curves []spectrumCurve
	for i, s := range c.Sides {
		h, err := sideHistogram(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Label, err)
		}
		label := strings.ToLower(sideName(c, i)) + ": " + s.Label
		if len(s.Runs) > 1 {
			label += fmt.Sprintf(" (%d runs merged)", len(s.Runs))
		}
		curves = append(curves, spectrumCurve{label: label, style: compareStyle(i), h: h})
	}
	return spectrumChart("End-to-end latency by percentile (from intended send)",
		"No data: none of the runs recorded end-to-end latency", comparisonLogAbove, curves), nil
}

// RenderCompare writes compare.md and its overlay chart into dir, which
// must exist; like Render, every file is written atomically, the chart
// before compare.md.
func RenderCompare(dir string, c *Comparison) error {
	if fi, err := os.Stat(dir); err != nil {
		return fmt.Errorf("reports: compare into %s: %w", dir, err)
	} else if !fi.IsDir() {
		return fmt.Errorf("reports: compare into %s: not a directory", dir)
	}
	ch, err := compareChart(c)
	if err != nil {
		return fmt.Errorf("reports: compare: %w", err)
	}
	data, err := ch.png()
	if err != nil {
		return fmt.Errorf("reports: compare: %s: %w", CompareChartFile, err)
	}
	return writeFiles(dir, []results.File{{Name: CompareChartFile, Data: data}, {Name: CompareFile, Data: c.Markdown(CompareChartFile)}}, nil)
}
