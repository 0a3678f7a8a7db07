package capacity

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/warrenmq/warren/scenarios"
)

func load(t *testing.T, yaml string) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.Load(strings.NewReader(yaml), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s.ApplyDefaults()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	return s
}

const workQueue = `
name: work
topology:
  queues: [{name: jobs, type: quorum, durable: true}, {name: jobs.dead, durable: true}]
publishers:
  - {name: a, exchange: "", routing_key: jobs, size: 1KiB, persistent: true, confirm: true, rate: 300/s, max_messages: 5000}
  - {name: b, exchange: "", routing_key: jobs, size: 2KiB, persistent: true, confirm: true, rate: 100/s}
consumers:
  - {queue: jobs, count: 2, prefetch: 10, processing_time: 10ms, processing_time_max: 30ms}
run: {duration: 1m, warm_up: 10s, drain: 30s, max_messages: 100000}
`

func TestStepScenario(t *testing.T) {
	base := load(t, workQueue)
	cfg := Config{Start: 100, WarmUp: 2 * time.Second, Hold: 5 * time.Second, MinMessages: 1000}
	s := StepScenario(base, 200, cfg, "cap-x-3.", time.Second)
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if s.Run.Duration.Std() != 7*time.Second || s.Run.WarmUp.Std() != 2*time.Second || s.Run.Drain.Std() != time.Second || s.Run.MaxMessages != 0 {
		t.Errorf("run settings %+v", s.Run)
	}
	// 300:100 stays 3:1.
	if a, b := s.Publishers[0].Rate, s.Publishers[1].Rate; a.PerSecond != 150 || b.PerSecond != 50 || s.Publishers[0].MaxMessages != 0 {
		t.Errorf("rates %v and %v, max %d", a, b, s.Publishers[0].MaxMessages)
	}
	if s.Topology.Queues[0].Name != "cap-x-3.jobs" || s.Consumers[0].Queue != "cap-x-3.jobs" || !s.Topology.Cleanup {
		t.Errorf("names not fresh: %+v", s.Topology)
	}
	if base.Topology.Queues[0].Name != "jobs" || base.Publishers[0].Rate.PerSecond != 300 || base.Topology.Cleanup {
		t.Error("the base scenario was changed")
	}
	if got := ConsumedQueues(s); len(got) != 1 || got[0] != "cap-x-3.jobs" {
		t.Errorf("consumed queues %v", got)
	}
}

func TestStepScenarioSharesAnUncappedRateEvenly(t *testing.T) {
	base := load(t, strings.ReplaceAll(strings.ReplaceAll(workQueue, "rate: 300/s", "rate: unlimited"), "rate: 100/s", ""))
	s := StepScenario(base, 1000, Config{Start: 1}, "p.", time.Second)
	if a, b := s.Publishers[0].Rate.PerSecond, s.Publishers[1].Rate.PerSecond; a != 500 || b != 500 {
		t.Errorf("rates %v, %v", a, b)
	}
}

func TestStepScenarioKeepsAPassiveTopology(t *testing.T) {
	base := load(t, strings.Replace(workQueue, "topology:\n", "topology:\n  declare: passive\n", 1))
	s := StepScenario(base, 100, Config{Start: 1}, "p.", time.Second)
	if FreshQueues(base) || s.Topology.Queues[0].Name != "jobs" || s.Topology.Cleanup {
		t.Errorf("a passive topology was renamed or marked for deletion: %+v", s.Topology)
	}
}

