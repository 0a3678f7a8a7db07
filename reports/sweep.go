package reports

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Names of the files RenderSweep writes.
const (
	SweepFile                = "sweep.md"
	SweepThroughputFile      = "sweep-throughput.png"
	SweepP99File             = "sweep-p99.png"
	SweepLatencySpectrumFile = "sweep-latency.png"
)

// KneeShare is the share of the best throughput at which more of a swept
// parameter is said to stop paying: the knee is the smallest value that
// reaches it.
const KneeShare = 0.95

// DefaultObjectiveFactor derives the p99 objective when none is given: a
// variant qualifies when its p99 is within this factor of the best p99.
const DefaultObjectiveFactor = 2

// SweepVariant is one run of a sweep, as RenderSweep reads it.
type SweepVariant struct {
	// Name is the variant's name ("consumers.prefetch=10").
	Name string
	// Params holds the swept field → value ("consumers.prefetch" → "10").
	Params map[string]string
	// Dir is the variant's run directory, relative to the sweep directory.
	Dir string
	// Result is what the run measured; nil when it failed.
	Result *results.Result
	// Error says why the run failed, when Result is nil.
	Error string
}

// SweepOption changes how a sweep is judged.
type SweepOption func(*sweepConfig)

type sweepConfig struct {
	objective time.Duration
}

// WithP99Objective sets the end-to-end p99 a recommended variant must stay
// within. Without it (or with 0) the objective is DefaultObjectiveFactor
// times the best p99 of the sweep.
func WithP99Objective(d time.Duration) SweepOption {
	return func(c *sweepConfig) { c.objective = d }
}

// Recommendation is the sweep's verdict.
type Recommendation struct {
	// Best indexes the recommended variant: the highest throughput whose
	// end-to-end p99 stays within the objective; -1 when none does.
	Best int
	// Objective is the p99 bound in µs; Derived says it was derived from
	// the best p99 rather than given.
	Objective int64
	Derived   bool
	// Knee indexes the smallest value of the swept parameter whose
	// throughput reaches KneeShare of the best; -1 when the sweep does not
	// vary a single numeric parameter.
	Knee int
	// Parameter is the single parameter the sweep varies, or "".
	Parameter string
	// Reason says why, in one sentence, without naming the variant (the
	// report names it just before); KneeReason says where more of the
	// parameter stops paying.
	Reason, KneeReason string
}

// throughputOf is a run's achieved throughput: what its consumers took
// per second while publishing (every queue's copy counts; the drain left
// out, where a variant that fell behind catches up), or what it published
// when nothing consumed.
func throughputOf(r *results.Result) float64 {
	if hasConsumers(r) {
		return consumeRate(r)
	}
	return r.Summary.PublishRate
}

func e2e(r *results.Result) (results.LatencySummary, bool) {
	l, ok := r.Latency[results.MetricEndToEnd]
	return l, ok && l.Count > 0
}

// sweptKeys are the parameters whose value differs between variants, the
// named variant first and then sorted; when none differs, every parameter.
func sweptKeys(vs []SweepVariant) []string {
	values := map[string]map[string]bool{}
	for _, v := range vs {
		for k, val := range v.Params {
			if values[k] == nil {
				values[k] = map[string]bool{}
			}
			values[k][val] = true
		}
	}
	var keys, all []string
	for k, set := range values {
		all = append(all, k)
		if len(set) > 1 {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		keys = all
	}
	sort.Slice(keys, func(i, j int) bool {
		if (keys[i] == "variant") != (keys[j] == "variant") {
			return keys[i] == "variant"
		}
		return keys[i] < keys[j]
	})
	return keys
}

// numericValues returns the values of key as numbers, when every variant
// has a positive number there. Zero is left out on purpose: a prefetch of
// 0 means unlimited, which is no point on a numeric axis.
func numericValues(vs []SweepVariant, key string) ([]float64, bool) {
	out := make([]float64, len(vs))
	for i, v := range vs {
		f, err := strconv.ParseFloat(strings.TrimSpace(v.Params[key]), 64)
		if err != nil || !(f > 0) || math.IsInf(f, 0) {
			return nil, false
		}
		out[i] = f
	}
	return out, len(vs) > 0
}

// shortKey is the last part of a field path: "prefetch" for
// consumers.prefetch.
func shortKey(key string) string {
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		return key[i+1:]
	}
	return key
}

