package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/scenarios"
)

// TestBenchOneCase runs case (a) for 2 s against the broker, compares it with
// a baseline, and checks the table and the JSON. Timings are never asserted:
// only that the figures are there and consistent.
func TestBenchOneCase(t *testing.T) {
	uri := testbroker.Require(t)
	dir := t.TempDir()
	base := filepath.Join(dir, "baseline.json")
	// A baseline machine whose probe no real one matches (a stamp written
	// and read in half a nanosecond), so the output must warn.
	old := &BenchFile{Schema: BenchSchema, StartedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Repeat: 1, CPUProbe: 0.5,
		Cases: []BenchCaseResult{{Case: "a", Median: BenchFigures{PublishRate: 1000, CPUPerMessage: 100,
			EndToEnd: BenchLatency{P50: 100, P99: 1000, P999: 2000}, Confirm: BenchLatency{P99: 1000}, MaxRSSBytes: 10 << 20}}}}
	if err := old.WriteFile(base); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "sub", "last.json")

	code, stdout, stderr := runCLI(t, nil, "bench", "--cases", "a", "--duration", "2s",
		"--uri", uri, "--out", out, "--baseline", base)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"publish/s", "consume/s", "e2e p99.9", "confirm p99.9", "CPU µs/msg", "allocs/msg", "peak RSS",
		"thread(s) running Go code (GOMAXPROCS)",
		"12-byte", "x-warren-stamp", // where the stamp of a 12-byte body goes
		"16,800", "41.5", "≤ 20", // the reference and the target
		"change against " + base, "1,000 → ",
		"this machine's CPU probe:", "ns for the baseline: this machine runs warren's code",
		"results: " + out,
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stderr, "case b") || !strings.Contains(stderr, "case a") {
		t.Errorf("want case a only:\n%s", stderr)
	}

	bf, err := ReadBenchFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if bf.CPUProbe <= 0.5 {
		t.Errorf("CPU probe %.2f ns: not measured", bf.CPUProbe)
	}
	if bf.Duration != scenarios.Duration(2*time.Second) || bf.Repeat != 1 || len(bf.Cases) != 1 {
		t.Fatalf("file: duration %s, repeat %d, %d cases", bf.Duration, bf.Repeat, len(bf.Cases))
	}
	cr := bf.Cases[0]
	if cr.Case != "a" || cr.BodyBytes != 12 || cr.Publishers != 1 || cr.Consumers != 1 || cr.Durable ||
		cr.ConfirmWindow != 1000 || cr.Prefetch != 1000 || len(cr.Runs) != 1 {
		t.Errorf("case: %+v", cr)
	}
	m := cr.Median
	if m.Published == 0 || m.Consumed != m.Published || m.Lost != 0 || m.Duplicated != 0 {
		t.Errorf("published %d, consumed %d, lost %d, duplicated %d: want every message consumed once",
			m.Published, m.Consumed, m.Lost, m.Duplicated)
	}
	if m.PublishRate <= 0 || m.EndToEnd.P50 <= 0 || m.EndToEnd.P99 < m.EndToEnd.P50 || m.Confirm.P50 <= 0 {
		t.Errorf("rates or latency missing: %+v", m)
	}
	cpu := m.CPUUserSeconds + m.CPUSystemSeconds
	// The client library allocates for every frame it parses: a count of
	// zero would mean the allocations were not read.
	if cpu <= 0 || m.MaxRSSBytes <= 0 || m.CoreShare <= 0 || m.AllocsPerMessage <= 0 {
		t.Errorf("generator cost missing: %+v", m)
	}
	if want := cpu * 1e6 / float64(m.Published); m.CPUPerMessage < want*0.999 || m.CPUPerMessage > want*1.001 {
		t.Errorf("CPU per message %.2f µs, want (user+system)/published = %.2f µs", m.CPUPerMessage, want)
	}
	if cr.Reference.Rate != 16800 || cr.Target.MaxCPUPerMessage != 20 || cr.RateTargetMet == nil {
		t.Errorf("reference %+v, target %+v", cr.Reference, cr.Target)
	}
}

