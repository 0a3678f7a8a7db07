package scenarios

import (
	"math"
	"time"
)

// Outcome is how a consumer answers one delivery.
type Outcome int

// Outcomes.
const (
	OutcomeAck    Outcome = iota // basic.ack (or nothing, with auto ack)
	OutcomeReject                // basic.reject, requeue as the group says
	OutcomeNack                  // basic.nack, requeue as the group says
)

func (o Outcome) String() string {
	switch o {
	case OutcomeReject:
		return "reject"
	case OutcomeNack:
		return "nack"
	}
	return "ack"
}

// Outcome decides how to answer a delivery from a uniform random number u in
// [0, 1): reject for the first RejectRate of the range, nack for the next
// NackRate, ack for the rest. Callers own the randomness (run.seed).
func (c *ConsumerGroup) Outcome(u float64) Outcome {
	switch {
	case u < c.RejectRate:
		return OutcomeReject
	case u < c.RejectRate+c.NackRate:
		return OutcomeNack
	}
	return OutcomeAck
}

// ProcessingFor returns how long to spend on a delivery for a uniform random
// number u in [0, 1): ProcessingTime, or a uniform pick between
// ProcessingTime and ProcessingTimeMax when the maximum is set.
func (c *ConsumerGroup) ProcessingFor(u float64) time.Duration {
	lo, hi := c.ProcessingTime.Std(), c.ProcessingTimeMax.Std()
	if hi <= lo {
		return lo
	}
	if u < 0 || math.IsNaN(u) {
		u = 0
	}
	if u > 1 {
		u = 1
	}
	return lo + time.Duration(u*float64(hi-lo))
}
