package calibrate

import (
	"strings"
	"testing"

	"github.com/warrenmq/warren/capacity"
	"github.com/warrenmq/warren/sizing"
)

func TestQueueRate(t *testing.T) {
	rep := &capacity.Report{Scenario: "one-queue", Objective: capacity.ObjectiveRecord{P99Micros: 50_000},
		Queue: &capacity.QueueRate{Queue: "q", Type: "quorum", BodyBytes: 1024, Rate: 4200, AtLeast: true}}
	r, err := QueueRate(rep, "cap.json")
	if err != nil {
		t.Fatal(err)
	}
	if r.Type != sizing.Quorum || r.BodyBytes != 1024 || r.Rate != 4200 ||
		r.How != "one queue sustained at least 4,200 msg/s of 1.0 KiB messages within p99 50 ms ('warren capacity one-queue', cap.json)" {
		t.Errorf("QueueRate = %+v", r)
	}
	rep.Queue = nil
	if _, err := QueueRate(rep, "cap.json"); err == nil || !strings.Contains(err.Error(), "cap.json: this capacity search did not measure one queue") {
		t.Errorf("error %v", err)
	}
}
