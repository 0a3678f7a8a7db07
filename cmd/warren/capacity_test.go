package main

import (
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/warrenmq/warren/capacity"
	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/results"
)

// readCapacity reads a search's capacity.json.
func readCapacity(t *testing.T, dir string) *capacity.Report {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, capacity.File))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if raw["schema"] != "warren.capacity/v1" {
		t.Errorf("schema %v", raw["schema"])
	}
	if _, ok := raw["sustainable_rate"]; !ok {
		t.Error("capacity.json has no sustainable_rate")
	}
	var rep capacity.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	return &rep
}

// Four consumers that take 200 ms per message can consume at most 20 msg/s
// (Little's law: consumers ÷ processing time). The search must find that
// limit within 10%, the publishers' rate being no object. (Slow consumers
// keep the test light enough for a busy machine and the race detector:
// a sleep's overshoot is a small share of 200 ms.)
func TestCapacityFindsLittlesLaw(t *testing.T) {
	uri := testbroker.Require(t)
	prefix := testbroker.UniqueName(t, "cap") + "."
	path := writeScenario(t, "capped.yaml", `
name: capped-work
topology:
  queues: [{name: `+prefix+`work}]
publishers:
  - {exchange: "", routing_key: `+prefix+`work, size: 256B, rate: 12/s}
consumers:
  - {queue: `+prefix+`work, count: 4, prefetch: 10, processing_time: 200ms}
run: {duration: 10s}
`)
	dir := filepath.Join(t.TempDir(), "capacity")
	// Retries cost a step each; a search without them is quick enough
	// for a test, and the limit is sharp.
	code, stdout, stderr := runCLI(t, nil, "capacity", path, "--uri", uri, "--p99", "2s",
		"--start", "12", "--retries", "0", "--warm-up", "1s", "--hold", "6s", "--min-messages", "60",
		"--drain", "2s", "--settle", "300ms", "--quiet", "--out", dir)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	rep := readCapacity(t, dir)
	var steps []string
	for _, s := range rep.Steps {
		verdict := "pass"
		if !s.Pass {
			verdict = "fail: " + strings.Join(s.Reasons, "; ")
		}
		steps = append(steps, fmt.Sprintf("  %s msg/s: achieved %s, p99 %d µs, backlog growth %.2f msg/s: %s",
			textfmt.Number(s.Rate), textfmt.Number(s.Achieved), s.P99Micros, s.MaxSlope(), verdict))
	}
	t.Logf("sustainable %.1f msg/s, first fail %.1f msg/s, %d steps:\n%s", rep.SustainableRate, rep.FirstFailRate, len(rep.Steps), strings.Join(steps, "\n"))
	if rep.SustainableRate < 18 || rep.SustainableRate > 22 {
		t.Errorf("sustainable rate %.1f msg/s, want 20 msg/s within 10%%; steps:\n%s", rep.SustainableRate, strings.Join(steps, "\n"))
	}
	if !rep.Resolved || rep.LimitedBy != capacity.LimitBroker {
		t.Errorf("resolved %v, limited by %q (stopped: %s)", rep.Resolved, rep.LimitedBy, rep.Stopped)
	}
	if rep.Queue != nil {
		t.Errorf("consumers with a processing time measured the queue: %+v", rep.Queue)
	}
	for _, want := range []string{"sustainable: ", "warren size --rate ", "--processing-time 200ms", "capacity: " + filepath.Join(dir, "capacity.md")} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	md, err := os.ReadFile(filepath.Join(dir, "capacity.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "**Sustainable rate: ") || !strings.Contains(string(md), "](steps/01-12/result.json)") {
		t.Errorf("capacity.md:\n%s", md)
	}
	f, err := os.Open(filepath.Join(dir, "capacity.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("capacity.png: %v", err)
	}
	if look := os.Getenv("WARREN_REPORTS_LOOK"); look != "" {
		os.RemoveAll(filepath.Join(look, "capacity-real"))
		if err := os.CopyFS(filepath.Join(look, "capacity-real"), os.DirFS(dir)); err != nil {
			t.Error(err)
		}
	}
	// Each step ran on a queue of its own, deleted when it ended.
	conn, err := amqp.Dial(uri)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, s := range rep.Steps {
		res, err := results.ReadRun(filepath.Join(dir, s.Dir))
		if err != nil {
			t.Fatal(err)
		}
		queue := res.Scenario.Topology.Queues[0].Name
		if !strings.HasPrefix(queue, "capacity-") || !strings.HasSuffix(queue, "."+prefix+"work") {
			t.Errorf("step %d queue %q: want a prefix of its own", s.N, queue)
		}
		ch, err := conn.Channel()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ch.QueueDeclarePassive(queue, false, false, false, false, nil); err == nil {
			t.Errorf("step %d left its queue %s behind", s.N, queue)
			ch.Close()
		}
	}
}

func TestCapacityBadInput(t *testing.T) {
	for _, tt := range []struct {
		args []string
		says string
	}{
		{[]string{"greenhouse"}, "--p99 is required"},
		{[]string{"greenhouse", "--p99", "50ms", "--rate", "100"}, "unknown flag: --rate"},
		{[]string{"greenhouse", "--p99", "50ms", "--duration", "10s"}, "unknown flag: --duration"},
		{[]string{"greenhouse", "--p99", "50ms", "--resolution", "abc"}, "--resolution"},
		{[]string{"greenhouse", "--p99", "50ms", "--resolution", "150%"}, "resolution must be between 0 and 1"},
		{[]string{"greenhouse", "--p99", "50ms", "--start", "unlimited"}, `--start "unlimited": give a rate such as 500/s`},
		{[]string{"greenhouse", "--p99", "50ms", "--start", "500", "--max-rate", "100"}, "maximum rate 100 must be 0 (none) or at least the start rate 500"},
		{[]string{"greenhouse", "--p99", "50ms", "--headroom", "0.5"}, "--headroom must be ≥ 1"},
		{[]string{"no-such-scenario", "--p99", "50ms"}, "no-such-scenario"},
		{[]string{"--p99", "50ms"}, "expected one scenario"},
	} {
		code, _, stderr := runCLI(t, nil, append([]string{"capacity"}, tt.args...)...)
		if code != exitBadInput || !strings.Contains(stderr, tt.says) {
			t.Errorf("%v: exit %d, stderr %q, want %d and %q", tt.args, code, stderr, exitBadInput, tt.says)
		}
	}
}

// Against a broker that is not there the first step cannot run: the search
// still writes what it has, names the failure, and exits 1.
func TestCapacityUnreachableBroker(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "capacity")
	code, stdout, stderr := runCLI(t, nil, "capacity", "greenhouse", "--uri", "amqp://guest:secret-pw@127.0.0.1:1/",
		"--p99", "50ms", "--quiet", "--out", dir)
	if code != exitFailure {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitFailure, stdout, stderr)
	}
	if strings.Contains(stdout+stderr, "secret-pw") {
		t.Errorf("the password was printed:\n%s\n%s", stdout, stderr)
	}
	rep := readCapacity(t, dir)
	if len(rep.Steps) != 0 || rep.SustainableRate != 0 || !strings.Contains(rep.Error, "step 1 at 500 msg/s") || strings.Contains(rep.Broker, "secret-pw") {
		t.Errorf("report %+v", rep)
	}
	md, err := os.ReadFile(filepath.Join(dir, "capacity.md"))
	if err != nil || !strings.Contains(string(md), "the search ended early") || strings.Contains(string(md), "secret-pw") {
		t.Errorf("capacity.md (%v):\n%s", err, md)
	}
}