// variantLabel names a variant briefly by its swept values:
// "prefetch=10", or "quorum, prefetch=10".
func variantLabel(v SweepVariant, keys []string) string {
	var parts []string
	for _, k := range keys {
		val, ok := v.Params[k]
		if !ok {
			continue
		}
		if k == "variant" {
			parts = append(parts, val)
		} else {
			parts = append(parts, shortKey(k)+"="+val)
		}
	}
	if len(parts) == 0 {
		if v.Name != "" {
			return v.Name
		}
		return "base"
	}
	return strings.Join(parts, ", ")
}

// Recommend judges a sweep: the variant with the highest throughput whose
// end-to-end p99 stays within the objective (0: DefaultObjectiveFactor
// times the best p99), and the knee where more of the swept parameter stops
// paying. It reads nothing but its arguments.
func Recommend(vs []SweepVariant, objective time.Duration) Recommendation {
	rec := Recommendation{Best: -1, Knee: -1}
	keys := sweptKeys(vs)
	if len(keys) == 1 && keys[0] != "variant" {
		rec.Parameter = keys[0]
	}
	name := func(i int) string { return code(vs[i].Name) }

	bestP99 := int64(-1)
	ran := 0
	for _, v := range vs {
		if v.Result == nil {
			continue
		}
		ran++
		if l, ok := e2e(v.Result); ok && (bestP99 < 0 || l.P99 < bestP99) {
			bestP99 = l.P99
		}
	}
	switch {
	case ran == 0:
		rec.Reason = "No variant ran to completion, so there is nothing to recommend."
		return rec
	case bestP99 < 0:
		rec.Reason = "No variant recorded end-to-end latency (did anything consume?), so no latency objective could be checked and nothing is recommended."
		return rec
	}
	rec.Objective = objective.Microseconds()
	if rec.Objective <= 0 {
		rec.Objective, rec.Derived = DefaultObjectiveFactor*bestP99, true
	}

	// The fastest variant over all, and the fastest within the objective.
	fastest := -1
	for i, v := range vs {
		if v.Result == nil {
			continue
		}
		t := throughputOf(v.Result)
		if fastest < 0 || t > throughputOf(vs[fastest].Result) {
			fastest = i
		}
		l, ok := e2e(v.Result)
		if !ok || l.P99 > rec.Objective {
			continue
		}
		if rec.Best < 0 {
			rec.Best = i
			continue
		}
		bt, bl := throughputOf(vs[rec.Best].Result), mustE2E(vs[rec.Best].Result)
		if t > bt || (t == bt && l.P99 < bl.P99) {
			rec.Best = i
		}
	}
	objText := "the objective of " + formatMillis(rec.Objective) + " ms"
	if rec.Derived {
		objText = fmt.Sprintf("%s ms (%d× the best p99, as no objective was given)", formatMillis(rec.Objective), DefaultObjectiveFactor)
	}
	if rec.Best < 0 {
		low := -1
		for i, v := range vs {
			if v.Result == nil {
				continue
			}
			if l, ok := e2e(v.Result); ok && (low < 0 || l.P99 < mustE2E(vs[low].Result).P99) {
				low = i
			}
		}
		rec.Reason = fmt.Sprintf("No variant kept its end-to-end p99 within %s: the lowest was %s ms, at %s.",
			objText, formatMillis(mustE2E(vs[low].Result).P99), name(low))
	} else {
		b := vs[rec.Best].Result
		rec.Reason = fmt.Sprintf("It gave the highest throughput (%s) of the variants whose end-to-end p99 stayed within %s, with a p99 of %s ms",
			textfmt.Rate(throughputOf(b)), objText, formatMillis(mustE2E(b).P99))
		if fastest != rec.Best {
			f := vs[fastest].Result
			more := throughputOf(f)/throughputOf(b) - 1
			rec.Reason += fmt.Sprintf("; %s was %s faster but its p99 of %s ms broke the objective", name(fastest),
				strings.TrimPrefix(formatChange(more), "+"), formatMillis(mustE2E(f).P99))
		}
		rec.Reason += "."
	}

	// The knee needs an order: one numeric parameter.
	if rec.Parameter == "" {
		return rec
	}
	values, ok := numericValues(vs, rec.Parameter)
	if !ok {
		return rec
	}
	order := make([]int, 0, len(vs))
	for i, v := range vs {
		if v.Result != nil {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case values[a] < values[b]:
			return -1
		case values[a] > values[b]:
			return 1
		}
		return 0
	})
	top := throughputOf(vs[fastest].Result)
	for _, i := range order {
		if throughputOf(vs[i].Result) >= KneeShare*top {
			rec.Knee = i
			break
		}
	}
	if rec.Knee < 0 || top <= 0 {
		rec.Knee = -1
		return rec
	}
	larger := order[len(order)-1]
	switch {
	case rec.Knee == larger && len(order) > 1:
		rec.KneeReason = fmt.Sprintf("Throughput was still growing at the largest value tried (%s): try larger values to find where more %s stops paying.",
			name(rec.Knee), shortKey(rec.Parameter))
	case rec.Knee == fastest:
		rec.KneeReason = fmt.Sprintf("More %s stops paying at %s: it gave the best throughput (%s), and larger values gave less.",
			shortKey(rec.Parameter), name(rec.Knee), textfmt.Rate(top))
	default:
		rec.KneeReason = fmt.Sprintf("More %s stops paying at %s: the smallest value reaching %s of the best throughput (%s, at %s)",
			shortKey(rec.Parameter), name(rec.Knee), formatLimit(KneeShare), textfmt.Rate(top), name(fastest))
		// The knee may be the better choice for a reader who values
		// latency over the last few per cent of throughput.
		if k, b := vs[rec.Knee].Result, rec.Best; b >= 0 && b != rec.Knee {
			if l, ok := e2e(k); ok && l.P99 < mustE2E(vs[b].Result).P99 {
				rec.KneeReason += fmt.Sprintf("; it gives up %s of the recommended throughput for a p99 of %s ms instead of %s ms",
					strings.TrimPrefix(formatChange(1-throughputOf(k)/throughputOf(vs[b].Result)), "+"),
					formatMillis(l.P99), formatMillis(mustE2E(vs[b].Result).P99))
			}
		}
		rec.KneeReason += "."
	}
	return rec
}

