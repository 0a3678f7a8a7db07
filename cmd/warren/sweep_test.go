package main

import (
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/reports"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// shortPrefetchSweep writes the built-in prefetch-sweep with a warm-up and
// drain short enough for a test, and returns its path.
func shortPrefetchSweep(t *testing.T) string {
	t.Helper()
	src, err := scenarios.BuiltinSource("prefetch-sweep")
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	for old, repl := range map[string]string{"warm_up: 2s": "warm_up: 500ms", "drain: 5s": "drain: 2s"} {
		if !strings.Contains(text, old) {
			t.Fatalf("the built-in prefetch-sweep no longer says %q: update this test", old)
		}
		text = strings.Replace(text, old, repl, 1)
	}
	path := filepath.Join(t.TempDir(), "prefetch-sweep.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A real sweep of the built-in prefetch-sweep scenario, two values run
// twice for two seconds each, against the test broker: sweep.md with a
// recommendation, every run's directory under its variant's, charts that
// decode, and no queue left behind.
func TestSweepPrefetch(t *testing.T) {
	uri := testbroker.Require(t)
	dir := filepath.Join(t.TempDir(), "sweep")
	code, stdout, stderr := runCLI(t, nil, "sweep", shortPrefetchSweep(t), "--uri", uri,
		"--prefetch", "1,100", "--repeat", "2", "--duration", "2s", "--settle", "200ms", "--quiet", "--out", dir)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "sweep: "+filepath.Join(dir, "sweep.md")) {
		t.Errorf("stdout does not give sweep.md's path:\n%s", stdout)
	}
	if !strings.HasPrefix(stdout, "recommended: consumers.prefetch=") {
		t.Errorf("stdout does not start with the recommendation:\n%s", stdout)
	}
	md, err := os.ReadFile(filepath.Join(dir, "sweep.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# warren sweep: prefetch-sweep",
		"## Recommendation\n\n**Use `consumers.prefetch=",
		"| 1 | 1 |", "| 2 | 100 |",
		"[1](consumers.prefetch=100/1/report.md) [2](consumers.prefetch=100/2/report.md)",
		"2 variants × 2 runs, interleaved round by round",
		"## Differences", "## Fairness across consumers", "| `consumers.prefetch=100` | `workers` | 4 |",
		"![Throughput against consumers.prefetch](sweep-throughput.png)",
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("sweep.md lacks %q:\n%s", want, md)
		}
	}
	for _, v := range []string{"1", "100"} {
		for _, round := range []string{"1", "2"} {
			run := filepath.Join(dir, "consumers.prefetch="+v, round)
			for _, f := range []string{"result.json", "report.md"} {
				if _, err := os.Stat(filepath.Join(run, f)); err != nil {
					t.Error(err)
				}
			}
		}
	}
	// The runs went round by round: every variant's first run before any
	// second one.
	started := func(v, round string) time.Time {
		r, err := results.ReadResult(filepath.Join(dir, "consumers.prefetch="+v, round, "result.json"))
		if err != nil {
			t.Fatal(err)
		}
		return r.StartedAt
	}
	if last, next := started("100", "1"), started("1", "2"); !last.Before(next) {
		t.Errorf("round 1 of prefetch 100 started at %s, after round 2 of prefetch 1 (%s)", last, next)
	}
	for _, name := range []string{reports.SweepThroughputFile, reports.SweepP99File, reports.SweepLatencySpectrumFile} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if b := img.Bounds(); b.Dx() < 800 || b.Dy() < 400 {
			t.Errorf("%s is %v", name, b)
		}
	}
	if look := os.Getenv("WARREN_REPORTS_LOOK"); look != "" {
		os.RemoveAll(filepath.Join(look, "sweep-real"))
		if err := os.CopyFS(filepath.Join(look, "sweep-real"), os.DirFS(dir)); err != nil {
			t.Error(err)
		}
	}

	// Each run had queues of its own, deleted when it ended.
	r, err := reports.LoadSide(filepath.Join(dir, "consumers.prefetch=1", "2"))
	if err != nil {
		t.Fatal(err)
	}
	queue := r.Runs[0].Scenario.Topology.Queues[0].Name
	if !strings.HasPrefix(queue, "sweep-") || !strings.HasSuffix(queue, "-1-2.prefetch-sweep.work") {
		t.Errorf("variant queue %q: want a sweep prefix", queue)
	}
	conn, err := amqp.Dial(uri)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ch.QueueDeclarePassive(queue, true, false, false, false, nil); err == nil {
		t.Errorf("queue %s survived its variant", queue)
	}
}

// Against a broker that is not there every variant fails: the sweep still
// writes sweep.md, naming each failure, and exits 1.
func TestSweepUnreachableBroker(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	code, stdout, stderr := runCLI(t, nil, "sweep", "prefetch-sweep", "--uri", "amqp://guest:secret-pw@127.0.0.1:1/",
		"--prefetch", "1,10", "--settle", "0s", "--quiet", "--out", dir)
	if code != exitFailure {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitFailure, stdout, stderr)
	}
	if !strings.Contains(stderr, "6 of 6 runs failed") || !strings.Contains(stdout, "no recommendation: No variant ran to completion") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	md, err := os.ReadFile(filepath.Join(dir, "sweep.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"`consumers.prefetch=1` did not complete: ", "127.0.0.1:1", "| 2 | 10 | failed |"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("sweep.md lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(string(md)+stdout+stderr, "secret-pw") {
		t.Error("the password leaked")
	}
}

func TestSweepBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no scenario", []string{"sweep"}, "expected one scenario"},
		{"nothing to sweep", []string{"sweep", "greenhouse"}, "has no sweep section: say what to sweep with --prefetch"},
		{"bad prefetch", []string{"sweep", "greenhouse", "--prefetch", "1,many"}, `--prefetch "1,many": give whole numbers`},
		{"bad set", []string{"sweep", "greenhouse", "--set", "prefetch"}, "write FIELD=V1,V2"},
		{"unknown field", []string{"sweep", "greenhouse", "--set", "consumers.prefetchh=1,2"}, "consumers.prefetchh"},
		{"invalid variant", []string{"sweep", "greenhouse", "--set", "consumers.prefetch=10,-1"}, "variant consumers.prefetch=-1"},
		{"bad objective", []string{"sweep", "prefetch-sweep", "--p99-objective", "fast"}, "--p99-objective"},
		{"both prefetch flags", []string{"sweep", "greenhouse", "--prefetch", "1", "--set", "consumers.prefetch=2"}, "sweep the same field"},
		{"bad run flag", []string{"sweep", "prefetch-sweep", "--duration", "soon"}, "--duration"},
		{"no runs", []string{"sweep", "prefetch-sweep", "--repeat", "0"}, "--repeat must be at least 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, nil, tc.args...)
			if code != exitBadInput {
				t.Errorf("exit %d, want %d; stderr %q", code, exitBadInput, stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q lacks %q", stderr, tc.want)
			}
		})
	}
}

