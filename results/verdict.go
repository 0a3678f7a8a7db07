package results

import (
	"fmt"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/scenarios"
)

// Status is a threshold's verdict.
type Status string

// Verdicts.
const (
	// StatusPass: the figure meets the threshold.
	StatusPass Status = "pass"
	// StatusFail: the figure crosses it.
	StatusFail Status = "fail"
	// StatusUnknown: the run did not record the figure. It fails a run,
	// as in k6: a gate that cannot see must not open.
	StatusUnknown Status = "unknown"
	// StatusDeferred: one instance of a shared run cannot judge the
	// figure alone (its counts do not balance); 'warren merge' judges it.
	// It does not fail the instance.
	StatusDeferred Status = "deferred"
)

// Verdict is one threshold judged against a run's figures.
type Verdict struct {
	Threshold scenarios.Threshold `json:"threshold"`
	// Default is set on a threshold warren applies without being asked
	// (integrity: lost==0).
	Default bool   `json:"default,omitempty"`
	Status  Status `json:"status"`
	// Observed is the figure in the threshold's unit: seconds for a
	// latency, messages for a count, msg/s for a rate, a percent for a
	// percent threshold. Absent when the status is unknown or deferred.
	Observed *float64 `json:"observed,omitempty"`
	// Absolute and Base are, for a percent threshold, the figure itself
	// and what it is a percent of (msg/s achieved and targeted; lost
	// copies and expected copies).
	Absolute *float64 `json:"absolute,omitempty"`
	Base     *float64 `json:"base,omitempty"`
	// Note says why a verdict is unknown or deferred.
	Note string `json:"note,omitempty"`
}

// Failed reports whether the verdicts fail a run: one threshold failed or
// could not be judged. Deferred ones do not count.
func Failed(verdicts []Verdict) bool {
	for _, v := range verdicts {
		if v.Status == StatusFail || v.Status == StatusUnknown {
			return true
		}
	}
	return false
}

// Evaluate judges the result by the default thresholds of its scenario
// (integrity) and then the scenario's own, in file order, with extra
// thresholds (from the command line) appended to the scenario's.
func Evaluate(r *Result, extra ...scenarios.Threshold) []Verdict {
	var own, defaults []scenarios.Threshold
	if r.Scenario != nil {
		sc := r.Scenario.Clone()
		sc.Thresholds = append(sc.Thresholds, extra...)
		own, defaults = sc.Thresholds, sc.DefaultThresholds()
	} else {
		own = extra
	}
	e := evaluator{r: r, hists: map[string]*hdrhistogram.Histogram{}}
	var out []Verdict
	for _, t := range defaults {
		v := e.judge(t)
		v.Default = true
		out = append(out, v)
	}
	seen := map[string]bool{}
	for _, t := range own {
		if seen[t.String()] {
			continue
		}
		seen[t.String()] = true
		out = append(out, e.judge(t))
	}
	return out
}

type evaluator struct {
	r     *Result
	hists map[string]*hdrhistogram.Histogram
}

// figure is what the evaluator finds for a threshold: the observed value,
// or why there is none.
type figure struct {
	value    float64
	base     float64 // for a percent: what it is a percent of
	hasBase  bool
	status   Status // StatusUnknown or StatusDeferred when there is no value
	note     string
	noBaseOf string // what the base is, to say why it is missing
	// unseen is how much higher value may truly be: copies whose fate
	// the broker could not be asked about may be lost or still queued.
	// A threshold that holds at one end and not the other is unknown.
	unseen    float64
	unseenWhy string
}

func (e *evaluator) judge(t scenarios.Threshold) Verdict {
	v := Verdict{Threshold: t}
	var f figure
	switch t.Metric.Kind {
	case scenarios.KindLatency:
		f = e.latency(t.Metric)
	case scenarios.KindCount:
		f = e.count(t.Metric, t.Percent)
	case scenarios.KindRate:
		f = e.rate(t.Metric, t.Percent)
	default:
		f = figure{status: StatusUnknown, note: "warren does not know this metric"}
	}
	if f.status != "" {
		v.Status, v.Note = f.status, f.note
		return v
	}
	observed, highest := f.value, f.value+f.unseen
	if t.Percent {
		if !f.hasBase || f.base <= 0 {
			v.Status, v.Note = StatusUnknown, f.noBaseOf
			return v
		}
		observed = 100 * f.value / f.base
		highest = 100 * (f.value + f.unseen) / f.base
		v.Absolute, v.Base = ptr(f.value), ptr(f.base)
	}
	v.Observed = ptr(observed)
	low, high := t.Holds(observed), t.Holds(highest)
	switch {
	case low && high:
		v.Status = StatusPass
	case !low && !high:
		v.Status = StatusFail
	default:
		// The figure lies between what was seen and what was seen plus
		// the copies nobody could look at: warren cannot say.
		v.Status, v.Note = StatusUnknown, f.unseenWhy
	}
	return v
}

