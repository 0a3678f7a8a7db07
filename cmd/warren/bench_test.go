package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warrenmq/warren/internal/selfbench"
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
	old := &selfbench.File{Schema: selfbench.Schema, StartedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Repeat: 1, CPUProbe: 0.5,
		Cases: []selfbench.CaseResult{{Case: "a", Median: selfbench.Figures{PublishRate: 1000, CPUPerMessage: 100,
			EndToEnd: selfbench.Latency{P50: 100, P99: 1000, P999: 2000}, Confirm: selfbench.Latency{P99: 1000}, MaxRSSBytes: 10 << 20}}}}
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

	bf, err := selfbench.ReadFile(out)
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
