package reports_test

import (
	"fmt"
	"log"
	"os"

	"github.com/warrenmq/warren/reports"
	"github.com/warrenmq/warren/results"
)

// Render a run's report from its result.json, as `warren report` does.
func ExampleRender() {
	r, err := results.ReadResult("testdata/result.json")
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "warren-run-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	if err := reports.Render(dir, r); err != nil {
		log.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range entries {
		fmt.Println(e.Name())
	}
	// Output:
	// broker-memory.png
	// consumer-lag.png
	// latency-over-time.png
	// latency.png
	// queue-depth.png
	// report.md
	// throughput.png
}

// Compare a candidate run with a baseline, as `warren compare` does in a
// deployment pipeline.
func ExampleCompare() {
	baseline, err := reports.LoadSide("testdata")
	if err != nil {
		log.Fatal(err)
	}
	candidate, err := reports.LoadSide("testdata")
	if err != nil {
		log.Fatal(err)
	}
	limit := 0.10 // p99 may be at most 10% worse
	c := reports.Compare(baseline, []reports.Side{candidate}, reports.Gate{MaxP99Regression: &limit, FailOnLoss: true})
	fmt.Println("failed:", c.Failed())
	for _, row := range c.Rows[:2] {
		fmt.Printf("%s: %.1f → %.1f msg/s\n", row.Figure, row.Cells[0].Median, row.Cells[1].Median)
	}
	// Output:
	// failed: false
	// publish rate: 999.4 → 999.4 msg/s
	// consume rate: 1988.5 → 1988.5 msg/s
}
