package reports_test

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warrenmq/warren/reports"
	"github.com/warrenmq/warren/results"
)

// soakResult is a two-hour run at 2,000 msg/s with a bad minute (+61m to
// +62m), a backlog on one queue from +30m to +40m and one blocked minute.
func soakResult(t *testing.T) *results.Result {
	r := greenhouseResult(t)
	r.Series = nil
	r.Broker.Samples = nil
	start := r.StartedAt
	const secs = 2 * 3600
	for i := 1; i <= secs; i++ {
		p99 := int64(4000)
		if i > 61*60 && i <= 62*60 {
			p99 = 90_000 + int64(i%7)
		}
		r.Series = append(r.Series, results.Second{T: i, Published: 2000, Confirmed: 2000, Consumed: 6000,
			EndToEndP50: 1500, EndToEndP99: p99, EndToEndMax: p99 + 1000})
		ready := int64(0)
		if i >= 30*60 && i <= 40*60 {
			ready = int64(i - 30*60 + 1)
		}
		r.Broker.Samples = append(r.Broker.Samples, results.BrokerSample{T: i, Queues: []results.QueueSample{
			{Queue: "greenhouse.all", Ready: ready, Consumers: 2},
			{Queue: "greenhouse.zone1", Ready: 0, Consumers: 1},
		}})
	}
	r.Events = []results.Event{
		{At: start.Add(90 * time.Minute), Kind: results.EventBlocked, Message: "connection pub-0 blocked by the broker: low on memory"},
		{At: start.Add(91 * time.Minute), Kind: results.EventUnblocked, Message: "connection pub-0 unblocked"},
	}
	r.Duration = 2 * 3600 * 1e9
	r.EndedAt = start.Add(2 * time.Hour)
	return r
}

// render writes r's report into a temporary directory and returns the
// Markdown.
func render(t *testing.T, r *results.Result) string {
	dir := t.TempDir()
	if err := reports.Render(dir, r); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, results.ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	return string(md)
}

func TestKeyWindowsOfALongRun(t *testing.T) {
	md := render(t, soakResult(t))
	for _, want := range []string{
		"## Key windows",
		"**Worst minute of latency:** +1h01m00s to +1h02m00s, end-to-end p99 up to 90.0 ms in one second",
		"**Longest backlog:** `greenhouse.all` had ready messages from +30m00s to +40m00s (10m00s), peaking at 601.",
		"**Longest publishers blocked:** +1h30m00s to +1h31m00s (1m00s), 1 time in all.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md[:min(len(md), 1500)])
		}
	}
	if short := render(t, greenhouseResult(t)); strings.Contains(short, "## Key windows") {
		t.Error("a short run's report calls out key windows")
	}
}

// The soak's charts render and decode; written to WARREN_CHART_DIR when
// set, so a person can look at them.
func TestSoakChartsRender(t *testing.T) {
	dir := os.Getenv("WARREN_CHART_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := reports.Render(dir, soakResult(t)); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{reports.ThroughputChartFile, reports.LatencyOverTimeFile, "queue-depth.png"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(bytes.NewReader(data)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
