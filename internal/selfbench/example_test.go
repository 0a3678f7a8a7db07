package selfbench_test

import (
	"fmt"

	"github.com/warrenmq/warren/internal/selfbench"
)

func ExampleSelectCases() {
	cases, err := selfbench.SelectCases("d,a")
	if err != nil {
		panic(err)
	}
	for _, c := range cases {
		fmt.Printf("%s: %s (target ≤ %g µs CPU a message)\n", c.Name, c.Description, c.Target.MaxCPUPerMessage)
	}
	// Output:
	// a: 1 publisher, 1 consumer, 12 B, unlimited, non-durable queue (target ≤ 20 µs CPU a message)
	// d: as (a) at a fixed 1,000 msg/s (target ≤ 165 µs CPU a message)
}
