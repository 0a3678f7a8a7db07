package results

import (
	"fmt"

	"github.com/warrenmq/warren/internal/textfmt"
)

// Judge says where the result's figures should not be taken at face value:
// publishers behind their target rate, lost or unconsumed messages, missing
// confirms, a broker that blocked publishers, a generator that fell behind
// its schedule. A run and a merge append these to the result's Warnings.
func (r *Result) Judge() []string {
	var w []string
	sum := r.Summary
	if sum.TargetRate > 0 && sum.PublishRate < 0.95*sum.TargetRate {
		w = append(w, fmt.Sprintf("publishers reached %.0f msg/s of the %.0f msg/s target (%.0f%% behind): latency from the intended send includes the wait",
			sum.PublishRate, sum.TargetRate, 100*(1-sum.PublishRate/sum.TargetRate)))
	}
	if in := r.Integrity; in.Partial {
		w = append(w, "this is one instance of a shared run: its consumers took messages of other instances' publishers and the other way round, so its integrity counts do not balance alone; 'warren merge' of every instance's run directory gives the verdict")
	} else if in.Lost > 0 {
		w = append(w, fmt.Sprintf("%d confirmed messages were lost: never consumed, and no longer in their queues", in.Lost))
	}
	if in := r.Integrity; in.Unconsumed > 0 && !in.Partial {
		w = append(w, fmt.Sprintf("%d messages were still queued when the run ended: consumers did not keep up within the drain time (%s)", in.Unconsumed, r.Scenario.Run.Drain))
	}
	if u := r.Integrity.Unconfirmed; u > 0 {
		w = append(w, fmt.Sprintf("%d messages got no confirm from the broker", u))
	}
	blocked := 0
	for _, e := range r.Events {
		if e.Kind == EventBlocked {
			blocked++
		}
	}
	if blocked > 0 {
		w = append(w, fmt.Sprintf("the broker blocked publishing connections %s (connection.blocked: a memory or disk alarm): rates and latency include the block, so they describe an alarmed broker", textfmt.Plural(blocked, "time")))
	}
	if sd, ok := r.Latency[MetricSendDelay]; ok && sum.TargetRate > 0 && sd.P99 > 10_000 {
		w = append(w, fmt.Sprintf("send delay p99 is %.1f ms: the generator fell behind its schedule, so results may understate the broker", float64(sd.P99)/1000))
	}
	return w
}
