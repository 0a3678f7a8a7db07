package reports

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// Names of the files Render writes.
const (
	LatencyChartFile    = "latency.png"
	ThroughputChartFile = "throughput.png"
	LatencyOverTimeFile = "latency-over-time.png"
)

// markdown renders the report's text. It reads nothing but r: the same
// result always yields the same bytes.
func markdown(r *results.Result) []byte {
	var w mdWriter
	sc := r.Scenario
	if sc == nil {
		sc = &scenarios.Scenario{}
	}

	w.linef("# warren run: %s", textfmt.EscapeMarkdown(scenarioName(r)))
	w.blank()
	writeVerdicts(&w, r)
	if len(r.Warnings) > 0 {
		for i, warn := range r.Warnings {
			if i > 0 {
				w.line(">")
			}
			w.linef("> **Warning:** %s", textfmt.EscapeMarkdown(textfmt.OneLine(warn)))
		}
		w.blank()
	}
	writeHeader(&w, r, sc)
	writeKeyWindows(&w, r)
	writeSettings(&w, sc)
	writeSummary(&w, r)
	writeLatency(&w, r)
	writeBroker(&w, r)
	writeSizingCheck(&w, r)
	writeIntegrity(&w, r)
	writeEvents(&w, r)
	return []byte(w.String())
}

func scenarioName(r *results.Result) string {
	if r.Scenario != nil && r.Scenario.Name != "" {
		return r.Scenario.Name
	}
	return "(unnamed scenario)"
}

func writeHeader(w *mdWriter, r *results.Result, sc *scenarios.Scenario) {
	env := r.Environment
	w.linef("- **Scenario:** %s", code(scenarioName(r)))
	if sc.Description != "" {
		w.linef("- **Description:** %s", textfmt.EscapeMarkdown(textfmt.OneLine(sc.Description)))
	}
	if r.ID != "" {
		w.linef("- **Run id:** %s", code(r.ID))
	}
	w.linef("- **Started at:** %s", formatTime(r.StartedAt))
	w.linef("- **Duration:** %s", durationLine(r, sc))
	if ks := keySettings(sc); ks != "" {
		w.linef("- **Key settings:** %s", ks)
	}
	w.linef("- **Broker:** %s", brokerLine(env))
	if env.BrokerURI != "" {
		w.linef("- **Broker URI:** %s", code(scenarios.RedactURI(env.BrokerURI)))
	}
	w.linef("- **warren:** %s", warrenLine(env))
	if env.InstanceID != "" {
		w.linef("- **Instance id:** %s", code(env.InstanceID))
	}
	if g := generatorLine(r.Generator, env.CPUs); g != "" {
		w.linef("- **Generator:** %s", g)
	}
	w.blank()
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format(time.RFC3339)
}

func durationLine(r *results.Result, sc *scenarios.Scenario) string {
	d := r.Duration
	if d == 0 {
		d = sc.Run.Duration
	}
	s := d.String() + " of publishing"
	if sc.Run.WarmUp > 0 {
		s += fmt.Sprintf(" (the first %s is warm-up, left out of the latency figures)", sc.Run.WarmUp)
	}
	if sc.Run.Drain > 0 {
		s += fmt.Sprintf(", then up to %s of drain", sc.Run.Drain)
	}
	return s
}

func brokerLine(env results.Environment) string {
	product := env.BrokerProduct
	if product == "" {
		product = "unknown broker"
	}
	s := textfmt.EscapeMarkdown(strings.TrimSpace(product + " " + env.BrokerVersion))
	if env.BrokerNode != "" {
		s += " on " + code(env.BrokerNode)
	}
	return s
}

func warrenLine(env results.Environment) string {
	v := env.WarrenVersion
	if v == "" {
		v = "unknown version"
	}
	var parts []string
	if env.GoVersion != "" {
		parts = append(parts, env.GoVersion)
	}
	if env.OS != "" || env.Arch != "" {
		parts = append(parts, env.OS+"/"+env.Arch)
	}
	if env.CPUs > 0 {
		parts = append(parts, textfmt.Plural(env.CPUs, "CPU"))
	}
	s := textfmt.EscapeMarkdown(v)
	if len(parts) > 0 {
		s += " (" + textfmt.EscapeMarkdown(strings.Join(parts, ", ")) + ")"
	}
	return s
}