// mustE2E is the end-to-end summary of a result known to have one.
func mustE2E(r *results.Result) results.LatencySummary {
	l, _ := e2e(r)
	return l
}

// brokerMaxima are a run's deepest total backlog (ready messages over all
// its queues at one sample) and most unacked messages; unacked is -1
// without the management API.
func brokerMaxima(r *results.Result) (ready, unacked int64, sampled bool) {
	unacked = -1
	if fromManagement(r) {
		unacked = 0
	}
	for _, s := range r.Broker.Samples {
		var rd, un int64
		for _, q := range s.Queues {
			rd += q.Ready
			un += q.Unacked
			sampled = true
		}
		ready = max(ready, rd)
		if unacked >= 0 {
			unacked = max(unacked, un)
		}
	}
	return ready, unacked, sampled
}

// RenderSweep writes the report of a sweep into dir, which must exist:
// sweep.md, one row per variant with links to their run directories, the
// recommendation, and charts of throughput and p99 against the swept
// parameter and of every variant's percentile spectrum. Like Render, it
// draws everything first and writes each file atomically, sweep.md last.
func RenderSweep(dir string, variants []SweepVariant, opts ...SweepOption) error {
	if len(variants) == 0 {
		return errors.New("reports: render sweep: no variants")
	}
	if fi, err := os.Stat(dir); err != nil {
		return fmt.Errorf("reports: render sweep into %s: %w", dir, err)
	} else if !fi.IsDir() {
		return fmt.Errorf("reports: render sweep into %s: not a directory", dir)
	}
	var cfg sweepConfig
	for _, o := range opts {
		o(&cfg)
	}
	rec := Recommend(variants, cfg.objective)
	charts := []struct {
		name string
		draw func([]SweepVariant, Recommendation) (*chart, error)
	}{
		{SweepThroughputFile, sweepThroughputChart},
		{SweepP99File, sweepP99Chart},
		{SweepLatencySpectrumFile, sweepSpectrumChart},
	}
	var files []results.File
	for _, c := range charts {
		ch, err := c.draw(variants, rec)
		if err != nil {
			return fmt.Errorf("reports: render sweep: %s: %w", c.name, err)
		}
		data, err := ch.png()
		if err != nil {
			return fmt.Errorf("reports: render sweep: %s: %w", c.name, err)
		}
		files = append(files, results.File{Name: c.name, Data: data})
	}
	files = append(files, results.File{Name: SweepFile, Data: sweepMarkdown(variants, rec)})
	return writeFiles(dir, files, nil)
}

