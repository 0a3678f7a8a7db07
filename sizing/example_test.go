package sizing_test

import (
	"fmt"
	"time"

	"github.com/warrenmq/warren/sizing"
)

// The napkin says 500 msg/s of 1 KB for 10 seconds is 5,000 messages and
// 5 MB. The plan adds what the broker adds.
func ExampleCompute() {
	plan, err := sizing.Compute(sizing.Input{
		Rate:      500,
		BodyBytes: 1000,
		Backlog:   10 * time.Second,
		Confirms:  true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, key := range []string{"messages", "payload", "backlog_ram", "node_ram", "max_length", "overflow", "consumers_per_queue", "prefetch"} {
		l, _ := plan.Line(key)
		fmt.Printf("%s: %s\n", l.Name, l.Display())
	}
	l, _ := plan.Line("payload")
	fmt.Println(l.Formula)
	// Output:
	// Messages held per queue at the backlog target: 5,000 messages
	// Payload per queue (the napkin number): 4.8 MiB
	// RAM for the backlog, with the broker's overhead: 7.9 MiB
	// Node RAM to provision: 627.0 MiB
	// x-max-length: 5,000 messages
	// x-overflow: reject-publish
	// Consumers per queue (Little's law): 7
	// Prefetch per consumer (basic.qos): 4
	// messages × body = 5,000 × 1,000 B
}
