package capacity

import (
	"fmt"
	"slices"
	"time"

	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// FromResult reads what a step at rate msg/s measured from its run's
// result. The achieved rate covers the whole publishing period; the
// consumed rate and the backlogs the part after the warm-up, over the
// queues the scenario's consumers take from (see Measurement.Backlog and
// Measurement.Depth).
func FromResult(res *results.Result, rate float64) Measurement {
	s := res.Scenario
	warm, pub := 0.0, res.Duration.Std().Seconds()
	if s != nil {
		warm = s.Run.WarmUp.Std().Seconds()
	}
	m := Measurement{
		Target:    rate,
		Achieved:  res.Summary.PublishRate,
		Consumed:  res.Summary.ConsumeRate,
		Published: res.Summary.Published,
	}
	// Whole seconds after the warm-up, while publishers were publishing.
	// The run's last second may hold more: a short drain's deliveries
	// join the second before them rather than stand as a second of their
	// own, so when the series ends inside the window its last second is
	// left out.
	last := int(pub)
	if n := len(res.Series); n > 0 && res.Series[n-1].T <= last {
		last = res.Series[n-1].T - 1
	}
	inWindow := func(t int) bool { return float64(t) > warm && t <= last }
	// The achieved rate is the whole publishing period's: its clock is
	// exact, where the per-second counts are cut by a ticker that a busy
	// machine delays, moving a few messages from one second to the next
	// (at 20 msg/s, a 5% error over a few seconds). The schedule is
	// constant, so the warm-up neither helps nor hides a shortfall.
	m.Seconds = pub
	var consumed int64
	seconds := 0
	for _, sec := range res.Series {
		if inWindow(sec.T) {
			consumed += sec.Consumed
			seconds++
		}
	}
	if seconds > 0 {
		m.Consumed = float64(consumed) / float64(seconds)
	}
	if l, ok := res.Latency[results.MetricEndToEnd]; ok {
		m.P99, m.Delivered = micros(l.P99), l.Count
	}
	if l, ok := res.Latency[results.MetricSendDelay]; ok {
		m.SendDelayP99 = micros(l.P99)
	}
	if !res.Integrity.Partial {
		m.Lost = res.Integrity.Lost
	}
	if s != nil {
		m.WindowFull = windowFull(s, res)
		m.Depth = depthSamples(s, res.Broker.Samples, inWindow)
		m.Backlog = backlogSamples(s, res, inWindow)
	}
	for _, sample := range res.Broker.Samples {
		if inWindow(sample.T) && sample.FlowConnections > 0 {
			m.Flow = true
		}
	}
	m.Blocked = blocked(res)
	if g := res.Generator; g.GoMaxProcs > 0 {
		m.GeneratorCPU = g.CoreShare / float64(g.GoMaxProcs)
	} else {
		m.GeneratorCPU = g.CoreShare
	}
	return m
}

func micros(us int64) time.Duration { return time.Duration(us) * time.Microsecond }

// depthSamples sums the depth of the consumed queues at each sample in the
// window.
func depthSamples(s *scenarios.Scenario, samples []results.BrokerSample, inWindow func(int) bool) []DepthSample {
	queues := ConsumedQueues(s)
	unbounded := map[string]bool{}
	for _, c := range s.Consumers {
		if c.Prefetch == 0 && !c.BasicGet {
			unbounded[c.Queue] = true
		}
	}
	var out []DepthSample
	for _, sample := range samples {
		if !inWindow(sample.T) {
			continue
		}
		var depth int64
		seen := false
		for _, q := range sample.Queues {
			if !slices.Contains(queues, q.Queue) {
				continue
			}
			seen = true
			depth += q.Ready
			if unbounded[q.Queue] {
				depth += q.Unacked
			}
		}
		if seen {
			out = append(out, DepthSample{T: float64(sample.T), Depth: float64(depth)})
		}
	}
	return out
}

// backlogSamples counts, at the end of each second in the window, the
// copies sent to the consumed queues that consumers had not taken yet:
// copies per message (from the integrity accounting: what each consumed
// queue was expected to receive, over what was published) times the
// messages published so far, less the deliveries so far.
func backlogSamples(s *scenarios.Scenario, res *results.Result, inWindow func(int) bool) []DepthSample {
	queues := ConsumedQueues(s)
	var expected int64
	for _, q := range res.Integrity.Queues {
		if slices.Contains(queues, q.Queue) {
			expected += q.Expected
		}
	}
	// Expected counts confirmed copies of confirmed messages and sent
	// copies of the rest.
	base := res.Summary.Published - res.Integrity.Unconfirmed - res.Summary.Nacked
	if expected == 0 || base <= 0 {
		return nil
	}
	copies := float64(expected) / float64(base)
	var published, consumed int64
	var out []DepthSample
	for _, sec := range res.Series {
		published += sec.Published
		consumed += sec.Consumed
		if inWindow(sec.T) {
			out = append(out, DepthSample{T: float64(sec.T), Depth: copies*float64(published) - float64(consumed)})
		}
	}
	return out
}

// windowFull estimates by Little's law how full the confirm windows were on
// average: messages awaiting a confirm = confirm rate × mean confirm
// latency, against the windows of every confirming publisher.
func windowFull(s *scenarios.Scenario, res *results.Result) float64 {
	l, ok := res.Latency[results.MetricConfirm]
	if !ok {
		return 0
	}
	window := 0
	for _, p := range s.Publishers {
		if p.Confirm {
			window += p.ConfirmWindow * max(p.Count, 1)
		}
	}
	if window == 0 {
		return 0
	}
	return res.Summary.ConfirmRate * l.Mean / 1e6 / float64(window)
}

// blocked lists what blocked publishers: the broker's connection.blocked
// (the first of them) and the alarms the monitor saw.
func blocked(res *results.Result) []string {
	var out []string
	for _, e := range res.Events {
		if e.Kind == results.EventBlocked {
			at := e.At.Sub(res.StartedAt).Round(time.Second)
			out = append(out, fmt.Sprintf("connection.blocked %s into the step (%s)", at, e.Message))
			break
		}
	}
	var memory, disk bool
	for _, sample := range res.Broker.Samples {
		if sample.MemoryAlarm && !memory {
			memory = true
			out = append(out, fmt.Sprintf("memory alarm %ds into the step", sample.T))
		}
		if sample.DiskAlarm && !disk {
			disk = true
			out = append(out, fmt.Sprintf("disk alarm %ds into the step", sample.T))
		}
	}
	return out
}