// firstResult is the first variant that ran, for what all share.
func firstResult(vs []SweepVariant) *results.Result {
	for _, v := range vs {
		if v.Result != nil {
			return v.Result
		}
	}
	return nil
}

func sweepMarkdown(vs []SweepVariant, rec Recommendation) []byte {
	var w mdWriter
	first := firstResult(vs)
	name := "(no variant ran)"
	if first != nil {
		name = scenarioName(first)
	}
	keys := sweptKeys(vs)
	w.linef("# warren sweep: %s", textfmt.EscapeMarkdown(name))
	w.blank()

	// Warnings at the top, as in a run's report: they say a variant's
	// figures understate the broker.
	var warns []string
	for _, v := range vs {
		switch {
		case v.Result == nil:
			why := v.Error
			if why == "" {
				why = "the run failed"
			}
			warns = append(warns, fmt.Sprintf("%s did not complete: %s", code(v.Name), textfmt.EscapeMarkdown(textfmt.OneLine(why))))
		case len(v.Result.Warnings) > 0:
			more := ""
			if n := len(v.Result.Warnings); n > 1 {
				more = fmt.Sprintf(" (and %d more in its report)", n-1)
			}
			warns = append(warns, fmt.Sprintf("%s: %s%s", code(v.Name), textfmt.EscapeMarkdown(textfmt.OneLine(v.Result.Warnings[0])), more))
		}
	}
	for i, warn := range warns {
		if i > 0 {
			w.line(">")
		}
		w.linef("> **Warning:** %s", warn)
	}
	if len(warns) > 0 {
		w.blank()
	}

	if first != nil {
		sc := first.Scenario
		if sc == nil {
			sc = &scenarios.Scenario{}
		}
		w.linef("- **Scenario:** %s", code(name))
		if sc.Description != "" {
			w.linef("- **Description:** %s", textfmt.EscapeMarkdown(textfmt.OneLine(sc.Description)))
		}
	}
	w.linef("- **Swept:** %s (%s, each its own run with fresh queues)", sweptText(vs, keys), textfmt.Plural(len(vs), "variant"))
	if first != nil {
		sc := first.Scenario
		if sc == nil {
			sc = &scenarios.Scenario{}
		}
		w.linef("- **Each run:** %s", durationLine(first, sc))
		if ks := keySettings(sc); ks != "" {
			w.linef("- **Key settings** (of %s): %s", code(vs[slices.IndexFunc(vs, func(v SweepVariant) bool { return v.Result == first })].Name), ks)
		}
		w.linef("- **Started at:** %s", formatTime(first.StartedAt))
		w.linef("- **Broker:** %s", brokerLine(first.Environment))
		w.linef("- **warren:** %s", warrenLine(first.Environment))
	}
	w.blank()

	w.line("## Recommendation")
	w.blank()
	if rec.Best >= 0 {
		w.linef("**Use %s.** %s", code(vs[rec.Best].Name), rec.Reason)
	} else {
		w.line(rec.Reason)
	}
	w.blank()
	if rec.KneeReason != "" {
		w.line(rec.KneeReason)
		w.blank()
	}

	w.line("## Variants")
	w.blank()
	header := []string{"#"}
	align := []byte{'r'}
	for _, k := range keys {
		header = append(header, code(k))
		align = append(align, 'r')
	}
	header = append(header, "Throughput (msg/s)", "p50 (ms)", "p99 (ms)", "p99.9 (ms)", "Confirm p99 (ms)",
		"Max queue depth", "Max unacked", "Lost", "Run")
	align = append(align, 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l')
	t := table{header: header, align: align}
	for i, v := range vs {
		row := []string{strconv.Itoa(i + 1)}
		for _, k := range keys {
			val, ok := v.Params[k]
			if !ok {
				val = "—"
			}
			row = append(row, textfmt.EscapeMarkdown(val))
		}
		row = append(row, variantFigures(v, i, rec)...)
		t.add(row...)
	}
	w.table(t)
	w.blank()
	w.line("Throughput is what the consumers took per second while the publishers ran, after the warm-up, every queue's copy counted (what was published, for a run without consumers): the drain is left out, where a variant whose consumers fell behind catches up. Latencies are end-to-end from the intended send time, over each run after its warm-up. Queue depth is the ready messages over all queues at one sample, from the broker.")
	w.blank()

	w.linef("![Throughput against %s](%s)", axisName(vs, keys), SweepThroughputFile)
	w.blank()
	w.linef("![End-to-end latency against %s](%s)", axisName(vs, keys), SweepP99File)
	w.blank()
	w.linef("![End-to-end latency by percentile, one curve per variant](%s)", SweepLatencySpectrumFile)
	w.blank()
	return []byte(w.String())
}

// sweptText lists the swept parameters and their values, in variant order.
func sweptText(vs []SweepVariant, keys []string) string {
	var parts []string
	for _, k := range keys {
		var vals []string
		for _, v := range vs {
			if val, ok := v.Params[k]; ok {
				vals = appendNew(vals, val)
			}
		}
		parts = append(parts, code(k)+" over "+textfmt.EscapeMarkdown(strings.Join(vals, ", ")))
	}
	if len(parts) == 0 {
		return "nothing (one variant)"
	}
	return strings.Join(parts, "; ")
}

// axisName is what the sweep charts' x axis shows.
func axisName(vs []SweepVariant, keys []string) string {
	if len(keys) == 1 && keys[0] != "variant" {
		return keys[0]
	}
	return "variant"
}

// variantFigures are a variant's cells from throughput on.
func variantFigures(v SweepVariant, i int, rec Recommendation) []string {
	if v.Result == nil {
		return []string{"failed", "—", "—", "—", "—", "—", "—", "—", runLink(v)}
	}
	r := v.Result
	through := formatRateCell(throughputOf(r))
	if i == rec.Best {
		through = "**" + through + "** (recommended)"
	}
	if i == rec.Knee && i != rec.Best {
		through += " (knee)"
	} else if i == rec.Knee {
		through = strings.TrimSuffix(through, ")") + ", knee)"
	}
	p50, p99, p999 := "—", "—", "—"
	if l, ok := e2e(r); ok {
		p50, p99, p999 = formatMillis(l.P50), formatMillis(l.P99), formatMillis(l.P999)
		if l.P99 > rec.Objective && rec.Objective > 0 {
			p99 += " (over)"
		}
	}
	confirm := "—"
	if l, ok := r.Latency[results.MetricConfirm]; ok && l.Count > 0 {
		confirm = formatMillis(l.P99)
	}
	depth, unacked := "—", "—"
	if d, u, ok := brokerMaxima(r); ok {
		depth = textfmt.Count(d)
		if u >= 0 {
			unacked = textfmt.Count(u)
		}
	}
	return []string{through, p50, p99, p999, confirm, depth, unacked, flagCount(r.Integrity.Lost), runLink(v)}
}

// runLink links a variant's run report.
func runLink(v SweepVariant) string {
	// A failed run leaves no directory behind.
	if v.Dir == "" || v.Result == nil {
		return "—"
	}
	target := path.Join(v.Dir, results.ReportFile)
	// Escape what a link destination cannot hold bare, keeping the path's
	// slashes.
	u := url.URL{Path: target}
	return "[" + textfmt.EscapeMarkdown(v.Dir) + "](" + u.EscapedPath() + ")"
}

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
		if v.Result == nil {
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
	c.legend = append(c.legend, legendItem{label: fmt.Sprintf("knee (%s of best)", formatLimit(KneeShare)), thumbs: []plot.Thumbnailer{l}})
	return nil
}

func sweepTitle(vs []SweepVariant, what string) string {
	if r := firstResult(vs); r != nil {
		return scenarioName(r) + " — " + what
	}
	return what
}

// sweepThroughputChart draws throughput against the swept parameter, the
// recommended variant ringed and the knee marked.
func sweepThroughputChart(vs []SweepVariant, rec Recommendation) (*chart, error) {
	const yLabel = "Messages per second"
	ax := newSweepAxis(vs)
	title := sweepTitle(vs, "throughput by "+axisName(vs, sweptKeys(vs)))
	if firstResult(vs) == nil {
		return noDataChart(title, ax.label, yLabel, "No data: no variant ran to completion"), nil
	}
	c := newChart(title, ax.label, yLabel)
	c.addGrid()
	var consumed, published plotter.XYs
	anyConsumers := false
	var ymax float64
	for i, v := range vs {
		if v.Result == nil {
			continue
		}
		r := v.Result
		if hasConsumers(r) {
			anyConsumers = true
			consumed = append(consumed, plotter.XY{X: ax.x[i], Y: consumeRate(r)})
			ymax = max(ymax, consumeRate(r))
		}
		published = append(published, plotter.XY{X: ax.x[i], Y: r.Summary.PublishRate})
		ymax = max(ymax, r.Summary.PublishRate)
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
		if err := c.addMarkedLine(ax, "consumed while publishing (all queues)", solid(colourGreen, 2.2), consumed); err != nil {
			return nil, err
		}
	}
	if rec.Best >= 0 {
		if err := c.addRecommended(ax.x[rec.Best], throughputOf(vs[rec.Best].Result)); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// sweepP99Chart draws end-to-end p50, p99 and p99.9 against the swept
// parameter, with the objective and the recommended variant.
func sweepP99Chart(vs []SweepVariant, rec Recommendation) (*chart, error) {
	ax := newSweepAxis(vs)
	title := sweepTitle(vs, "end-to-end latency by "+axisName(vs, sweptKeys(vs)))
	yLabel := "Latency (ms)"
	var p50, p99, p999 plotter.XYs
	lo, hi := math.Inf(1), 0.0
	for i, v := range vs {
		if v.Result == nil {
			continue
		}
		l, ok := e2e(v.Result)
		if !ok {
			continue
		}
		p50 = append(p50, plotter.XY{X: ax.x[i], Y: float64(l.P50) / 1000})
		p99 = append(p99, plotter.XY{X: ax.x[i], Y: float64(l.P99) / 1000})
		p999 = append(p999, plotter.XY{X: ax.x[i], Y: float64(l.P999) / 1000})
		if l.P50 > 0 {
			lo = min(lo, float64(l.P50)/1000)
		}
		hi = max(hi, float64(l.P999)/1000)
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
	ring := plotter.XYs{}
	if rec.Best >= 0 {
		ring = plotter.XYs{{X: ax.x[rec.Best], Y: float64(mustE2E(vs[rec.Best].Result).P99) / 1000}}
	}
	if lo > 0 && hi/lo > comparisonLogAbove {
		useLogScale(&c.p.Y, lo, hi, []plotter.XYs{p50, p99, p999, objLine, ring})
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
	if err := c.addMarkedLine(ax, "p99", solid(colourVermillion, 2.4), p99); err != nil {
		return nil, err
	}
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
// variant.
func sweepSpectrumChart(vs []SweepVariant, _ Recommendation) (*chart, error) {
	keys := sweptKeys(vs)
	var curves []spectrumCurve
	for i, v := range vs {
		if v.Result == nil {
			continue
		}
		h, err := v.Result.Histogram(results.MetricEndToEnd)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", v.Name, err)
		}
		curves = append(curves, spectrumCurve{label: variantLabel(v, keys), style: sweepStyle(i), h: h})
	}
	return spectrumChart(sweepTitle(vs, "end-to-end latency by percentile"),
		"No data: no variant recorded end-to-end latency", comparisonLogAbove, curves), nil
}
