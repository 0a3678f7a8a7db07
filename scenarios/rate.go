package scenarios

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
)

// Rate is a target message rate: unlimited, constant, a ramp or steps.
//
// At most one form is set. The zero value means "no rate set" (publishers
// default to unlimited; consumers then consume as fast as they can). In
// YAML a rate is either a scalar ("500/s", "30000/min", "unlimited") or a
// mapping with one of constant, ramp, or steps (with every):
//
//	rate: 500/s
//	rate: {constant: 500/s}
//	rate: {ramp: {from: 100/s, to: 2000/s, over: 60s}}
//	rate: {steps: [100/s, 500/s, 1000/s], every: 30s}
type Rate struct {
	Unlimited bool
	// PerSecond is a constant rate.
	PerSecond float64
	// Ramp changes the rate linearly, then holds it.
	Ramp *RampRate
	// Steps changes the rate in steps, then holds the last.
	Steps *StepRates
}

// RampRate goes linearly from From to To over Over, then stays at To.
type RampRate struct {
	From Rate     `yaml:"from" json:"from"`
	To   Rate     `yaml:"to" json:"to"`
	Over Duration `yaml:"over" json:"over"`
}

// StepRates holds each rate for Every, then stays at the last.
type StepRates struct {
	Rates []Rate   `yaml:"steps" json:"steps"`
	Every Duration `yaml:"every" json:"every"`
}

// Rate kinds, from Rate.Kind.
const (
	RateNone      = ""
	RateUnlimited = "unlimited"
	RateConstant  = "constant"
	RateRamp      = "ramp"
	RateSteps     = "steps"
)

// ParseRate reads "500", "500/s", "30000/min", "2/ms" or "unlimited" ("0"
// also means unlimited, as on the command line).
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "unlimited" || s == "max" || s == "0" {
		return Rate{Unlimited: true}, nil
	}
	num, per := s, time.Second
	if i := strings.IndexByte(s, '/'); i >= 0 {
		num = strings.TrimSpace(s[:i])
		switch strings.TrimSpace(s[i+1:]) {
		case "s", "sec", "second":
			per = time.Second
		case "min", "m", "minute":
			per = time.Minute
		case "h", "hour":
			per = time.Hour
		case "ms":
			per = time.Millisecond
		default:
			return Rate{}, fmt.Errorf("invalid rate %q: use a rate such as 500/s, 30000/min or unlimited", s)
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return Rate{}, fmt.Errorf("invalid rate %q: use a rate such as 500/s, 30000/min or unlimited", s)
	}
	if v < 0 {
		return Rate{}, fmt.Errorf("invalid rate %q: a rate must be greater than 0 (or unlimited)", s)
	}
	if v == 0 {
		return Rate{Unlimited: true}, nil
	}
	return Rate{PerSecond: v * float64(time.Second) / float64(per)}, nil
}

// IsZero reports whether no rate was given.
func (r Rate) IsZero() bool {
	return !r.Unlimited && r.PerSecond == 0 && r.Ramp == nil && r.Steps == nil
}

// Kind is RateUnlimited, RateConstant, RateRamp, RateSteps, or RateNone for
// the zero value.
func (r Rate) Kind() string {
	switch {
	case r.Unlimited:
		return RateUnlimited
	case r.Ramp != nil:
		return RateRamp
	case r.Steps != nil:
		return RateSteps
	case r.PerSecond != 0:
		return RateConstant
	}
	return RateNone
}

// String formats the rate: "500/s", "unlimited", "ramp 100/s to 2000/s over
// 1m0s", "steps 100/s, 500/s every 30s".
func (r Rate) String() string {
	switch r.Kind() {
	case RateUnlimited:
		return "unlimited"
	case RateRamp:
		return fmt.Sprintf("ramp %s to %s over %s", r.Ramp.From, r.Ramp.To, r.Ramp.Over)
	case RateSteps:
		parts := make([]string, len(r.Steps.Rates))
		for i, s := range r.Steps.Rates {
			parts[i] = s.String()
		}
		return fmt.Sprintf("steps %s every %s", strings.Join(parts, ", "), r.Steps.Every)
	}
	return strconv.FormatFloat(r.PerSecond, 'f', -1, 64) + "/s"
}

