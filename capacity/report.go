package capacity

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/warrenmq/warren/internal/textfmt"
)

// Schema names the format of capacity.json; it changes when a field changes
// meaning.
const Schema = "warren.capacity/v1"

// File is the name of the search's JSON record in its directory.
const File = "capacity.json"

// What held the search back, as Report.LimitedBy says it.
const (
	LimitBroker    = "broker"    // the first failing rate failed on the broker's account
	LimitGenerator = "generator" // warren itself fell behind at the first failing rate
	LimitNone      = "none"      // no rate failed: the search ended on a bound first
)

// StopInterrupted ends a search whose context was cancelled.
const StopInterrupted = "interrupted"

// Report is what a search found: every step and its verdict, and the highest
// rate sustained within the objective. It is the content of capacity.json.
type Report struct {
	Schema   string `json:"schema"`
	Scenario string `json:"scenario"`
	// Broker is the broker's URI, password masked.
	Broker    string          `json:"broker,omitempty"`
	Objective ObjectiveRecord `json:"objective"`
	Search    SearchRecord    `json:"search"`
	Steps     []Step          `json:"steps"`
	// SustainableRate is the highest rate that passed below the lowest
	// that failed, msg/s; 0 when no rate passed.
	SustainableRate float64 `json:"sustainable_rate"`
	// FirstFailRate is the lowest rate believed to fail; 0 when none did.
	FirstFailRate float64 `json:"first_fail_rate,omitempty"`
	// Resolved is set when the gap between the two is within the
	// resolution (the search ran to its end rather than to a bound).
	Resolved bool `json:"resolved"`
	// LimitedBy is LimitBroker, LimitGenerator or LimitNone.
	LimitedBy string `json:"limited_by"`
	// Stopped says why the search ended.
	Stopped string `json:"stopped"`
	// Error is the failure that ended the search early, if one did.
	Error string `json:"error,omitempty"`
	// Plan is the capacity plan the sustainable rate leads to: set by
	// the command, which knows the scenario.
	Plan *Plan `json:"plan,omitempty"`
	// Queue is what one queue sustained, when the search measured one
	// queue (see QueueRateOf); 'warren size --calibration' reads it.
	Queue *QueueRate `json:"queue,omitempty"`
}

// QueueRate is the rate one queue sustained within the objective.
type QueueRate struct {
	// Queue is the queue's name in the scenario; Type its type.
	Queue string `json:"queue"`
	Type  string `json:"type"`
	// BodyBytes is the mean message body; Persistent and Confirms how
	// the messages were published.
	BodyBytes  int64 `json:"body_bytes"`
	Persistent bool  `json:"persistent"`
	Confirms   bool  `json:"confirms"`
	// Rate is the messages a second into the queue.
	Rate float64 `json:"rate"`
	// AtLeast is set when no rate failed: the queue sustains at least
	// Rate.
	AtLeast bool `json:"at_least,omitempty"`
}

// Plan turns the sustainable rate into a 'warren size' command.
type Plan struct {
	// Headroom divides the sustainable rate: a plan for peak traffic of
	// SustainableRate/Headroom keeps that margin below the measured limit.
	Headroom float64 `json:"headroom"`
	Rate     float64 `json:"rate"`
	Command  string  `json:"command"`
}

// ObjectiveRecord is the Objective as capacity.json records it.
type ObjectiveRecord struct {
	P99Micros   int64   `json:"e2e_p99_us"`
	MinAchieved float64 `json:"min_achieved"`
	MaxGrowth   float64 `json:"max_growth"`
}

// SearchRecord is the Config as capacity.json records it, defaults filled.
type SearchRecord struct {
	Start       float64 `json:"start_rate"`
	Factor      float64 `json:"factor"`
	Resolution  float64 `json:"resolution"`
	Retries     int     `json:"retries"`
	MinRate     float64 `json:"min_rate"`
	MaxRate     float64 `json:"max_rate,omitempty"`
	MaxSteps    int     `json:"max_steps"`
	MaxTimeS    float64 `json:"max_time_s"`
	WarmUpS     float64 `json:"warm_up_s"`
	HoldS       float64 `json:"hold_s"`
	MinMessages int64   `json:"min_messages"`
}

