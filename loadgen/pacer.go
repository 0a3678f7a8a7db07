package loadgen

import (
	"math"
	"math/bits"
	"time"
)

// Pacer answers when message n (0-based, per publisher) is due, as an offset
// from the publisher's start.
//
// A Pacer is a pure schedule: it never reads the clock, so the same n always
// gives the same answer and every implementation here is immutable and safe
// for concurrent use. Due times are computed from n directly, never by
// accumulating intervals, so they do not drift however long a run lasts.
//
// Catch-up: a publisher that falls behind (the broker pushed back, the
// confirm window was full) sends whatever is overdue at once, without
// sleeping, and the confirm window bounds that burst. The pacer takes no part
// in this: it only reports the due time, and the publisher records the
// difference between due and actual send as the send delay. Measuring
// latency from the due time, not from the late actual send, is what keeps
// the end-to-end figures free of coordinated omission.
//
// Rates are in messages per second. Every constructor treats a rate that is
// zero, negative or NaN as "no messages": a misconfigured zero must not turn
// into an unthrottled flood of the broker. Rates above MaxPacerRate are
// treated as MaxPacerRate, which is already far faster than any publisher.
// A due time beyond what a time.Duration can hold (about 292 years) is
// reported as the end of the schedule.
type Pacer interface {
	// Due returns when message n is due. ok=false means the schedule has
	// ended: send no more (Due is non-decreasing in n and, once it reports
	// false, it reports false for every larger n).
	Due(n uint64) (at time.Duration, ok bool)
}

// MaxPacerRate is the highest rate, in messages per second, that pacers
// honour: a thousand messages per nanosecond. Higher rates, including +Inf,
// are lowered to it; with NewUnlimitedPacer there is no need for them.
const MaxPacerRate = 1e12

// maxDurationFloat is the first float64 that does not fit in a
// time.Duration (2^63 ns).
const maxDurationFloat = float64(1 << 63)

// cleanRate maps every rate onto [0, MaxPacerRate] so that the arithmetic
// below never meets NaN or infinities.
func cleanRate(r float64) float64 {
	switch {
	case !(r > 0): // also NaN
		return 0
	case r > MaxPacerRate:
		return MaxPacerRate
	}
	return r
}

// addSeconds returns base + s seconds, rounded down to the nanosecond so that
// rounding never makes a message late; ok=false if the sum does not fit in a
// time.Duration. base must be ≥ 0.
func addSeconds(base time.Duration, s float64) (time.Duration, bool) {
	ns := math.Floor(s * 1e9)
	if !(ns < maxDurationFloat) { // also catches NaN
		return 0, false
	}
	d := time.Duration(max(ns, 0)) // rounding cannot go below 0 in practice
	if d > math.MaxInt64-base {
		return 0, false
	}
	return base + d, true
}

// NewConstantPacer sends perSecond messages per second: message n is due at
// n/perSecond. Whole-number rates are computed exactly in integer arithmetic;
// fractional rates in float64, whose relative error (about 1e-16) stays far
// below a nanosecond for any realistic run. A rate ≤ 0 or NaN gives a pacer
// that sends nothing.
func NewConstantPacer(perSecond float64) Pacer {
	r := cleanRate(perSecond)
	if r == 0 {
		return nonePacer{}
	}
	if r == math.Trunc(r) {
		return intRatePacer{rate: uint64(r)}
	}
	return floatRatePacer{secondsPer: 1 / r}
}

// intRatePacer is a constant pacer for a whole-number rate: Due is
// floor(n·1e9/rate) nanoseconds, exact for every n.
type intRatePacer struct{ rate uint64 }

func (p intRatePacer) Due(n uint64) (time.Duration, bool) {
	hi, lo := bits.Mul64(n, uint64(time.Second))
	if hi >= p.rate { // the quotient would not fit in 64 bits
		return 0, false
	}
	q, _ := bits.Div64(hi, lo, p.rate)
	if q > math.MaxInt64 {
		return 0, false
	}
	return time.Duration(q), true
}

// floatRatePacer is a constant pacer for a fractional rate.
type floatRatePacer struct{ secondsPer float64 }

func (p floatRatePacer) Due(n uint64) (time.Duration, bool) {
	return addSeconds(0, float64(n)*p.secondsPer)
}

// nonePacer is the schedule of a zero rate: nothing is ever due.
type nonePacer struct{}

func (nonePacer) Due(uint64) (time.Duration, bool) { return 0, false }

// NewUnlimitedPacer sends as fast as the publisher can (within its confirm
// window): every message is due at once.
func NewUnlimitedPacer() Pacer { return unlimitedPacer{} }