// UnmarshalText implements encoding.TextUnmarshaler (the scalar forms).
func (r *Rate) UnmarshalText(t []byte) error {
	v, err := ParseRate(string(t))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// MarshalText implements encoding.TextMarshaler. Ramps and steps have no
// text form that ParseRate reads: JSON and YAML use their own marshalers.
func (r Rate) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// rateMapping is the mapping form of a rate in YAML and JSON.
type rateMapping struct {
	Constant *Rate     `yaml:"constant,omitempty" json:"constant,omitempty"`
	Ramp     *RampRate `yaml:"ramp,omitempty" json:"ramp,omitempty"`
	Steps    []Rate    `yaml:"steps,omitempty" json:"steps,omitempty"`
	Every    Duration  `yaml:"every,omitempty" json:"every,omitempty"`
}

func (m rateMapping) rate() (Rate, error) {
	n := 0
	if m.Constant != nil {
		n++
	}
	if m.Ramp != nil {
		n++
	}
	if m.Steps != nil {
		n++
	}
	switch {
	case n == 0:
		return Rate{}, fmt.Errorf("a rate mapping needs one of constant, ramp or steps")
	case n > 1:
		return Rate{}, fmt.Errorf("a rate has one of constant, ramp or steps, not several: use a sweep to compare them")
	case m.Every != 0 && m.Steps == nil:
		return Rate{}, fmt.Errorf("every goes with steps: remove it or add steps")
	case m.Constant != nil:
		if m.Constant.Kind() != RateConstant && m.Constant.Kind() != RateUnlimited {
			return Rate{}, fmt.Errorf("constant needs a single rate such as 500/s")
		}
		return *m.Constant, nil
	case m.Ramp != nil:
		ramp := *m.Ramp
		return Rate{Ramp: &ramp}, nil
	}
	return Rate{Steps: &StepRates{Rates: m.Steps, Every: m.Every}}, nil
}

func (r Rate) mapping() any {
	switch r.Kind() {
	case RateNone:
		return nil
	case RateRamp:
		return rateMapping{Ramp: r.Ramp}
	case RateSteps:
		return rateMapping{Steps: r.Steps.Rates, Every: r.Steps.Every}
	}
	return r.String()
}

// UnmarshalYAML reads a scalar or mapping rate, locating a bad value.
func (r *Rate) UnmarshalYAML(node ast.Node) error {
	kind, err := kindOf(node)
	if err != nil {
		return wrapNodeError(node, err)
	}
	switch kind {
	case kindNull:
		*r = Rate{}
		return nil
	case kindScalar:
		s, err := scalarText(node)
		if err != nil {
			return wrapNodeError(node, err)
		}
		v, err := ParseRate(s)
		if err != nil {
			return nodeError(node, "%v", err)
		}
		*r = v
		return nil
	case kindMapping:
		var m rateMapping
		if err := decodeNode(node, &m); err != nil {
			return err
		}
		v, err := m.rate()
		if err != nil {
			return nodeError(node, "%v", err)
		}
		*r = v
		return nil
	}
	return nodeError(node, "a rate is a value such as 500/s, or a mapping with constant, ramp or steps; got a list")
}

// MarshalYAML writes the scalar form, or the mapping for ramps and steps.
func (r Rate) MarshalYAML() (any, error) { return r.mapping(), nil }

// MarshalJSON writes "500/s" or "unlimited", or an object for ramps and
// steps, as in YAML.
func (r Rate) MarshalJSON() ([]byte, error) { return json.Marshal(r.mapping()) }

// UnmarshalJSON accepts the text form, a bare number, or the object form.
func (r *Rate) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		return r.UnmarshalText([]byte(s))
	}
	if t := strings.TrimSpace(string(b)); strings.HasPrefix(t, "{") {
		var m rateMapping
		if err := json.Unmarshal(b, &m); err != nil {
			return err
		}
		v, err := m.rate()
		if err != nil {
			return err
		}
		*r = v
		return nil
	}
	if string(b) == "null" {
		*r = Rate{}
		return nil
	}
	return r.UnmarshalText(b)
}

// Scale multiplies every rate in r by f, for example to share a group's rate
// among its publishers: r.Scale(1/float64(count)).
func (r Rate) Scale(f float64) Rate {
	switch r.Kind() {
	case RateConstant:
		return Rate{PerSecond: r.PerSecond * f}
	case RateRamp:
		return Rate{Ramp: &RampRate{From: r.Ramp.From.Scale(f), To: r.Ramp.To.Scale(f), Over: r.Ramp.Over}}
	case RateSteps:
		steps := make([]Rate, len(r.Steps.Rates))
		for i, s := range r.Steps.Rates {
			steps[i] = s.Scale(f)
		}
		return Rate{Steps: &StepRates{Rates: steps, Every: r.Steps.Every}}
	}
	return r
}

