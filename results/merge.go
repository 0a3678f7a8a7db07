package results

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/warrenmq/warren/scenarios"
)

// Merge joins the run directories of the instances of one shared run
// (warren run --run-id NAME, each instance with its own id) into one
// result: histograms add exactly (HdrHistogram merges without loss),
// counters and per-second series add on a common clock, and the message
// accounting is reconciled across instances, so a message published by one
// instance and consumed by another is matched like any other. Each
// directory needs result.json and accounting.json; latency.hlog, when
// present, gives exact per-second percentiles.
func Merge(dirs ...string) (*Result, error) {
	if len(dirs) < 2 {
		return nil, errors.New("merge needs the run directories of two or more instances")
	}
	var runs []*Result
	var accounts []*Accounting
	for _, dir := range dirs {
		res, err := ReadResult(filepath.Join(dir, ResultFile))
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s has no %s: merge finished runs (a killed one has no accounting to merge)", dir, ResultFile)
		}
		if err != nil {
			return nil, err
		}
		acc, err := ReadAccounting(filepath.Join(dir, AccountingFile))
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s has no %s: it was written by a warren without merge support, or the run did not finish", dir, AccountingFile)
		}
		if err != nil {
			return nil, err
		}
		if res.Scenario == nil || runs != nil && res.Scenario.Name != runs[0].Scenario.Name {
			return nil, fmt.Errorf("%s ran scenario %q, %s ran %q: merge instances of one scenario", dir, scenarioName(res), dirs[0], scenarioName(runs[0]))
		}
		runs = append(runs, res)
		accounts = append(accounts, acc)
	}
	acc, err := mergeAccounting(accounts...)
	if err != nil {
		return nil, err
	}

	base := runs[0].StartedAt
	for _, r := range runs {
		if r.StartedAt.Before(base) {
			base = r.StartedAt
		}
	}
	first := runs[0]
	out := &Result{
		Schema:      ResultSchema,
		ID:          first.ID,
		Scenario:    first.Scenario,
		Environment: first.Environment,
		StartedAt:   base,
		Latency:     map[string]LatencySummary{},
		Histograms:  map[string]string{},
		Accounting:  acc,
	}
	out.Environment.InstanceID = acc.InstanceID
	var pubEnd time.Time
	var cpu float64
	for i, r := range runs {
		if r.EndedAt.After(out.EndedAt) {
			out.EndedAt = r.EndedAt
		}
		if end := r.StartedAt.Add(r.Duration.Std()); end.After(pubEnd) {
			pubEnd = end
		}
		s, sum := r.Summary, &out.Summary
		sum.TargetRate += s.TargetRate
		sum.Published += s.Published
		sum.Confirmed += s.Confirmed
		sum.Nacked += s.Nacked
		sum.Returned += s.Returned
		sum.Republished += s.Republished
		sum.Consumed += s.Consumed
		sum.Unsent += s.Unsent
		sum.BytesPublished += s.BytesPublished
		g := r.Generator
		out.Generator.CPUUserSeconds += g.CPUUserSeconds
		out.Generator.CPUSystemSeconds += g.CPUSystemSeconds
		out.Generator.CoreShare += g.CoreShare
		out.Generator.MaxRSSBytes = max(out.Generator.MaxRSSBytes, g.MaxRSSBytes)
		out.Generator.Goroutines = max(out.Generator.Goroutines, g.Goroutines)
		cpu += g.CPUUserSeconds + g.CPUSystemSeconds
		inst := accounts[i].InstanceID
		for _, e := range r.Events {
			e.Message = "instance " + inst + ": " + e.Message
			out.Events = append(out.Events, e)
		}
		for _, o := range r.Outages {
			o.Link = inst + "/" + o.Link
			out.Outages = append(out.Outages, o)
		}
		// Each instance's consumers are consumers of their own, tagged
		// with the instance.
		out.Consumers = append(out.Consumers, r.Consumers...)
		for _, w := range r.Warnings {
			if strings.HasPrefix(w, "this is one instance of a shared run") {
				continue // the merge is what that warning asks for
			}
			out.Warnings = append(out.Warnings, "instance "+inst+": "+w)
		}
	}
	sort.SliceStable(out.Events, func(i, j int) bool { return out.Events[i].At.Before(out.Events[j].At) })
	sort.SliceStable(out.Outages, func(i, j int) bool { return out.Outages[i].Start.Before(out.Outages[j].Start) })
	out.Duration = scenarios.Duration(pubEnd.Sub(base).Round(time.Millisecond))
	if secs := pubEnd.Sub(base).Seconds(); secs > 0 {
		sum := &out.Summary
		sum.PublishRate = float64(sum.Published) / secs
		sum.ConfirmRate = float64(sum.Confirmed) / secs
		sum.ConsumeRate = float64(sum.Consumed) / secs
	}
	if n := out.Summary.Published + out.Summary.Consumed; n > 0 {
		out.Generator.CPUPerMessage = cpu * 1e6 / float64(n)
	}

	if err := mergeHistograms(out, runs); err != nil {
		return nil, err
	}
	out.Series = mergeSeries(base, dirs, runs)
	out.Broker = mergeBroker(base, runs)
	out.Integrity = acc.Integrity()
	out.Warnings = append(out.Warnings, out.Judge()...)
	out.Verdicts = Evaluate(out)
	return out, nil
}

