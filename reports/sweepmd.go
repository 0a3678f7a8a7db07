package reports

import (
	"fmt"
	"math"
	"net/url"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/warrenmq/warren/internal/stats"
	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// maxPairRows is the number of variants up to which sweep.md lists every
// pair; beyond it, only the pairs of the recommended variant.
const maxPairRows = 6

// variantSummary is what sweep.md and the charts show of a variant: each
// figure over its runs.
type variantSummary struct {
	runs, failed int
	// Throughput and published rate (msg/s); end-to-end p50, p99, p99.9
	// and confirm p99 (µs); deepest backlog and most unacked messages.
	throughput, published    stats.Summary
	p50, p99, p999, confirm  stats.Summary
	depth, unacked           stats.Summary
	lost                     int64
	bound                    float64
	fairness                 []groupFairness
	hasConfirm, hasLatency   bool
	hasDepth, unackedSampled bool
}

// groupFairness is how evenly a consumer group shared its queue's
// deliveries: medians over the runs.
type groupFairness struct {
	group     string
	consumers int
	// busiest and idlest are the shares of the group's deliveries that its
	// busiest and idlest consumer took; jain is Jain's fairness index.
	busiest, idlest, jain float64
}

func summarise(v SweepVariant) variantSummary {
	var s variantSummary
	var tp, pub, p50, p99, p999, conf, depth, unacked []float64
	fair := map[string]*struct {
		consumers                 int
		busiest, idlest, jainVals []float64
	}{}
	var groups []string
	for _, run := range v.Runs {
		r := run.Result
		if r == nil {
			s.failed++
			continue
		}
		s.runs++
		if s.runs == 1 {
			s.bound, _ = unackedBound(r.Scenario)
		}
		tp = append(tp, throughputOf(r))
		pub = append(pub, r.Summary.PublishRate)
		if l, ok := e2e(r); ok {
			p50 = append(p50, float64(l.P50))
			p99 = append(p99, float64(l.P99))
			p999 = append(p999, float64(l.P999))
		}
		if l, ok := r.Latency[results.MetricConfirm]; ok && l.Count > 0 {
			conf = append(conf, float64(l.P99))
		}
		if d, u, ok := brokerMaxima(r); ok {
			depth = append(depth, float64(d))
			if u >= 0 {
				unacked = append(unacked, float64(u))
			}
		}
		s.lost += r.Integrity.Lost
		for g, counts := range consumerGroups(r) {
			if len(counts) < 2 {
				continue // one consumer shares with nobody
			}
			f := fair[g]
			if f == nil {
				f = &struct {
					consumers                 int
					busiest, idlest, jainVals []float64
				}{consumers: len(counts)}
				fair[g] = f
				groups = append(groups, g)
			}
			var total float64
			for _, c := range counts {
				total += c
			}
			if total == 0 {
				continue
			}
			f.busiest = append(f.busiest, slices.Max(counts)/total)
			f.idlest = append(f.idlest, slices.Min(counts)/total)
			f.jainVals = append(f.jainVals, stats.Jain(counts))
		}
	}
	s.throughput, s.published = stats.Summarize(tp), stats.Summarize(pub)
	s.p50, s.p99, s.p999, s.confirm = stats.Summarize(p50), stats.Summarize(p99), stats.Summarize(p999), stats.Summarize(conf)
	s.depth, s.unacked = stats.Summarize(depth), stats.Summarize(unacked)
	s.hasLatency, s.hasConfirm, s.hasDepth, s.unackedSampled = len(p99) > 0, len(conf) > 0, len(depth) > 0, len(unacked) > 0
	sort.Strings(groups)
	for _, g := range groups {
		f := fair[g]
		if len(f.jainVals) == 0 {
			continue
		}
		s.fairness = append(s.fairness, groupFairness{group: g, consumers: f.consumers,
			busiest: stats.Median(f.busiest), idlest: stats.Median(f.idlest), jain: stats.Median(f.jainVals)})
	}
	return s
}

// consumerGroups gathers a run's deliveries per consumer by consumer group
// (the consumers of one queue, which compete for its messages).
func consumerGroups(r *results.Result) map[string][]float64 {
	out := map[string][]float64{}
	for _, c := range r.Consumers {
		out[c.Group] = append(out[c.Group], float64(c.Delivered))
	}
	return out
}

// withSpread writes a median with the lowest and highest run in brackets
// when the runs differ: "10.7 (9.81–12.3)".
func withSpread(s stats.Summary, format func(float64) string) string {
	if s.N == 0 {
		return "—"
	}
	out := format(s.Median)
	if s.N > 1 {
		if lo, hi := format(s.Min), format(s.Max); lo != hi {
			out += " (" + lo + "–" + hi + ")"
		}
	}
	return out
}

func millis(v float64) string { return formatMillis(int64(math.Round(v))) }

func sweepMarkdown(vs []SweepVariant, rec Recommendation) []byte {
	var w mdWriter
	first := firstResult(vs)
	name := "(no variant ran)"
	if first != nil {
		name = scenarioName(first)
	}
	keys := sweptKeys(vs)
	sums := make([]variantSummary, len(vs))
	for i, v := range vs {
		sums[i] = summarise(v)
	}
	w.linef("# warren sweep: %s", textfmt.EscapeMarkdown(name))
	w.blank()

	// Warnings at the top, as in a run's report: they say a variant's
	// figures understate the broker.
	var warns []string
	for _, v := range vs {
		warns = append(warns, variantWarnings(v)...)
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

	var sc *scenarios.Scenario
	if first != nil {
		sc = first.Scenario
		if sc == nil {
			sc = &scenarios.Scenario{}
		}
		w.linef("- **Scenario:** %s", code(name))
		if sc.Description != "" {
			w.linef("- **Description:** %s", textfmt.EscapeMarkdown(textfmt.OneLine(sc.Description)))
		}
	}
	w.linef("- **Swept:** %s (%s)", sweptText(vs, keys), repetitionText(vs))
	if first != nil {
		w.linef("- **Each run:** %s", durationLine(first, sc))
		if ks := keySettings(sc); ks != "" {
			owner := slices.IndexFunc(vs, func(v SweepVariant) bool { return slices.Contains(v.results(), first) })
			w.linef("- **Key settings** (of %s): %s", code(vs[owner].Name), ks)
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
		"Max queue depth", "Max unacked (bound)", "Lost", "Runs")
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
		row = append(row, variantCells(v, sums[i], i, rec)...)
		t.add(row...)
	}
	w.table(t)
	w.blank()
	w.line("Figures are medians over each variant's runs, with the lowest and highest run in brackets where they differ. " +
		"Throughput is what the consumers took per second while the publishers ran, after the warm-up, every queue's copy counted (what was published, for a run without consumers): the drain is left out, where a variant whose consumers fell behind catches up. " +
		"Latencies are end-to-end from the intended send time, over each run after its warm-up. " +
		"Queue depth is the ready messages over all queues at one sample, from the broker; the bound of unacked messages is prefetch × consumers, what the consumers may hold and the broker keeps in memory for them.")
	w.blank()

	writeDifferences(&w, vs, rec)
	writeFairness(&w, vs, sums)

	w.linef("![Throughput against %s](%s)", axisName(vs, keys), SweepThroughputFile)
	w.blank()
	w.linef("![End-to-end latency against %s](%s)", axisName(vs, keys), SweepP99File)
	w.blank()
	w.linef("![End-to-end latency by percentile, one curve per variant](%s)", SweepLatencySpectrumFile)
	w.blank()
	return []byte(w.String())
}

// variantWarnings are a variant's lines for the warnings at the top: runs
// that failed, and the first warning its runs gave.
func variantWarnings(v SweepVariant) []string {
	var out []string
	failed := 0
	why := ""
	for _, r := range v.Runs {
		if r.Result == nil {
			failed++
			if why == "" {
				why = r.Error
			}
		}
	}
	if why == "" {
		why = "the run failed"
	}
	switch {
	case failed > 0 && failed == len(v.Runs):
		out = append(out, fmt.Sprintf("%s did not complete: %s", code(v.Name), textfmt.EscapeMarkdown(textfmt.OneLine(why))))
	case failed > 0:
		out = append(out, fmt.Sprintf("%s: %s of %d did not complete: %s", code(v.Name), textfmt.Plural(failed, "run"), len(v.Runs), textfmt.EscapeMarkdown(textfmt.OneLine(why))))
	}
	total := 0
	firstWarning, firstRun := "", 0
	for i, r := range v.Runs {
		if r.Result == nil {
			continue
		}
		if firstWarning == "" && len(r.Result.Warnings) > 0 {
			firstWarning, firstRun = r.Result.Warnings[0], i+1
		}
		total += len(r.Result.Warnings)
	}
	if firstWarning != "" {
		who := code(v.Name)
		if len(v.Runs) > 1 {
			who += fmt.Sprintf(", run %d", firstRun)
		}
		more := ""
		if total > 1 {
			where := "its report"
			if len(v.Runs) > 1 {
				where = "its runs' reports"
			}
			more = fmt.Sprintf(" (and %d more in %s)", total-1, where)
		}
		out = append(out, fmt.Sprintf("%s: %s%s", who, textfmt.EscapeMarkdown(textfmt.OneLine(firstWarning)), more))
	}
	return out
}

// repetitionText says how the variants ran: "3 variants × 3 runs,
// interleaved round by round, each run on fresh queues".
func repetitionText(vs []SweepVariant) string {
	most := 0
	for _, v := range vs {
		most = max(most, len(v.Runs))
	}
	t := textfmt.Plural(len(vs), "variant")
	if most > 1 {
		return t + " × " + textfmt.Plural(most, "run") + ", interleaved round by round so that drift on the machine hits every variant alike; each run on fresh queues"
	}
	return t + ", each its own run with fresh queues"
}

// variantCells are a variant's cells from throughput on.
func variantCells(v SweepVariant, s variantSummary, i int, rec Recommendation) []string {
	if s.runs == 0 {
		return []string{"failed", "—", "—", "—", "—", "—", "—", "—", runLinks(v)}
	}
	through := withSpread(s.throughput, formatRateCell)
	p50, p99, p999 := "—", "—", "—"
	if s.hasLatency {
		p50, p99, p999 = millis(s.p50.Median), withSpread(s.p99, millis), millis(s.p999.Median)
	}
	// The figure that decided, in bold for the recommended variant.
	if i == rec.Best {
		switch rec.Decider {
		case DecidedByP99:
			p99 = "**" + p99 + "**"
		case DecidedByThroughput:
			through = "**" + through + "**"
		}
	}
	var notes []string
	if i == rec.Best {
		notes = append(notes, "recommended")
	}
	if i == rec.Knee {
		notes = append(notes, "knee")
	}
	if len(notes) > 0 {
		through += " (" + strings.Join(notes, ", ") + ")"
	}
	if s.hasLatency && rec.Objective > 0 && s.p99.Median > float64(rec.Objective) {
		p99 += " (over)"
	}
	confirm := "—"
	if s.hasConfirm {
		confirm = millis(s.confirm.Median)
	}
	depth, unacked := "—", "—"
	if s.hasDepth {
		depth = textfmt.Count(int64(s.depth.Median))
	}
	if s.unackedSampled {
		unacked = textfmt.Count(int64(s.unacked.Median))
	}
	bound := "∞"
	if !math.IsInf(s.bound, 1) {
		bound = textfmt.Count(int64(s.bound))
	}
	unacked += " (" + bound + ")"
	return []string{through, p50, p99, p999, confirm, depth, unacked, flagCount(s.lost), runLinks(v)}
}

// runLinks links each run's report: "[1](v/1/report.md) [2](v/2/report.md)"
// (its directory, when it wrote no report), a dash for a run that failed.
func runLinks(v SweepVariant) string {
	var links []string
	for i, r := range v.Runs {
		// A failed run leaves no directory behind.
		if r.Dir == "" || r.Result == nil {
			links = append(links, "—")
			continue
		}
		target := path.Join(r.Dir, results.ReportFile)
		if r.NoReport {
			target = r.Dir + "/"
		}
		// Escape what a link destination cannot hold bare, keeping the
		// path's slashes.
		u := url.URL{Path: target}
		text := strconv.Itoa(i + 1)
		if len(v.Runs) == 1 {
			text = textfmt.EscapeMarkdown(r.Dir)
		}
		links = append(links, "["+text+"]("+u.EscapedPath()+")")
	}
	if len(links) == 0 {
		return "—"
	}
	return strings.Join(links, " ")
}

// writeDifferences lists every pair of variants compared on the deciding
// figure (or, in a large sweep, the pairs of the recommended variant).
func writeDifferences(w *mdWriter, vs []SweepVariant, rec Recommendation) {
	if rec.Decider == "" || len(rec.Pairs) == 0 {
		return
	}
	w.line("## Differences")
	w.blank()
	col, lower := "Median per-second p99 (ms)", "lower"
	format := millis
	if rec.Decider == DecidedByThroughput {
		col, lower = "Median per-second throughput (msg/s)", "higher"
		format = formatRateCell
	}
	pairs := rec.Pairs
	scope := "Every pair of variants"
	if countRanVariants(vs) > maxPairRows && rec.Best >= 0 {
		pairs = slices.DeleteFunc(slices.Clone(pairs), func(p PairTest) bool { return p.A != rec.Best && p.B != rec.Best })
		scope = "The recommended variant against each other variant"
	}
	adjusted := ""
	if len(rec.Pairs) > 1 {
		adjusted = fmt.Sprintf(" p is adjusted by Holm's method for the %d comparisons, so that %v holds for the sweep as a whole.", len(rec.Pairs), Alpha)
	}
	w.linef("%s, compared on %s (which decided, as the sweep was %s): the Mann-Whitney U test of the per-second figures of all their runs, after the warm-up and before the drain. A difference counts when p < %v; otherwise the pair shows no significant difference.%s",
		scope, rec.Decider, rec.Class, Alpha, adjusted)
	w.blank()
	t := table{header: []string{"Variants", col, "Seconds", "p", "Verdict"}, align: []byte{'l', 'r', 'r', 'r', 'l'}}
	for _, p := range pairs {
		verdict := "no significant difference"
		if p.Significant() {
			verdict = code(vs[p.Better].Name) + " " + lower
		}
		pv := strings.TrimPrefix(strings.TrimPrefix(formatP(p.P), "p = "), "p ")
		medA, medB := "—", "—"
		if p.NA > 0 {
			medA = format(p.MedianA)
		}
		if p.NB > 0 {
			medB = format(p.MedianB)
		}
		t.add(code(vs[p.A].Name)+" vs "+code(vs[p.B].Name), medA+" vs "+medB, strconv.Itoa(p.NA)+" vs "+strconv.Itoa(p.NB), pv, verdict)
	}
	w.table(t)
	w.blank()
}

func countRanVariants(vs []SweepVariant) int {
	n := 0
	for _, v := range vs {
		if v.ran() {
			n++
		}
	}
	return n
}

// writeFairness shows how evenly each variant's consumers shared their
// queues' messages.
func writeFairness(w *mdWriter, vs []SweepVariant, sums []variantSummary) {
	any := false
	for _, s := range sums {
		if len(s.fairness) > 0 {
			any = true
		}
	}
	if !any {
		return
	}
	w.line("## Fairness across consumers")
	w.blank()
	w.line("How evenly the consumers of each group (the consumers of one queue) shared its deliveries over a run, medians over the runs: the share the busiest and the idlest consumer took, against the even share, and Jain's fairness index (1 when every consumer took the same; 1/n when one took everything). A large prefetch lets the consumer that asks first take more than its share: throughput may gain, fair distribution of work loses.")
	w.blank()
	t := table{header: []string{"Variant", "Group", "Consumers", "Busiest", "Idlest", "Even share", "Jain's index"},
		align: []byte{'l', 'l', 'r', 'r', 'r', 'r', 'r'}}
	for i, v := range vs {
		for _, f := range sums[i].fairness {
			t.add(code(v.Name), code(f.group), strconv.Itoa(f.consumers), formatPercent(f.busiest), formatPercent(f.idlest),
				formatPercent(1/float64(f.consumers)), strconv.FormatFloat(f.jain, 'f', 3, 64))
		}
	}
	w.table(t)
	w.blank()
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
