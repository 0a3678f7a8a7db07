package loadgen

import (
	"github.com/warrenmq/warren/scenarios"
)

// pacerFor turns a scenario rate (already shared out to one sender with
// Rate.Scale) into the pacer that schedules its sends. A sender without a
// rate goes as fast as it can, as an unlimited one does.
func pacerFor(r scenarios.Rate) Pacer {
	if r.IsZero() {
		r = scenarios.Rate{Unlimited: true}
	}
	return r.Schedule()
}

// seedFor derives a sender's random source seed from the run's seed, so a
// run with a fixed seed makes the same key, size and outcome choices.
func seedFor(runSeed int64, sender uint64) (uint64, uint64) {
	return uint64(runSeed), sender ^ 0x9e3779b97f4a7c15
}
