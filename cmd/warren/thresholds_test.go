package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// oneQueueYAML is a scenario file: a confirming publisher at rate to a
// queue of its own, one consumer (at most consumeRate, when given), the
// queue deleted after the run.
func oneQueueYAML(queue, rate, consumeRate, drain string, thresholds ...string) string {
	consumer := "  - {queue: " + queue + ", prefetch: 50}\n"
	if consumeRate != "" {
		consumer = "  - {queue: " + queue + ", prefetch: 50, rate: " + consumeRate + "}\n"
	}
	src := "name: thresholds\n" +
		"topology:\n  cleanup: true\n  queues: [{name: " + queue + "}]\n" +
		"publishers:\n  - {exchange: \"\", routing_key: " + queue + ", confirm: true, size: 64B, rate: " + rate + "}\n" +
		"consumers:\n" + consumer +
		"run:\n  duration: 2s\n  drain: " + drain + "\n"
	if len(thresholds) > 0 {
		src += "thresholds:\n"
		for _, t := range thresholds {
			src += fmt.Sprintf("  - %q\n", t)
		}
	}
	return src
}

func TestThresholdBadInput(t *testing.T) {
	noConfirms := writeScenario(t, "t.yaml", strings.Replace(oneQueueYAML("q", "10/s", "", "1s"), "confirm: true, ", "", 1))
	badFile := writeScenario(t, "bad.yaml", oneQueueYAML("q", "10/s", "", "1s", "e2e_p99<50ms", "e2e_p99<fast"))
	uselessFile := writeScenario(t, "useless.yaml", strings.Replace(oneQueueYAML("q", "10/s", "", "1s", "confirm_p99<5ms"), "confirm: true, ", "", 1))
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"misspelt metric", []string{"run", "greenhouse", "--threshold", "los==0"}, `--threshold: threshold "los==0": unknown metric "los": did you mean lost?`},
		{"bad operator", []string{"run", "greenhouse", "--threshold", "lost=0"}, "did you mean ==?"},
		{"cannot be judged", []string{"run", noConfirms, "--threshold", "confirm_p99<1ms"}, "--threshold confirm_p99<1ms: no publisher group asks for confirms"},
		{"percent of unlimited", []string{"run", noConfirms, "--rate", "unlimited", "--threshold", "publish_rate>=99%"}, "--threshold publish_rate>=99%: a percent is of the target rate"},
		{"bad file threshold", []string{"run", badFile}, `bad.yaml:14:5: threshold "e2e_p99<fast": invalid duration "fast"`},
		{"file threshold cannot be judged", []string{"run", uselessFile}, "useless.yaml:13:5: thresholds[0]: confirm_p99<5ms: no publisher group asks for confirms"},
		{"merge", []string{"merge", dir, dir, "--out", filepath.Join(dir, "m"), "--threshold", "e2e_p99<"}, "--threshold"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, nil, tc.args...)
			if code != exitBadInput {
				t.Errorf("exit %d, want %d", code, exitBadInput)
			}
			if !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Errorf("stderr %q, want one line containing %q", stderr, tc.want)
			}
		})
	}
}

