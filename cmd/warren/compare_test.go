package main

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/warrenmq/warren/results"
)

// slower makes r twice as slow: rates halved, every latency doubled, the
// histograms re-encoded so the chart shows it too.
func slower(t *testing.T) func(*results.Result) {
	return func(r *results.Result) {
		r.Summary.PublishRate /= 2
		r.Summary.ConfirmRate /= 2
		r.Summary.ConsumeRate /= 2
		for i := range r.Series {
			r.Series[i].Published /= 2
			r.Series[i].Confirmed /= 2
			r.Series[i].Consumed /= 2
		}
		for m, l := range r.Latency {
			l.Min, l.P50, l.P90, l.P99, l.P999, l.P9999, l.Max = 2*l.Min, 2*l.P50, 2*l.P90, 2*l.P99, 2*l.P999, 2*l.P9999, 2*l.Max
			l.Mean *= 2
			r.Latency[m] = l
		}
		for m := range r.Histograms {
			h, err := r.Histogram(m)
			if err != nil {
				t.Fatal(err)
			}
			d := hdrhistogram.New(1, 120_000_000, 3)
			for _, b := range h.Distribution() {
				if b.Count > 0 {
					if err := d.RecordValues(2*b.To, b.Count); err != nil {
						t.Fatal(err)
					}
				}
			}
			enc, err := d.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
			if err != nil {
				t.Fatal(err)
			}
			r.Histograms[m] = string(enc)
		}
	}
}

var gateFlags = []string{"--max-p99-regression", "10%", "--max-throughput-drop", "5%", "--fail-on-loss"}

func TestCompareWithItselfPasses(t *testing.T) {
	dir := runDirFrom(t, t.TempDir(), "run", nil)
	code, stdout, stderr := runCLI(t, nil, append([]string{"compare", dir, dir}, gateFlags...)...)
	if code != exitOK {
		t.Fatalf("exit %d, want 0; stderr %q", code, stderr)
	}
	for _, want := range []string{"**PASS:**", "| End-to-end p99 (ms) | 5.03 | 5.03 | 0.0% |"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if stderr != "" {
		t.Errorf("stderr %q, want nothing", stderr)
	}
}

func TestCompareTwiceAsSlowFails(t *testing.T) {
	parent := t.TempDir()
	base := runDirFrom(t, parent, "baseline", nil)
	cand := runDirFrom(t, parent, "candidate", slower(t))
	out := filepath.Join(parent, "cmp")
	code, stdout, stderr := runCLI(t, nil, append([]string{"compare", base, cand, "--out", out}, gateFlags...)...)
	if code != exitFailure {
		t.Fatalf("exit %d, want 1; stderr %q", code, stderr)
	}
	// The failing figures come first, each named, before the table.
	fail := strings.Index(stdout, "**FAIL:** 4 thresholds crossed.")
	table := strings.Index(stdout, "| Figure |")
	if fail < 0 || table < fail {
		t.Errorf("stdout does not list the failures before the table:\n%s", stdout)
	}
	for _, figure := range []string{"publish rate dropped 50.0%", "consume rate dropped 50.0%", "end-to-end p99 regressed +100.0%", "confirm p99 regressed +100.0%"} {
		if !strings.Contains(stdout, figure) || !strings.Contains(stderr, figure) {
			t.Errorf("the failure %q is not named on stdout and stderr:\nstdout:\n%s\nstderr:\n%s", figure, stdout, stderr)
		}
	}
	md, err := os.ReadFile(filepath.Join(out, "compare.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "![End-to-end latency by percentile](compare-latency.png)") {
		t.Error("compare.md does not link its chart")
	}
	f, err := os.Open(filepath.Join(out, "compare-latency.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 800 || b.Dy() < 400 {
		t.Errorf("chart is %v", b)
	}
}

// Without thresholds compare only reports, whatever the difference.
func TestCompareWithoutGateReports(t *testing.T) {
	parent := t.TempDir()
	code, stdout, _ := runCLI(t, nil, "compare", runDirFrom(t, parent, "a", nil), runDirFrom(t, parent, "b", slower(t)))
	if code != exitOK || !strings.Contains(stdout, "+100.0%") {
		t.Errorf("exit %d, stdout:\n%s", code, stdout)
	}
}

// A side may be a directory of repeated runs, compared by their medians.
func TestCompareRepeats(t *testing.T) {
	parent := t.TempDir()
	for i, f := range []float64{1, 1.02, 0.97} {
		runDirFrom(t, filepath.Join(parent, "base"), "r"+string(rune('1'+i)), func(r *results.Result) {
			r.Summary.PublishRate *= f
		})
	}
	runDirFrom(t, filepath.Join(parent, "cand"), "r1", nil)
	code, stdout, stderr := runCLI(t, nil, "compare", filepath.Join(parent, "base"), filepath.Join(parent, "cand"), "--max-throughput-drop", "5%")
	if code != exitOK {
		t.Fatalf("exit %d; stderr %q", code, stderr)
	}
	want := "| Publish rate (msg/s) | 999.4 (969.4–1,019.4) | 999.4 | 0.0% |"
	if !strings.Contains(stdout, want) || !strings.Contains(stdout, "3 runs") {
		t.Errorf("stdout lacks %q:\n%s", want, stdout)
	}
}

func TestCompareBadInput(t *testing.T) {
	parent := t.TempDir()
	run := runDirFrom(t, parent, "run", nil)
	empty := filepath.Join(parent, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"one side", []string{"compare", run}, "expected a baseline and at least one candidate"},
		{"missing side", []string{"compare", run, filepath.Join(parent, "nope")}, "does not exist"},
		{"no results", []string{"compare", run, empty}, "holds no result.json"},
		{"bad percentage", []string{"compare", run, run, "--max-p99-regression", "lots"}, `--max-p99-regression: "lots": give a percentage such as 10%`},
		{"negative percentage", []string{"compare", run, run, "--max-throughput-drop", "-5%"}, "--max-throughput-drop"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, nil, tc.args...)
			if code != exitBadInput {
				t.Errorf("exit %d, want %d", code, exitBadInput)
			}
			if !strings.HasPrefix(stderr, "warren compare: ") || !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q, want an error containing %q", stderr, tc.want)
			}
		})
	}
}

func TestParsePercent(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"10%", 0.1, true}, {"10", 0.1, true}, {" 2.5 % ", 0.025, true}, {"0%", 0, true},
		{"", 0, false}, {"-1%", 0, false}, {"ten", 0, false}, {"Inf", 0, false},
	} {
		got, err := parsePercent(tc.in)
		if (err == nil) != tc.ok || (tc.ok && math.Abs(got-tc.want) > 1e-12) {
			t.Errorf("parsePercent(%q) = %v, %v", tc.in, got, err)
		}
	}
}
