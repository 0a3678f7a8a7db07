package reports

import (
	"fmt"
	"math"
	"strings"

	"github.com/warrenmq/warren/capacity"
	"github.com/warrenmq/warren/internal/stats"
	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// measuredSeconds bounds the seconds of a run's series that a sweep
// compares: those ending after the warm-up and no later than the end of
// publishing (the drain is left out, where a variant that fell behind
// catches up).
func measuredSeconds(r *results.Result) (after float64, last int) {
	last = int(math.Round(r.Duration.Std().Seconds()))
	if r.Scenario != nil {
		after = r.Scenario.Run.WarmUp.Std().Seconds()
	}
	return after, last
}

// figuresOf reads what judging a sweep needs from the repetitions of one
// variant that ran (nil entries are runs that failed).
func figuresOf(name string, runs []*results.Result) sweepFigures {
	f := sweepFigures{name: name, achieved: math.NaN(), unacked: -1}
	var unacked []float64
	noTarget := false
	for k, r := range runs {
		if r == nil {
			continue
		}
		if f.runs == 0 {
			f.bound, f.boundText = unackedBound(r.Scenario)
		}
		f.runs++
		consumers := hasConsumers(r)
		after, last := measuredSeconds(r)
		for _, s := range r.Series {
			if float64(s.T) <= after || s.T > last {
				continue
			}
			if consumers {
				f.rates = append(f.rates, float64(s.Consumed))
				// A second that delivered nothing has no latency.
				if s.Consumed > 0 && s.EndToEndP99 > 0 {
					f.p99s = append(f.p99s, float64(s.EndToEndP99))
				}
			} else {
				f.rates = append(f.rates, float64(s.Published))
			}
		}
		if l, ok := e2e(r); ok {
			f.runP99s = append(f.runP99s, float64(l.P99))
		}
		f.runRates = append(f.runRates, throughputOf(r))
		if t := r.Summary.TargetRate; t > 0 {
			share := r.Summary.PublishRate / t
			if math.IsNaN(f.achieved) || share < f.achieved {
				f.achieved = share
			}
		} else {
			noTarget = true
		}
		if why := backlogOf(r); why != "" && f.backlog == "" {
			f.backlog = why
			if len(runs) > 1 {
				f.backlog += fmt.Sprintf(" in run %d", k+1)
			}
		}
		if _, u, ok := brokerMaxima(r); ok && u >= 0 {
			unacked = append(unacked, float64(u))
		}
	}
	if noTarget {
		// One repetition without a target makes the variant unbounded.
		f.achieved = math.NaN()
	}
	if len(unacked) > 0 {
		f.unacked = stats.Median(unacked)
	}
	return f
}

// unackedBound is how many unacknowledged messages a scenario's consumers
// may hold, each up to its prefetch: what a variant costs the broker in
// memory beyond its queues. Consumers that acknowledge automatically hold
// none at the broker; a prefetch of 0 holds any number (+Inf).
func unackedBound(sc *scenarios.Scenario) (float64, string) {
	if sc == nil {
		return math.Inf(1), ""
	}
	var total float64
	var groups []scenarios.ConsumerGroup
	for _, g := range sc.Consumers {
		if g.AckMode == scenarios.AckAuto || g.Count == 0 {
			continue
		}
		if g.Prefetch == 0 {
			return math.Inf(1), ""
		}
		total += float64(g.Prefetch * g.Count)
		groups = append(groups, g)
	}
	switch len(groups) {
	case 0:
		return 0, "no consumer acknowledges manually"
	case 1:
		return total, fmt.Sprintf("prefetch %d × %s", groups[0].Prefetch, textfmt.Plural(int64(groups[0].Count), "consumer"))
	}
	terms := make([]string, len(groups))
	for i, g := range groups {
		terms[i] = fmt.Sprintf("%d × %d", g.Prefetch, g.Count)
	}
	return total, "prefetch × consumers: " + strings.Join(terms, " + ")
}

// backlogOf says where a run built a backlog: a queue whose ready messages
// grew over the measured seconds faster than 1% of the target rate and
// clear of the depth's own noise (the test `warren capacity` applies to a
// rate step). Without depth samples it falls back on what was still
// queued when the run ended. Empty when no queue grew.
func backlogOf(r *results.Result) string {
	after, last := measuredSeconds(r)
	depth := map[string][]capacity.DepthSample{}
	var order []string
	for _, s := range sortedSamples(r.Broker.Samples) {
		if float64(s.T) <= after || s.T > last {
			continue
		}
		for _, q := range s.Queues {
			if _, ok := depth[q.Queue]; !ok {
				order = append(order, q.Queue)
			}
			depth[q.Queue] = append(depth[q.Queue], capacity.DepthSample{T: float64(s.T), Depth: float64(q.Ready)})
		}
	}
	if len(order) == 0 {
		if n := r.Integrity.Unconsumed; n > 0 && !r.Integrity.Partial {
			return fmt.Sprintf("%s still queued when it ended", textfmt.Plural(n, "message"))
		}
		return ""
	}
	target := r.Summary.TargetRate
	if target <= 0 {
		target = r.Summary.PublishRate
	}
	for _, q := range order {
		if g := capacity.FitGrowth(depth[q]); g.Grows(target, capacity.Objective{}) {
			return fmt.Sprintf("%s grew by %s", code(unprefixed(q)), textfmt.Rate(g.Slope))
		}
	}
	return ""
}

// unprefixed drops the prefix a sweep gives each run's queues
// ("sweep-1a2b3c-2-1.greenhouse.all" → "greenhouse.all").
func unprefixed(name string) string {
	if rest, ok := strings.CutPrefix(name, "sweep-"); ok {
		if _, after, ok := strings.Cut(rest, "."); ok {
			return after
		}
	}
	return name
}