// perSecond is a constant rate's value: +Inf when unlimited, 0 for anything
// that is not a single rate.
func (r Rate) perSecond() float64 {
	switch {
	case r.Unlimited:
		return math.Inf(1)
	case r.Ramp != nil || r.Steps != nil:
		return 0
	}
	return r.PerSecond
}

// At returns the target rate, in messages per second, at elapsed time since
// the start of publishing: +Inf when unlimited, 0 when no rate is set.
func (r Rate) At(elapsed time.Duration) float64 {
	t := elapsed.Seconds()
	if t < 0 {
		t = 0
	}
	switch r.Kind() {
	case RateRamp:
		from, to, over := r.Ramp.From.perSecond(), r.Ramp.To.perSecond(), r.Ramp.Over.Std().Seconds()
		if over <= 0 || t >= over {
			return to
		}
		return from + (to-from)*t/over
	case RateSteps:
		if len(r.Steps.Rates) == 0 {
			return 0
		}
		return r.Steps.Rates[r.Steps.index(t)].perSecond()
	}
	return r.perSecond()
}

// index is the step in force at t seconds.
func (s *StepRates) index(t float64) int {
	every := s.Every.Std().Seconds()
	last := len(s.Rates) - 1
	if every <= 0 {
		return last
	}
	i := t / every
	if i >= float64(last) {
		return last
	}
	return int(i)
}

// Due returns how many messages should have been sent by elapsed time: the
// integral of the rate. It is +Inf for unlimited rates. A pacer sends the
// n-th message (counting from 0) when Due reaches n.
func (r Rate) Due(elapsed time.Duration) float64 {
	t := elapsed.Seconds()
	if t <= 0 {
		return 0
	}
	switch r.Kind() {
	case RateRamp:
		from, to, over := r.Ramp.From.perSecond(), r.Ramp.To.perSecond(), r.Ramp.Over.Std().Seconds()
		if over <= 0 {
			return to * t
		}
		if t <= over {
			return from*t + (to-from)*t*t/(2*over)
		}
		return rampTotal(from, to, over) + to*(t-over)
	case RateSteps:
		if len(r.Steps.Rates) == 0 {
			return 0
		}
		every := r.Steps.Every.Std().Seconds()
		last := len(r.Steps.Rates) - 1
		if every <= 0 {
			return r.Steps.Rates[last].perSecond() * t
		}
		sum := 0.0
		for i, s := range r.Steps.Rates {
			start := float64(i) * every
			if t <= start {
				break
			}
			end := start + every
			if i == last || t < end {
				end = t
			}
			sum += s.perSecond() * (end - start)
		}
		return sum
	}
	rate := r.perSecond()
	if math.IsInf(rate, 1) {
		return rate
	}
	return rate * t
}

// Never is what DueAt returns for a message that is never due (the rate is
// zero from some point on).
const Never = time.Duration(math.MaxInt64)

// DueAt returns the elapsed time at which message n (counting from 0) is
// due: the inverse of Due, from the rate's Schedule. A pacer that has sent
// n messages waits until DueAt(n). It is 0 for unlimited rates, and Never
// when the rate never delivers message n (it stays at zero from some point
// on, or there is no rate). n need not be whole; below 0 or NaN it is 0.
func (r Rate) DueAt(n float64) time.Duration {
	if !(n > 0) {
		n = 0
	}
	at, ok := r.Schedule().due(n)
	if !ok {
		return Never
	}
	return at
}

// Peak is the highest rate r reaches, in messages per second (+Inf when
// unlimited).
func (r Rate) Peak() float64 {
	switch r.Kind() {
	case RateRamp:
		return math.Max(r.Ramp.From.perSecond(), r.Ramp.To.perSecond())
	case RateSteps:
		peak := 0.0
		for _, s := range r.Steps.Rates {
			peak = math.Max(peak, s.perSecond())
		}
		return peak
	}
	return r.perSecond()
}

// Mean is the average rate over the first d of publishing, in messages per
// second (+Inf when unlimited).
func (r Rate) Mean(d time.Duration) float64 {
	if d <= 0 {
		return r.At(0)
	}
	return r.Due(d) / d.Seconds()
}
