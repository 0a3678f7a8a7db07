package scenarios

import (
	"math"
	"math/bits"
	"time"
)

// Schedule is a Rate compiled for one sender: it answers when message n
// (counting from 0) is due, as an offset from the start of sending. It is
// the inverse of Rate.Due, and the one implementation of it: Rate.DueAt and
// the generator's pacers both use it.
//
// A Schedule is pure: it never reads the clock, so the same n always gives
// the same answer, and it is immutable and safe for concurrent use. Due
// times are computed from n directly, never by accumulating intervals, so
// they do not drift however long a run lasts, and Due does not allocate.
//
// Message n is due at the first time the count of messages due, the
// integral of the rate, reaches n while the rate is above zero: a stretch
// at zero rate sends nothing, and message n waits for the rate to rise
// again. Once the rate stays at zero the schedule ends.
//
// Rates that are zero, negative or NaN send nothing: a misconfigured zero
// must not turn into an unthrottled flood of the broker. Rates above a
// thousand messages per nanosecond (1e12/s), including unlimited inside a
// ramp or steps, are lowered to it: already far faster than any sender. A
// due time beyond what a time.Duration can hold (about 292 years) ends the
// schedule.
type Schedule interface {
	// Due returns when message n is due. ok=false means the schedule has
	// ended: send no more. Due is non-decreasing in n and, once it
	// reports false, it reports false for every larger n.
	Due(n uint64) (at time.Duration, ok bool)

	// due is Due for a count x ≥ 0 that need not be whole (DueAt).
	due(x float64) (time.Duration, bool)
}

// Schedule compiles r into the schedule of one sender: share a group's rate
// out first (Rate.Scale). An unlimited rate has every message due at once;
// no rate at all (the zero Rate) sends nothing.
func (r Rate) Schedule() Schedule {
	switch r.Kind() {
	case RateUnlimited:
		return unlimitedSchedule{}
	case RateConstant:
		return newConstantSchedule(r.PerSecond)
	case RateRamp:
		return newRampSchedule(r.Ramp.From.perSecond(), r.Ramp.To.perSecond(), r.Ramp.Over.Std())
	case RateSteps:
		rates := make([]float64, len(r.Steps.Rates))
		for i, s := range r.Steps.Rates {
			rates[i] = s.perSecond()
		}
		return newStepsSchedule(rates, r.Steps.Every.Std())
	}
	return noneSchedule{}
}

// maxScheduleRate is the highest rate, in messages per second, that a
// schedule honours: a thousand messages per nanosecond.
const maxScheduleRate = 1e12

// maxDurationFloat is the first float64 that does not fit in a
// time.Duration (2^63 ns).
const maxDurationFloat = float64(1 << 63)

