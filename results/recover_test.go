package results

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warrenmq/warren/scenarios"
)

// A run killed after four seconds left run.json, four seconds of
// series.jsonl (the last line cut short) and latency.hlog: Recover rebuilds
// what ran, warm-up left out of the latency, and says the run is incomplete.
func TestRecover(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 5, 1, 6, 0, 0, 0, time.UTC)
	rate, err := scenarios.ParseRate("100")
	if err != nil {
		t.Fatal(err)
	}
	sc := &scenarios.Scenario{Name: "soak", Publishers: []scenarios.PublisherGroup{{Rate: rate}}}
	sc.Run.WarmUp = scenarios.Duration(time.Second)
	rd := &RunDir{dir: dir, partial: dir, committed: true}
	if err := rd.WriteStart(StartInfo{Schema: RunSchema, ID: "cafe", Scenario: sc, StartedAt: start}); err != nil {
		t.Fatal(err)
	}

	series, err := rd.Create(SeriesFile)
	if err != nil {
		t.Fatal(err)
	}
	sw := NewSeriesWriter(series)
	hlog, err := rd.Create(HlogFile)
	if err != nil {
		t.Fatal(err)
	}
	hw, err := NewHlogWriter(hlog, start)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		sw.WriteSecond(Second{T: i + 1, Published: 100, Confirmed: 100, Consumed: 90})
		sw.WriteBroker(BrokerSample{T: i + 1, MemoryLimit: 1 << 30, Queues: []QueueSample{{Queue: "q", Ready: int64(10 * i)}}})
		h := NewLatencyHistogram()
		// The first second is warm-up, and slow.
		v := int64(1000)
		if i == 0 {
			v = 900_000
		}
		for range 90 {
			if err := h.RecordValue(v); err != nil {
				t.Fatal(err)
			}
		}
		from := start.Add(time.Duration(i) * time.Second)
		if err := hw.WriteInterval(MetricEndToEnd, from, from.Add(time.Second), h); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := series.WriteString(`{"second":{"t":5,"publ`); err != nil { // the kill
		t.Fatal(err)
	}
	series.Close()
	hlog.Close()

	r, err := Recover(dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.Schema != ResultSchema || r.ID != "cafe" || r.Scenario.Name != "soak" {
		t.Errorf("recovered %q %q %+v", r.Schema, r.ID, r.Scenario)
	}
	if len(r.Series) != 4 || r.Summary.Published != 400 || r.Summary.Consumed != 360 || r.Summary.PublishRate != 100 || r.Summary.TargetRate != 100 {
		t.Errorf("series %d seconds, summary %+v", len(r.Series), r.Summary)
	}
	if r.Duration.Std() != 4*time.Second || !r.EndedAt.Equal(start.Add(4*time.Second)) {
		t.Errorf("lasted %s, ended %s", r.Duration, r.EndedAt)
	}
	if r.Broker.Source != SourceManagement || len(r.Broker.Samples) != 4 {
		t.Errorf("broker view %s with %d samples, want management with 4", r.Broker.Source, len(r.Broker.Samples))
	}
	if l := r.Latency[MetricEndToEnd]; l.Count != 270 || !within(l.Max, 1000) {
		t.Errorf("end-to-end latency %+v, want the 270 values after the warm-up, none above 1 ms", l)
	}
	if h, err := r.Histogram(MetricEndToEnd); err != nil || h == nil || h.TotalCount() != 270 {
		t.Errorf("histogram: %v", err)
	}
	if r.Incomplete != "stopped at 06:00:04 after 4s" || len(r.Warnings) != 1 || !strings.HasPrefix(r.Warnings[0], "incomplete run") {
		t.Errorf("incomplete %q, warnings %q", r.Incomplete, r.Warnings)
	}

	// ReadRun recovers a directory without result.json.
	if rr, err := ReadRun(dir); err != nil || rr.Incomplete == "" {
		t.Errorf("ReadRun of a killed run: %v", err)
	}
}

func TestRecoverRefuses(t *testing.T) {
	dir := t.TempDir()
	if _, err := Recover(dir); err == nil || !strings.Contains(err.Error(), "no run.json") {
		t.Errorf("without run.json: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, RunFile), []byte(`{"schema":"warren.run/v0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Recover(dir); err == nil || !strings.Contains(err.Error(), "not a warren run start") {
		t.Errorf("an old run.json: %v", err)
	}
}
