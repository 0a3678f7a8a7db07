package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/results"
)

func TestRunUnreachableBroker(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "run")
	code, stdout, stderr := runCLI(t, nil, "run", "greenhouse", "--quiet", "--duration", "1s",
		"--uri", "amqp://guest:secret-pw@127.0.0.1:1/", "--out", dir)
	if code == exitOK {
		t.Fatalf("exit 0 against an unreachable broker; stdout %q", stdout)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 1 {
		t.Errorf("want a one-line error, got %d lines:\n%s", len(lines), stderr)
	}
	for _, want := range []string{"127.0.0.1:1", "make broker"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("error %q does not mention %q", stderr, want)
		}
	}
	if strings.Contains(stderr+stdout, "secret-pw") {
		t.Errorf("the password leaked: %q", stderr)
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 0 {
		t.Errorf("a failed run left files behind: %v", entries)
	}
}

func TestRunBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no scenario", []string{"run"}, "expected one scenario"},
		{"unknown scenario", []string{"run", "no-such-scenario"}, `no built-in scenario "no-such-scenario"`},
		{"missing file", []string{"run", "missing.yaml"}, "does not exist"},
		{"bad duration", []string{"run", "greenhouse", "--duration", "soon"}, "--duration"},
		{"bad rate", []string{"run", "greenhouse", "--rate", "fast"}, "invalid rate"},
		{"bad prefetch", []string{"run", "greenhouse", "--prefetch", "-3"}, "--prefetch must be between 0 and 65535, got -3"},
		{"bad size", []string{"run", "greenhouse", "--size", "big"}, "invalid size"},
		{"unknown flag", []string{"run", "greenhouse", "--speed", "9"}, "unknown flag: --speed"},
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

func TestRunExistingOutDirIsRefused(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := runCLI(t, nil, "run", "greenhouse", "--out", dir)
	if code != exitBadInput || !strings.Contains(stderr, "exists already") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// TestRunGreenhouse runs the built-in scenario against the real broker and
// checks what a user gets: a result with real figures and a report whose
// charts decode.
func TestRunGreenhouse(t *testing.T) {
	uri := testbroker.Require(t)
	dir := filepath.Join(t.TempDir(), "run")
	prefix := testbroker.UniqueName(t, "cli") + "."
	code, stdout, stderr := runCLI(t, map[string]string{"WARREN_URI": uri},
		"run", "greenhouse", "--duration", "3s", "--rate", "400", "--out", dir, "--prefix", prefix, "--cleanup")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "report: "+filepath.Join(dir, "report.md")) {
		t.Errorf("stdout does not give the report path:\n%s", stdout)
	}
	if !strings.Contains(stderr, "pub ") {
		t.Errorf("no progress lines on stderr:\n%s", stderr)
	}
	res, err := results.ReadResult(filepath.Join(dir, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	s := res.Summary
	if s.Consumed == 0 || s.Published == 0 {
		t.Fatalf("published %d, consumed %d: want both > 0", s.Published, s.Consumed)
	}
	if s.Confirmed != s.Published {
		t.Errorf("confirmed %d != published %d on a healthy broker", s.Confirmed, s.Published)
	}
	// 400 msg/s for 3 s: never more than the schedule; on a starved
	// machine it may be less, and then the result must say so.
	if s.Published > 1210 {
		t.Errorf("published %d, more than 400 msg/s for 3 s allows", s.Published)
	}
	if s.Published < 1140 && !strings.Contains(strings.Join(res.Warnings, "\n"), "target") {
		t.Errorf("published %d of about 1200 without a warning that the target was missed: %q", s.Published, res.Warnings)
	}
	e2e, ok := res.Latency[results.MetricEndToEnd]
	if !ok || e2e.P50 <= 0 || e2e.P99 < e2e.P50 || e2e.Max < e2e.P99 {
		t.Errorf("end-to-end latency summary not sane: %+v", e2e)
	}
	if in := res.Integrity; in.Lost != 0 || in.Duplicated != 0 || in.Expected == 0 || in.Received != in.Expected {
		t.Errorf("integrity on a healthy broker: %+v", in)
	}
	if strings.Contains(res.Environment.BrokerURI, "guest:guest") {
		t.Errorf("result carries the password: %s", res.Environment.BrokerURI)
	}
	for _, name := range []string{"latency.png", "throughput.png"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b := img.Bounds(); b.Dx() < 400 || b.Dy() < 300 {
			t.Errorf("%s is %v, too small to read", name, b)
		}
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"latency.png", "throughput.png", "greenhouse"} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("report.md does not mention %q", want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "latency.hlog")); err != nil {
		t.Error(err)
	}
}

// TestRunRepeat makes repeats that compare reads as one side with a
// run-to-run spread.
func TestRunRepeat(t *testing.T) {
	uri := testbroker.Require(t)
	dir := filepath.Join(t.TempDir(), "repeats")
	prefix := testbroker.UniqueName(t, "rep") + "."
	code, stdout, stderr := runCLI(t, map[string]string{"WARREN_URI": uri},
		"run", "greenhouse", "--duration", "2s", "--repeat", "2", "--quiet", "--no-report", "--prefix", prefix, "--cleanup", "--out", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, i := range []string{"1", "2"} {
		if _, err := results.ReadResult(filepath.Join(dir, i, "result.json")); err != nil {
			t.Errorf("repeat %s: %v", i, err)
		}
	}
	if strings.Count(stdout, "result: ") != 2 {
		t.Errorf("want two results listed:\n%s", stdout)
	}
	code, stdout, stderr = runCLI(t, nil, "compare", dir, dir)
	if code != exitOK {
		t.Errorf("comparing the repeats with themselves: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// TestInvalidScenarioDeclaresNothing runs a file with one mistake against a
// broker that answers: the run must stop at validation, before anything of
// the topology exists on the broker.
func TestInvalidScenarioDeclaresNothing(t *testing.T) {
	uri := testbroker.Require(t)
	name := testbroker.UniqueName(t, "invalid")
	file := filepath.Join(t.TempDir(), "bad.yaml")
	scenario := "name: bad\ntopology:\n  exchanges:\n    - {name: " + name + ".x, type: direct, durable: true}\n" +
		"  queues:\n    - {name: " + name + ".q, durable: true}\n" +
		"  bindings:\n    - {exchange: " + name + ".x, queue: " + name + ".q, key: k}\n" +
		"publishers:\n  - {exchange: " + name + ".x, routing_key: k, rate: 10/s}\n" +
		"consumers:\n  - {queue: " + name + ".q, prefetch: -3}\nrun: {duration: 2s}\n"
	if err := os.WriteFile(file, []byte(scenario), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "run")
	code, _, stderr := runCLI(t, map[string]string{"WARREN_URI": uri}, "run", file, "--quiet", "--out", out)
	if code != exitBadInput || !strings.Contains(stderr, "consumers[0].prefetch") {
		t.Fatalf("exit %d, stderr %q: want exit %d naming consumers[0].prefetch", code, stderr, exitBadInput)
	}
	conn, err := amqp.Dial(uri)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, check := range []func(*amqp.Channel) error{
		func(ch *amqp.Channel) error {
			return ch.ExchangeDeclarePassive(name+".x", "direct", true, false, false, false, nil)
		},
		func(ch *amqp.Channel) error {
			_, err := ch.QueueDeclarePassive(name+".q", true, false, false, false, nil)
			return err
		},
	} {
		ch, err := conn.Channel()
		if err != nil {
			t.Fatal(err)
		}
		if err := check(ch); err == nil {
			t.Error("an invalid scenario declared its topology on the broker")
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("an invalid scenario left a run directory")
	}
}
