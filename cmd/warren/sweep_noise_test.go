package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/warrenmq/warren/internal/stats"
	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/reports"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// shortGreenhouse writes the built-in greenhouse with a one-second warm-up
// and drain, and returns its path.
func shortGreenhouse(t *testing.T) string {
	t.Helper()
	src, err := scenarios.BuiltinSource("greenhouse")
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	if !strings.Contains(text, "  drain: 3s\n") {
		t.Fatal("the built-in greenhouse no longer says drain: 3s: update this test")
	}
	text = strings.Replace(text, "  drain: 3s\n", "  drain: 1s\n  warm_up: 1s\n", 1)
	path := filepath.Join(t.TempDir(), "greenhouse.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// sweepOutcome is what a real sweep said.
type sweepOutcome struct {
	dir, recommended, md, stdout string
}

// realSweep runs a short greenhouse sweep at 100 msg/s against the test
// broker, three rounds of five seconds per variant, without a report per
// run (sweep.md is what these tests read).
func realSweep(t *testing.T, uri string, attempt int, prefetch string) sweepOutcome {
	t.Helper()
	dir := filepath.Join(t.TempDir(), fmt.Sprintf("sweep-%d", attempt))
	code, stdout, stderr := runCLI(t, nil, "sweep", shortGreenhouse(t), "--uri", uri, "--prefetch", prefetch,
		"--rate", "100", "--duration", "5s", "--settle", "200ms", "--no-report", "--quiet", "--out", dir)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	md, err := os.ReadFile(filepath.Join(dir, reports.SweepFile))
	if err != nil {
		t.Fatal(err)
	}
	rec, _, ok := strings.Cut(strings.TrimPrefix(stdout, "recommended: "), ". ")
	if !ok || !strings.HasPrefix(stdout, "recommended: ") {
		t.Fatalf("no recommendation:\n%s", stdout)
	}
	return sweepOutcome{dir: dir, recommended: rec, md: string(md), stdout: stdout}
}

// A sweep of two variants that behave alike: at 100 msg/s consumers that
// do no work never hold more than a few unacknowledged messages, so a
// prefetch of 20 and one of 10 carry the same load the same way. The sweep
// must find no significant difference and recommend on cost: prefetch=10.
//
// By construction a test at alpha 0.05 finds a difference that is not
// there once in twenty sweeps (and drift within a run's seconds makes it
// somewhat likelier), so one sweep that finds one is run again: two in a
// row fail the test.
func TestSweepIdenticalVariantsNoDifference(t *testing.T) {
	uri := requireSweepBroker(t)
	var last sweepOutcome
	starved := 0
	for attempt := 1; attempt <= 2; attempt++ {
		out := realSweep(t, uri, attempt, "20,10")
		last = out
		if !strings.Contains(out.md, "The sweep was rate-bound") {
			t.Logf("attempt %d: not rate-bound:\n%s", attempt, out.stdout)
			if generatorStarved(t, out.dir) {
				starved++
			}
			continue
		}
		if !strings.Contains(out.md, "There was no significant difference in per-second end-to-end p99 between the two variants") {
			t.Logf("attempt %d found a difference:\n%s", attempt, out.stdout)
			continue
		}
		if out.recommended != "consumers.prefetch=10" ||
			!strings.Contains(out.md, "so cost decided: `consumers.prefetch=10` costs the broker least, at most 40 unacknowledged messages (prefetch × consumers: 10 × 1 + 10 × 2 + 10 × 1)") {
			t.Fatalf("recommended %s, not on cost:\n%s", out.recommended, out.md)
		}
		if !strings.Contains(out.md, "| `consumers.prefetch=20` vs `consumers.prefetch=10` |") || !strings.Contains(out.md, "| no significant difference |") {
			t.Errorf("the pair is not listed as no significant difference:\n%s", out.md)
		}
		// --no-report: the runs' directories are linked, not their reports.
		if !strings.Contains(out.md, "[1](consumers.prefetch=10/1/) [2](consumers.prefetch=10/2/) [3](consumers.prefetch=10/3/)") {
			t.Errorf("the runs are not linked by directory:\n%s", out.md)
		}
		// Fairness: the archiver's two consumers share greenhouse.all.
		if !strings.Contains(out.md, "| `consumers.prefetch=10` | `archiver` | 2 |") {
			t.Errorf("no fairness row for the archiver:\n%s", out.md)
		}
		return
	}
	if starved == 2 {
		t.Skip("warren fell behind its own schedule in both sweeps: this machine is too busy for a rate-bound sweep")
	}
	t.Fatalf("two sweeps of identical variants in a row did not report them rate-bound and alike:\n%s", last.md)
}

// A rate-bound prefetch sweep of greenhouse never recommends a variant
// whose p99 is significantly worse than another's. The check is made
// here afresh from the runs' result.json files: the per-second p99s after
// the warm-up, every pair's Mann-Whitney U test, adjusted by Holm's method
// as the sweep adjusts them.
func TestSweepGreenhouseRateBoundNeverWorse(t *testing.T) {
	uri := requireSweepBroker(t)
	var out sweepOutcome
	starved := 0
	for attempt := 1; attempt <= 2; attempt++ {
		out = realSweep(t, uri, attempt, "1,100")
		if strings.Contains(out.md, "The sweep was rate-bound") {
			break
		}
		t.Logf("attempt %d: not rate-bound:\n%s", attempt, out.stdout)
		if generatorStarved(t, out.dir) {
			starved++
		}
		out = sweepOutcome{}
	}
	if out.dir == "" {
		if starved == 2 {
			t.Skip("warren fell behind its own schedule in both sweeps: this machine is too busy for a rate-bound sweep")
		}
		t.Fatal("two sweeps at 100 msg/s were not rate-bound")
	}
	names := []string{"consumers.prefetch=1", "consumers.prefetch=100"}
	samples := make([][]float64, len(names))
	for i, name := range names {
		runs, err := filepath.Glob(filepath.Join(out.dir, name, "*", results.ResultFile))
		if err != nil || len(runs) != 3 {
			t.Fatalf("%s: runs %v (%v)", name, runs, err)
		}
		for _, path := range runs {
			r, err := results.ReadResult(path)
			if err != nil {
				t.Fatal(err)
			}
			warm, end := r.Scenario.Run.WarmUp.Std().Seconds(), r.Duration.Std().Seconds()
			for _, s := range r.Series {
				if float64(s.T) > warm && float64(s.T) <= math.Round(end) && s.Consumed > 0 {
					samples[i] = append(samples[i], float64(s.EndToEndP99))
				}
			}
		}
		if len(samples[i]) < 9 {
			t.Fatalf("%s: only %d per-second samples", name, len(samples[i]))
		}
	}
	best := slices.Index(names, out.recommended)
	if best < 0 {
		t.Fatalf("recommended %q", out.recommended)
	}
	r, err := stats.MannWhitney(samples[best], samples[1-best])
	if err != nil {
		t.Fatal(err)
	}
	// One pair: Holm's adjustment leaves its p-value as it is.
	if r.Significant(reports.Alpha) && r.Effect() > 0.5 {
		t.Errorf("recommended %s, whose per-second p99 is significantly above %s's (p = %.4g)\n%s", out.recommended, names[1-best], r.P, out.md)
	}
	t.Logf("recommended %s; p99 medians %v and %v µs, p = %.3g", out.recommended, stats.Median(samples[0]), stats.Median(samples[1]), r.P)
}

// generatorStarved says whether a run of the sweep warned that warren
// itself fell behind (its sends late, its CPU at its limit): on a machine
// too busy to hold even 100 msg/s on time the sweep cannot be rate-bound,
// which says nothing about the sweep's logic.
func generatorStarved(t *testing.T, dir string) bool {
	t.Helper()
	runs, err := filepath.Glob(filepath.Join(dir, "*", "*", results.ResultFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range runs {
		r, err := results.ReadResult(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range r.Warnings {
			if strings.Contains(w, "generator fell behind") || strings.Contains(w, "generator may have been the limit") {
				return true
			}
		}
	}
	return false
}

// requireSweepBroker is the test broker for a sweep of real runs, which
// take most of a minute: skipped in -short.
func requireSweepBroker(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("a sweep of real runs takes most of a minute")
	}
	return testbroker.Require(t)
}