func TestBenchBadInput(t *testing.T) {
	dir := t.TempDir()
	notBench := filepath.Join(dir, "result.json")
	if err := os.WriteFile(notBench, []byte(`{"schema": "warren.result/v1"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--cases", "a,z"}, `unknown case "z"`},
		{[]string{"--cases", ","}, "at least one case"},
		{[]string{"--repeat", "0"}, "--repeat must be ≥ 1"},
		{[]string{"--duration", "0s"}, "--duration"},
		{[]string{"--duration", "soon"}, "--duration"},
		{[]string{"--baseline", filepath.Join(dir, "missing.json")}, "--baseline"},
		{[]string{"--baseline", notBench}, "not a file warren bench wrote"},
		{[]string{"extra"}, "takes no arguments"},
	} {
		code, _, stderr := runCLI(t, nil, append([]string{"bench", "--out", filepath.Join(dir, "x.json")}, tc.args...)...)
		if code != exitBadInput || !strings.Contains(stderr, tc.want) {
			t.Errorf("bench %v: exit %d, stderr %q; want exit %d and %q", tc.args, code, stderr, exitBadInput, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.json")); err == nil {
		t.Error("bad input wrote a results file")
	}
}

func TestSelectBenchCasesKeepsTheIssueOrder(t *testing.T) {
	cases, err := selectBenchCases(" D, a ,c")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cases {
		names = append(names, c.name)
	}
	if got := strings.Join(names, ","); got != "a,c,d" {
		t.Errorf("cases %s, want a,c,d", got)
	}
}

func TestBenchCaseScenarios(t *testing.T) {
	for _, bc := range benchCases() {
		s := bc.scenario("q-"+bc.name, 20*time.Second)
		if err := s.Validate(); err != nil {
			t.Errorf("case %s: %v", bc.name, err)
			continue
		}
		p, c, q := s.Publishers[0], s.Consumers[0], s.Topology.Queues[0]
		if !p.Confirm || p.ConfirmWindow != 1000 || c.Prefetch != 1000 || c.AckMode != scenarios.AckManual || !s.Topology.Cleanup {
			t.Errorf("case %s: publishers %+v consumers %+v", bc.name, p, c)
		}
		if q.Durable != p.Persistent || q.Durable != (bc.name == "b") {
			t.Errorf("case %s: durable queue %v, persistent %v", bc.name, q.Durable, p.Persistent)
		}
		if s.Run.WarmUp != scenarios.Duration(2*time.Second) {
			t.Errorf("case %s: warm-up %s, want 2s of 20s", bc.name, s.Run.WarmUp)
		}
	}
}

func TestBenchMedian(t *testing.T) {
	m := medianFigures([]BenchFigures{
		{PublishRate: 100, CPUPerMessage: 9, EndToEnd: BenchLatency{P99: 30}},
		{PublishRate: 300, CPUPerMessage: 7, EndToEnd: BenchLatency{P99: 10}},
		{PublishRate: 200, CPUPerMessage: 8, EndToEnd: BenchLatency{P99: 20}},
	})
	if m.PublishRate != 200 || m.CPUPerMessage != 8 || m.EndToEnd.P99 != 20 {
		t.Errorf("medians %+v", m)
	}
}

func TestBenchThousands(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 977: "977", 1000: "1,000", 16800.4: "16,800", 1234567: "1,234,567", -1500: "-1,500"} {
		if got := benchThousands(in); got != want {
			t.Errorf("thousands(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestPrintBenchShowsTargetsAndRuns(t *testing.T) {
	bc := benchCases()[3] // d: a fixed rate, no throughput target
	run := func(rate, cpu float64, p99 int64) BenchFigures {
		return BenchFigures{PublishRate: rate, ConsumeRate: rate, CPUPerMessage: cpu, EndToEnd: BenchLatency{P50: 300, P99: p99, P999: 2 * p99}}
	}
	runs := []BenchFigures{run(999, 120, 1500), run(1000, 180, 2500)}
	bf := &BenchFile{Schema: BenchSchema, Repeat: 2, CPUs: 2, Duration: scenarios.Duration(20 * time.Second), Note: benchBodyNote,
		LoadBefore: []float64{1.5, 1, 0.5},
		Cases:      []BenchCaseResult{{Case: bc.name, Runs: runs, Median: medianFigures(runs), Reference: bc.ref, Target: bc.target, CPUTargetMet: true}}}
	var b strings.Builder
	printBench(&b, bf)
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
