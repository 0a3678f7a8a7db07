package reports

import (
	"fmt"
	"image/color"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/results"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// Names of the broker charts. Unlike the other charts they are written only
// when the run has data for them: a result from before the monitor existed,
// or a run without the management API, has none to show.
const (
	QueueDepthChartFile   = "queue-depth.png"
	ConsumerLagChartFile  = "consumer-lag.png"
	BrokerMemoryChartFile = "broker-memory.png"
)

const (
	// maxQueueLinesPerChart bounds the queues drawn one by one; beyond it
	// the deepest few are drawn and the rest summed into one line.
	maxQueueLinesPerChart = 6
	// alarmHalfWidthSeconds is how far either side of a sample an alarm it
	// reports is drawn: samples are a second apart.
	alarmHalfWidthSeconds = 0.5
	// memoryZoomShare is the share of the high watermark below which the
	// memory chart leaves the watermark off its scale.
	memoryZoomShare = 0.25
	// minQueueDepthAxis keeps the depth axis of queues that stayed empty
	// at whole messages (0, 2, 4…, not 0, 0.2, 0.4…).
	minQueueDepthAxis = 10
)

// Kinds of shaded interval, in the order a legend lists them.
const (
	shadeBlocked     = "publishers blocked"
	shadeMemoryAlarm = "memory alarm"
	shadeDiskAlarm   = "disk alarm"
	shadeOutage      = "connection lost"
)

// interval is a stretch of the run, in seconds since its start.
type interval struct {
	from, to float64
}

// shading is a kind of interval to shade on the broker charts.
type shading struct {
	kind      string
	intervals []interval
	// sampled says the intervals run from the first to the last sample
	// that saw the condition: drawn half a second wider either side, and
	// told as sample times.
	sampled bool
}

// shadeColour gives each kind of interval a translucent colour, so that
// overlapping intervals (a memory alarm blocks publishers) both show.
func shadeColour(kind string) color.Color {
	switch kind {
	case shadeBlocked:
		return color.NRGBA{R: 0x7F, G: 0x7F, B: 0x7F, A: 0x40}
	case shadeMemoryAlarm:
		return color.NRGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0x40}
	case shadeDiskAlarm:
		return color.NRGBA{R: 0xCC, G: 0x79, B: 0xA7, A: 0x48}
	case shadeOutage:
		return color.NRGBA{R: 0xE0, G: 0x20, B: 0x20, A: 0x30}
	}
	return color.NRGBA{R: 0x7F, G: 0x7F, B: 0x7F, A: 0x38}
}

func sortedSamples(in []results.BrokerSample) []results.BrokerSample {
	s := slices.Clone(in)
	slices.SortStableFunc(s, func(a, b results.BrokerSample) int { return a.T - b.T })
	return s
}

// runEnd is the last second the result knows anything about.
func runEnd(r *results.Result) float64 {
	var end float64
	for _, s := range r.Series {
		end = max(end, float64(s.T))
	}
	for _, s := range r.Broker.Samples {
		end = max(end, float64(s.T))
	}
	if !r.StartedAt.IsZero() && r.EndedAt.After(r.StartedAt) {
		end = max(end, r.EndedAt.Sub(r.StartedAt).Seconds())
	}
	return end
}

// blockedIntervals pairs the run's blocked and unblocked events. Several
// connections may be blocked at once, so the publishers count as blocked
// while more blocks than unblocks have been seen; a block never lifted
// lasts to the end of the run.
func blockedIntervals(r *results.Result) []interval {
	if r.StartedAt.IsZero() {
		return nil
	}
	events := slices.Clone(r.Events)
	sort.SliceStable(events, func(i, j int) bool { return events[i].At.Before(events[j].At) })
	var out []interval
	depth := 0
	var from float64
	for _, e := range events {
		t := max(e.At.Sub(r.StartedAt).Seconds(), 0)
		switch e.Kind {
		case results.EventBlocked:
			if depth == 0 {
				from = t
			}
			depth++
		case results.EventUnblocked:
			if depth == 0 {
				continue // an unblock of a block from before the run
			}
			depth--
			if depth == 0 {
				out = append(out, interval{from, t})
			}
		}
	}
	if depth > 0 {
		out = append(out, interval{from, max(runEnd(r), from)})
	}
	return out
}

