package selfbench

import (
	"strings"
	"testing"
	"time"

	"github.com/warrenmq/warren/scenarios"
)

func TestSelectCasesKeepsTheIssueOrder(t *testing.T) {
	cases, err := SelectCases(" D, a ,c")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cases {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, ","); got != "a,c,d" {
		t.Errorf("cases %s, want a,c,d", got)
	}
}

func TestCaseScenarios(t *testing.T) {
	for _, bc := range Cases() {
		s := bc.Scenario("q-"+bc.Name, 20*time.Second)
		if err := s.Validate(); err != nil {
			t.Errorf("case %s: %v", bc.Name, err)
			continue
		}
		p, c, q := s.Publishers[0], s.Consumers[0], s.Topology.Queues[0]
		if !p.Confirm || p.ConfirmWindow != 1000 || c.Prefetch != 1000 || c.AckMode != scenarios.AckManual || !s.Topology.Cleanup {
			t.Errorf("case %s: publishers %+v consumers %+v", bc.Name, p, c)
		}
		if q.Durable != p.Persistent || q.Durable != (bc.Name == "b") {
			t.Errorf("case %s: durable queue %v, persistent %v", bc.Name, q.Durable, p.Persistent)
		}
		if s.Run.WarmUp != scenarios.Duration(2*time.Second) {
			t.Errorf("case %s: warm-up %s, want 2s of 20s", bc.Name, s.Run.WarmUp)
		}
	}
}

func TestMedianFigures(t *testing.T) {
	m := medianFigures([]Figures{
		{PublishRate: 100, CPUPerMessage: 9, EndToEnd: Latency{P99: 30}},
		{PublishRate: 300, CPUPerMessage: 7, EndToEnd: Latency{P99: 10}},
		{PublishRate: 200, CPUPerMessage: 8, EndToEnd: Latency{P99: 20}},
	})
	if m.PublishRate != 200 || m.CPUPerMessage != 8 || m.EndToEnd.P99 != 20 {
		t.Errorf("medians %+v", m)
	}
}

func TestThousands(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 977: "977", 1000: "1,000", 16800.4: "16,800", 1234567: "1,234,567", -1500: "-1,500"} {
		if got := thousands(in); got != want {
			t.Errorf("thousands(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteTableShowsTargetsAndRuns(t *testing.T) {
	bc := Cases()[3] // d: a fixed rate, no throughput target
	run := func(rate, cpu float64, p99 int64) Figures {
		return Figures{PublishRate: rate, ConsumeRate: rate, CPUPerMessage: cpu, EndToEnd: Latency{P50: 300, P99: p99, P999: 2 * p99}}
	}
	runs := []Figures{run(999, 120, 1500), run(1000, 180, 2500)}
	bf := &File{Schema: Schema, Repeat: 2, CPUs: 2, Duration: scenarios.Duration(20 * time.Second), Note: BodyNote,
		LoadBefore: []float64{1.5, 1, 0.5},
		Cases:      []CaseResult{{Case: bc.Name, Runs: runs, Median: medianFigures(runs), Reference: bc.Reference, Target: bc.Target, CPUTargetMet: true}}}
	var b strings.Builder
	WriteTable(&b, bf)
	out := b.String()
	for _, want := range []string{
		"medians of 2 runs", "load average 1.50/1.00/0.50 before, unknown after",
		"150.0 met", "≤ 165", "(fixed rate)", "e2e p50 0.33 ms, p99 2.3 ms, p99.9 5.7 ms",
		"d: 999, 120.0, 1.5 ms | 1,000, 180.0, 2.5 ms",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// A file reads back as written; a file of another schema is refused.
func TestFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/bench.json"
	met := true
	bf := &File{Schema: Schema, StartedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Repeat: 1, CPUProbe: 3.5,
		Cases: []CaseResult{{Case: "a", Median: Figures{PublishRate: 17000, CPUPerMessage: 12}, CPUTargetMet: true, RateTargetMet: &met}}}
	if err := bf.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.CPUProbe != 3.5 || len(got.Cases) != 1 || got.Cases[0].Median.PublishRate != 17000 || got.Cases[0].RateTargetMet == nil || !*got.Cases[0].RateTargetMet {
		t.Errorf("read back %+v", got)
	}
	other := &File{Schema: "warren.result/v1"}
	if err := other.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(path); err == nil || !strings.Contains(err.Error(), "not a file warren bench wrote") {
		t.Errorf("another schema: %v", err)
	}
}

// The medians are held against the case's targets: CPU at most the target,
// throughput above it, and no throughput target at a fixed rate.
func TestJudge(t *testing.T) {
	cs := Cases()
	a := CaseResult{Target: cs[0].Target, Runs: []Figures{{PublishRate: 17000, CPUPerMessage: 20}}}
	a.judge()
	if !a.CPUTargetMet || a.RateTargetMet == nil || !*a.RateTargetMet {
		t.Errorf("case a at the CPU target and above the rate: %+v", a)
	}
	a = CaseResult{Target: cs[0].Target, Runs: []Figures{{PublishRate: 16800, CPUPerMessage: 20.1}}}
	a.judge()
	if a.CPUTargetMet || *a.RateTargetMet {
		t.Errorf("case a above the CPU target, at the rate: %+v", a)
	}
	d := CaseResult{Target: cs[3].Target, Runs: []Figures{{PublishRate: 1000, CPUPerMessage: 100}}}
	d.judge()
	if !d.CPUTargetMet || d.RateTargetMet != nil {
		t.Errorf("case d: %+v", d)
	}
}

func TestWriteChange(t *testing.T) {
	base := &File{StartedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), CPUProbe: 4, LoadBefore: []float64{0.5, 0.25, 0.1},
		Cases: []CaseResult{{Case: "a", Median: Figures{PublishRate: 1000, CPUPerMessage: 10, MaxRSSBytes: 20 << 20}}}}
	now := &File{CPUProbe: 2, Cases: []CaseResult{
		{Case: "a", Median: Figures{PublishRate: 1500, CPUPerMessage: 8, MaxRSSBytes: 30 << 20}},
		{Case: "b"},
	}}
	var b strings.Builder
	WriteChange(&b, base, "old.json", now)
	out := b.String()
	for _, want := range []string{
		"change against old.json (2025-01-02T03:04:05Z, load average 0.50/0.25/0.10 before)",
		"runs warren's code 2.00× as fast",
		"1,000 → 1,500 (+50.0%)", "10.0 → 8.0 (-20.0%)", "20.0 MiB → 30.0 MiB (+50.0%)",
		"b     not in the baseline",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
