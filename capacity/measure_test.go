package capacity

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

func TestFromResult(t *testing.T) {
	s := load(t, `
name: two
topology:
  queues: [{name: jobs}, {name: bulk}, {name: dead}]
publishers:
  - {exchange: "", routing_key: jobs, confirm: true, confirm_window: 100, count: 2, rate: 100/s}
  - {exchange: "", routing_key: bulk, rate: 100/s}
consumers:
  - {queue: jobs, prefetch: 10}
  - {queue: bulk, prefetch: 0}
run: {duration: 6s, warm_up: 2s}
`)
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	sample := func(t int, jobsReady, jobsUnacked, bulkReady, bulkUnacked, dead int64) results.BrokerSample {
		return results.BrokerSample{T: t, Queues: []results.QueueSample{
			{Queue: "jobs", Ready: jobsReady, Unacked: jobsUnacked},
			{Queue: "bulk", Ready: bulkReady, Unacked: bulkUnacked},
			{Queue: "dead", Ready: dead},
		}}
	}
	res := &results.Result{
		Scenario:  s,
		StartedAt: start,
		Duration:  scenarios.Duration(6 * time.Second),
		Summary:   results.Summary{PublishRate: 150, ConsumeRate: 140, ConfirmRate: 100, Published: 900},
		Series: []results.Second{
			{T: 1, Published: 100, Consumed: 90}, {T: 2, Published: 150, Consumed: 150}, // warm-up
			{T: 3, Published: 200, Consumed: 190}, {T: 4, Published: 198, Consumed: 200},
			{T: 5, Published: 202, Consumed: 200}, {T: 6, Published: 196, Consumed: 190},
			{T: 7, Consumed: 20}, // the drain
		},
		Latency: map[string]results.LatencySummary{
			results.MetricEndToEnd:  {Count: 800, P99: 12_345},
			results.MetricSendDelay: {Count: 900, P99: 400},
			results.MetricConfirm:   {Count: 600, Mean: 500_000}, // 100/s × 0.5 s = 50 of 200
		},
		Broker: results.BrokerView{Samples: []results.BrokerSample{
			sample(1, 50, 10, 50, 10, 0), sample(2, 0, 10, 1, 10, 0), // warm-up: left out
			sample(3, 1, 10, 2, 20, 100), sample(4, 2, 10, 2, 30, 200),
			sample(5, 1, 10, 2, 40, 300), sample(6, 3, 10, 2, 50, 400),
			{T: 6, Queues: []results.QueueSample{{Queue: "other", Ready: 9}}, MemoryAlarm: true, FlowConnections: 1},
			sample(7, 0, 0, 0, 0, 0),
		}},
		Events: []results.Event{
			{At: start.Add(4 * time.Second), Kind: results.EventBlocked, Message: "low on memory"},
			{At: start.Add(5 * time.Second), Kind: results.EventBlocked, Message: "again"},
		},
		// Two copies per message reach the consumed queues (say a
		// fan-out), one the dead-letter queue.
		Integrity: results.Integrity{Lost: 2, Unconfirmed: 10, Queues: []results.QueueIntegrity{
			{Queue: "jobs", Expected: 890}, {Queue: "bulk", Expected: 890}, {Queue: "dead", Expected: 890},
		}},
		Generator: results.Generator{CoreShare: 0.6, GoMaxProcs: 2},
	}
	m := FromResult(res, 200)
	// Achieved over the whole publishing period; consumed after the
	// warm-up.
	if m.Target != 200 || m.Achieved != 150 || m.Seconds != 6 || m.Consumed != 195 || m.Published != 900 {
		t.Errorf("rates: %+v", m)
	}
	if m.P99 != 12345*time.Microsecond || m.Delivered != 800 || m.SendDelayP99 != 400*time.Microsecond || m.Lost != 2 {
		t.Errorf("latency and loss: %+v", m)
	}
	if math.Abs(m.WindowFull-0.25) > 1e-9 || m.GeneratorCPU != 0.3 || !m.Flow {
		t.Errorf("window %v, CPU %v, flow %v", m.WindowFull, m.GeneratorCPU, m.Flow)
	}
	// jobs: ready only (its prefetch bounds what is unacked); bulk: ready
	// and unacked (unlimited prefetch); dead: nobody consumes it.
	want := []DepthSample{{3, 1 + 2 + 20}, {4, 2 + 2 + 30}, {5, 1 + 2 + 40}, {6, 3 + 2 + 50}}
	if len(m.Depth) != len(want) {
		t.Fatalf("depth %v, want %v", m.Depth, want)
	}
	for i := range want {
		if m.Depth[i] != want[i] {
			t.Errorf("depth %v, want %v", m.Depth, want)
			break
		}
	}
	// 900 published, 10 never confirmed: 1780 copies of 890 messages.
	wantBacklog := []DepthSample{{3, 2*450 - 430}, {4, 2*648 - 630}, {5, 2*850 - 830}, {6, 2*1046 - 1020}}
	if fmt.Sprint(m.Backlog) != fmt.Sprint(wantBacklog) {
		t.Errorf("backlog %v, want %v", m.Backlog, wantBacklog)
	}
	if len(m.Blocked) != 2 || m.Blocked[0] != "connection.blocked 4s into the step (low on memory)" || m.Blocked[1] != "memory alarm 6s into the step" {
		t.Errorf("blocked %q", m.Blocked)
	}
}

func TestFromResultWithoutSeries(t *testing.T) {
	res := &results.Result{Summary: results.Summary{PublishRate: 99, ConsumeRate: 98}, Generator: results.Generator{CoreShare: 0.4}}
	m := FromResult(res, 100)
	if m.Achieved != 99 || m.Consumed != 98 || m.GeneratorCPU != 0.4 || m.Depth != nil || m.Delivered != 0 {
		t.Errorf("%+v", m)
	}
}

// A drain shorter than the last tick joins the last second of publishing:
// that second is left out of the rates and the backlog.
func TestFromResultLeavesOutAMergedLastSecond(t *testing.T) {
	s := load(t, `
name: one
topology: {queues: [{name: q}]}
publishers: [{exchange: "", routing_key: q, rate: 100/s}]
consumers: [{queue: q}]
run: {duration: 4s, warm_up: 1s}
`)
	res := &results.Result{
		Scenario: s, Duration: scenarios.Duration(4002 * time.Millisecond),
		Summary:   results.Summary{Published: 400},
		Integrity: results.Integrity{Queues: []results.QueueIntegrity{{Queue: "q", Expected: 400}}},
		Series: []results.Second{
			{T: 1, Published: 100, Consumed: 90}, {T: 2, Published: 100, Consumed: 95},
			{T: 3, Published: 100, Consumed: 96}, {T: 4, Published: 100, Consumed: 119},
		},
	}
	m := FromResult(res, 100)
	if m.Consumed != 95.5 || m.Achieved != 0 || fmt.Sprint(m.Backlog) != "[{2 15} {3 19}]" {
		t.Errorf("consumed %v, backlog %v", m.Consumed, m.Backlog)
	}
}
