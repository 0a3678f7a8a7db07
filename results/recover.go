package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/warrenmq/warren/scenarios"
)

// Recover rebuilds a result from what a run streamed (run.json,
// series.jsonl, latency.hlog) when it never wrote result.json: the process
// was killed, or the machine stopped. The result covers the part that ran
// and says so in Incomplete and a warning; message accounting is not
// reconciled, since that happens at the end.
func Recover(dir string) (*Result, error) {
	data, err := os.ReadFile(filepath.Join(dir, RunFile))
	if err != nil {
		return nil, fmt.Errorf("%s: no %s: not a warren run directory, or one that never started", dir, RunFile)
	}
	var info StartInfo
	if err := json.Unmarshal(data, &info); err != nil || info.Schema != RunSchema {
		return nil, fmt.Errorf("%s: %s is not a warren run start (schema %q)", dir, RunFile, info.Schema)
	}
	r := &Result{
		Schema:      ResultSchema,
		ID:          info.ID,
		Scenario:    info.Scenario,
		Environment: info.Environment,
		StartedAt:   info.StartedAt,
		Latency:     map[string]LatencySummary{},
		Histograms:  map[string]string{},
		Broker:      BrokerView{Source: SourcePassive},
	}
	if f, err := os.Open(filepath.Join(dir, SeriesFile)); err == nil {
		readSeries(f, r)
		f.Close()
	}
	if len(r.Broker.Samples) > 0 && r.Broker.Samples[0].MemoryLimit > 0 {
		r.Broker.Source = SourceManagement
	}
	last := 0
	for _, s := range r.Series {
		last = max(last, s.T)
		r.Summary.Published += s.Published
		r.Summary.Confirmed += s.Confirmed
		r.Summary.Consumed += s.Consumed
	}
	r.Duration = scenarios.Duration(time.Duration(last) * time.Second)
	r.EndedAt = r.StartedAt.Add(time.Duration(last) * time.Second)
	if last > 0 {
		r.Summary.PublishRate = float64(r.Summary.Published) / float64(last)
		r.Summary.ConfirmRate = float64(r.Summary.Confirmed) / float64(last)
		r.Summary.ConsumeRate = float64(r.Summary.Consumed) / float64(last)
	}
	if r.Scenario != nil {
		for _, p := range r.Scenario.Publishers {
			if p.Rate.Kind() != scenarios.RateUnlimited {
				r.Summary.TargetRate += p.Rate.Mean(r.Duration.Std())
			}
		}
	}
	if f, err := os.Open(filepath.Join(dir, HlogFile)); err == nil {
		var warmUp time.Duration
		if r.Scenario != nil {
			warmUp = r.Scenario.Run.WarmUp.Std()
		}
		readHlog(f, r, warmUp)
		f.Close()
	}
	r.Incomplete = fmt.Sprintf("stopped at %s after %s", r.EndedAt.UTC().Format("15:04:05"), time.Duration(last)*time.Second)
	r.Warnings = append(r.Warnings, "incomplete run: "+r.Incomplete+"; these figures cover the part that ran, and message accounting was not reconciled (it happens at the end of a run)")
	return r, nil
}

// readHlog merges each metric's interval histograms, warm-up left out,
// into the result's totals.
func readHlog(f io.Reader, r *Result, warmUp time.Duration) {
	totals := map[string]*hdrhistogram.Histogram{}
	lr := hdrhistogram.NewHistogramLogReader(f)
	startMs := r.StartedAt.UnixMilli()
	for {
		h, err := lr.NextIntervalHistogram()
		if err != nil || h == nil {
			if err != nil && !errors.Is(err, io.EOF) {
				r.Warnings = append(r.Warnings, "latency.hlog ends in a damaged line: "+err.Error())
			}
			break
		}
		if time.Duration(h.StartTimeMs()-startMs)*time.Millisecond < warmUp {
			continue
		}
		tag := h.Tag()
		if totals[tag] == nil {
			totals[tag] = NewLatencyHistogram()
		}
		totals[tag].Merge(h)
	}
	for tag, h := range totals {
		// A histogram that cannot be encoded still gives its percentiles.
		_ = r.SetHistogram(tag, h)
	}
}