func writeSettings(w *mdWriter, sc *scenarios.Scenario) {
	w.line("## Settings")
	w.blank()

	w.line("### Exchanges")
	w.blank()
	if len(sc.Topology.Exchanges) == 0 {
		w.line("None declared (publishers use the default exchange).")
	} else {
		t := table{header: []string{"Exchange", "Type", "Durable"}}
		for _, e := range sc.Topology.Exchanges {
			t.add(code(e.Name), textfmt.EscapeMarkdown(e.Type), yesNo(e.Durable))
		}
		w.table(t)
	}
	w.blank()

	w.line("### Queues")
	w.blank()
	if len(sc.Topology.Queues) == 0 {
		w.line("None declared.")
	} else {
		t := table{header: []string{"Queue", "Type", "Durable", "Arguments"}}
		for _, q := range sc.Topology.Queues {
			typ := q.Type
			if typ == "" {
				typ = scenarios.QueueClassic
			}
			t.add(code(q.Name), textfmt.EscapeMarkdown(typ), yesNo(q.Durable), queueArguments(q))
		}
		w.table(t)
	}
	w.blank()

	if len(sc.Topology.Bindings) > 0 {
		w.line("### Bindings")
		w.blank()
		t := table{header: []string{"From exchange", "To", "Key"}}
		for _, b := range sc.Topology.Bindings {
			to := code(b.Queue)
			if b.ToExchange != "" {
				to = "exchange " + code(b.ToExchange)
			}
			key := code(b.Key)
			if len(b.Headers) > 0 {
				key = "headers " + textfmt.EscapeMarkdown(b.Match) + ": " + sortedPairs(b.Headers)
			} else if b.Key == "" {
				key = "—"
			}
			t.add(code(b.Exchange), to, key)
		}
		w.table(t)
		w.blank()
	}

	w.line("### Publishers")
	w.blank()
	if len(sc.Publishers) == 0 {
		w.line("None.")
	} else {
		t := table{
			header: []string{"Group", "Count", "Exchange", "Rate (group total)", "Size", "Persistent", "Confirm window"},
			align:  []byte{'l', 'r', 'l', 'r', 'r', 'l', 'r'},
		}
		for _, p := range sc.Publishers {
			window := "no confirms"
			if p.Confirm {
				window = textfmt.Count(int64(p.ConfirmWindow))
			}
			t.add(textfmt.EscapeMarkdown(p.Name), textfmt.Count(int64(p.Count)), code(p.Exchange),
				rateText(p.Rate), p.Size.String(), yesNo(p.Persistent), window)
		}
		w.table(t)
	}
	w.blank()

	w.line("### Consumers")
	w.blank()
	if len(sc.Consumers) == 0 {
		w.line("None.")
	} else {
		t := table{
			header: []string{"Group", "Count", "Queue", "Prefetch", "Ack mode", "Processing time"},
			align:  []byte{'l', 'r', 'l', 'r', 'l', 'r'},
		}
		for _, c := range sc.Consumers {
			prefetch := "unlimited"
			if c.Prefetch > 0 {
				prefetch = textfmt.Count(int64(c.Prefetch))
			}
			ack := textfmt.EscapeMarkdown(c.AckMode)
			if c.AckMode == scenarios.AckMultiple && c.AckEvery > 0 {
				ack += fmt.Sprintf(" (every %d)", c.AckEvery)
			}
			proc := "—"
			if c.ProcessingTime > 0 {
				proc = c.ProcessingTime.String()
			}
			t.add(textfmt.EscapeMarkdown(c.Name), textfmt.Count(int64(c.Count)), code(c.Queue), prefetch, ack, proc)
		}
		w.table(t)
	}
	w.blank()
}

func rateText(r scenarios.Rate) string {
	if r.IsZero() {
		return "unlimited"
	}
	return textfmt.EscapeMarkdown(r.String())
}