// cleanRate maps every rate onto [0, maxScheduleRate] so that the
// arithmetic below never meets NaN or infinities.
func cleanRate(r float64) float64 {
	switch {
	case !(r > 0): // also NaN
		return 0
	case r > maxScheduleRate:
		return maxScheduleRate
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

// newConstantSchedule sends perSecond messages per second: message n is due at
// n/perSecond. Whole-number rates are computed exactly in integer
// arithmetic; fractional rates in float64, whose relative error (about
// 1e-16) stays far below a nanosecond for any realistic run.
func newConstantSchedule(perSecond float64) Schedule {
	r := cleanRate(perSecond)
	if r == 0 {
		return noneSchedule{}
	}
	if r == math.Trunc(r) {
		return intRateSchedule{rate: uint64(r)}
	}
	return floatRateSchedule{secondsPer: 1 / r}
}

// intRateSchedule is a constant schedule for a whole-number rate: Due is
// floor(n·1e9/rate) nanoseconds, exact for every n.
type intRateSchedule struct{ rate uint64 }

func (p intRateSchedule) Due(n uint64) (time.Duration, bool) {
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

func (p intRateSchedule) due(x float64) (time.Duration, bool) {
	if x == math.Trunc(x) && x < 1<<64 {
		return p.Due(uint64(x)) // exact, as for the pacers
	}
	return addSeconds(0, x/float64(p.rate))
}

// floatRateSchedule is a constant schedule for a fractional rate.
type floatRateSchedule struct{ secondsPer float64 }

func (p floatRateSchedule) Due(n uint64) (time.Duration, bool) { return p.due(float64(n)) }

func (p floatRateSchedule) due(x float64) (time.Duration, bool) {
	return addSeconds(0, x*p.secondsPer)
}

// noneSchedule is the schedule of a zero rate: nothing is ever due.
type noneSchedule struct{}

func (noneSchedule) Due(uint64) (time.Duration, bool)  { return 0, false }
func (noneSchedule) due(float64) (time.Duration, bool) { return 0, false }

// unlimitedSchedule has every message due at once: the sender goes as fast
// as it can (a publisher within its confirm window).
type unlimitedSchedule struct{}

func (unlimitedSchedule) Due(uint64) (time.Duration, bool)  { return 0, true }
func (unlimitedSchedule) due(float64) (time.Duration, bool) { return 0, true }

// newRampSchedule changes the rate linearly from `from` to `to` over `over`,
// then holds `to`. The number of messages due by time t is the integral of
// the rate, N(t) = from·t + (to−from)·t²/(2·over) during the ramp (as
// Rate.Due), and message n is due when N(t) reaches n: the quadratic is
// inverted exactly, not stepped, so the schedule is smooth and does not
// drift.
//
// Either rate may be zero (a ramp up from nothing, or down to a stop: once
// the ramp has reached zero the schedule ends). A ramp with over ≤ 0 is a
// constant schedule at `to`.
func newRampSchedule(from, to float64, over time.Duration) Schedule {
	from, to = cleanRate(from), cleanRate(to)
	if over <= 0 || from == to {
		return newConstantSchedule(to)
	}
	secs := over.Seconds()
	return rampSchedule{
		from:  from,
		to:    to,
		over:  over,
		half:  (to - from) / (2 * secs),
		total: rampTotal(from, to, secs),
	}
}

// rampTotal is the number of messages due during a ramp: N(over).
func rampTotal(from, to, over float64) float64 { return (from + to) * over / 2 }

type rampSchedule struct {
	from, to float64
	over     time.Duration
	half     float64 // (to−from)/(2·over): N(t) = from·t + half·t²
	total    float64 // N(over): messages due during the ramp
}

func (p rampSchedule) Due(n uint64) (time.Duration, bool) { return p.due(float64(n)) }

func (p rampSchedule) due(x float64) (time.Duration, bool) {
	if x == 0 {
		// 0/0 below when from is 0; the first message opens the schedule
		// (the ramp always has a positive rate somewhere, so N(t) > 0 for
		// every t > 0).
		return 0, true
	}
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

// newStepsSchedule runs at rates[i] during the i-th period of length `every`
// (from i·every to (i+1)·every); the last rate holds after the last step. A
// step with a zero rate sends nothing during it, and if the last rate is
// zero the schedule ends after the last positive step. No rates give a
// schedule that sends nothing; every ≤ 0 a constant schedule at the last
// rate.
func newStepsSchedule(rates []float64, every time.Duration) Schedule {
	if len(rates) == 0 {
		return noneSchedule{}
	}
	if every <= 0 || len(rates) == 1 {
		return newConstantSchedule(rates[len(rates)-1])
	}
	p := stepsSchedule{every: every}
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

type stepsSchedule struct {
	every time.Duration
	rates []float64
	// cum[i] is the number of messages due before step i starts; it never
	// decreases, and a zero-rate step has the same cum as the next step.
	cum []float64
}

func (p stepsSchedule) Due(n uint64) (time.Duration, bool) { return p.due(float64(n)) }

func (p stepsSchedule) due(x float64) (time.Duration, bool) {
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
