package loadgen

import (
	"time"

	"github.com/warrenmq/warren/scenarios"
)

// The pacer tables and benchmarks were written against these constructors,
// from before scenarios owned the rate maths. They live on here, in tests
// only, so that the same tables now check the schedules a run uses: each
// builds the scenarios.Rate that says the same thing and compiles it.

func NewConstantPacer(perSecond float64) Pacer {
	return scenarios.Rate{PerSecond: perSecond}.Schedule()
}

func NewUnlimitedPacer() Pacer { return scenarios.Rate{Unlimited: true}.Schedule() }

func NewRampPacer(from, to float64, over time.Duration) Pacer {
	return scenarios.Rate{Ramp: &scenarios.RampRate{
		From: scenarios.Rate{PerSecond: from},
		To:   scenarios.Rate{PerSecond: to},
		Over: scenarios.Duration(over),
	}}.Schedule()
}

func NewStepsPacer(rates []float64, every time.Duration) Pacer {
	s := &scenarios.StepRates{Every: scenarios.Duration(every)}
	for _, r := range rates {
		s.Rates = append(s.Rates, scenarios.Rate{PerSecond: r})
	}
	return scenarios.Rate{Steps: s}.Schedule()
}

func NewLimitedPacer(p Pacer, max uint64) Pacer { return newLimitedPacer(p, max) }
