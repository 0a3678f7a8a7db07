package capacity

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Defaults of Objective.
const (
	// DefaultMinAchieved is the share of the target publish rate a step
	// must reach.
	DefaultMinAchieved = 0.99
	// DefaultMaxGrowth is how fast the queues may grow, as a share of the
	// target rate: at 0.01 a step at 1,000 msg/s fails when the backlog
	// grows by more than 10 msg/s (and that growth stands out of the
	// depth's own noise).
	DefaultMaxGrowth = 0.01
	// MinGrowth is the floor of the growth allowed, msg/s, so that a slow
	// step is not failed for a handful of messages.
	MinGrowth = 0.5
	// GrowthSignificance is how many standard errors the slope must stand
	// above zero to count as growth: depth samples jitter with deliveries
	// in flight, and a slope of a few samples is noisy.
	GrowthSignificance = 3.0
	// generatorCPU is the share of its cores at which warren is taken to
	// have been the limit.
	generatorCPU = 0.9
	// generatorSendDelay is the send delay p99 beyond which warren fell
	// behind its own schedule (loadgen warns at the same figure).
	generatorSendDelay = 10 * time.Millisecond
	// fullWindow is the confirm-window occupancy at which publishers are
	// taken to have waited on the broker's confirms.
	fullWindow = 0.8
)

// Objective is what a step must meet to pass.
type Objective struct {
	// P99 bounds the end-to-end latency p99 from the intended send.
	P99 time.Duration
	// MinAchieved is the share of the target rate that publishers must
	// reach (default 0.99).
	MinAchieved float64
	// MaxGrowth is the queue growth allowed, as a share of the target rate
	// per second (default 0.01).
	MaxGrowth float64
}

func (o Objective) withDefaults() Objective {
	if o.MinAchieved == 0 {
		o.MinAchieved = DefaultMinAchieved
	}
	if o.MaxGrowth == 0 {
		o.MaxGrowth = DefaultMaxGrowth
	}
	return o
}

// Validate says what is wrong with the objective.
func (o Objective) Validate() error {
	var errs []error
	d := o.withDefaults()
	if o.P99 <= 0 {
		errs = append(errs, fmt.Errorf("the p99 objective must be a positive duration, got %s", o.P99))
	}
	if !(d.MinAchieved > 0 && d.MinAchieved <= 1) {
		errs = append(errs, fmt.Errorf("the achieved share must be in (0, 1], got %v", d.MinAchieved))
	}
	if !(d.MaxGrowth > 0) || math.IsInf(d.MaxGrowth, 0) {
		errs = append(errs, fmt.Errorf("the growth allowed must be positive, got %v", d.MaxGrowth))
	}
	return errors.Join(errs...)
}

// DepthSample is the depth of the step's queues (summed) at a moment.
type DepthSample struct {
	// T is seconds since the step started publishing.
	T     float64 `json:"t"`
	Depth float64 `json:"depth"`
}

// Measurement is what a step measured: the runner fills it from the step's
// result.
type Measurement struct {
	// Target is the publish rate offered, Achieved the rate reached and
	// Consumed the rate consumed, msg/s, all over the step after its
	// warm-up.
	Target   float64
	Achieved float64
	Consumed float64
	// Published counts the messages the step published.
	Published int64
	// P99 is the end-to-end latency p99 from the intended send, after the
	// warm-up; Delivered counts the deliveries behind it (0: none came).
	P99       time.Duration
	Delivered int64
	// Depth samples the step's queues after the warm-up (the run's
	// monitor, once a second).
	Depth []DepthSample
	// Blocked lists what blocked publishers: connection.blocked events
	// and memory or disk alarms the monitor saw.
	Blocked []string
	// Lost counts confirmed messages never delivered.
	Lost int64
	// SendDelayP99 is how late publishers were against their schedule.
	SendDelayP99 time.Duration
	// WindowFull is the share of the publishers' confirm windows that was
	// in use on average (by Little's law: confirmed rate × mean confirm
	// latency ÷ total window); near 1, publishers waited on the broker's
	// confirms. 0 without confirms.
	WindowFull float64
	// Flow is set when the broker put a connection of the step into flow
	// control (seen through the management API).
	Flow bool
	// GeneratorCPU is warren's CPU time over wall time, as a share of the
	// cores it may use (1: every one of them busy all the time).
	GeneratorCPU float64
	// Took is the step's wall time, set-up and drain included.
	Took time.Duration
	// Dir is where the step's run was written (for the report).
	Dir string
}

// Growth is the trend of a step's queue depth: a least-squares line through
// the depth samples.
type Growth struct {
	// Slope is the growth in messages per second; StdErr its standard
	// error.
	Slope  float64 `json:"slope_per_s"`
	StdErr float64 `json:"stderr_per_s"`
	// Rise is the slope over the samples' span: how much the queues grew
	// across the step. Start and End are the first and last depth.
	Rise  float64 `json:"rise"`
	Start float64 `json:"start"`
	End   float64 `json:"end"`
	// N counts the samples.
	N int `json:"samples"`
}