// TestRunThresholds runs a small scenario on the broker twice: thresholds
// from the file and from flags that hold (exit 0), then ones that are
// crossed (exit 1), and checks what the run records and reports.
func TestRunThresholds(t *testing.T) {
	uri := testbroker.Require(t)
	env := map[string]string{"WARREN_URI": uri}
	queue := testbroker.UniqueName(t, "thr")
	parent := t.TempDir()

	pass := writeScenario(t, "pass.yaml", oneQueueYAML(queue, "50/s", "", "2s", "e2e_p99<10s", "publish_rate>=50%"))
	dir := filepath.Join(parent, "pass")
	code, stdout, stderr := runCLI(t, env, "run", pass, "--quiet", "--out", dir, "--threshold", "consume_rate>=1/s", "--threshold", "e2e_p99 < 10s")
	if code != exitOK {
		t.Fatalf("thresholds that hold: exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "thresholds: pass (4 passed)") || !strings.Contains(stdout, "consume_rate>=1/s") {
		t.Errorf("stdout does not show the verdicts:\n%s", stdout)
	}
	res, err := results.ReadResult(filepath.Join(dir, results.ResultFile))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range res.Verdicts {
		got = append(got, fmt.Sprintf("%s %s", v.Threshold, v.Status))
	}
	// The default, the file's, then the flag's (the flag's e2e_p99<10s is
	// the file's, judged once); the scenario as run records them all.
	want := "lost==0 pass, e2e_p99<10s pass, publish_rate>=50% pass, consume_rate>=1/s pass"
	if strings.Join(got, ", ") != want {
		t.Errorf("verdicts in result.json: %s, want %s", strings.Join(got, ", "), want)
	}
	if n := len(res.Scenario.Thresholds); n != 3 {
		t.Errorf("the scenario as run records %d thresholds, want the file's 2 and the flag's 1", n)
	}
	report, err := os.ReadFile(filepath.Join(dir, results.ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(report), "# warren run: thresholds\n\n## Verdict\n\n**Pass**: all 4 thresholds hold.") {
		t.Errorf("report.md does not open with the verdict:\n%.400s", report)
	}

	crossed := writeScenario(t, "crossed.yaml", oneQueueYAML(queue, "50/s", "", "2s", "e2e_p99<10s", "publish_rate>=1000/s"))
	dir = filepath.Join(parent, "crossed")
	code, stdout, stderr = runCLI(t, env, "run", crossed, "--quiet", "--out", dir, "--threshold", "e2e_max<1us")
	if code != exitFailure {
		t.Fatalf("crossed thresholds: exit %d, want %d\n%s%s", code, exitFailure, stdout, stderr)
	}
	for _, want := range []string{"warren run: threshold publish_rate>=1000/s failed: ", "warren run: threshold e2e_max<1µs failed: "} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "e2e_p99<10s") || !strings.Contains(stdout, "thresholds: fail (2 failed, 2 passed)") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	// The result and the report are written all the same.
	res, err = results.ReadResult(filepath.Join(dir, results.ResultFile))
	if err != nil {
		t.Fatal(err)
	}
	if !results.Failed(res.Verdicts) {
		t.Errorf("result.json verdicts do not fail: %+v", res.Verdicts)
	}
	if report, err := os.ReadFile(filepath.Join(dir, results.ReportFile)); err != nil || !strings.Contains(string(report), "**Fail**: 2 of 4 thresholds failed.") {
		t.Errorf("report.md: %v\n%.500s", err, report)
	}
}

// TestRunThatLosesAConfirmedMessageFails purges the run's queue while a
// backlog waits in it: the confirmed messages purged are lost, and the run
// exits 1 without any threshold given.
func TestRunThatLosesAConfirmedMessageFails(t *testing.T) {
	uri := testbroker.Require(t)
	queue := testbroker.UniqueName(t, "lose")
	t.Cleanup(func() { deleteQueue(t, uri, queue) })
	// A slow consumer lets a backlog build, so the purge takes something.
	src := writeScenario(t, "lose.yaml", oneQueueYAML(queue, "400/s", "100/s", "1s"))

	purged := make(chan int, 1)
	go func() { purged <- purgeBacklog(uri, queue, 100) }()
	dir := filepath.Join(t.TempDir(), "lose")
	code, stdout, stderr := runCLI(t, map[string]string{"WARREN_URI": uri}, "run", src, "--quiet", "--out", dir)
	n := <-purged
	if n <= 0 {
		t.Fatalf("the purge took %d messages: the test needs a backlog\n%s%s", n, stdout, stderr)
	}
	if code != exitFailure {
		t.Errorf("a run that lost %d confirmed messages exited %d, want %d\n%s%s", n, code, exitFailure, stdout, stderr)
	}
	if want := fmt.Sprintf("warren run: threshold lost==0 failed: %d lost", n); !strings.Contains(stderr, want) {
		t.Errorf("stderr does not say %q:\n%s", want, stderr)
	}
	res, err := results.ReadResult(filepath.Join(dir, results.ResultFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Verdicts) != 1 || !res.Verdicts[0].Default || res.Verdicts[0].Status != results.StatusFail || *res.Verdicts[0].Observed != float64(n) {
		t.Errorf("verdicts %+v, want the default lost==0 failed with %d", res.Verdicts, n)
	}
}

// purgeBacklog purges queue once it holds at least min messages, and
// returns how many the purge took (-1 when it never could).
func purgeBacklog(uri, queue string, min int) int {
	conn, err := amqp.Dial(uri)
	if err != nil {
		return -1
	}
	defer conn.Close()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		ch, err := conn.Channel()
		if err != nil {
			return -1
		}
		q, err := ch.QueueDeclarePassive(queue, false, false, false, false, nil)
		if err == nil && q.Messages >= min {
			n, err := ch.QueuePurge(queue, false)
			if err != nil {
				return -1
			}
			return n
		}
		if err == nil {
			ch.Close()
		}
	}
	return -1
}

func deleteQueue(t *testing.T, uri, queue string) {
	conn, err := amqp.Dial(uri)
	if err != nil {
		t.Logf("cleanup: %v", err)
		return
	}
	defer conn.Close()
	if ch, err := conn.Channel(); err == nil {
		ch.QueueDelete(queue, false, false, false)
	}
}

// mergeInstance writes the run directory of one instance of a shared run:
// publisher pub confirmed 3 messages for queue q, and this instance's
// consumer received the sequence numbers given, of the publishers given.
func mergeInstance(t *testing.T, parent, id string, late time.Duration, pub uint64, thresholds []string, received map[uint64][]uint64) string {
	t.Helper()
	sc := &scenarios.Scenario{
		Name:       "shared",
		Topology:   scenarios.Topology{Queues: []scenarios.Queue{{Name: "q"}}},
		Publishers: []scenarios.PublisherGroup{{RoutingKey: "q", Confirm: true, Rate: scenarios.Rate{PerSecond: 1}}},
		Consumers:  []scenarios.ConsumerGroup{{Queue: "q"}},
		Run:        scenarios.RunSettings{Duration: scenarios.Duration(3 * time.Second)},
	}
	for _, s := range thresholds {
		th, err := scenarios.ParseThreshold(s)
		if err != nil {
			t.Fatal(err)
		}
		sc.Thresholds = append(sc.Thresholds, th)
	}
	sc.ApplyDefaults()
	start := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC).Add(late)
	acc := &results.Accounting{
		Schema: results.AccountingSchema, RunID: "shared", InstanceID: id, EndedAt: start.Add(4 * time.Second),
		Publishers: []results.PublisherAccount{{ID: pub, Expected: map[string]int64{"q": 3}}},
		Queues:     []results.QueueAccount{{Queue: "q"}},
	}
	var consumed int64
	for p, seqs := range received {
		set := &results.SeqSet{}
		for _, s := range seqs {
			set.Add(s)
		}
		consumed += int64(len(seqs))
		acc.Queues[0].Received = append(acc.Queues[0].Received, results.ReceivedSeqs{Publisher: p, Seqs: set})
	}
	r := &results.Result{
		Schema: results.ResultSchema, ID: "shared", Scenario: sc,
		Environment: results.Environment{InstanceID: id},
		StartedAt:   start, EndedAt: start.Add(4 * time.Second), Duration: scenarios.Duration(3 * time.Second),
		Summary:    results.Summary{TargetRate: 1, Published: 3, Confirmed: 3, Consumed: consumed, PublishRate: 1, ConsumeRate: float64(consumed) / 3},
		Integrity:  acc.Integrity(),
		Accounting: acc,
	}
	r.Integrity.Partial = true
	r.Verdicts = results.Evaluate(r)
	rd, err := results.CreateRunDir(filepath.Join(parent, id))
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Discard()
	if err := rd.WriteResult(r); err != nil {
		t.Fatal(err)
	}
	if err := rd.Commit(); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(parent, id)
}