// queueArguments summarises a queue's limits and extra arguments, in a fixed
// order followed by the verbatim arguments sorted by key.
func queueArguments(q scenarios.Queue) string {
	var parts []string
	if q.Exclusive {
		parts = append(parts, "exclusive")
	}
	if q.AutoDelete {
		parts = append(parts, "auto-delete")
	}
	if q.MaxLength > 0 {
		parts = append(parts, "max length "+textfmt.Count(q.MaxLength))
	}
	if q.MaxLengthBytes > 0 {
		parts = append(parts, "max bytes "+q.MaxLengthBytes.String())
	}
	if q.Overflow != "" {
		parts = append(parts, "overflow "+textfmt.EscapeMarkdown(q.Overflow))
	}
	if q.MessageTTL > 0 {
		parts = append(parts, "TTL "+q.MessageTTL.String())
	}
	if q.DeadLetterExchange != "" {
		dlx := "dead-letter to " + code(q.DeadLetterExchange)
		if q.DeadLetterRoutingKey != "" {
			dlx += " key " + code(q.DeadLetterRoutingKey)
		}
		parts = append(parts, dlx)
	}
	if q.SingleActiveConsumer {
		parts = append(parts, "single active consumer")
	}
	if q.DeliveryLimit > 0 {
		parts = append(parts, "delivery limit "+strconv.Itoa(q.DeliveryLimit))
	}
	keys := make([]string, 0, len(q.Arguments))
	for k := range q.Arguments {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts = append(parts, code(k+"="+formatArgument(q.Arguments[k])))
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, "; ")
}

// formatArgument formats a queue argument; numbers read back from JSON are
// float64, and whole ones print as integers ("1000000", not "1e+06").
func formatArgument(v any) string {
	switch n := v.(type) {
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1e15 {
			return strconv.FormatInt(int64(n), 10)
		}
		return strconv.FormatFloat(n, 'g', -1, 64)
	case float32:
		return formatArgument(float64(n))
	}
	return fmt.Sprint(v)
}

func sortedPairs(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = code(k + "=" + m[k])
	}
	return strings.Join(parts, ", ")
}

func writeSummary(w *mdWriter, r *results.Result) {
	s := r.Summary
	w.line("## Summary")
	w.blank()
	t := table{header: []string{"Measure", "Value"}, align: []byte{'l', 'r'}}
	if s.TargetRate > 0 {
		t.add("Target publish rate", textfmt.Rate(s.TargetRate))
		t.add("Achieved publish rate", fmt.Sprintf("%s (%s of target)",
			textfmt.Rate(s.PublishRate), formatPercent(s.PublishRate/s.TargetRate)))
	} else {
		t.add("Target publish rate", "unlimited")
		t.add("Achieved publish rate", textfmt.Rate(s.PublishRate))
	}
	t.add("Confirm rate", rateOrNone(s.ConfirmRate, s.Confirmed, usesConfirms(r), "no confirms"))
	t.add("Consume rate", rateOrNone(s.ConsumeRate, s.Consumed, hasConsumers(r), "no consumers"))
	if v, ok := consumeRateWhilePublishing(r); ok && hasConsumers(r) {
		// The drain lets consumers that fell behind catch up, which the
		// rate above hides.
		t.add("Consume rate while publishing (after warm-up)", textfmt.Rate(v))
	}
	t.add("Published", textfmt.Count(s.Published))
	t.add("Confirmed", textfmt.Count(s.Confirmed))
	t.add("Nacked", textfmt.Count(s.Nacked))
	t.add("Returned", textfmt.Count(s.Returned))
	if s.Republished > 0 {
		t.add("Republished (sent again after a lost channel)", textfmt.Count(s.Republished))
	}
	if s.Unsent > 0 {
		t.add("Unsent (due by the schedule, never sent)", "**"+textfmt.Count(s.Unsent)+"**")
	}
	t.add("Consumed", textfmt.Count(s.Consumed))
	t.add("Bytes published", textfmt.Bytes(s.BytesPublished))
	w.table(t)
	w.blank()
	w.line("Rates are over the publishing period; the consume rate counts what the drain consumed too, the rate while publishing does not. A message routed to several queues is consumed once per queue.")
	w.blank()
	w.linef("![Throughput](%s)", ThroughputChartFile)
	w.blank()
}

// rateOrNone formats a rate, or says why there is none.
func rateOrNone(rate float64, total int64, expected bool, none string) string {
	if total == 0 && rate == 0 && !expected {
		return none
	}
	return textfmt.Rate(rate)
}

// usesConfirms says whether the run asked for publisher confirms (or got
// some).
func usesConfirms(r *results.Result) bool {
	if r.Summary.Confirmed > 0 {
		return true
	}
	if r.Scenario != nil {
		for _, p := range r.Scenario.Publishers {
			if p.Confirm {
				return true
			}
		}
	}
	return false
}