func TestSweepParameters(t *testing.T) {
	got, err := sweepParameters("1, 10,100", []string{"publishers.rate=500/s,1000/s", "queues.durable=true,false", "run.seed=7"})
	if err != nil {
		t.Fatal(err)
	}
	want := []scenarios.SweepParameter{
		{Field: "consumers.prefetch", Values: []any{1, 10, 100}},
		{Field: "publishers.rate", Values: []any{"500/s", "1000/s"}},
		{Field: "queues.durable", Values: []any{true, false}},
		{Field: "run.seed", Values: []any{int64(7)}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
}

func TestVariantDir(t *testing.T) {
	for in, want := range map[string]string{
		"consumers.prefetch=10":                         "consumers.prefetch=10",
		"quorum,publishers.size={min: 1KiB, max: 4KiB}": "quorum,publishers.size={min_1KiB,max_4KiB}",
	} {
		if got := variantDir(in); got != want {
			t.Errorf("variantDir(%q) = %q, want %q", in, got, want)
		}
	}
}

// The exchange-types built-in's four variants each run for real: every
// routing style delivers, with nothing lost, and the sweep compares them.
func TestSweepExchangeTypes(t *testing.T) {
	uri := testbroker.Require(t)
	dir := filepath.Join(t.TempDir(), "sweep")
	prefix := testbroker.UniqueName(t, "xtypes") + "."
	code, stdout, stderr := runCLI(t, nil, "sweep", "exchange-types", "--uri", uri, "--prefix", prefix,
		"--duration", "3s", "--repeat", "1", "--settle", "200ms", "--quiet", "--out", dir)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	runs, err := filepath.Glob(filepath.Join(dir, "*", "1", "result.json"))
	if err != nil || len(runs) != 4 {
		t.Fatalf("want four variant runs, got %v (%v)", runs, err)
	}
	for _, path := range runs {
		res, err := results.ReadResult(path)
		if err != nil {
			t.Fatal(err)
		}
		in := res.Integrity
		if res.Summary.Consumed == 0 || in.Expected == 0 || in.Lost != 0 || in.Duplicated != 0 {
			t.Errorf("%s: consumed %d, integrity %+v", filepath.Base(filepath.Dir(filepath.Dir(path))), res.Summary.Consumed, in)
		}
	}
}
