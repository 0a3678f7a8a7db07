package results

import (
	"fmt"
	"sort"
	"strings"

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
	for _, q := range r.Integrity.Queues {
		if q.Gone {
			w = append(w, fmt.Sprintf("queue %s no longer existed when the run ended: something deleted it during the run (an operator, a policy such as x-expires, another run's cleanup), and what it had not delivered went with it", q.Queue))
		}
	}
	if w1 := unknownWarning(r.Integrity); w1 != "" {
		w = append(w, w1)
	}
	if in := r.Integrity; in.Unconsumed > 0 && !in.Partial {
		w = append(w, fmt.Sprintf("%d messages were still queued when the run ended: consumers did not keep up within the drain time (%s)", in.Unconsumed, r.Scenario.Run.Drain))
	}
	if u := r.Integrity.Unconfirmed; u > 0 {
		w = append(w, fmt.Sprintf("%d messages got no confirm from the broker", u))
	}
	// A publisher a message or two behind when publishing stops is not
	// worth a warning (the count is in the summary all the same); a
	// tenth of a second of the schedule or more is.
	if n := sum.Unsent; n > 0 && float64(n) >= sum.TargetRate/10 {
		w = append(w, fmt.Sprintf("%s due by the rate schedule %s never sent: the publishers fell behind and publishing ended first; the end-to-end latency from the intended send counts each as a lower bound (the end of publishing minus its intended send time)",
			textfmt.Plural(n, "message"), agree(n, "was", "were")))
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

// agree picks the singular or the plural form of a phrase for n things
// ("copy is" or "copies are"); textfmt.Plural writes counted nouns.
func agree(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// unknownWarning says which queues the broker could not be asked about at
// the end, and why: their undelivered copies are unknown, not lost.
func unknownWarning(in Integrity) string {
	if in.Unknown == 0 {
		return ""
	}
	why := map[string][]string{}
	for _, q := range in.Queues {
		if q.Unknown > 0 {
			why[q.UnknownWhy] = append(why[q.UnknownWhy], q.Queue)
		}
	}
	reasons := make([]string, 0, len(why))
	for reason, queues := range why {
		reasons = append(reasons, fmt.Sprintf("%s %s (%s)", agree(int64(len(queues)), "queue", "queues"), strings.Join(queues, ", "), reason))
	}
	sort.Strings(reasons)
	return fmt.Sprintf("%s confirmed %s unknown: never consumed, and the broker could not be asked at the end whether %s still queued, so %s neither lost nor unconsumed: %s",
		textfmt.Count(in.Unknown), agree(in.Unknown, "copy is", "copies are"), agree(in.Unknown, "it was", "they were"), agree(in.Unknown, "it is", "they are"), strings.Join(reasons, "; "))
}