type unlimitedPacer struct{}

func (unlimitedPacer) Due(uint64) (time.Duration, bool) { return 0, true }

// NewRampPacer changes the rate linearly from `from` to `to` over `over`, then
// holds `to`. The number of messages due by time t is the integral of the
// rate, N(t) = from·t + (to−from)·t²/(2·over) during the ramp, and message n is
// due when N(t) reaches n: the quadratic is inverted exactly, not stepped, so
// the schedule is smooth and does not drift.
//
// Either rate may be zero (a ramp up from nothing, or down to a stop: once the
// ramp has reached zero the schedule ends). A ramp with over ≤ 0 is a constant
// pacer at `to`.
func NewRampPacer(from, to float64, over time.Duration) Pacer {
	from, to = cleanRate(from), cleanRate(to)
	if over <= 0 {
		return NewConstantPacer(to)
	}
	if from == to {
		return NewConstantPacer(to)
	}
	secs := over.Seconds()
	return rampPacer{
		from:  from,
		to:    to,
		over:  over,
		half:  (to - from) / (2 * secs),
		total: (from + to) / 2 * secs,
	}
}

type rampPacer struct {
	from, to float64
	over     time.Duration
	half     float64 // (to−from)/(2·over): N(t) = from·t + half·t²
	total    float64 // N(over): messages due during the ramp
}

func (p rampPacer) Due(n uint64) (time.Duration, bool) {
	if n == 0 {
		// 0/0 below when from is 0; the first message opens the schedule
		// (the ramp always has a positive rate somewhere, so N(t) > 0 for
		// every t > 0).
		return 0, true
	}
	x := float64(n)
	if x < p.total {
		// Root of half·t² + from·t − n = 0 in the form 2n/(b+√(b²+4an)),
		// which has no cancellation for either sign of `half` and stays
		// finite when half or from is 0. For n < N(over) the discriminant is
		// at least to² ≥ 0; the max guards against rounding.
		d := math.Max(p.from*p.from+4*p.half*x, 0)
		t := 2 * x / (p.from + math.Sqrt(d))
		at, ok := addSeconds(0, t)
		if ok && at > p.over { // rounding at the very end of the ramp
			at = p.over
		}
		return at, ok
	}
	if p.to == 0 {
		return 0, false
	}
	return addSeconds(p.over, (x-p.total)/p.to)
}

// NewStepsPacer runs at rates[i] during the i-th period of length `every`
// (from i·every to (i+1)·every); the last rate holds after the last step. A
// step with a zero rate sends nothing during it, and if the last rate is zero
// the schedule ends after the last positive step. No rates gives a pacer that
// sends nothing; every ≤ 0 a constant pacer at the last rate. The rates slice
// is copied.
func NewStepsPacer(rates []float64, every time.Duration) Pacer {
	if len(rates) == 0 {
		return nonePacer{}
	}
	if every <= 0 || len(rates) == 1 {
		return NewConstantPacer(rates[len(rates)-1])
	}
	p := stepsPacer{every: every}
	secs := every.Seconds()
	var sum float64
	for i, r := range rates {
		if i > 0 && time.Duration(i) > math.MaxInt64/every {
			// Step i would start after the last representable time: the
			// steps before it cover every time a Duration can express.
			break
		}
		r = cleanRate(r)
		p.rates = append(p.rates, r)
		p.cum = append(p.cum, sum)
		sum += r * secs
	}
	return p
}

type stepsPacer struct {
	every time.Duration
	rates []float64
	// cum[i] is the number of messages due before step i starts; it never
	// decreases, and a zero-rate step has the same cum as the next step.
	cum []float64
}

func (p stepsPacer) Due(n uint64) (time.Duration, bool) {
	x := float64(n)
	// Message n lies in the step where the count rises past n: the last step
	// i with cum[i] ≤ n. Zero-rate steps are never that step unless they end
	// the schedule: their count ends where the next step's begins.
	lo, hi := 0, len(p.cum)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if p.cum[m] <= x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	i := lo - 1 // cum[0] == 0 ≤ x, so i ≥ 0
	if p.rates[i] == 0 {
		return 0, false // a zero tail: everything was sent before it
	}
	start := time.Duration(i) * p.every
	at, ok := addSeconds(start, (x-p.cum[i])/p.rates[i])
	if ok && i < len(p.rates)-1 && at-start > p.every {
		at = start + p.every // float rounding at a step's end
	}
	return at, ok
}

// NewLimitedPacer follows p for the first max messages, then ends the
// schedule: Due(n) reports ok=false once n ≥ max.
func NewLimitedPacer(p Pacer, max uint64) Pacer {
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
