package calibrate_test

import (
	"context"
	"fmt"
	"log"

	"github.com/warrenmq/warren/calibrate"
)

// The default probes: a classic queue per body size, and a quarter as many
// messages in quorum queues, which skip the sizes that would get too few.
func ExampleDefaultProbes() {
	for _, p := range calibrate.DefaultProbes(40_000, []int64{16, 64 << 10}, []string{"classic", "quorum"}) {
		fmt.Printf("%s %d B × %d\n", p.QueueType, p.BodyBytes, p.Messages)
	}
	// Output:
	// classic 16 B × 40000
	// classic 65536 B × 1600
	// quorum 16 B × 10000
}

// Calibrate the broker on this machine: the figures go to a file that
// warren size --calibration reads.
func ExampleRun() {
	cal, err := calibrate.Run(context.Background(), calibrate.Options{
		URI:      "amqp://guest:guest@127.0.0.1:5672/",
		Probes:   []calibrate.Probe{{QueueType: "classic", BodyBytes: 1024, Messages: 10_000}},
		Progress: func(step string) { log.Print(step) },
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := cal.WriteFile("calibration.json"); err != nil {
		log.Fatal(err)
	}
}
