package reports

import (
	"math"

	"github.com/warrenmq/warren/results"
)

// consumeRateWhilePublishing is what the consumers took per second while
// the publishers ran, from the per-second series: the seconds that end
// after the warm-up and no later than the end of publishing. The summary's
// consume rate counts the drain too, so consumers that fell behind and
// caught up in the drain look as fast as the publishers there; this rate
// shows them falling behind. ok is false when the series has no such
// second.
func consumeRateWhilePublishing(r *results.Result) (rate float64, ok bool) {
	last := int(math.Round(r.Duration.Std().Seconds()))
	warm := 0.0
	if r.Scenario != nil {
		warm = r.Scenario.Run.WarmUp.Std().Seconds()
	}
	var sum int64
	n := 0
	for _, s := range r.Series {
		if s.T <= last && float64(s.T) > warm {
			sum += s.Consumed
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return float64(sum) / float64(n), true
}

// consumeRate is consumeRateWhilePublishing when the series allows it,
// the summary's rate otherwise.
func consumeRate(r *results.Result) float64 {
	if v, ok := consumeRateWhilePublishing(r); ok {
		return v
	}
	return r.Summary.ConsumeRate
}
