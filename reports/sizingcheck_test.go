package reports_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/sizing"
)

// A run whose queue held 20,000 messages gets a sizing check: the model's
// queue memory for that many messages beside the broker's figure, read
// from the samples up to five seconds after the peak.
func TestSizingCheckAgainstTheBroker(t *testing.T) {
	r := greenhouseResult(t)
	r.Environment.BrokerVersion = "3.10.8"
	r.Broker.Samples = nil
	for i := 1; i <= 20; i++ {
		ready, mem := int64(0), int64(20_000)
		switch {
		case i == 10:
			ready = 19_900
		case i > 10 && i <= 14:
			mem = 15_000_000 // the stale figure catches up
		}
		r.Broker.Samples = append(r.Broker.Samples, results.BrokerSample{T: i, Queues: []results.QueueSample{
			{Queue: "greenhouse.all", Ready: ready, Unacked: 100 * min(1, ready), Consumers: 2, Memory: mem},
			{Queue: "greenhouse.zone1", Ready: 10, Consumers: 1, Memory: 9_000},
		}})
	}
	plan, err := sizing.Compute(sizing.Input{Rate: 1, BodyBytes: 256, BacklogMessages: 20_000, Version: "3.10.8", Replicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	model := plan.Value("queue_memory")
	md := render(t, r)
	if !strings.Contains(md, "## Sizing check") {
		t.Fatalf("no sizing check in a run with a 20,000-message backlog:\n%s", md)
	}
	section := md[strings.Index(md, "## Sizing check"):]
	section = section[:strings.Index(section, "## Integrity")]
	diff := fmt.Sprintf("%+.0f%%", 100*(model-15_000_000)/15_000_000)
	for _, want := range []string{"`greenhouse.all` | classic | 20,000 | +10s |", "14.3 MiB", diff} {
		if !strings.Contains(section, want) {
			t.Errorf("sizing check lacks %q:\n%s", want, section)
		}
	}
	if strings.Contains(section, "greenhouse.zone1") {
		t.Errorf("a queue with 10 messages is checked:\n%s", section)
	}
	if short := render(t, greenhouseResult(t)); strings.Contains(short, "## Sizing check") && !hasBacklog(greenhouseResult(t)) {
		t.Error("a run without a backlog gets a sizing check")
	}
}

func hasBacklog(r *results.Result) bool {
	for _, s := range r.Broker.Samples {
		for _, q := range s.Queues {
			if q.Ready+q.Unacked >= 1000 {
				return true
			}
		}
	}
	return false
}
