package results_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// Write a run directory the way warren run does: into a hidden partial
// directory, renamed into place once it is worth keeping, then read it
// back.
func ExampleCreateRunDir() {
	parent, err := os.MkdirTemp("", "warren-runs-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(parent)
	dir := filepath.Join(parent, "baseline")

	rd, err := results.CreateRunDir(dir)
	if err != nil {
		log.Fatal(err)
	}
	defer rd.Discard() // removes the partial directory if anything fails
	res := &results.Result{
		Schema:   results.ResultSchema,
		Scenario: &scenarios.Scenario{Name: "greenhouse"},
		Summary:  results.Summary{Published: 1000, Consumed: 1000},
	}
	if err := rd.WriteResult(res); err != nil {
		log.Fatal(err)
	}
	if err := rd.Commit(); err != nil {
		log.Fatal(err)
	}

	back, err := results.ReadRun(dir)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(back.Scenario.Name, back.Summary.Published)
	runs, err := results.FindRuns(parent)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(runs)
	// Output:
	// greenhouse 1000
	// [baseline]
}

// Keep a metric's whole-run histogram in a result, and read it back: the
// encoding survives result.json, so a report can redraw every percentile.
func ExampleResult_SetHistogram() {
	h := results.NewLatencyHistogram() // values in µs
	for v := int64(1); v <= 1000; v++ {
		if err := h.RecordValue(v * 10); err != nil {
			log.Fatal(err)
		}
	}
	var r results.Result
	if err := r.SetHistogram(results.MetricEndToEnd, h); err != nil {
		log.Fatal(err)
	}
	fmt.Println("p99:", r.Latency[results.MetricEndToEnd].P99, "µs")

	back, err := r.Histogram(results.MetricEndToEnd)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("values:", back.TotalCount())
	// Output:
	// p99: 9903 µs
	// values: 1000
}

func ExampleEvaluate() {
	sc := &scenarios.Scenario{
		Name:       "orders",
		Publishers: []scenarios.PublisherGroup{{Confirm: true, Rate: scenarios.Rate{PerSecond: 500}}},
		Consumers:  []scenarios.ConsumerGroup{{Queue: "orders"}},
	}
	for _, s := range []string{"e2e_p99<50ms", "publish_rate>=99%"} {
		t, err := scenarios.ParseThreshold(s)
		if err != nil {
			panic(err)
		}
		sc.Thresholds = append(sc.Thresholds, t)
	}
	r := &results.Result{
		Scenario:  sc,
		Summary:   results.Summary{TargetRate: 500, Published: 4900, Confirmed: 4900, PublishRate: 490, ConsumeRate: 489},
		Latency:   map[string]results.LatencySummary{results.MetricEndToEnd: {Count: 4890, P99: 61_000}},
		Integrity: results.Integrity{Expected: 4900, Received: 4890, Lost: 10},
	}
	extra, _ := scenarios.ParseThreshold("consume_rate>=400/s")
	verdicts := results.Evaluate(r, extra)
	for _, v := range verdicts {
		figure := v.Note
		if v.Observed != nil {
			figure = fmt.Sprint(*v.Observed)
		}
		fmt.Printf("%-20s %-7s %s\n", v.Threshold, v.Status, figure)
	}
	fmt.Println("failed:", results.Failed(verdicts))
	// Output:
	// lost==0              fail    10
	// e2e_p99<50ms         fail    0.061
	// publish_rate>=99%    fail    98
	// consume_rate>=400/s  pass    489
	// failed: true
}
