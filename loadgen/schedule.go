package loadgen

import (
	"github.com/warrenmq/warren/scenarios"
)

// pacerFor turns a scenario rate (already shared out to one sender with
// Rate.Scale) into the pacer that schedules its sends.
func pacerFor(r scenarios.Rate) Pacer {
	switch r.Kind() {
	case scenarios.RateConstant:
		return NewConstantPacer(r.PerSecond)
	case scenarios.RateRamp:
		return NewRampPacer(ratePerSecond(r.Ramp.From), ratePerSecond(r.Ramp.To), r.Ramp.Over.Std())
	case scenarios.RateSteps:
		rates := make([]float64, len(r.Steps.Rates))
		for i, s := range r.Steps.Rates {
			rates[i] = ratePerSecond(s)
		}
		return NewStepsPacer(rates, r.Steps.Every.Std())
	}
	return NewUnlimitedPacer()
}

// ratePerSecond reads one phase's rate; "unlimited" inside a ramp or steps
// becomes the fastest rate a pacer schedules.
func ratePerSecond(r scenarios.Rate) float64 {
	if r.Unlimited {
		return MaxPacerRate
	}
	return r.PerSecond
}

// seedFor derives a sender's random source seed from the run's seed, so a
// run with a fixed seed makes the same key, size and outcome choices.
func seedFor(runSeed int64, sender uint64) (uint64, uint64) {
	return uint64(runSeed), sender ^ 0x9e3779b97f4a7c15
}
