package reports_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warrenmq/warren/reports"
	"github.com/warrenmq/warren/results"
)

// A run whose broker could not be asked at the end, and whose publishers
// left messages unsent: the report keeps unknown apart from lost, says why,
// and flags the latency figures as lower bounds.
func TestReportUnknownAndUnsent(t *testing.T) {
	t.Parallel()
	r := greenhouseResult(t)
	r.Summary.Unsent = 8198
	in := &r.Integrity
	in.Queues = []results.QueueIntegrity{
		{Queue: "greenhouse.all", Expected: 1000, Received: 400, Unknown: 600, UnknownWhy: "cannot reach a broker at 127.0.0.1:5672: connection refused"},
		{Queue: "greenhouse.zone1", Expected: 500, Received: 490, Lost: 10, Gone: true},
	}
	in.Expected, in.Received, in.Lost, in.Unknown, in.Unconsumed = 1500, 890, 10, 600, 0
	dir := t.TempDir()
	if err := reports.Render(dir, r); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, results.ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	md := string(data)
	for _, want := range []string{
		"**600 messages unknown**: the broker could not be asked at the end whether they were still queued; 10 lost, 0 duplicated.",
		"**600 copies were neither consumed nor seen to be gone: unknown.** The broker could not be asked whether `greenhouse.all` still held them (cannot reach a broker at 127.0.0.1:5672: connection refused)",
		"| Unknown (the broker could not be asked at the end: neither lost nor unconsumed) | **600** |",
		"| Queue | Expected | Received | Lost | Unconsumed | Unknown | Duplicated | Reordered |",
		"| `greenhouse.all` | 1,000 | 400 | 0 | 0 | **600** | 0 | 0 |",
		"Queue `greenhouse.zone1` no longer existed when the run ended",
		"| Unsent (due by the schedule, never sent) | **8,198** |",
		"**Lower bounds:** the end-to-end figures from the intended send include 8,198 messages due by the schedule but never sent",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
}
