package calibrate

import (
	"fmt"
	"time"

	"github.com/warrenmq/warren/capacity"
	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/sizing"
)

// QueueRate turns what a capacity search of one queue found into the
// sizing model's measurement of the rate one queue sustains; path names
// the file it came from. It fails when the search did not measure one
// queue (capacity.QueueRateOf says when one does).
func QueueRate(rep *capacity.Report, path string) (sizing.QueueRateMeasurement, error) {
	q := rep.Queue
	if q == nil {
		return sizing.QueueRateMeasurement{}, fmt.Errorf("%s: this capacity search did not measure one queue: that takes a scenario that sends every message to one queue, consumed as fast as it comes (no processing time)", path)
	}
	bound := ""
	if q.AtLeast {
		bound = "at least "
	}
	p99 := textfmt.Duration(time.Duration(rep.Objective.P99Micros) * time.Microsecond)
	return sizing.QueueRateMeasurement{
		Type:      sizing.QueueType(q.Type),
		BodyBytes: q.BodyBytes,
		Rate:      q.Rate,
		How: fmt.Sprintf("one queue sustained %s%s of %s messages within p99 %s ('warren capacity %s', %s)",
			bound, textfmt.Rate(q.Rate), textfmt.Bytes(q.BodyBytes), p99, rep.Scenario, path),
	}, nil
}