// FitGrowth fits a line through the depth samples. Fewer than two samples
// give no slope.
func FitGrowth(samples []DepthSample) Growth {
	g := Growth{N: len(samples)}
	if len(samples) == 0 {
		return g
	}
	g.Start, g.End = samples[0].Depth, samples[len(samples)-1].Depth
	if len(samples) < 2 {
		return g
	}
	var mt, md float64
	for _, s := range samples {
		mt += s.T
		md += s.Depth
	}
	n := float64(len(samples))
	mt /= n
	md /= n
	var sxx, sxy float64
	for _, s := range samples {
		sxx += (s.T - mt) * (s.T - mt)
		sxy += (s.T - mt) * (s.Depth - md)
	}
	if sxx == 0 {
		return g
	}
	g.Slope = sxy / sxx
	g.Rise = g.Slope * (samples[len(samples)-1].T - samples[0].T)
	if len(samples) > 2 {
		var ssr float64
		for _, s := range samples {
			r := s.Depth - (md + g.Slope*(s.T-mt))
			ssr += r * r
		}
		g.StdErr = math.Sqrt(ssr / (n - 2) / sxx)
	}
	return g
}

// AllowedGrowth is the queue growth a step at target msg/s may show, msg/s:
// maxGrowth of the target, at least MinGrowth.
func AllowedGrowth(target, maxGrowth float64) float64 {
	return math.Max(maxGrowth*target, MinGrowth)
}

// Grows tells whether the queues grew beyond what the objective allows at
// target msg/s: the slope exceeds the allowance and stands clear of its own
// noise, and the queues ended deeper than they began.
func (g Growth) Grows(target float64, o Objective) bool {
	o = o.withDefaults()
	if g.N < 3 {
		return false
	}
	return g.Slope > AllowedGrowth(target, o.MaxGrowth) &&
		g.Slope > GrowthSignificance*g.StdErr &&
		g.End > g.Start
}

// Verdict is the judgement of one step.
type Verdict struct {
	Pass bool `json:"pass"`
	// Reasons says why a step failed, one line per criterion it missed;
	// empty for a pass.
	Reasons []string `json:"reasons,omitempty"`
	Growth  Growth   `json:"growth"`
	// GeneratorLimited is set on a fail that warren itself caused: it
	// used all its CPU, or fell behind its schedule while the broker
	// showed no strain. Such a fail says nothing about the broker.
	GeneratorLimited bool   `json:"generator_limited,omitempty"`
	GeneratorWhy     string `json:"generator_why,omitempty"`
}

// Judge decides whether a step met the objective.
func Judge(m Measurement, o Objective) Verdict {
	o = o.withDefaults()
	v := Verdict{Growth: FitGrowth(m.Depth)}
	fail := func(format string, args ...any) { v.Reasons = append(v.Reasons, fmt.Sprintf(format, args...)) }

	if m.Target > 0 && m.Achieved < o.MinAchieved*m.Target {
		fail("published %s msg/s, %.1f%% of the %s msg/s target (needs %.0f%%)",
			rateText(m.Achieved), 100*m.Achieved/m.Target, rateText(m.Target), 100*o.MinAchieved)
	}
	grows := v.Growth.Grows(m.Target, o)
	if grows {
		fail("queues grew by %s msg/s (%s messages across the step): consumers fell behind",
			rateText(v.Growth.Slope), rateText(v.Growth.Rise))
	}
	switch {
	case m.Delivered == 0:
		fail("no message was delivered after the warm-up")
	case m.P99 > o.P99:
		fail("end-to-end p99 %s exceeds the objective %s", durText(m.P99), durText(o.P99))
	}
	for _, b := range m.Blocked {
		fail("publishers were blocked: %s", b)
	}
	if m.Lost > 0 {
		fail("%d confirmed messages were lost", m.Lost)
	}
	v.Pass = len(v.Reasons) == 0
	if !v.Pass {
		v.GeneratorLimited, v.GeneratorWhy = generatorLimited(m, grows)
	}
	return v
}

// generatorLimited tells whether warren, not the broker, held a failed step
// back. Its own CPU at the limit says so outright. A send delay beyond
// generatorSendDelay says so when the broker showed no strain: the queues
// kept level, no alarm or flow control held publishers, and the confirm
// windows were not full (a full window is the broker pushing back: each
// send then waits for a confirm).
func generatorLimited(m Measurement, grows bool) (bool, string) {
	if m.GeneratorCPU >= generatorCPU {
		return true, fmt.Sprintf("warren used %.0f%% of the CPU it may use", 100*m.GeneratorCPU)
	}
	if m.SendDelayP99 > generatorSendDelay && !grows && len(m.Blocked) == 0 && !m.Flow && m.WindowFull < fullWindow {
		return true, fmt.Sprintf("warren's sends ran %s late (p99) while the broker showed no strain (queues level, no flow control, confirm windows %.0f%% full)",
			durText(m.SendDelayP99), 100*m.WindowFull)
	}
	return false, ""
}

// rateText formats a rate with up to three significant figures after the
// point for small values, whole numbers above 100.
func rateText(r float64) string {
	switch a := math.Abs(r); {
	case a >= 100:
		return fmt.Sprintf("%.0f", r)
	case a >= 10:
		return fmt.Sprintf("%.1f", r)
	default:
		return fmt.Sprintf("%.2f", r)
	}
}

// durText prints a duration rounded for reading: 12.3ms, 1.25s, 850µs.
func durText(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= 10*time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}