// hasConsumers says whether the run had consumers (or consumed anything).
func hasConsumers(r *results.Result) bool {
	return r.Summary.Consumed > 0 || (r.Scenario != nil && len(r.Scenario.Consumers) > 0)
}

// orderedMetrics returns the metrics present in m: first those loadgen
// names, in its order, then any others sorted by name.
func orderedMetrics[V any](m map[string]V) []string {
	known := results.Metrics()
	var out []string
	for _, k := range known {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	var extra []string
	for k := range m {
		if !slices.Contains(known, k) {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	return append(out, extra...)
}

// metricLabel names a latency metric for people.
func metricLabel(metric string) string {
	switch metric {
	case results.MetricEndToEnd:
		return "End-to-end (from intended send)"
	case results.MetricEndToEndActual:
		return "End-to-end (from actual send)"
	case results.MetricConfirm:
		return "Publisher confirm"
	case results.MetricSendDelay:
		return "Send delay"
	}
	return metric
}

func writeLatency(w *mdWriter, r *results.Result) {
	w.line("## Latency")
	w.blank()
	metrics := orderedMetrics(r.Latency)
	if len(metrics) == 0 {
		w.line("No latency was recorded.")
		w.blank()
	} else {
		note := "Milliseconds, over the whole run"
		if r.Scenario != nil && r.Scenario.Run.WarmUp > 0 {
			note += " after warm-up"
		}
		w.line(note + ". End-to-end from the intended send time includes any delay of the publisher behind its schedule (no coordinated omission); from the actual send it does not.")
		w.blank()
		if n := r.Summary.Unsent; n > 0 {
			w.linef("**Lower bounds:** the end-to-end figures from the intended send include %s due by the schedule but never sent, each counted as the time from its intended send to the end of publishing: their true latency is higher, so these percentiles are too.", textfmt.Plural(n, "message"))
			w.blank()
		}
		t := table{
			header: []string{"Metric", "p50", "p90", "p99", "p99.9", "p99.99", "max", "count"},
			align:  []byte{'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'},
		}
		for _, m := range metrics {
			l := r.Latency[m]
			t.add(textfmt.EscapeMarkdown(metricLabel(m)), formatMillis(l.P50), formatMillis(l.P90), formatMillis(l.P99),
				formatMillis(l.P999), formatMillis(l.P9999), formatMillis(l.Max), textfmt.Count(l.Count))
		}
		w.table(t)
		w.blank()
	}
	w.linef("![Latency percentiles](%s)", LatencyChartFile)
	w.blank()
	w.linef("![End-to-end latency over time](%s)", LatencyOverTimeFile)
	w.blank()
}

func writeIntegrity(w *mdWriter, r *results.Result) {
	in := r.Integrity
	w.line("## Integrity")
	w.blank()
	w.line(integrityVerdict(in))
	w.blank()
	if in.Unconfirmed > 0 {
		w.line(unconfirmedText(in.Unconfirmed))
		w.blank()
	}
	if in.Republished > 0 {
		w.line(republishedText(in.Republished))
		w.blank()
	}
	if in.Unconsumed > 0 {
		w.line(unconsumedText(in.Unconsumed))
		w.blank()
	}
	for _, line := range unknownText(in) {
		w.line(line)
		w.blank()
	}
	for _, q := range in.Queues {
		if q.Gone {
			w.linef("Queue %s no longer existed when the run ended: something deleted it during the run (an operator, a policy such as `x-expires`, another run's cleanup), and what it had not delivered went with it.", code(q.Queue))
			w.blank()
		}
	}
	t := table{header: []string{"Count", "Messages"}, align: []byte{'l', 'r'}}
	t.add("Expected (confirmed copies, one per queue reached)", textfmt.Count(in.Expected))
	t.add("Received", textfmt.Count(in.Received))
	t.add("Lost", flagCount(in.Lost))
	t.add("Unconsumed (still queued at the end: late, not lost)", textfmt.Count(in.Unconsumed))
	if in.Unknown > 0 {
		t.add("Unknown (the broker could not be asked at the end: neither lost nor unconsumed)", flagCount(in.Unknown))
	}
	t.add("Duplicated", flagCount(in.Duplicated))
	t.add("Reordered", textfmt.Count(in.Reordered))
	t.add("Redelivered", textfmt.Count(in.Redelivered))
	t.add("Unconfirmed", textfmt.Count(in.Unconfirmed))
	if in.Republished > 0 {
		t.add("Republished (sent again after a lost channel)", textfmt.Count(in.Republished))
	}
	t.add("Dead-lettered (reached a dead-letter queue)", textfmt.Count(in.DeadLettered))
	t.add("Rejected or nacked without requeue", textfmt.Count(in.Rejected))
	t.add("Foreign (no stamp of this run)", textfmt.Count(in.Foreign))
	w.table(t)
	w.blank()
	if len(in.Queues) > 0 {
		q := table{
			header: []string{"Queue", "Expected", "Received", "Lost", "Unconsumed", "Duplicated", "Reordered"},
			align:  []byte{'l', 'r', 'r', 'r', 'r', 'r', 'r'},
		}
		if in.Unknown > 0 {
			// Only a run whose broker could not be asked has the column.
			q.header = slices.Insert(q.header, 5, "Unknown")
			q.align = slices.Insert(q.align, 5, 'r')
		}
		for _, qi := range in.Queues {
			cells := []string{code(qi.Queue), textfmt.Count(qi.Expected), textfmt.Count(qi.Received),
				flagCount(qi.Lost), textfmt.Count(qi.Unconsumed), flagCount(qi.Duplicated), textfmt.Count(qi.Reordered)}
			if in.Unknown > 0 {
				cells = slices.Insert(cells, 5, flagCount(qi.Unknown))
			}
			q.add(cells...)
		}
		w.table(q)
		w.blank()
	}
}

// unknownText says, per reason, which queues the broker could not be asked
// about at the end and how many copies that leaves unknown.
func unknownText(in results.Integrity) []string {
	if in.Unknown == 0 {
		return nil
	}
	type group struct {
		queues []string
		n      int64
	}
	byWhy := map[string]*group{}
	var whys []string
	for _, q := range in.Queues {
		if q.Unknown == 0 {
			continue
		}
		g := byWhy[q.UnknownWhy]
		if g == nil {
			g = &group{}
			byWhy[q.UnknownWhy] = g
			whys = append(whys, q.UnknownWhy)
		}
		g.queues = append(g.queues, code(q.Queue))
		g.n += q.Unknown
	}
	sort.Strings(whys)
	var out []string
	for _, why := range whys {
		g := byWhy[why]
		copies := "copies were"
		if g.n == 1 {
			copies = "copy was"
		}
		out = append(out, fmt.Sprintf("**%s %s neither consumed nor seen to be gone: unknown.** The broker could not be asked whether %s still held them (%s), so they are counted neither lost nor unconsumed.",
			textfmt.Count(g.n), copies, strings.Join(g.queues, ", "), textfmt.EscapeMarkdown(why)))
	}
	return out
}

func unconsumedText(n int64) string {
	if n == 1 {
		return "1 expected copy was still in its queue when the run ended: the consumers were too slow for the drain time. It is late, not lost."
	}
	return textfmt.Count(n) + " expected copies were still in their queues when the run ended: the consumers were too slow for the drain time. They are late, not lost."
}

func republishedText(n int64) string {
	if n == 1 {
		return "1 message lost its channel before the broker confirmed it and was sent again on a new one (`republish_unconfirmed`). The broker may have taken the first send too, so one duplicate would be at-least-once delivery working, not a fault."
	}
	return textfmt.Count(n) + " messages lost their channel before the broker confirmed them and were sent again on a new one (`republish_unconfirmed`). The broker may have taken the first sends too, so up to as many duplicates are at-least-once delivery working, not a fault."
}

func unconfirmedText(n int64) string {
	if n == 1 {
		return "1 published message was never confirmed by the broker; it is not counted as expected."
	}
	return textfmt.Count(n) + " published messages were never confirmed by the broker; they are not counted as expected."
}

// integrityVerdict is the one line a reader looks for.
func integrityVerdict(in results.Integrity) string {
	switch {
	case in.Partial:
		return "Partial: this is one instance of a shared run, whose consumers took messages other instances published (and the other way round), so its counts below do not balance alone. Merge every instance's run directory (`warren merge`) for the verdict."
	case in.Unknown > 0:
		return fmt.Sprintf("**%s unknown**: the broker could not be asked at the end whether they were still queued; %s lost, %s duplicated.", textfmt.Plural(in.Unknown, "message"), textfmt.Count(in.Lost), textfmt.Count(in.Duplicated))
	case in.Lost == 0 && in.Duplicated == 0 && in.Expected == 0 && in.Received == 0:
		return "Nothing to account for: no confirmed message was expected at any queue (integrity is checked against publisher confirms)."
	case in.Lost == 0 && in.Duplicated == 0:
		return "No message lost, none duplicated."
	case in.Lost == 0 && in.Duplicated <= in.Republished+in.Redelivered:
		// Copies the broker redelivered after a channel closed before
		// their ack, or that publishers sent again after a lost channel:
		// at-least-once delivery, not a fault.
		var within string
		switch {
		case in.Redelivered == 0:
			within = textfmt.Count(in.Republished) + " republished"
		case in.Republished == 0:
			within = textfmt.Count(in.Redelivered) + " redelivered"
		default:
			within = textfmt.Count(in.Redelivered) + " redelivered and " + textfmt.Count(in.Republished) + " republished"
		}
		return fmt.Sprintf("No message lost; %s duplicated, within the %s (at-least-once).", textfmt.Plural(in.Duplicated, "message"), within)
	case in.Lost == 0:
		return fmt.Sprintf("No message lost; **%s duplicated**.", textfmt.Plural(in.Duplicated, "message"))
	case in.Duplicated == 0:
		return fmt.Sprintf("**%s lost**, none duplicated.", textfmt.Plural(in.Lost, "message"))
	default:
		return fmt.Sprintf("**%s lost**, **%s duplicated**.", textfmt.Plural(in.Lost, "message"), textfmt.Count(in.Duplicated))
	}
}

// flagCount bolds a count that should be zero.
func flagCount(n int64) string {
	if n == 0 {
		return "0"
	}
	return "**" + textfmt.Count(n) + "**"
}

func writeEvents(w *mdWriter, r *results.Result) {
	if len(r.Events) == 0 {
		return
	}
	events := slices.Clone(r.Events)
	sort.SliceStable(events, func(i, j int) bool { return events[i].At.Before(events[j].At) })
	w.line("## Events")
	w.blank()
	for _, e := range events {
		w.linef("- %s %s: %s", code(eventTime(r.StartedAt, e.At)), code(e.Kind), textfmt.EscapeMarkdown(textfmt.OneLine(e.Message)))
	}
	w.blank()
}

// eventTime gives an event's time as an offset from the start of the run
// ("+12.3s"), or as UTC when the start is unknown.
func eventTime(start, at time.Time) string {
	if start.IsZero() || at.IsZero() {
		return formatTime(at)
	}
	return fmt.Sprintf("%+.1fs", at.Sub(start).Seconds())
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// code formats a name (queue, exchange, id) as a code span, which keeps it
// verbatim.
func code(s string) string {
	s = textfmt.OneLine(s)
	if s == "" {
		return `""`
	}
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || len(fence) > 1 {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// table is a Markdown table; align holds 'l' or 'r' per column (default
// left).
type table struct {
	header []string
	align  []byte
	rows   [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

type mdWriter struct{ strings.Builder }

func (w *mdWriter) line(s string) {
	w.WriteString(strings.TrimRight(s, " "))
	w.WriteByte('\n')
}

func (w *mdWriter) linef(format string, args ...any) { w.line(fmt.Sprintf(format, args...)) }

func (w *mdWriter) blank() { w.WriteByte('\n') }

// table writes t. Pipes in cells are escaped, as GitHub's tables require
// even inside code spans; the escape is removed before the cell is read as
// Markdown.
func (w *mdWriter) table(t table) {
	cells := func(row []string) string {
		out := make([]string, len(row))
		for i, c := range row {
			out[i] = textfmt.MarkdownCell(c)
		}
		return "| " + strings.Join(out, " | ") + " |"
	}
	w.line(cells(t.header))
	seps := make([]string, len(t.header))
	for i := range seps {
		seps[i] = "---"
		if i < len(t.align) && t.align[i] == 'r' {
			seps[i] = "---:"
		}
	}
	w.line("|" + strings.Join(seps, "|") + "|")
	for _, row := range t.rows {
		w.line(cells(row))
	}
}