// outageIntervals merges the times any connection was down (a broker
// restart drops them all at once) into intervals; an outage that never
// ended lasts to the end of the run.
func outageIntervals(r *results.Result) []interval {
	if r.StartedAt.IsZero() || len(r.Outages) == 0 {
		return nil
	}
	var ivs []interval
	for _, o := range r.Outages {
		from := max(o.Start.Sub(r.StartedAt).Seconds(), 0)
		to := runEnd(r)
		if !o.End.IsZero() {
			to = o.End.Sub(r.StartedAt).Seconds()
		}
		ivs = append(ivs, interval{from, max(to, from)})
	}
	slices.SortFunc(ivs, func(a, b interval) int {
		switch {
		case a.from < b.from:
			return -1
		case a.from > b.from:
			return 1
		}
		return 0
	})
	out := ivs[:1]
	for _, iv := range ivs[1:] {
		if last := &out[len(out)-1]; iv.from <= last.to {
			last.to = max(last.to, iv.to)
			continue
		}
		out = append(out, iv)
	}
	return out
}

// alarmIntervals finds the runs of consecutive samples in which the broker
// reported an alarm, from the first sample's second to the last's.
func alarmIntervals(samples []results.BrokerSample, on func(results.BrokerSample) bool) []interval {
	var out []interval
	for i, s := range samples {
		if !on(s) {
			continue
		}
		t := float64(s.T)
		if n := len(out); n > 0 && i > 0 && on(samples[i-1]) {
			out[n-1].to = t
			continue
		}
		out = append(out, interval{t, t})
	}
	return out
}