// Step is one step of the search as capacity.json records it.
type Step struct {
	N     int     `json:"n"`
	Rate  float64 `json:"rate"`
	Phase string  `json:"phase"`
	// Achieved and Consumed are rates in msg/s.
	Achieved  float64 `json:"achieved_rate"`
	Consumed  float64 `json:"consumed_rate"`
	Published int64   `json:"published"`
	// P99Micros is the end-to-end p99 from the intended send.
	P99Micros       int64    `json:"e2e_p99_us"`
	SendDelayMicros int64    `json:"send_delay_p99_us"`
	WindowFull      float64  `json:"confirm_window_full,omitempty"`
	GeneratorCPU    float64  `json:"generator_cpu"`
	Blocked         []string `json:"blocked,omitempty"`
	Lost            int64    `json:"lost,omitempty"`
	Verdict
	TookS float64 `json:"took_s"`
	Dir   string  `json:"dir,omitempty"`
}

// StepFunc runs one step at rate msg/s (n counts the steps from 1) and
// says what it measured. An error ends the search.
type StepFunc func(ctx context.Context, rate float64, n int) (Measurement, error)

// Search runs steps until Next says the search is done, the context is
// cancelled or a step fails to run, and returns what it found. On a step's
// error it returns the report so far together with the error.
func Search(ctx context.Context, cfg Config, obj Objective, run StepFunc) (*Report, error) {
	if err := errors.Join(cfg.Validate(), obj.Validate()); err != nil {
		return nil, err
	}
	cfg, obj = cfg.withDefaults(), obj.withDefaults()
	rep := &Report{Schema: Schema, Objective: objectiveRecord(obj), Search: searchRecord(cfg), Steps: []Step{}}
	var history []Attempt
	var runErr error
	d := Next(cfg, history)
	for !d.Done {
		if ctx.Err() != nil {
			break
		}
		m, err := run(ctx, d.Rate, len(history)+1)
		if ctx.Err() != nil {
			// A step cut short measures nothing worth judging.
			break
		}
		if err != nil {
			runErr = fmt.Errorf("step %d at %s msg/s: %w", len(history)+1, textfmt.Number(d.Rate), err)
			break
		}
		if m.Target == 0 {
			m.Target = d.Rate
		}
		v := Judge(m, obj)
		rep.Steps = append(rep.Steps, stepRecord(len(history)+1, d.Rate, d.Phase, m, v))
		history = append(history, Attempt{Rate: d.Rate, Pass: v.Pass, Took: m.Took})
		d = Next(cfg, history)
	}
	switch {
	case d.Done:
		rep.Stopped = d.Stopped
	case runErr != nil:
		rep.Stopped, rep.Error = "a step failed to run", runErr.Error()
	default:
		rep.Stopped = StopInterrupted
	}
	// The bracket of what ran, whatever ended the search.
	rep.SustainableRate, rep.FirstFailRate = bracket(cfg, history)
	rep.Resolved = d.Done && d.Stopped == StopResolution
	rep.LimitedBy = limitedBy(rep.Steps, rep.FirstFailRate)
	return rep, runErr
}

// limitedBy says what failed at the first failing rate: the generator when
// any attempt there failed on warren's account (the broker may sustain
// more than was found), the broker otherwise.
func limitedBy(steps []Step, fail float64) string {
	if fail == 0 {
		return LimitNone
	}
	for _, s := range steps {
		if s.Rate == fail && s.GeneratorLimited {
			return LimitGenerator
		}
	}
	return LimitBroker
}

func objectiveRecord(o Objective) ObjectiveRecord {
	return ObjectiveRecord{P99Micros: o.P99.Microseconds(), MinAchieved: o.MinAchieved, MaxGrowth: o.MaxGrowth}
}

func searchRecord(c Config) SearchRecord {
	return SearchRecord{
		Start: c.Start, Factor: c.Factor, Resolution: c.Resolution, Retries: c.retries(),
		MinRate: c.MinRate, MaxRate: c.MaxRate, MaxSteps: c.MaxSteps, MaxTimeS: c.MaxTime.Seconds(),
		WarmUpS: c.WarmUp.Seconds(), HoldS: c.Hold.Seconds(), MinMessages: c.MinMessages,
	}
}

func stepRecord(n int, rate float64, phase string, m Measurement, v Verdict) Step {
	return Step{
		N: n, Rate: rate, Phase: phase,
		Achieved: m.Achieved, Consumed: m.Consumed, Published: m.Published,
		P99Micros: m.P99.Microseconds(), SendDelayMicros: m.SendDelayP99.Microseconds(),
		WindowFull: m.WindowFull, GeneratorCPU: m.GeneratorCPU,
		Blocked: m.Blocked, Lost: m.Lost,
		Verdict: v,
		TookS:   m.Took.Round(time.Millisecond).Seconds(),
		Dir:     m.Dir,
	}
}
