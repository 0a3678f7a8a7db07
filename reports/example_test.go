package reports_test

import (
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/warrenmq/warren/reports"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/sizing"
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

func ExampleWriteSizingText() {
	p, err := sizing.Compute(sizing.Input{Rate: 500, BodyBytes: 1000, Backlog: 10 * time.Second, Persistent: true, Confirms: true})
	if err != nil {
		panic(err)
	}
	var b strings.Builder
	if err := reports.WriteSizingText(&b, reports.SizingReport{Plan: p}, false); err != nil {
		panic(err)
	}
	fmt.Println(strings.Join(strings.Split(b.String(), "\n")[:7], "\n"))
	// Output:
	// Plan for 500 msg/s of 1000 B bodies at peak; backlog target 10 s of peak traffic; 1 classic queue; persistent, confirms.
	// Constants: RabbitMQ defaults and warren's measurements on 3.10.8 (not your broker: run 'warren size calibrate').
	//
	// BACKLOG
	//   Messages into each queue at peak                      500 msg/s       rate × fan-out ÷ queues = 500 msg/s × 1 ÷ 1
	//   Messages held per queue at the backlog target         5,000 messages  ⌈messages into each queue × backlog⌉ = ⌈500 msg/s × 10 s⌉
	//   Payload per queue (the napkin number)                 4.8 MiB         messages × body = 5,000 × 1,000 B
}
