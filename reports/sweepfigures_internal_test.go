package reports

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

func TestUnackedBound(t *testing.T) {
	t.Parallel()
	group := func(count, prefetch int, ack string) scenarios.ConsumerGroup {
		return scenarios.ConsumerGroup{Count: count, Prefetch: prefetch, AckMode: ack}
	}
	for _, tc := range []struct {
		groups []scenarios.ConsumerGroup
		bound  float64
		text   string
	}{
		{[]scenarios.ConsumerGroup{group(4, 10, scenarios.AckManual)}, 40, "prefetch 10 × 4 consumers"},
		{[]scenarios.ConsumerGroup{group(1, 50, ""), group(2, 100, scenarios.AckMultiple), group(1, 20, "")}, 270, "prefetch × consumers: 50 × 1 + 100 × 2 + 20 × 1"},
		{[]scenarios.ConsumerGroup{group(1, 50, ""), group(3, 0, "")}, math.Inf(1), ""},
		{[]scenarios.ConsumerGroup{group(3, 0, scenarios.AckAuto)}, 0, "no consumer acknowledges manually"},
	} {
		b, text := unackedBound(&scenarios.Scenario{Consumers: tc.groups})
		if b != tc.bound || text != tc.text {
			t.Errorf("%+v: %v %q, want %v %q", tc.groups, b, text, tc.bound, tc.text)
		}
	}
}

// run builds a ten-second run at 1,000 msg/s with a two-second warm-up
// whose queue depth follows depth(t).
func backlogRun(depth func(t int) int64) *results.Result {
	r := &results.Result{
		Scenario: &scenarios.Scenario{Run: scenarios.RunSettings{Duration: scenarios.Duration(10 * time.Second), WarmUp: scenarios.Duration(2 * time.Second)}},
		Duration: scenarios.Duration(10 * time.Second),
		Summary:  results.Summary{TargetRate: 1000, PublishRate: 1000},
		Broker:   results.BrokerView{Source: results.SourcePassive},
	}
	for s := 1; s <= 13; s++ { // three seconds of drain
		r.Broker.Samples = append(r.Broker.Samples, results.BrokerSample{T: s, Queues: []results.QueueSample{
			{Queue: "sweep-0a1b2c-1-2.work", Ready: depth(s)}, {Queue: "sweep-0a1b2c-1-2.other", Ready: 3}}})
	}
	return r
}

func TestBacklogOf(t *testing.T) {
	t.Parallel()
	jitter := []int64{0, 12, 3, 25, 1, 8, 30, 2, 5, 0, 14, 7, 0, 9}
	for _, tc := range []struct {
		name  string
		depth func(int) int64
		want  string
	}{
		{"steady jitter", func(s int) int64 { return jitter[s] }, ""},
		{"a constant backlog", func(s int) int64 { return 5000 + jitter[s] }, ""},
		{"growing", func(s int) int64 { return int64(200 * s) }, "`work` grew by 200 msg/s"},
		// 5 msg/s is under 1% of the target rate: noise of no consequence.
		{"slow creep", func(s int) int64 { return int64(5 * s) }, ""},
		// Growing in the drain only (after publishing) is no backlog.
		{"in the drain", func(s int) int64 { return int64(max(0, s-10) * 1000) }, ""},
	} {
		if got := backlogOf(backlogRun(tc.depth)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	noSamples := backlogRun(func(int) int64 { return 0 })
	noSamples.Broker.Samples = nil
	if got := backlogOf(noSamples); got != "" {
		t.Errorf("no samples, nothing left: %q", got)
	}
	noSamples.Integrity.Unconsumed = 120
	if got := backlogOf(noSamples); got != "120 messages still queued when it ended" {
		t.Errorf("no samples, 120 left: %q", got)
	}
}

func TestFiguresOf(t *testing.T) {
	t.Parallel()
	run := func(p99s []int64, published float64) *results.Result {
		r := backlogRun(func(int) int64 { return 0 })
		r.Scenario.Consumers = []scenarios.ConsumerGroup{{Count: 4, Prefetch: 10}}
		r.Summary.PublishRate, r.Summary.Consumed = published, 10_000
		r.Latency = map[string]results.LatencySummary{results.MetricEndToEnd: {Count: 1000, P99: slices.Max(p99s)}}
		r.Broker.Source = results.SourceManagement
		for i, s := range r.Broker.Samples {
			r.Broker.Samples[i].Queues[0].Unacked = int64(s.T)
		}
		for s := 1; s <= 12; s++ {
			sec := results.Second{T: s, Published: 1000, Consumed: 1000 + int64(s), EndToEndP99: p99s[s-1]}
			if s == 5 {
				sec.Consumed, sec.EndToEndP99 = 0, 0 // a second that delivered nothing
			}
			r.Series = append(r.Series, sec)
		}
		return r
	}
	p99s := []int64{900, 800, 10, 11, 0, 13, 14, 15, 16, 17, 5000, 6000} // warm-up and drain high
	f := figuresOf("v", []*results.Result{run(p99s, 1000), nil, run(p99s, 985)})
	if f.runs != 2 || f.bound != 40 || f.boundText != "prefetch 10 × 4 consumers" || f.backlog != "" {
		t.Errorf("%+v", f)
	}
	// Seconds 3 … 10, the silent fifth left out of the latency.
	if want := []float64{10, 11, 13, 14, 15, 16, 17, 10, 11, 13, 14, 15, 16, 17}; !slices.Equal(f.p99s, want) {
		t.Errorf("p99s %v, want %v", f.p99s, want)
	}
	if len(f.rates) != 16 || f.rates[0] != 1003 || f.rates[2] != 0 {
		t.Errorf("rates %v", f.rates)
	}
	if f.achieved != 0.985 || f.unacked != 13 || !slices.Equal(f.runP99s, []float64{6000, 6000}) {
		t.Errorf("achieved %v, unacked %v, run p99s %v", f.achieved, f.unacked, f.runP99s)
	}
	unlimited := run(p99s, 5000)
	unlimited.Summary.TargetRate = 0
	if f := figuresOf("v", []*results.Result{run(p99s, 1000), unlimited}); !math.IsNaN(f.achieved) {
		t.Errorf("a run without a target: achieved %v", f.achieved)
	}
}