// TestMergeAppliesThresholds merges the run directories of two instances
// of a shared run: the merge judges the thresholds of the scenario as run
// and its own --threshold flags, and a confirmed message that neither
// instance received fails it.
func TestMergeAppliesThresholds(t *testing.T) {
	pubA, pubB := uint64(0xa)<<32, uint64(0xb)<<32
	merge := func(t *testing.T, fileThresholds []string, bReceivesA []uint64, flags ...string) (int, string, string, *results.Result) {
		t.Helper()
		parent := t.TempDir()
		// Each instance received some of the other's messages.
		// b started a second after a, so the merged run published its 6
		// messages in 4 s.
		a := mergeInstance(t, parent, "a", 0, pubA, fileThresholds, map[uint64][]uint64{pubA: {0, 1}, pubB: {0}})
		b := mergeInstance(t, parent, "b", time.Second, pubB, fileThresholds, map[uint64][]uint64{pubA: bReceivesA, pubB: {1, 2}})
		out := filepath.Join(parent, "merged")
		code, stdout, stderr := runCLI(t, nil, append([]string{"merge", a, b, "--out", out, "--no-report"}, flags...)...)
		res, err := results.ReadResult(filepath.Join(out, results.ResultFile))
		if err != nil {
			t.Fatalf("exit %d, %v\n%s%s", code, err, stdout, stderr)
		}
		return code, stdout, stderr, res
	}

	t.Run("every copy received", func(t *testing.T) {
		code, stdout, stderr, res := merge(t, []string{"e2e_p99<1s", "consume_rate>=70%"}, []uint64{2}, "--threshold", "publish_rate>=50%")
		// The file's e2e_p99 is unknown: these instances recorded no latency.
		if code != exitFailure || !strings.Contains(stderr, "threshold e2e_p99<1s could not be judged") {
			t.Errorf("exit %d\n%s%s", code, stdout, stderr)
		}
		var got []string
		for _, v := range res.Verdicts {
			got = append(got, fmt.Sprintf("%s %s", v.Threshold, v.Status))
		}
		if want := "lost==0 pass, e2e_p99<1s unknown, consume_rate>=70% pass, publish_rate>=50% pass"; strings.Join(got, ", ") != want {
			t.Errorf("merged verdicts %s, want %s", strings.Join(got, ", "), want)
		}
	})
	t.Run("thresholds hold", func(t *testing.T) {
		code, stdout, stderr, res := merge(t, []string{"consume_rate>=70%"}, []uint64{2}, "--threshold", "publish_rate>=50%", "--threshold", "duplicated==0")
		if code != exitOK || !strings.Contains(stdout, "thresholds: pass (4 passed)") {
			t.Errorf("exit %d\n%s%s", code, stdout, stderr)
		}
		if len(res.Scenario.Thresholds) != 3 {
			t.Errorf("the merged scenario records %v, want the file's and the flags'", res.Scenario.Thresholds)
		}
	})
	t.Run("flag crossed", func(t *testing.T) {
		// Two instances at 1 msg/s each published 6 in 4 s: 75% of the target.
		code, _, stderr, _ := merge(t, nil, []uint64{2}, "--threshold", "publish_rate>=99%")
		if code != exitFailure || !strings.Contains(stderr, "threshold publish_rate>=99% failed: 75% of the 2 msg/s target (1.5 msg/s)") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("a confirmed message lost", func(t *testing.T) {
		// Nobody received a's message 2.
		code, stdout, stderr, res := merge(t, nil, nil)
		if code != exitFailure || !strings.Contains(stderr, "warren merge: threshold lost==0 failed: 1 lost") {
			t.Errorf("exit %d\n%s%s", code, stdout, stderr)
		}
		if res.Integrity.Lost != 1 {
			t.Errorf("merged integrity %+v", res.Integrity)
		}
	})
}
