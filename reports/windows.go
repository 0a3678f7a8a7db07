package reports

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/results"
)

// keyWindowMinRun is the run length from which the report calls out its key
// windows: in a short run every second is on the charts already.
const keyWindowMinRun = 10 * 60

// clock formats seconds since the start as +1h02m03s, +4m05s or +6s.
func clock(secs float64) string {
	d := time.Duration(math.Round(secs)) * time.Second
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case h > 0:
		return fmt.Sprintf("+%dh%02dm%02ds", h, m, s)
	case m > 0:
		return fmt.Sprintf("+%dm%02ds", m, s)
	}
	return fmt.Sprintf("+%ds", s)
}

// worstMinute finds the whole minute of the run (seconds 60k+1 to 60k+60)
// whose highest per-second end-to-end p99 is the highest; ok is false
// without latency in the series.
func worstMinute(series []results.Second) (minute int, p99 int64, ok bool) {
	byMinute := map[int]int64{}
	for _, s := range series {
		if s.EndToEndP99 <= 0 {
			continue
		}
		k := (s.T - 1) / 60
		byMinute[k] = max(byMinute[k], s.EndToEndP99)
	}
	for k, v := range byMinute {
		if !ok || v > p99 || v == p99 && k < minute {
			minute, p99, ok = k, v, true
		}
	}
	return minute, p99, ok
}

// backlogWindow is the longest stretch of broker samples in which a queue
// had ready messages.
type backlogWindow struct {
	queue    string
	from, to int // sample times, seconds since the start
	peak     int64
}

func longestBacklog(samples []results.BrokerSample) (backlogWindow, bool) {
	var best backlogWindow
	found := false
	open := map[string]*backlogWindow{}
	closeWindow := func(w *backlogWindow) {
		if !found || w.to-w.from > best.to-best.from {
			best, found = *w, true
		}
	}
	for _, s := range sortedSamples(samples) {
		seen := map[string]bool{}
		for _, q := range s.Queues {
			seen[q.Queue] = true
			w := open[q.Queue]
			switch {
			case q.Ready > 0 && w == nil:
				open[q.Queue] = &backlogWindow{queue: q.Queue, from: s.T, to: s.T, peak: q.Ready}
			case q.Ready > 0:
				w.to, w.peak = s.T, max(w.peak, q.Ready)
			case w != nil:
				closeWindow(w)
				delete(open, q.Queue)
			}
		}
		for name, w := range open {
			if !seen[name] {
				closeWindow(w)
				delete(open, name)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(open)) {
		closeWindow(open[name])
	}
	return best, found
}

// writeKeyWindows calls out, for a long run, the moments a reader should
// look at first: the worst minute of latency, the longest backlog, and the
// longest time publishers were blocked, an alarm was on or the connection
// was lost.
func writeKeyWindows(w *mdWriter, r *results.Result) {
	series := sortedSeries(r.Series)
	if len(series) == 0 || series[len(series)-1].T < keyWindowMinRun {
		return
	}
	w.line("## Key windows")
	w.blank()
	if k, p99, ok := worstMinute(series); ok {
		whole := r.Latency[results.MetricEndToEnd].P99
		w.linef("- **Worst minute of latency:** %s to %s, end-to-end p99 up to %s ms in one second (%s ms over the whole run).",
			clock(float64(60*k)), clock(float64(60*k+60)), formatMillis(p99), formatMillis(whole))
	}
	if b, ok := longestBacklog(r.Broker.Samples); ok {
		w.linef("- **Longest backlog:** `%s` had ready messages from %s to %s (%s), peaking at %s.",
			textfmt.EscapeMarkdown(b.queue), clock(float64(b.from)), clock(float64(b.to)), clock(float64(b.to - b.from))[1:], textfmt.Count(b.peak))
	} else if len(r.Broker.Samples) > 0 {
		w.line("- **Longest backlog:** none: no queue had ready messages at any sample.")
	}
	for _, s := range shadings(r) {
		var longest interval
		for _, iv := range s.intervals {
			if iv.to-iv.from >= longest.to-longest.from {
				longest = iv
			}
		}
		w.linef("- **Longest %s:** %s to %s (%s), %s in all.", s.kind, clock(longest.from), clock(longest.to),
			clock(longest.to - longest.from)[1:], textfmt.Plural(len(s.intervals), "time"))
	}
	w.blank()
}
