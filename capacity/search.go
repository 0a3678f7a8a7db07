package capacity

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Defaults of Config, chosen so that a step holds enough messages for a p99
// and enough depth samples for a slope, and a search of a broker that
// sustains a few thousand msg/s ends within a quarter of an hour.
const (
	DefaultFactor      = 2.0
	DefaultResolution  = 0.05
	DefaultRetries     = 1
	DefaultMaxSteps    = 30
	DefaultMaxTime     = 30 * time.Minute
	DefaultWarmUp      = 5 * time.Second
	DefaultHold        = 10 * time.Second
	DefaultMinMessages = 2000
	// DefaultMinRate is the floor below which a search that fails from
	// its start rate stops stepping down: at 1 msg/s a step no longer says
	// anything about a broker's capacity.
	DefaultMinRate = 1.0
)

// Config bounds the search. Zero fields take the defaults above (Start has
// none: it is required).
type Config struct {
	// Start is the first rate tried, msg/s.
	Start float64
	// Factor multiplies the rate after each pass until a rate fails (and
	// divides it after a fail while nothing has passed yet).
	Factor float64
	// Resolution ends the bisection once the first fail is within this
	// share of the last pass: 0.05 stops when fail ≤ 1.05 × pass.
	Resolution float64
	// Retries is how many times a failed rate is run again before the
	// fail is believed; one pass among them makes the rate pass. A
	// negative value means none.
	Retries int
	// MinRate and MaxRate bound the rates tried; MaxRate 0 means none.
	// A search that passes at MaxRate ends there: the broker sustains at
	// least that much.
	MinRate, MaxRate float64
	// MaxSteps and MaxTime bound the whole search; MaxTime counts the
	// steps' own durations as their Measurements report them.
	MaxSteps int
	MaxTime  time.Duration
	// WarmUp, Hold and MinMessages make each step long enough to judge:
	// the warm-up is left out of every figure, then publishing holds the
	// rate for Hold or until MinMessages were sent, whichever is longer.
	WarmUp      time.Duration
	Hold        time.Duration
	MinMessages int64
}

// withDefaults fills the zero fields. It is idempotent: a negative Retries
// (none) stays negative, and retries() reads it.
func (c Config) withDefaults() Config {
	if c.Factor == 0 {
		c.Factor = DefaultFactor
	}
	if c.Resolution == 0 {
		c.Resolution = DefaultResolution
	}
	if c.Retries == 0 {
		c.Retries = DefaultRetries
	}
	if c.MinRate == 0 {
		c.MinRate = DefaultMinRate
	}
	if c.MaxSteps == 0 {
		c.MaxSteps = DefaultMaxSteps
	}
	if c.MaxTime == 0 {
		c.MaxTime = DefaultMaxTime
	}
	if c.WarmUp == 0 {
		c.WarmUp = DefaultWarmUp
	}
	if c.Hold == 0 {
		c.Hold = DefaultHold
	}
	if c.MinMessages == 0 {
		c.MinMessages = DefaultMinMessages
	}
	return c
}

// retries is how many times a failed rate is run again.
func (c Config) retries() int { return max(c.Retries, 0) }

// Validate says what is wrong with the configuration, every problem at once.
func (c Config) Validate() error {
	var errs []error
	d := c.withDefaults()
	if !(c.Start > 0) || math.IsInf(c.Start, 0) {
		errs = append(errs, fmt.Errorf("start rate must be a positive rate, got %v", c.Start))
	}
	if !(d.Factor > 1) || math.IsInf(d.Factor, 0) {
		errs = append(errs, fmt.Errorf("factor must be greater than 1, got %v", d.Factor))
	}
	if !(d.Resolution > 0 && d.Resolution < 1) {
		errs = append(errs, fmt.Errorf("resolution must be between 0 and 1 (0.05 is 5%%), got %v", d.Resolution))
	}
	if d.MinRate < 0 {
		errs = append(errs, fmt.Errorf("minimum rate must be ≥ 0, got %v", d.MinRate))
	}
	if d.MaxRate < 0 || (d.MaxRate > 0 && d.MaxRate < c.Start) {
		errs = append(errs, fmt.Errorf("maximum rate %v must be 0 (none) or at least the start rate %v", d.MaxRate, c.Start))
	}
	if c.Start > 0 && c.Start < d.MinRate {
		errs = append(errs, fmt.Errorf("start rate %v is below the minimum rate %v", c.Start, d.MinRate))
	}
	if d.MaxSteps < 1 {
		errs = append(errs, fmt.Errorf("max steps must be ≥ 1, got %d", d.MaxSteps))
	}
	if d.MaxTime < 0 {
		errs = append(errs, fmt.Errorf("max time must be ≥ 0, got %s", d.MaxTime))
	}
	if d.WarmUp < 0 || d.Hold < 0 || d.MinMessages < 0 {
		errs = append(errs, errors.New("warm-up, hold and minimum messages must be ≥ 0"))
	}
	return errors.Join(errs...)
}

// StepLength is how long publishing runs in a step at rate: the warm-up,
// then the hold or the time MinMessages take at that rate, whichever is
// longer (rounded up to a whole second, as per-second samples are).
func (c Config) StepLength(rate float64) time.Duration {
	c = c.withDefaults()
	hold := c.Hold
	if rate > 0 {
		if need := time.Duration(float64(c.MinMessages) / rate * float64(time.Second)); need > hold {
			hold = need
		}
	}
	return (c.WarmUp + hold + time.Second - 1).Truncate(time.Second)
}