func scenarioName(r *Result) string {
	if r.Scenario == nil {
		return ""
	}
	return r.Scenario.Name
}

// offset is how many whole seconds after base a run started.
func offset(base time.Time, r *Result) int {
	return int(math.Round(r.StartedAt.Sub(base).Seconds()))
}

func mergeHistograms(out *Result, runs []*Result) error {
	for _, m := range Metrics() {
		var total *hdrhistogram.Histogram
		for _, r := range runs {
			h, err := r.Histogram(m)
			if err != nil {
				return err
			}
			if h == nil {
				continue
			}
			if total == nil {
				total = NewLatencyHistogram()
			}
			total.Merge(h)
		}
		if total == nil {
			continue
		}
		if err := out.SetHistogram(m, total); err != nil {
			return err
		}
	}
	return nil
}

// mergeSeries adds the runs' seconds on the clock of the earliest start.
// Each second's percentiles come from the merged interval histograms of the
// runs' latency.hlog; a run without one contributes its own figures, and
// the merged second then shows the highest of them (an upper bound).
func mergeSeries(base time.Time, dirs []string, runs []*Result) []Second {
	byT := map[int]*Second{}
	hists := map[int]*hdrhistogram.Histogram{}
	for i, r := range runs {
		off := offset(base, r)
		perSecond := readEndToEndSeconds(filepath.Join(dirs[i], HlogFile), r.StartedAt)
		for _, s := range r.Series {
			t := s.T + off
			m := byT[t]
			if m == nil {
				m = &Second{T: t}
				byT[t] = m
			}
			m.Published += s.Published
			m.Confirmed += s.Confirmed
			m.Consumed += s.Consumed
			if h := perSecond[s.T]; h != nil {
				if hists[t] == nil {
					hists[t] = NewLatencyHistogram()
				}
				hists[t].Merge(h)
			} else if perSecond == nil {
				m.EndToEndP50 = max(m.EndToEndP50, s.EndToEndP50)
				m.EndToEndP99 = max(m.EndToEndP99, s.EndToEndP99)
				m.EndToEndMax = max(m.EndToEndMax, s.EndToEndMax)
			}
		}
	}
	out := make([]Second, 0, len(byT))
	for t, m := range byT {
		if h := hists[t]; h != nil && h.TotalCount() > 0 {
			m.EndToEndP50 = max(m.EndToEndP50, h.ValueAtQuantile(50))
			m.EndToEndP99 = max(m.EndToEndP99, h.ValueAtQuantile(99))
			m.EndToEndMax = max(m.EndToEndMax, h.Max())
		}
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].T < out[j].T })
	return out
}

