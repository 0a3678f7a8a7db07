package capacity_test

import (
	"context"
	"fmt"
	"time"

	"github.com/warrenmq/warren/capacity"
)

// A search against a stand-in for a broker whose consumers take 450 msg/s:
// above that rate the queue grows by the difference every second.
func ExampleSearch() {
	step := func(_ context.Context, rate float64, _ int) (capacity.Measurement, error) {
		m := capacity.Measurement{Target: rate, Achieved: rate, Delivered: 1000, P99: 8 * time.Millisecond}
		for t := 1; t <= 10; t++ {
			grow := max(0, rate-450)
			m.Backlog = append(m.Backlog, capacity.DepthSample{T: float64(t), Depth: 2 + grow*float64(t)})
		}
		return m, nil
	}
	rep, err := capacity.Search(context.Background(), capacity.Config{Start: 100}, capacity.Objective{P99: 50 * time.Millisecond}, step)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range rep.Steps {
		verdict := "pass"
		if !s.Pass {
			verdict = "fail: " + s.Reasons[0]
		}
		fmt.Printf("%-6s %4.0f msg/s  %s\n", s.Phase, s.Rate, verdict)
	}
	fmt.Printf("sustainable: %.0f msg/s (%s, limited by the %s)\n", rep.SustainableRate, rep.Stopped, rep.LimitedBy)
	// Output:
	// climb   100 msg/s  pass
	// climb   200 msg/s  pass
	// climb   400 msg/s  pass
	// climb   800 msg/s  fail: the backlog grew by 350 msg/s (3,150 messages across the step): consumers fell behind
	// retry   800 msg/s  fail: the backlog grew by 350 msg/s (3,150 messages across the step): consumers fell behind
	// bisect  600 msg/s  fail: the backlog grew by 150 msg/s (1,350 messages across the step): consumers fell behind
	// retry   600 msg/s  fail: the backlog grew by 150 msg/s (1,350 messages across the step): consumers fell behind
	// bisect  500 msg/s  fail: the backlog grew by 50 msg/s (450 messages across the step): consumers fell behind
	// retry   500 msg/s  fail: the backlog grew by 50 msg/s (450 messages across the step): consumers fell behind
	// bisect  450 msg/s  pass
	// bisect  475 msg/s  fail: the backlog grew by 25 msg/s (225 messages across the step): consumers fell behind
	// retry   475 msg/s  fail: the backlog grew by 25 msg/s (225 messages across the step): consumers fell behind
	// bisect  463 msg/s  fail: the backlog grew by 13 msg/s (117 messages across the step): consumers fell behind
	// retry   463 msg/s  fail: the backlog grew by 13 msg/s (117 messages across the step): consumers fell behind
	// sustainable: 450 msg/s (resolution reached, limited by the broker)
}
