package loadgen

import (
	"time"
)

// Pacer answers when message n (0-based, per publisher, or per consumer for
// a consume-rate limit) is due, as an offset from the sender's start.
//
// The schedules are scenarios.Schedule values (Rate.Schedule), which own the
// rate maths: pure, immutable, free of drift and of allocation. loadgen adds
// only what a run needs on top: no rate means unlimited (pacerFor), and a
// message bound ends the schedule (newLimitedPacer).
//
// Catch-up: a publisher that falls behind (the broker pushed back, the
// confirm window was full) sends whatever is overdue at once, without
// sleeping, and the confirm window bounds that burst. The pacer takes no part
// in this: it only reports the due time, and the publisher records the
// difference between due and actual send as the send delay. Measuring
// latency from the due time, not from the late actual send, is what keeps
// the end-to-end figures free of coordinated omission.
type Pacer interface {
	// Due returns when message n is due. ok=false means the schedule has
	// ended: send no more (Due is non-decreasing in n and, once it reports
	// false, it reports false for every larger n).
	Due(n uint64) (at time.Duration, ok bool)
}

// newLimitedPacer follows p for the first max messages, then ends the
// schedule: Due(n) reports ok=false once n ≥ max.
func newLimitedPacer(p Pacer, max uint64) Pacer {
	return limitedPacer{p: p, max: max}
}

type limitedPacer struct {
	p   Pacer
	max uint64
}

func (l limitedPacer) Due(n uint64) (time.Duration, bool) {
	if n >= l.max {
		return 0, false
	}
	return l.p.Due(n)
}
