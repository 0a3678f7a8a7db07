package results

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/warrenmq/warren/scenarios"
)

// judgedScenario is a confirming publisher at 1,000 msg/s to a queue a
// consumer group takes from.
func judgedScenario(t *testing.T, thresholds ...string) *scenarios.Scenario {
	t.Helper()
	s := &scenarios.Scenario{
		Name:       "judged",
		Topology:   scenarios.Topology{Queues: []scenarios.Queue{{Name: "q"}}},
		Publishers: []scenarios.PublisherGroup{{Exchange: "", RoutingKey: "q", Confirm: true, Rate: scenarios.Rate{PerSecond: 1000}}},
		Consumers:  []scenarios.ConsumerGroup{{Queue: "q"}},
		Run:        scenarios.RunSettings{Duration: scenarios.Duration(10e9)},
	}
	for _, th := range thresholds {
		s.Thresholds = append(s.Thresholds, mustThreshold(t, th))
	}
	s.ApplyDefaults()
	return s
}

func mustThreshold(t *testing.T, s string) scenarios.Threshold {
	t.Helper()
	th, err := scenarios.ParseThreshold(s)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

// judgedResult is what a 10 s run of judgedScenario could have recorded:
// 9,900 msg/s published and confirmed, every copy consumed, end-to-end p99
// 12 ms.
func judgedResult(t *testing.T, thresholds ...string) *Result {
	h := NewLatencyHistogram()
	for v := int64(1); v <= 1000; v++ {
		h.RecordValue(v * 20) // 20 µs to 20 ms, evenly
	}
	enc, err := encodeHistogram(h)
	if err != nil {
		t.Fatal(err)
	}
	return &Result{
		Scenario: judgedScenario(t, thresholds...),
		Summary: Summary{
			TargetRate: 1000, Published: 9900, Confirmed: 9900, Consumed: 9900,
			PublishRate: 990, ConfirmRate: 990, ConsumeRate: 990,
		},
		Latency: map[string]LatencySummary{
			MetricEndToEnd: summarise(h),
			MetricConfirm:  {Count: 9900, Min: 100, Mean: 900, P50: 800, P90: 1500, P99: 3000, P999: 5000, P9999: 6000, Max: 7000},
		},
		Histograms: map[string]string{MetricEndToEnd: enc},
		Integrity:  Integrity{Expected: 9900, Received: 9900},
	}
}

// verdictOf evaluates and returns the verdict of one threshold.
func verdictOf(t *testing.T, r *Result, threshold string) Verdict {
	t.Helper()
	for _, v := range Evaluate(r) {
		if v.Threshold.String() == mustThreshold(t, threshold).String() {
			return v
		}
	}
	t.Fatalf("no verdict for %s", threshold)
	return Verdict{}
}

func TestEvaluateCrossingAndNot(t *testing.T) {
	tests := []struct {
		threshold string
		change    func(*Result)
		status    Status
		observed  float64 // when judged
	}{
		// The end-to-end histogram runs evenly from 20 µs to 20 ms (to
		// HdrHistogram's 3 significant figures).
		{"e2e_p99<50ms", nil, StatusPass, 0.0198},
		{"e2e_p99<10ms", nil, StatusFail, 0.0198},
		{"e2e_p50<=10.1ms", nil, StatusPass, 0.01},
		{"e2e_p50<9.9ms", nil, StatusFail, 0.01},
		{"e2e_p95<19.1ms", nil, StatusPass, 0.019},
		{"e2e_p95<18.9ms", nil, StatusFail, 0.019},
		{"e2e_max<20ms", nil, StatusFail, 0.02},
		{"e2e_max<=20.1ms", nil, StatusPass, 0.02},
		{"e2e_mean<10.1ms", nil, StatusPass, 0.01001},
		{"confirm_p99.9<=5ms", nil, StatusPass, 0.005},
		{"confirm_p99.9<5ms", nil, StatusFail, 0.005},
		{"confirm_p9999<10ms", nil, StatusPass, 0.006},
		{"confirm_min>0", nil, StatusPass, 0.0001},
		{"lost==0", nil, StatusPass, 0},
		{"lost==0", func(r *Result) { r.Integrity.Lost = 1 }, StatusFail, 1},
		{"lost<=0.1%", func(r *Result) { r.Integrity.Lost = 9 }, StatusPass, 100 * 9.0 / 9900},
		{"lost<=0.1%", func(r *Result) { r.Integrity.Lost = 10 }, StatusFail, 100 * 10.0 / 9900},
		{"duplicated==0", func(r *Result) { r.Integrity.Duplicated = 2 }, StatusFail, 2},
		{"duplicated<1%", func(r *Result) { r.Integrity.Duplicated = 2 }, StatusPass, 100 * 2.0 / 9900},
		{"unconsumed==0", func(r *Result) { r.Integrity.Unconsumed = 5 }, StatusFail, 5},
		{"unconfirmed<10", func(r *Result) { r.Integrity.Unconfirmed = 10 }, StatusFail, 10},
		{"nacked==0", nil, StatusPass, 0},
		{"publish_rate>=99%", nil, StatusPass, 99},
		{"publish_rate>=99.5%", nil, StatusFail, 99},
		{"publish_rate>=990/s", nil, StatusPass, 990},
		{"publish_rate>990/s", nil, StatusFail, 990},
		{"consume_rate>=900/s", nil, StatusPass, 990},
		{"consume_rate>=1000/s", nil, StatusFail, 990},
		{"consume_rate>=99%", nil, StatusPass, 99},
		// Every message reaches two consumed queues: the consumers' target
		// is 2,000 copies a second.
		{"consume_rate>=99%", func(r *Result) {
			r.Integrity.Expected, r.Integrity.Received, r.Summary.Consumed, r.Summary.ConsumeRate = 19800, 19800, 19800, 1980
		}, StatusPass, 99},
		{"consume_rate>=99%", func(r *Result) {
			r.Integrity.Expected, r.Integrity.Received, r.Summary.Consumed, r.Summary.ConsumeRate = 19800, 9900, 9900, 990
		}, StatusFail, 49.5},
	}
	for _, tt := range tests {
		t.Run(tt.threshold, func(t *testing.T) {
			r := judgedResult(t, tt.threshold)
			if tt.change != nil {
				tt.change(r)
			}
			v := verdictOf(t, r, tt.threshold)
			if v.Status != tt.status {
				t.Fatalf("%s: status %s (%s), want %s", tt.threshold, v.Status, v.Note, tt.status)
			}
			if v.Observed == nil {
				t.Fatal("no observed figure")
			}
			if d := *v.Observed - tt.observed; d > 1e-3*tt.observed+1e-9 || d < -1e-3*tt.observed-1e-9 {
				t.Errorf("observed %v, want %v", *v.Observed, tt.observed)
			}
			if v.Threshold.Percent != (v.Base != nil) || (v.Absolute != nil) != (v.Base != nil) {
				t.Errorf("percent threshold with absolute %v, base %v", v.Absolute, v.Base)
			}
		})
	}
}

func TestEvaluateUnknownAndDeferred(t *testing.T) {
	tests := []struct {
		threshold string
		change    func(*Result)
		status    Status
		note      string
	}{
		{"e2e_p99<50ms", func(r *Result) { delete(r.Latency, MetricEndToEnd) }, StatusUnknown, "no end-to-end (from the intended send) latency was recorded: no message of this run was consumed"},
		{"e2e_p99<50ms", func(r *Result) { delete(r.Latency, MetricEndToEnd); r.Scenario.Consumers = nil }, StatusUnknown, "the scenario has no consumers"},
		{"e2e_actual_p99<50ms", nil, StatusUnknown, "no end-to-end (from the actual send) latency"},
		{"confirm_p95<5ms", nil, StatusUnknown, "no confirm histogram to read p95 from"},
		{"confirm_p99<5ms", func(r *Result) { delete(r.Latency, MetricConfirm); r.Scenario.Publishers[0].Confirm = false }, StatusUnknown, "no publisher group asked for confirms"},
		{"send_delay_p99<5ms", nil, StatusUnknown, "no send delay latency was recorded"},
		{"lost==0", func(r *Result) { r.Integrity.Partial = true }, StatusDeferred, "'warren merge' judges"},
		{"consume_rate>=99%", func(r *Result) { r.Integrity.Partial = true }, StatusDeferred, "'warren merge' judges"},
		{"lost==0", func(r *Result) { r.Incomplete = "stopped at 10:00:00 after 5s" }, StatusUnknown, "stopped before its messages were accounted for (stopped at 10:00:00 after 5s)"},
		{"lost==0", func(r *Result) { r.Scenario.Consumers = nil }, StatusUnknown, "no consumers"},
		{"lost<=1%", func(r *Result) { r.Integrity.Expected = 0 }, StatusUnknown, "no expected copies to take a percent of"},
		{"unconfirmed==0", func(r *Result) { r.Scenario.Publishers[0].Confirm = false }, StatusUnknown, "no publisher group asked for confirms"},
		{"returned==0", nil, StatusUnknown, "mandatory: true"},
		{"publish_rate>=99%", func(r *Result) {
			r.Summary.TargetRate = 0
			r.Scenario.Publishers[0].Rate = scenarios.Rate{Unlimited: true}
		}, StatusUnknown, "no target rate"},
		{"publish_rate>=99%", func(r *Result) {
			r.Scenario.Publishers = append(r.Scenario.Publishers, scenarios.PublisherGroup{Confirm: true, Rate: scenarios.Rate{Unlimited: true}})
		}, StatusUnknown, "a publisher group ran unlimited"},
		{"publish_rate>=1/s", func(r *Result) { r.Scenario.Publishers = nil }, StatusUnknown, "no publishers"},
		{"consume_rate>=1/s", func(r *Result) { r.Scenario.Consumers = nil }, StatusUnknown, "no consumers"},
		{"consume_rate>=99%", func(r *Result) {
			r.Scenario.Publishers = append(r.Scenario.Publishers, scenarios.PublisherGroup{Rate: scenarios.Rate{PerSecond: 5}})
		}, StatusUnknown, "only some publisher groups confirm"},
		{"consume_rate>=99%", func(r *Result) { r.Integrity.Expected = 0 }, StatusUnknown, "no copies were due"},
	}
	for _, tt := range tests {
		t.Run(tt.threshold+" "+string(tt.status), func(t *testing.T) {
			r := judgedResult(t, tt.threshold)
			if tt.change != nil {
				tt.change(r)
			}
			v := verdictOf(t, r, tt.threshold)
			if v.Status != tt.status || !strings.Contains(v.Note, tt.note) {
				t.Errorf("status %s (%q), want %s (%q)", v.Status, v.Note, tt.status, tt.note)
			}
			if v.Observed != nil {
				t.Errorf("observed %v on a verdict that is %s", *v.Observed, v.Status)
			}
		})
	}
}

func TestEvaluateDefaultIntegrity(t *testing.T) {
	// A run without thresholds of its own is judged by integrity alone.
	r := judgedResult(t)
	vs := Evaluate(r)
	if len(vs) != 1 || !vs[0].Default || vs[0].Threshold.String() != "lost==0" || vs[0].Status != StatusPass {
		t.Fatalf("verdicts = %+v", vs)
	}
	if Failed(vs) {
		t.Error("a clean run failed")
	}
	r.Integrity.Lost = 3
	vs = Evaluate(r)
	if vs[0].Status != StatusFail || *vs[0].Observed != 3 || !Failed(vs) {
		t.Errorf("a run that lost 3 confirmed copies: %+v", vs[0])
	}
	// Copies still queued at the end are late, not lost.
	r.Integrity.Lost, r.Integrity.Unconsumed = 0, 40
	if vs := Evaluate(r); Failed(vs) {
		t.Errorf("unconsumed copies failed the run: %+v", vs)
	}
	// An instance of a shared run defers to the merge.
	r.Integrity.Lost, r.Integrity.Partial = 100, true
	if vs := Evaluate(r); Failed(vs) || vs[0].Status != StatusDeferred {
		t.Errorf("a partial instance: %+v", vs)
	}
	// The scenario's own threshold on lost replaces the default.
	r = judgedResult(t, "lost<=1%")
	r.Integrity.Lost = 3
	if vs := Evaluate(r); len(vs) != 1 || vs[0].Default || vs[0].Status != StatusPass {
		t.Errorf("with lost<=1%%: %+v", vs)
	}
}

func TestEvaluateOrderAndExtra(t *testing.T) {
	r := judgedResult(t, "e2e_p99<50ms", "publish_rate>=99%")
	vs := Evaluate(r, mustThreshold(t, "consume_rate>=900/s"), mustThreshold(t, "e2e_p99 < 50ms"))
	var got []string
	for _, v := range vs {
		got = append(got, v.Threshold.String())
	}
	want := []string{"lost==0", "e2e_p99<50ms", "publish_rate>=99%", "consume_rate>=900/s"}
	if !slices.Equal(got, want) {
		t.Errorf("verdicts for %q, want %q (defaults first, then the file's, then the flags', once each)", got, want)
	}
	if len(r.Scenario.Thresholds) != 2 {
		t.Error("Evaluate changed the result's scenario")
	}
	if Failed(vs) {
		t.Errorf("failed: %+v", vs)
	}
	vs = Evaluate(r, mustThreshold(t, "returned==0"))
	if !Failed(vs) {
		t.Error("an unknown verdict does not fail the run")
	}
}

func TestVerdictJSON(t *testing.T) {
	r := judgedResult(t, "publish_rate>=99%")
	r.Integrity.Partial = true
	data, err := json.Marshal(Evaluate(r))
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"threshold":"lost==0","default":true,"status":"deferred","note":"one instance of a shared run: its counts do not balance alone; 'warren merge' judges them"},` +
		`{"threshold":"publish_rate\u003e=99%","status":"pass","observed":99,"absolute":990,"base":1000}]`
	if string(data) != want {
		t.Errorf("JSON:\n%s\nwant\n%s", data, want)
	}
	var back []Verdict
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back[1].Threshold != r.Scenario.Thresholds[0] || *back[1].Base != 1000 || back[0].Status != StatusDeferred {
		t.Errorf("round trip: %+v", back)
	}
}

// The latency histograms a threshold names are the ones results record.
func TestThresholdSeriesAreMetrics(t *testing.T) {
	for _, s := range scenarios.LatencySeries() {
		if !slices.Contains(Metrics(), s) {
			t.Errorf("thresholds read latency %q, which results do not record (%v)", s, Metrics())
		}
	}
}

// Copies whose fate the broker could not be asked about may be lost or
// still queued: a threshold on lost holds, fails or cannot be judged
// according to whether it holds at both ends of that range.
func TestEvaluateUnknownCopiesBoundLost(t *testing.T) {
	unknownCopies := func(r *Result, lost, unknown int64) {
		r.Integrity.Lost, r.Integrity.Unknown = lost, unknown
		r.Integrity.Queues = []QueueIntegrity{{Queue: "q", Lost: lost, Unknown: unknown, UnknownWhy: "connection refused"}}
	}
	tests := []struct {
		threshold     string
		lost, unknown int64
		status        Status
	}{
		{"lost==0", 0, 0, StatusPass},
		{"lost==0", 0, 415, StatusUnknown}, // the default integrity threshold cannot pass
		{"lost==0", 2, 415, StatusFail},    // 2 were seen lost: it fails whatever the rest
		{"lost<=500", 0, 415, StatusPass},  // even if every unknown copy was lost
		{"lost<=100", 0, 415, StatusUnknown},
		{"lost<=1%", 0, 50, StatusPass}, // 50 of 9,900 is 0.5%
		{"lost<=1%", 0, 500, StatusUnknown},
		{"unconsumed==0", 0, 10, StatusUnknown},
		{"duplicated==0", 0, 415, StatusPass}, // unknown copies say nothing of duplicates
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s lost %d unknown %d", tt.threshold, tt.lost, tt.unknown), func(t *testing.T) {
			r := judgedResult(t, tt.threshold)
			unknownCopies(r, tt.lost, tt.unknown)
			v := verdictOf(t, r, tt.threshold)
			if v.Status != tt.status {
				t.Fatalf("status %s (%q), want %s", v.Status, v.Note, tt.status)
			}
			if v.Status == StatusUnknown && !strings.Contains(v.Note, "connection refused") {
				t.Errorf("note %q does not say why the broker could not be asked", v.Note)
			}
			if v.Status == StatusUnknown && !Failed([]Verdict{v}) {
				t.Error("an unknown verdict did not fail the run")
			}
		})
	}
}