// shadings lists what the broker charts shade, kinds without intervals
// left out.
func shadings(r *results.Result) []shading {
	samples := sortedSamples(r.Broker.Samples)
	all := []shading{
		{shadeBlocked, blockedIntervals(r), false},
		{shadeMemoryAlarm, alarmIntervals(samples, func(s results.BrokerSample) bool { return s.MemoryAlarm }), true},
		{shadeDiskAlarm, alarmIntervals(samples, func(s results.BrokerSample) bool { return s.DiskAlarm }), true},
		{shadeOutage, outageIntervals(r), false},
	}
	var out []shading
	for _, s := range all {
		if len(s.intervals) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// addShading shades the intervals, one legend entry per kind; call it
// before the grid and the data so both stay on top.
func (c *chart) addShading(sh []shading, xmax float64) {
	for _, s := range sh {
		col := shadeColour(s.kind)
		for _, iv := range s.intervals {
			if s.sampled {
				// A sample says the alarm was on at that second only.
				iv = interval{max(iv.from-alarmHalfWidthSeconds, 0), iv.to + alarmHalfWidthSeconds}
			}
			c.p.Add(span{from: iv.from, to: min(iv.to, xmax), colour: col})
		}
		c.legend = append(c.legend, legendItem{label: s.kind, thumbs: []plot.Thumbnailer{span{colour: col}}})
	}
}

// queueStats sums up one queue's samples.
type queueStats struct {
	name                         string
	samples                      int
	minConsumers, maxConsumers   int
	maxReady, readyAtEnd         int64
	maxReadyAt                   int
	maxUnacked                   int64
	maxLag                       float64
	maxLagAt                     int
	maxTotal                     int64 // ready + unacked, for choosing which queues to draw
	seenConsumers, seenUnackedOK bool
}

// queueStatistics sums up each sampled queue, in the order the monitor
// lists them (the scenario's).
func queueStatistics(samples []results.BrokerSample) []*queueStats {
	var order []*queueStats
	byName := map[string]*queueStats{}
	for _, s := range samples {
		for _, q := range s.Queues {
			st := byName[q.Queue]
			if st == nil {
				st = &queueStats{name: q.Queue, minConsumers: q.Consumers, maxConsumers: q.Consumers}
				byName[q.Queue] = st
				order = append(order, st)
			}
			st.samples++
			st.minConsumers = min(st.minConsumers, q.Consumers)
			st.maxConsumers = max(st.maxConsumers, q.Consumers)
			if q.Ready > st.maxReady {
				st.maxReady, st.maxReadyAt = q.Ready, s.T
			}
			st.readyAtEnd = q.Ready
			st.maxUnacked = max(st.maxUnacked, q.Unacked)
			st.maxTotal = max(st.maxTotal, q.Ready+q.Unacked)
			if q.LagSeconds > st.maxLag {
				st.maxLag, st.maxLagAt = q.LagSeconds, s.T
			}
		}
	}
	return order
}

// hasQueueSamples says whether the monitor sampled any queue.
func hasQueueSamples(r *results.Result) bool {
	for _, s := range r.Broker.Samples {
		if len(s.Queues) > 0 {
			return true
		}
	}
	return false
}

// hasMemorySamples says whether the management API reported node memory.
func hasMemorySamples(r *results.Result) bool {
	for _, s := range r.Broker.Samples {
		if s.MemoryUsed > 0 {
			return true
		}
	}
	return false
}

// fromManagement says whether the samples carry the management API's
// figures (unacked counts, memory, alarms).
func fromManagement(r *results.Result) bool {
	return r.Broker.Source == results.SourceManagement
}

func writeBroker(w *mdWriter, r *results.Result) {
	w.line("## Broker")
	w.blank()
	b := r.Broker
	if len(b.Samples) == 0 {
		w.line("The broker was not sampled during this run: no queue depth or broker memory to show.")
		w.blank()
		return
	}
	switch b.Source {
	case results.SourceManagement:
		where := ""
		if b.ManagementURI != "" {
			where = " at " + code(b.ManagementURI)
		}
		w.linef("Sampled once a second: ready counts and consumers by passive queue.declare (exact at each sample), unacked counts, memory and alarms from the management API%s (which the broker refreshes only every few seconds).", where)
	case results.SourcePassive:
		w.line("Sampled once a second by passive queue.declare only: **the management API was unreachable**, so unacked counts, broker memory and alarms were not sampled, and the queue chart shows ready messages only.")
	default:
		w.linef("Sampled once a second (source %s).", code(b.Source))
	}
	w.blank()

	samples := sortedSamples(b.Samples)
	stats := queueStatistics(samples)
	if len(stats) > 0 {
		mgmt := fromManagement(r)
		header := []string{"Queue", "Consumers", "Max ready", "Ready at end"}
		align := []byte{'l', 'r', 'r', 'r'}
		if mgmt {
			header = append(header, "Max unacked")
			align = append(align, 'r')
		}
		header = append(header, "Max consumer lag")
		align = append(align, 'r')
		t := table{header: header, align: align}
		for _, st := range stats {
			consumers := strconv.Itoa(st.minConsumers)
			if st.maxConsumers != st.minConsumers {
				consumers += "–" + strconv.Itoa(st.maxConsumers)
			}
			maxReady := textfmt.Count(st.maxReady)
			if st.maxReady > 0 {
				maxReady += " at +" + strconv.Itoa(st.maxReadyAt) + "s"
			}
			row := []string{code(st.name), consumers, maxReady, textfmt.Count(st.readyAtEnd)}
			if mgmt {
				row = append(row, textfmt.Count(st.maxUnacked))
			}
			row = append(row, lagText(st))
			t.add(row...)
		}
		w.table(t)
		w.blank()
		if slices.ContainsFunc(stats, func(st *queueStats) bool { return st.maxConsumers > 0 }) {
			w.line("Consumer lag is a queue's ready messages divided by the messages warren's consumers took from it in that second: how long a message arriving then would wait.")
			w.blank()
		}
	}

	for _, s := range shadings(r) {
		w.line(shadingText(s))
		w.blank()
	}
	if hasMemorySamples(r) {
		w.line(memoryText(samples))
		w.blank()
	}
	if hasQueueSamples(r) {
		w.linef("![Queue depth](%s)", QueueDepthChartFile)
		w.blank()
	}
	if hasLag(r) {
		w.linef("![Consumer lag](%s)", ConsumerLagChartFile)
		w.blank()
	}
	if hasMemorySamples(r) {
		w.linef("![Broker memory](%s)", BrokerMemoryChartFile)
		w.blank()
	}
}

func lagText(st *queueStats) string {
	switch {
	case st.maxLag > 0:
		return textfmt.Seconds(st.maxLag) + " at +" + strconv.Itoa(st.maxLagAt) + "s"
	case st.maxConsumers == 0 && st.maxReady > 0:
		return "no consumers"
	case st.maxReady == 0:
		return "0 s (never a backlog)"
	}
	// A backlog while nothing was consumed: the lag is unbounded, and the
	// monitor records none.
	return "unknown (nothing consumed while backed up)"
}

// shadingText says when the publishers were blocked or an alarm was on.
func shadingText(s shading) string {
	var total float64
	spans := make([]string, len(s.intervals))
	for i, iv := range s.intervals {
		total += iv.to - iv.from
		switch {
		case !s.sampled:
			spans[i] = fmt.Sprintf("+%.1fs to +%.1fs", iv.from, iv.to)
		case iv.from == iv.to:
			spans[i] = fmt.Sprintf("+%.0fs", iv.from)
		default:
			spans[i] = fmt.Sprintf("+%.0fs to +%.0fs", iv.from, iv.to)
		}
	}
	what := strings.Join(spans, ", ")
	switch s.kind {
	case shadeBlocked:
		return fmt.Sprintf("**Publishers were blocked** by the broker (connection.blocked) for %.1f s in all: %s.", total, what)
	case shadeMemoryAlarm:
		return fmt.Sprintf("**The memory alarm was on** in the samples at %s.", what)
	case shadeDiskAlarm:
		return fmt.Sprintf("**The disk alarm was on** in the samples at %s.", what)
	case shadeOutage:
		return fmt.Sprintf("**Connections to the broker were lost** for %.1f s in all: %s; warren reconnected and carried on.", total, what)
	}
	return fmt.Sprintf("%s: %s.", s.kind, what)
}

// memoryText gives the node's memory peak against its high watermark.
func memoryText(samples []results.BrokerSample) string {
	var peak results.BrokerSample
	var limit int64
	for _, s := range samples {
		if s.MemoryUsed > peak.MemoryUsed {
			peak = s
		}
		limit = max(limit, s.MemoryLimit)
	}
	text := fmt.Sprintf("Broker memory peaked at %s at +%ds", textfmt.Bytes(peak.MemoryUsed), peak.T)
	if peak.MemoryLimit > 0 {
		text += fmt.Sprintf(", %s of the high watermark (%s), above which the broker blocks publishers.",
			formatPercent(float64(peak.MemoryUsed)/float64(peak.MemoryLimit)), textfmt.Bytes(peak.MemoryLimit))
	} else if limit > 0 {
		text += fmt.Sprintf("; the high watermark was %s.", textfmt.Bytes(limit))
	} else {
		text += "; the high watermark is unknown."
	}
	return text
}

// queueColour is the colour of the i-th queue's lines; vermillion is left
// to the memory alarm's shading and the high watermark.
func queueColour(i int) uint32 {
	colours := []uint32{colourBlue, colourGreen, colourOrange, colourPurple, colourSky, 0x000000}
	return colours[i%len(colours)]
}

// queueLine is one line of a per-queue chart: a queue, or the sum of the
// queues past the most a chart can show.
type queueLine struct {
	label  string
	colour uint32
	member func(string) bool
}

// queueLines picks the queues a chart draws: all of them, or the deepest
// ones and one line for the rest, since too many lines are unreadable.
func queueLines(stats []*queueStats) []queueLine {
	// Too many lines are unreadable: draw the deepest queues and sum the
	// others into one line.
	drawn := slices.Clone(stats)
	var others map[string]bool
	if len(drawn) > maxQueueLinesPerChart {
		slices.SortStableFunc(drawn, func(a, b *queueStats) int {
			switch {
			case a.maxTotal > b.maxTotal:
				return -1
			case a.maxTotal < b.maxTotal:
				return 1
			}
			return 0
		})
		others = map[string]bool{}
		for _, st := range drawn[maxQueueLinesPerChart-1:] {
			others[st.name] = true
		}
		drawn = drawn[:maxQueueLinesPerChart-1]
		// Keep the scenario's order among the ones drawn.
		slices.SortStableFunc(drawn, func(a, b *queueStats) int {
			return slices.Index(stats, a) - slices.Index(stats, b)
		})
	}

	var lines []queueLine
	for i, st := range drawn {
		name := st.name
		lines = append(lines, queueLine{name, queueColour(i), func(q string) bool { return q == name }})
	}
	if len(others) > 0 {
		lines = append(lines, queueLine{fmt.Sprintf("%d other queues (summed)", len(others)), queueColour(len(drawn)),
			func(q string) bool { return others[q] }})
	}

	return lines
}

// queueDepthChart draws each queue's ready (and, from the management API,
// unacked) messages over the run, with the blocked and alarm intervals
// shaded. It returns nil when no queue was sampled.
func queueDepthChart(r *results.Result) (*chart, error) {
	if !hasQueueSamples(r) {
		return nil, nil
	}
	samples := sortedSamples(r.Broker.Samples)
	stats := queueStatistics(samples)
	mgmt := fromManagement(r)

	lines := queueLines(stats)

	// series sums, per sample, a figure over the queues a line stands for.
	var ymax float64
	series := func(l queueLine, figure func(results.QueueSample) int64) plotter.XYs {
		var pts plotter.XYs
		for _, s := range samples {
			var v int64
			found := false
			for _, q := range s.Queues {
				if l.member(q.Queue) {
					v += figure(q)
					found = true
				}
			}
			if found {
				pts = append(pts, plotter.XY{X: float64(s.T), Y: float64(v)})
				ymax = max(ymax, float64(v))
			}
		}
		return pts
	}
	ready := func(q results.QueueSample) int64 { return q.Ready }
	unacked := func(q results.QueueSample) int64 { return q.Unacked }

	// Unacked lines are worth drawing only when something was unacked.
	withUnacked := false
	if mgmt {
		for _, l := range lines {
			if slices.ContainsFunc(series(l, unacked), func(p plotter.XY) bool { return p.Y > 0 }) {
				withUnacked = true
			}
		}
	}
	yLabel := "Ready messages"
	if withUnacked {
		yLabel = "Messages"
	}
	c := newChart(chartTitle(r, "queue depth"), "Time since start (s)", yLabel)
	xmax := runEnd(r)
	c.timeAxis(xmax)
	c.addShading(shadings(r), xmax)
	c.addGrid()
	if withUnacked {
		// One legend entry per queue (its colour) and one per figure (the
		// line's dash) keeps the legend short.
		c.legend = append(c.legend,
			legendItem{label: "ready", thumbs: []plot.Thumbnailer{&plotter.Line{LineStyle: solid(0x333333, 2)}}},
			legendItem{label: "unacked", thumbs: []plot.Thumbnailer{&plotter.Line{LineStyle: dashed(0x333333, 1.6)}}})
	}
	for _, l := range lines {
		before := len(c.legend)
		if _, err := c.addLine(l.label, solid(l.colour, 2), []plotter.XYs{series(l, ready)}); err != nil {
			return nil, err
		}
		if withUnacked {
			if _, err := c.addLine(l.label, dashed(l.colour, 1.6), []plotter.XYs{series(l, unacked)}); err != nil {
				return nil, err
			}
			c.legend = c.legend[:before+1]
		}
	}
	c.p.X.Min, c.p.X.Max = 0, xmax
	c.p.Y.Min, c.p.Y.Max = 0, max(niceCeiling(ymax), minQueueDepthAxis)
	return c, nil
}

// brokerMemoryChart draws the node's memory over the run against its high
// watermark, with alarm and blocked intervals shaded. It returns nil when
// the management API reported no memory.
//
// When the peak stays far below the watermark, drawing both on one scale
// would flatten the memory line along the bottom; the chart then keeps to
// the memory's own scale and says in the legend where the watermark is.
func brokerMemoryChart(r *results.Result) (*chart, error) {
	if !hasMemorySamples(r) {
		return nil, nil
	}
	samples := sortedSamples(r.Broker.Samples)
	var peak, limit int64
	for _, s := range samples {
		peak = max(peak, s.MemoryUsed)
		limit = max(limit, s.MemoryLimit)
	}
	onScale := limit > 0 && float64(peak) >= memoryZoomShare*float64(limit)
	top := peak
	if onScale {
		top = limit
	}
	unit, div := byteAxis(float64(top))
	c := newChart(chartTitle(r, "broker memory"), "Time since start (s)", "Memory ("+unit+")")
	xmax := runEnd(r)
	c.timeAxis(xmax)
	c.addShading(shadings(r), xmax)
	c.addGrid()

	var used, wm plotter.XYs
	var lastLimit int64
	for _, s := range samples {
		if s.MemoryUsed > 0 {
			used = append(used, plotter.XY{X: float64(s.T), Y: float64(s.MemoryUsed) / div})
		}
		if s.MemoryLimit > 0 {
			wm = append(wm, plotter.XY{X: float64(s.T), Y: float64(s.MemoryLimit) / div})
			lastLimit = s.MemoryLimit
		}
	}
	style := dashed(colourVermillion, 1.8)
	switch {
	case len(wm) > 0 && onScale:
		// The watermark rarely changes: draw it across the whole chart.
		wm[0].X = 0
		wm = append(wm, plotter.XY{X: xmax, Y: wm[len(wm)-1].Y})
		if _, err := c.addLine("high watermark ("+textfmt.Bytes(lastLimit)+")", style, []plotter.XYs{wm}); err != nil {
			return nil, err
		}
	case len(wm) > 0:
		c.legend = append(c.legend, legendItem{
			label:  fmt.Sprintf("high watermark %s, above this scale (peak use %s of it)", textfmt.Bytes(lastLimit), formatPercent(float64(peak)/float64(limit))),
			thumbs: []plot.Thumbnailer{&plotter.Line{LineStyle: style}},
		})
	}
	if _, err := c.addLine("memory used", solid(colourBlue, 2.2), []plotter.XYs{used}); err != nil {
		return nil, err
	}
	c.p.X.Min, c.p.X.Max = 0, xmax
	c.p.Y.Min, c.p.Y.Max = 0, niceCeiling(float64(top)/div)
	return c, nil
}

// hasLag tells whether any queue had a consumer lag: a backlog while its
// consumers were taking messages.
func hasLag(r *results.Result) bool {
	for _, s := range r.Broker.Samples {
		for _, q := range s.Queues {
			if q.LagSeconds > 0 {
				return true
			}
		}
	}
	return false
}

// consumerLagChart draws each queue's consumer lag over the run: its ready
// messages over what warren's consumers took from it in that second, how
// long a message arriving then would wait. A line of summed queues shows
// the largest lag among them. It returns nil when no queue lagged.
func consumerLagChart(r *results.Result) (*chart, error) {
	if !hasLag(r) {
		return nil, nil
	}
	samples := sortedSamples(r.Broker.Samples)
	c := newChart(chartTitle(r, "consumer lag"), "Time since start (s)", "Consumer lag (s)")
	xmax := runEnd(r)
	c.timeAxis(xmax)
	c.addShading(shadings(r), xmax)
	c.addGrid()
	var ymax float64
	for _, l := range queueLines(queueStatistics(samples)) {
		var pts plotter.XYs
		for _, s := range samples {
			v, found := 0.0, false
			for _, q := range s.Queues {
				if l.member(q.Queue) {
					v, found = max(v, q.LagSeconds), true
				}
			}
			if found {
				pts = append(pts, plotter.XY{X: float64(s.T), Y: v})
				ymax = max(ymax, v)
			}
		}
		if _, err := c.addLine(l.label, solid(l.colour, 2), []plotter.XYs{downsample(pts, maxChartPoints)}); err != nil {
			return nil, err
		}
	}
	c.p.X.Min, c.p.X.Max = 0, xmax
	c.p.Y.Min, c.p.Y.Max = 0, niceCeiling(ymax)
	return c, nil
}