func ptr(v float64) *float64 { return &v }

func unknown(format string, args ...any) figure {
	return figure{status: StatusUnknown, note: fmt.Sprintf(format, args...)}
}

// latency reads a latency statistic, in seconds: the figures of the
// result's latency table, or any other percentile from its histogram.
func (e *evaluator) latency(m scenarios.Metric) figure {
	l, ok := e.r.Latency[m.Series]
	if !ok || l.Count == 0 {
		return unknown("no %s latency was recorded%s", seriesLabel(m.Series), e.whyNoLatency(m.Series))
	}
	var us float64
	switch m.Stat {
	case scenarios.StatMax:
		us = float64(l.Max)
	case scenarios.StatMin:
		us = float64(l.Min)
	case scenarios.StatMean:
		us = l.Mean
	default:
		switch m.Percentile {
		case 50:
			us = float64(l.P50)
		case 90:
			us = float64(l.P90)
		case 99:
			us = float64(l.P99)
		case 99.9:
			us = float64(l.P999)
		case 99.99:
			us = float64(l.P9999)
		default:
			h, err := e.histogram(m.Series)
			if err != nil || h == nil || h.TotalCount() == 0 {
				return unknown("the result has no %s histogram to read p%v from (its table has p50, p90, p99, p99.9 and p99.99)", seriesLabel(m.Series), m.Percentile)
			}
			us = float64(h.ValueAtQuantile(m.Percentile))
		}
	}
	return figure{value: us / 1e6}
}

func (e *evaluator) histogram(series string) (*hdrhistogram.Histogram, error) {
	if h, ok := e.hists[series]; ok {
		return h, nil
	}
	h, err := e.r.Histogram(series)
	if err != nil {
		return nil, err
	}
	e.hists[series] = h
	return h, nil
}

func seriesLabel(series string) string {
	switch series {
	case MetricEndToEnd:
		return "end-to-end (from the intended send)"
	case MetricEndToEndActual:
		return "end-to-end (from the actual send)"
	case MetricSendDelay:
		return "send delay"
	}
	return series
}

// whyNoLatency explains a missing latency from the scenario, when it can.
func (e *evaluator) whyNoLatency(series string) string {
	sc := e.r.Scenario
	if sc == nil {
		return ""
	}
	switch series {
	case MetricEndToEnd, MetricEndToEndActual:
		if len(sc.Consumers) == 0 {
			return ": the scenario has no consumers"
		}
		return ": no message of this run was consumed"
	case MetricConfirm:
		if !e.confirms() {
			return ": no publisher group asked for confirms"
		}
		return ": no confirm came"
	}
	return ""
}

func (e *evaluator) confirms() bool {
	if e.r.Scenario == nil {
		return e.r.Summary.Confirmed > 0
	}
	for _, p := range e.r.Scenario.Publishers {
		if p.Confirm {
			return true
		}
	}
	return false
}

