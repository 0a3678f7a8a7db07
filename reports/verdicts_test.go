package reports_test

import (
	"strings"
	"testing"

	"github.com/warrenmq/warren/reports"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

func fptr(v float64) *float64 { return &v }

func TestVerdictFigure(t *testing.T) {
	th := func(s string) scenarios.Threshold { return fixtureThresholds(t, s)[0] }
	tests := []struct {
		v    results.Verdict
		want string
	}{
		{results.Verdict{Threshold: th("e2e_p99<50ms"), Status: results.StatusFail, Observed: fptr(0.0723)}, "72.3 ms"},
		{results.Verdict{Threshold: th("e2e_max<5s"), Status: results.StatusPass, Observed: fptr(1.5)}, "1.5 s"},
		{results.Verdict{Threshold: th("lost==0"), Status: results.StatusFail, Observed: fptr(1234)}, "1,234 lost"},
		{results.Verdict{Threshold: th("lost<=0.1%"), Status: results.StatusPass, Observed: fptr(100 * 3.0 / 9900), Absolute: fptr(3), Base: fptr(9900)},
			"0.0303% (3 of 9,900 expected copies)"},
		{results.Verdict{Threshold: th("consume_rate>=900/s"), Status: results.StatusPass, Observed: fptr(1989.25)}, "1,989.2 msg/s"},
		{results.Verdict{Threshold: th("publish_rate>=99%"), Status: results.StatusFail, Observed: fptr(98.5), Absolute: fptr(985), Base: fptr(1000)},
			"98.5% of the 1,000 msg/s target (985 msg/s)"},
		{results.Verdict{Threshold: th("publish_rate>=99%"), Status: results.StatusUnknown, Note: "no target rate"}, "no target rate"},
		// A figure never reads as the bound it crossed.
		{results.Verdict{Threshold: th("publish_rate>=99%"), Status: results.StatusFail, Observed: fptr(98.96), Absolute: fptr(989.6), Base: fptr(1000)},
			"98.96% of the 1,000 msg/s target (989.6 msg/s)"},
		{results.Verdict{Threshold: th("publish_rate>=99%"), Status: results.StatusPass, Observed: fptr(99), Absolute: fptr(990), Base: fptr(1000)},
			"99% of the 1,000 msg/s target (990 msg/s)"},
		{results.Verdict{Threshold: th("e2e_p99<50ms"), Status: results.StatusFail, Observed: fptr(0.05004)}, "50.04 ms"},
		{results.Verdict{Threshold: th("e2e_max<2s"), Status: results.StatusFail, Observed: fptr(2.0004)}, "2000.4 ms"},
		{results.Verdict{Threshold: th("consume_rate>=900/s"), Status: results.StatusFail, Observed: fptr(899.96)}, "899.96 msg/s"},
		{results.Verdict{Threshold: th("consume_rate>=900/s"), Status: results.StatusFail, Observed: fptr(899.9)}, "899.9 msg/s"},
	}
	for _, tt := range tests {
		if got := reports.VerdictFigure(tt.v); got != tt.want {
			t.Errorf("%s: figure %q, want %q", tt.v.Threshold, got, tt.want)
		}
	}
}

func TestVerdictHeadline(t *testing.T) {
	v := func(s results.Status) results.Verdict { return results.Verdict{Status: s} }
	for _, tt := range []struct {
		vs   []results.Verdict
		want string
	}{
		{[]results.Verdict{v(results.StatusPass), v(results.StatusPass)}, "pass (2 passed)"},
		{[]results.Verdict{v(results.StatusPass), v(results.StatusDeferred)}, "pass (1 passed, 1 deferred to warren merge)"},
		{[]results.Verdict{v(results.StatusPass), v(results.StatusUnknown)}, "fail (1 unknown, 1 passed)"},
		{[]results.Verdict{v(results.StatusFail), v(results.StatusUnknown), v(results.StatusPass)}, "fail (1 failed, 1 unknown, 1 passed)"},
	} {
		if got := reports.VerdictHeadline(tt.vs); got != tt.want {
			t.Errorf("headline %q, want %q", got, tt.want)
		}
	}
}

// The report opens with the verdict, whichever it is.
func TestReportOpensWithVerdict(t *testing.T) {
	opening := func(r *results.Result) string {
		t.Helper()
		md := render(t, r)
		_, rest, ok := strings.Cut(md, "\n\n## Verdict\n\n")
		if !ok || !strings.HasPrefix(md, "# warren run: ") {
			t.Fatalf("the report does not open with its verdict:\n%s", md[:min(len(md), 400)])
		}
		line, _, _ := strings.Cut(rest, "\n")
		return line
	}
	r := greenhouseResult(t)
	r.Scenario.Thresholds = fixtureThresholds(t, "e2e_p99<50ms")
	r.Verdicts = results.Evaluate(r)
	if got := opening(r); got != "**Pass**: all 2 thresholds hold." {
		t.Errorf("a passing run opens with %q", got)
	}
	r.Integrity.Partial = true
	r.Verdicts = results.Evaluate(r)
	if got := opening(r); !strings.HasPrefix(got, "**Pass** so far: 1 threshold held, and 1 deferred to `warren merge`") {
		t.Errorf("an instance of a shared run opens with %q", got)
	}
	r.Integrity.Partial, r.Integrity.Lost = false, 2
	r.Verdicts = results.Evaluate(r)
	md := render(t, r)
	if !strings.Contains(md, "**Fail**: 1 of 2 thresholds failed.") || !strings.Contains(md, "| `lost==0` (integrity, by default) | 2 lost | **fail** |") {
		t.Errorf("a run that lost 2 confirmed copies:\n%s", md[:min(len(md), 600)])
	}
	// Recorded verdicts are what the report shows; it judges only a result
	// that has none.
	r.Verdicts = []results.Verdict{{Threshold: fixtureThresholds(t, "lost==0")[0], Status: results.StatusPass, Observed: fptr(0)}}
	if got := opening(r); got != "**Pass**: the threshold holds." {
		t.Errorf("recorded verdicts: %q", got)
	}
	r.Verdicts, r.Scenario.Thresholds, r.Scenario.Publishers[0].Confirm = nil, nil, false
	if got := opening(r); !strings.HasPrefix(got, "No thresholds judge this run") {
		t.Errorf("a run without thresholds opens with %q", got)
	}
}