func TestSizeCommand(t *testing.T) {
	tests := []struct {
		name string
		s    *scenarios.Scenario
		ref  string
		rate float64
		want string
	}{
		{"a work queue", load(t, workQueue), "work.yaml", 1234,
			"warren size --rate 1234 --size 1280B --backlog 10s --queue-type quorum --processing-time 20ms"},
		{"a built-in with fan-out", mustBuiltin(t, "greenhouse"), "greenhouse", 800,
			"warren size --rate 800 --size 256B --backlog 10s --queues 3 --fan-out 2"},
		{"a slow rate keeps its decimal", load(t, strings.ReplaceAll(workQueue, "persistent: true, confirm: true", "persistent: false")), "w.yaml", 7.2,
			"warren size --rate 7.2 --size 1280B --backlog 10s --queue-type quorum --persistent=false --confirms=false --processing-time 20ms"},
		{"a sizing block is kept", load(t, workQueue+"sizing: {backlog: 5m}\n"), "my dir/work.yaml", 500,
			"warren size --scenario 'my dir/work.yaml' --rate 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SizeCommand(tt.s, tt.ref, tt.rate); got != tt.want {
				t.Errorf("SizeCommand =\n  %s\nwant\n  %s", got, tt.want)
			}
		})
	}
}

func mustBuiltin(t *testing.T, name string) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	s.ApplyDefaults()
	return s
}

func TestNewPlan(t *testing.T) {
	s := load(t, workQueue)
	for _, tt := range []struct {
		sustainable, headroom, want float64
	}{
		{1951, 1.25, 1560}, // 1560.8, rounded down: a plan is for at most what was measured
		{19.5, 1.25, 15.6},
		{100, 1, 100},
		{7.77, 1.5, 5.18},
	} {
		p := NewPlan(s, "work.yaml", tt.sustainable, tt.headroom)
		if p.Rate != tt.want || p.Headroom != tt.headroom || !strings.HasPrefix(p.Command, "warren size --rate "+strconv.FormatFloat(tt.want, 'f', -1, 64)+" ") {
			t.Errorf("NewPlan(%v, %v) = %+v, want the rate %v", tt.sustainable, tt.headroom, p, tt.want)
		}
	}
}

func TestQueueRateOf(t *testing.T) {
	const oneQueue = `
name: one
topology:
  queues: [{name: q, type: quorum, durable: true}]
publishers:
  - {exchange: "", routing_key: q, size: 1KiB, persistent: true, confirm: true}
consumers:
  - {queue: q, prefetch: 100}
run: {duration: 10s}
`
	found := &Report{SustainableRate: 4200, FirstFailRate: 4400, LimitedBy: LimitBroker}
	q, why := QueueRateOf(load(t, oneQueue), found)
	want := QueueRate{Queue: "q", Type: "quorum", BodyBytes: 1024, Persistent: true, Confirms: true, Rate: 4200}
	if q == nil || *q != want {
		t.Fatalf("QueueRateOf = %+v (%s), want %+v", q, why, want)
	}
	if q, _ := QueueRateOf(load(t, oneQueue), &Report{SustainableRate: 8000, LimitedBy: LimitNone}); q == nil || !q.AtLeast {
		t.Errorf("a search that never failed: %+v, want a lower bound", q)
	}
	for _, tt := range []struct {
		name string
		yaml string
		rep  *Report
		why  string
	}{
		{"consumers with processing time", strings.Replace(oneQueue, "prefetch: 100", "prefetch: 100, processing_time: 1ms", 1), found, "processing time"},
		{"a consume rate", strings.Replace(oneQueue, "prefetch: 100", "prefetch: 100, rate: 500/s", 1), found, "consume rate"},
		{"two queues", `
name: two
topology:
  queues: [{name: a}, {name: b}]
publishers:
  - {exchange: "", routing_keys: [a, b]}
consumers:
  - {queue: a}
  - {queue: b}
run: {duration: 10s}
`, found, "one queue"},
		{"fan-out", "", found, "one queue"},
		{"nothing passed", oneQueue, &Report{FirstFailRate: 100, LimitedBy: LimitBroker}, "no rate passed"},
		{"warren the limit", oneQueue, &Report{SustainableRate: 4200, FirstFailRate: 4400, LimitedBy: LimitGenerator}, "warren"},
	} {
		var s *scenarios.Scenario
		if tt.name == "fan-out" {
			s = mustBuiltin(t, "greenhouse")
		} else {
			s = load(t, tt.yaml)
		}
		if q, why := QueueRateOf(s, tt.rep); q != nil || !strings.Contains(why, tt.why) {
			t.Errorf("%s: %+v, %q: want nil and %q", tt.name, q, why, tt.why)
		}
	}
}