// count reads a count of the accounting, with its base for a percent.
func (e *evaluator) count(m scenarios.Metric, percent bool) figure {
	r, in, sum := e.r, e.r.Integrity, e.r.Summary
	switch m.Name {
	case scenarios.CountUnconfirmed, scenarios.CountNacked:
		if !e.confirms() {
			return unknown("no publisher group asked for confirms")
		}
	case scenarios.CountReturned:
		mandatory := sum.Returned > 0
		if r.Scenario != nil {
			for _, p := range r.Scenario.Publishers {
				mandatory = mandatory || p.Mandatory
			}
		}
		if !mandatory {
			return unknown("no publisher group published with mandatory: true")
		}
	default:
		// The message accounting: reconciled at the end of a run.
		switch {
		case r.Incomplete != "":
			return unknown("the run was stopped before its messages were accounted for (%s)", r.Incomplete)
		case in.Partial:
			return figure{status: StatusDeferred, note: "one instance of a shared run: its counts do not balance alone; 'warren merge' judges them"}
		case r.Scenario != nil && len(r.Scenario.Consumers) == 0:
			return unknown("the scenario has no consumers: nothing was accounted for")
		}
	}
	var n int64
	var base int64
	switch m.Name {
	case scenarios.CountLost:
		n, base = in.Lost, in.Expected
	case scenarios.CountUnconsumed:
		n, base = in.Unconsumed, in.Expected
	case scenarios.CountDuplicated:
		n, base = in.Duplicated, in.Received
	case scenarios.CountReordered:
		n, base = in.Reordered, in.Received
	case scenarios.CountRedelivered:
		n, base = in.Redelivered, in.Received
	case scenarios.CountUnconfirmed:
		// Integrity counts what no confirm settled, Summary the same;
		// Integrity is the accounting's own.
		n, base = in.Unconfirmed, sum.Published
	case scenarios.CountNacked:
		n, base = sum.Nacked, sum.Published
	case scenarios.CountReturned:
		n, base = sum.Returned, sum.Published
	default:
		return unknown("warren does not know the count %s", m.Name)
	}
	f := figure{value: float64(n), base: float64(base), hasBase: true}
	if (m.Name == scenarios.CountLost || m.Name == scenarios.CountUnconsumed) && in.Unknown > 0 {
		f.unseen = float64(in.Unknown)
		f.unseenWhy = fmt.Sprintf("%s of the expected copies could be lost or still queued: the broker could not be asked at the end (%s)",
			textfmt.Count(in.Unknown), unknownWhy(in))
	}
	if percent && base == 0 {
		f.noBaseOf = fmt.Sprintf("no %s to take a percent of", m.PercentOf())
	}
	return f
}

// rate reads a rate, with its target for a percent.
func (e *evaluator) rate(m scenarios.Metric, percent bool) figure {
	r, sum := e.r, e.r.Summary
	sc := r.Scenario
	if m.Name == scenarios.RatePublish {
		if sc != nil && len(sc.Publishers) == 0 {
			return unknown("the scenario has no publishers")
		}
		f := figure{value: sum.PublishRate}
		if percent {
			f.base, f.hasBase = e.target()
			f.noBaseOf = "no target rate: a publisher group ran unlimited"
		}
		return f
	}
	if sc != nil && len(sc.Consumers) == 0 {
		return unknown("the scenario has no consumers")
	}
	f := figure{value: sum.ConsumeRate}
	if !percent {
		return f
	}
	// The consumers' target: the publishers' target rate times the copies
	// each settled message makes at the consumed queues.
	switch {
	case r.Incomplete != "":
		return unknown("the run was stopped before its messages were accounted for (%s), so the copies due are not known", r.Incomplete)
	case r.Integrity.Partial:
		return figure{status: StatusDeferred, note: "one instance of a shared run: its consumers take other instances' messages too; 'warren merge' judges it"}
	}
	target, ok := e.target()
	if !ok {
		return unknown("no target rate: a publisher group ran unlimited")
	}
	var settled int64
	switch confirming, all := e.confirmGroups(); {
	case confirming == 0:
		settled = sum.Published
	case confirming == all:
		settled = sum.Confirmed
	default:
		return unknown("only some publisher groups confirm, so the copies due at the consumed queues are not known")
	}
	if settled == 0 || r.Integrity.Expected == 0 {
		return unknown("no copies were due at the consumed queues")
	}
	f.base, f.hasBase = target*float64(r.Integrity.Expected)/float64(settled), true
	return f
}

// target is the publishers' target rate, when every group had one.
func (e *evaluator) target() (float64, bool) {
	if e.r.Summary.TargetRate <= 0 {
		return 0, false
	}
	if sc := e.r.Scenario; sc != nil {
		for _, p := range sc.Publishers {
			if p.Rate.Kind() == scenarios.RateUnlimited || p.Rate.IsZero() {
				return 0, false
			}
		}
	}
	return e.r.Summary.TargetRate, true
}

func (e *evaluator) confirmGroups() (confirming, all int) {
	if e.r.Scenario == nil {
		return 0, 0
	}
	for _, p := range e.r.Scenario.Publishers {
		if p.Confirm {
			confirming++
		}
	}
	return confirming, len(e.r.Scenario.Publishers)
}

// unknownWhy is the first reason a queue gives for its unknown copies.
func unknownWhy(in Integrity) string {
	for _, q := range in.Queues {
		if q.Unknown > 0 && q.UnknownWhy != "" {
			return q.UnknownWhy
		}
	}
	return "no reason recorded"
}