// loadPerCPU is the one-minute load average per CPU, or -1 where the system
// does not say.
func loadPerCPU() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	var one float64
	if _, err := fmt.Sscan(string(data), &one); err != nil {
		return -1
	}
	return one / float64(runtime.NumCPU())
}

// Two searches of an uncapped scenario (1 KiB persistent messages with
// confirms on one durable queue) find the broker's limit twice: on a quiet
// machine they agree within 10%. On a machine that other work keeps busy
// the broker's own throughput moves with that work, so there the test
// reports both figures and holds them only to finding a limit at all.
func TestCapacityPersistentConfirmedRunsAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("two capacity searches take about two minutes")
	}
	uri := testbroker.Require(t)
	prefix := testbroker.UniqueName(t, "capc") + "."
	path := writeScenario(t, "persistent.yaml", `
name: persistent-confirmed
topology:
  queues: [{name: `+prefix+`q, durable: true}]
publishers:
  - {exchange: "", routing_key: `+prefix+`q, size: 1KiB, persistent: true, confirm: true, confirm_window: 256}
consumers:
  - {queue: `+prefix+`q, prefetch: 200}
run: {duration: 10s}
`)
	var rates []float64
	quiet := true
	for i := 1; i <= 2; i++ {
		if l := loadPerCPU(); l < 0 || l >= 1 {
			quiet = false
		}
		dir := filepath.Join(t.TempDir(), "capacity")
		code, stdout, stderr := runCLI(t, nil, "capacity", path, "--uri", uri, "--p99", "500ms",
			"--start", "500", "--warm-up", "1s", "--hold", "3s", "--min-messages", "500",
			"--drain", "2s", "--settle", "300ms", "--max-time", "2m", "--quiet", "--out", dir)
		if code != exitOK {
			t.Fatalf("search %d: exit %d\nstdout:\n%s\nstderr:\n%s", i, code, stdout, stderr)
		}
		rep := readCapacity(t, dir)
		t.Logf("search %d: sustainable %.0f msg/s, first fail %.0f msg/s, %d steps, stopped: %s, limited by %s",
			i, rep.SustainableRate, rep.FirstFailRate, len(rep.Steps), rep.Stopped, rep.LimitedBy)
		if rep.SustainableRate <= 0 {
			t.Errorf("search %d found no sustainable rate: %+v", i, rep)
		}
		// Every message goes to one queue whose consumer takes it at once:
		// the search measured what the queue sustains.
		if rep.LimitedBy == capacity.LimitBroker && (rep.Queue == nil || rep.Queue.Type != "classic" || rep.Queue.BodyBytes != 1024 || rep.Queue.Rate != rep.SustainableRate) {
			t.Errorf("search %d: queue %+v", i, rep.Queue)
		}
		rates = append(rates, rep.SustainableRate)
	}
	if l := loadPerCPU(); l < 0 || l >= 1 {
		quiet = false
	}
	lo, hi := min(rates[0], rates[1]), max(rates[0], rates[1])
	t.Logf("the two searches differ by %.1f%% (load average per CPU now %.2f)", 100*(hi-lo)/lo, loadPerCPU())
	if quiet && hi > 1.1*lo {
		t.Errorf("on a quiet machine two searches found %.0f and %.0f msg/s: more than 10%% apart", rates[0], rates[1])
	}
}