// Attempt is what the controller needs to know of a step that ran.
type Attempt struct {
	Rate float64
	Pass bool
	// Took is the step's wall time (set-up and drain included), counted
	// against Config.MaxTime.
	Took time.Duration
}

// Phases of the search, as Decision.Phase names them.
const (
	PhaseClimb  = "climb"  // stepping up (or, before any pass, down) geometrically
	PhaseRetry  = "retry"  // running a failed rate again
	PhaseBisect = "bisect" // halving the gap between the last pass and the first fail
	PhaseDone   = "done"   // the search is over
)

// Reasons the search ends, as Decision.Stopped says them.
const (
	StopResolution = "resolution reached"
	StopMaxRate    = "the maximum rate passed"
	StopMinRate    = "failed down to the minimum rate"
	StopMaxSteps   = "step limit reached"
	StopMaxTime    = "time budget spent"
)

// Decision is the controller's answer: the next rate, or that the search is
// done, with the bracket it has established.
type Decision struct {
	// Rate is the next rate to run (0 when Done).
	Rate  float64
	Phase string
	Done  bool
	// Stopped says why the search ended (one of the Stop constants).
	Stopped string
	// Pass is the highest rate believed to pass, Fail the lowest believed
	// to fail; 0 when there is none.
	Pass, Fail float64
}

// Next decides the next step from the attempts so far (in the order they
// ran). It is a pure function: the same history always gives the same
// decision.
func Next(cfg Config, history []Attempt) Decision {
	cfg = cfg.withDefaults()
	pass, fail := bracket(cfg, history)
	d := Decision{Pass: pass, Fail: fail, Phase: PhaseClimb}
	done := func(why string) Decision {
		d.Done, d.Phase, d.Stopped, d.Rate = true, PhaseDone, why, 0
		return d
	}
	if len(history) >= cfg.MaxSteps {
		return done(StopMaxSteps)
	}

	switch {
	case len(history) == 0:
		d.Rate = cfg.Start
	case !history[len(history)-1].Pass && failsInARow(history) <= cfg.retries():
		// A single fail may be a hiccup (a GC pause, a neighbour's burst):
		// run the rate again before believing it.
		d.Rate, d.Phase = history[len(history)-1].Rate, PhaseRetry
	case fail == 0:
		if cfg.MaxRate > 0 && pass >= cfg.MaxRate {
			return done(StopMaxRate)
		}
		d.Rate = roundRate(pass * cfg.Factor)
		if cfg.MaxRate > 0 && d.Rate > cfg.MaxRate {
			d.Rate = cfg.MaxRate
		}
	case pass == 0:
		// Nothing has passed yet: step down from the lowest fail.
		if fail <= cfg.MinRate {
			return done(StopMinRate)
		}
		d.Rate = math.Max(roundRate(fail/cfg.Factor), cfg.MinRate)
	default:
		if fail <= pass*(1+cfg.Resolution) {
			return done(StopResolution)
		}
		next := roundRate((pass + fail) / 2)
		if next <= pass || next >= fail {
			// The rounding left nothing between them.
			return done(StopResolution)
		}
		d.Rate, d.Phase = next, PhaseBisect
	}

	if overBudget(cfg, history, d.Rate) {
		return done(StopMaxTime)
	}
	return d
}

// bracket reads the believed outcome of every rate from the history: a rate
// passes when any attempt at it passed, and fails when it failed more than
// Retries times with no pass. It returns the lowest believed fail and the
// highest believed pass below it (a pass above a fail is noise and is
// ignored, so the bracket only ever narrows).
func bracket(cfg Config, history []Attempt) (pass, fail float64) {
	type tally struct{ pass, fail int }
	by := map[float64]*tally{}
	for _, a := range history {
		t := by[a.Rate]
		if t == nil {
			t = &tally{}
			by[a.Rate] = t
		}
		if a.Pass {
			t.pass++
		} else {
			t.fail++
		}
	}
	for rate, t := range by {
		if t.pass == 0 && t.fail > cfg.retries() && (fail == 0 || rate < fail) {
			fail = rate
		}
	}
	for rate, t := range by {
		if t.pass > 0 && (fail == 0 || rate < fail) && rate > pass {
			pass = rate
		}
	}
	return pass, fail
}

// failsInARow counts the fails at the last attempt's rate that end the
// history.
func failsInARow(history []Attempt) int {
	last := history[len(history)-1]
	n := 0
	for i := len(history) - 1; i >= 0; i-- {
		a := history[i]
		if a.Rate != last.Rate || a.Pass {
			break
		}
		n++
	}
	return n
}

// overBudget tells whether a step at rate would end beyond MaxTime, its
// length estimated from the planned length scaled by how much longer the
// steps so far took than planned (their set-up and drain).
func overBudget(cfg Config, history []Attempt, rate float64) bool {
	var spent, planned time.Duration
	for _, a := range history {
		spent += a.Took
		planned += cfg.StepLength(a.Rate)
	}
	next := cfg.StepLength(rate)
	if planned > 0 && spent > planned {
		next = time.Duration(float64(next) * float64(spent) / float64(planned))
	}
	return spent+next > cfg.MaxTime
}

// roundRate keeps three significant figures, so rates read well in a table
// and a step's rate can be written back in a scenario exactly.
func roundRate(r float64) float64 {
	if r <= 0 {
		return 0
	}
	scale := math.Pow(10, 2-math.Floor(math.Log10(r)))
	return math.Round(r*scale) / scale
}
