package reports_test

import (
	"fmt"
	"log"
	"os"

	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/reports"
)

// Render a run's report from its result.json, as `warren report` does.
func ExampleRender() {
	r, err := loadgen.ReadResult("testdata/result.json")
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
	// latency-over-time.png
	// latency.png
	// queue-depth.png
	// report.md
	// throughput.png
}