// readEndToEndSeconds reads a run's end-to-end interval histograms by the
// second they end in (as Second.T counts), or nil without a readable log.
func readEndToEndSeconds(path string, start time.Time) map[int]*hdrhistogram.Histogram {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	out := map[int]*hdrhistogram.Histogram{}
	lr := hdrhistogram.NewHistogramLogReader(f)
	for {
		h, err := lr.NextIntervalHistogram()
		if err != nil || h == nil {
			if err != nil && !errors.Is(err, io.EOF) && len(out) == 0 {
				return nil
			}
			return out
		}
		if h.Tag() != MetricEndToEnd {
			continue
		}
		t := int(math.Round(float64(h.EndTimeMs()-start.UnixMilli()) / 1000))
		if out[t] == nil {
			out[t] = NewLatencyHistogram()
		}
		out[t].Merge(h)
	}
}

// mergeBroker keeps the broker samples of the run that took the most (every
// instance watched the same broker), on the merged clock.
func mergeBroker(base time.Time, runs []*Result) BrokerView {
	best := runs[0]
	for _, r := range runs[1:] {
		if len(r.Broker.Samples) > len(best.Broker.Samples) {
			best = r
		}
	}
	view := best.Broker
	off := offset(base, best)
	view.Samples = append([]BrokerSample(nil), view.Samples...)
	for i := range view.Samples {
		view.Samples[i].T += off
	}
	return view
}

// MergeHlogs writes to w one latency.hlog for the merged run: the interval
// histograms of the runs' logs, per metric, added second by second on the
// clock of base (the earliest start, as Merge counts). An interval of the
// merged log spans the earliest start to the latest end of those it adds.
// It reports false, having written nothing, when no run has a readable log.
func MergeHlogs(w io.Writer, base time.Time, dirs ...string) (bool, error) {
	type key struct {
		tag    string
		second int64
	}
	type interval struct {
		start, end int64 // unix ms
		hist       *hdrhistogram.Histogram
	}
	merged := map[key]*interval{}
	read := 0
	for _, dir := range dirs {
		f, err := os.Open(filepath.Join(dir, HlogFile))
		if err != nil {
			continue
		}
		lr := hdrhistogram.NewHistogramLogReader(f)
		for {
			h, err := lr.NextIntervalHistogram()
			if err != nil && !errors.Is(err, io.EOF) {
				f.Close()
				return false, fmt.Errorf("%s: %w", filepath.Join(dir, HlogFile), err)
			}
			if h == nil {
				break
			}
			k := key{h.Tag(), int64(math.Round(float64(h.EndTimeMs()-base.UnixMilli()) / 1000))}
			iv := merged[k]
			if iv == nil {
				iv = &interval{start: h.StartTimeMs(), end: h.EndTimeMs(), hist: NewLatencyHistogram()}
				merged[k] = iv
			}
			iv.start, iv.end = min(iv.start, h.StartTimeMs()), max(iv.end, h.EndTimeMs())
			iv.hist.Merge(h)
		}
		f.Close()
		read++
	}
	if read == 0 {
		return false, nil
	}
	keys := make([]key, 0, len(merged))
	for k := range merged {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].second != keys[j].second {
			return keys[i].second < keys[j].second
		}
		return keys[i].tag < keys[j].tag
	})
	hw, err := NewHlogWriter(w, base)
	if err != nil {
		return false, err
	}
	for _, k := range keys {
		iv := merged[k]
		if err := hw.WriteInterval(k.tag, time.UnixMilli(iv.start), time.UnixMilli(iv.end), iv.hist); err != nil {
			return false, err
		}
	}
	return true, nil
}
