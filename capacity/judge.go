package capacity

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/warrenmq/warren/internal/textfmt"
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
	// fullWindow is the mean confirm-window occupancy at which publishers
	// are taken to have waited on the broker's confirms: a window half
	// full on average was full, and held sends back, much of the time.
	fullWindow = 0.5
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

// DepthSample is a backlog at a moment: messages waiting, summed over the
// step's consumed queues.
type DepthSample struct {
	// T is seconds since the step started publishing.
	T     float64 `json:"t"`
	Depth float64 `json:"depth"`
}

// Measurement is what a step measured: the runner fills it from the step's
// result.
type Measurement struct {
	// Target is the publish rate offered, Achieved the rate reached and
	// Consumed the rate consumed, msg/s.
	Target   float64
	Achieved float64
	Consumed float64
	// Published counts the messages the step published.
	Published int64
	// Seconds is the time Achieved was measured over, in seconds; 0 when
	// unknown.
	Seconds float64
	// P99 is the end-to-end latency p99 from the intended send, after the
	// warm-up; Delivered counts the deliveries behind it (0: none came).
	P99       time.Duration
	Delivered int64
	// Backlog is, once a second after the warm-up, how many copies
	// publishers had sent to the consumed queues that consumers had not
	// yet taken, by warren's own counts: the ready messages, those
	// prefetched into consumers' buffers and those on the wire. It is
	// exact every second, and sees a backlog that a consumer's prefetch
	// hides from the broker's ready count.
	Backlog []DepthSample
	// Depth is the consumed queues' depth as the run's monitor sampled
	// it: ready messages (exact, from a passive declare), and
	// unacknowledged ones where a consumer's prefetch is unlimited (from
	// the management API, which refreshes them every few seconds).
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

// Growth is the trend of a backlog: a least-squares line through its
// samples.
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
	// Growth is the trend of Measurement.Backlog, DepthGrowth that of
	// Measurement.Depth; either growing fails the step.
	Growth      Growth `json:"backlog_growth"`
	DepthGrowth Growth `json:"depth_growth"`
	// GeneratorLimited is set on a fail that warren itself caused: it
	// used all its CPU, or fell behind its schedule while the broker
	// showed no strain. Such a fail says nothing about the broker.
	GeneratorLimited bool   `json:"generator_limited,omitempty"`
	GeneratorWhy     string `json:"generator_why,omitempty"`
}

// MaxSlope is the larger of the two growth slopes: how fast the step's
// backlog grew by whichever count saw it grow faster.
func (v Verdict) MaxSlope() float64 { return math.Max(v.Growth.Slope, v.DepthGrowth.Slope) }

// Judge decides whether a step met the objective.
func Judge(m Measurement, o Objective) Verdict {
	o = o.withDefaults()
	v := Verdict{Growth: FitGrowth(m.Backlog), DepthGrowth: FitGrowth(m.Depth)}
	var reasons []string
	fail := func(format string, args ...any) { reasons = append(reasons, fmt.Sprintf(format, args...)) }

	// At a few messages a second one message more or less across the
	// window is rounding, not a shortfall.
	slack := 0.0
	if m.Seconds > 0 {
		slack = 1 / m.Seconds
	}
	short := m.Target > 0 && m.Achieved < o.MinAchieved*m.Target-slack
	if short {
		fail("published %s msg/s, %.1f%% of the %s msg/s target (needs %.0f%%)",
			textfmt.Number(m.Achieved), 100*m.Achieved/m.Target, textfmt.Number(m.Target), 100*o.MinAchieved)
	}
	backlogGrows, depthGrows := v.Growth.Grows(m.Target, o), v.DepthGrowth.Grows(m.Target, o)
	if backlogGrows {
		fail("the backlog grew by %s msg/s (%s messages across the step): consumers fell behind",
			textfmt.Number(v.Growth.Slope), textfmt.Number(v.Growth.Rise))
	}
	if depthGrows {
		fail("queues grew by %s msg/s on the broker's count (%s messages across the step): consumers fell behind",
			textfmt.Number(v.DepthGrowth.Slope), textfmt.Number(v.DepthGrowth.Rise))
	}
	slow := false
	switch {
	case m.Delivered == 0:
		fail("no message was delivered after the warm-up")
	case m.P99 > o.P99:
		slow = true
		fail("end-to-end p99 %s exceeds the objective %s", textfmt.Duration(m.P99), textfmt.Duration(o.P99))
	}
	for _, b := range m.Blocked {
		fail("publishers were blocked: %s", b)
	}
	if m.Lost > 0 {
		fail("%d confirmed messages were lost", m.Lost)
	}
	v.Reasons = reasons
	v.Pass = len(reasons) == 0
	if !v.Pass {
		// Only a fail that the generator's lateness explains on its own
		// is the generator's: a short rate, or a p99 that would meet the
		// objective without the time the sends were late.
		explained := !backlogGrows && !depthGrows && len(m.Blocked) == 0 && m.Lost == 0 && m.Delivered > 0 &&
			(short || slow) && (!slow || m.P99-m.SendDelayP99 <= o.P99)
		v.GeneratorLimited, v.GeneratorWhy = generatorLimited(m, explained)
	}
	return v
}

// generatorLimited tells whether warren, not the broker, held a failed step
// back. Its own CPU at the limit says so outright. A send delay beyond
// generatorSendDelay says so when it explains the fail on its own
// (explained) and the broker pushed nothing back: no flow control, and
// confirm windows not full (a full window is the broker holding publishers
// back: each send then waits for a confirm).
func generatorLimited(m Measurement, explained bool) (bool, string) {
	if m.GeneratorCPU >= generatorCPU {
		return true, fmt.Sprintf("warren used %.0f%% of the CPU it may use", 100*m.GeneratorCPU)
	}
	if explained && m.SendDelayP99 > generatorSendDelay && !m.Flow && m.WindowFull < fullWindow {
		return true, fmt.Sprintf("warren's sends ran %s late (p99) while the broker pushed nothing back (no flow control, confirm windows %.0f%% full, no backlog)",
			textfmt.Duration(m.SendDelayP99), 100*m.WindowFull)
	}
	return false, ""
}
