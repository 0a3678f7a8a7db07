package main

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/warrenmq/warren/internal/testbroker"
)

// --cleanup in a shared run would let the first instance to end delete the
// queues under the others: refused in one line that names the alternative.
func TestRunRefusesCleanupInASharedRun(t *testing.T) {
	for _, args := range [][]string{
		{"run", "greenhouse", "--cleanup", "--run-id", "nightly-42"},
		{"run", "greenhouse", "--cleanup", "--instance-id", "pod-0"},
		{"sweep", "greenhouse", "--prefetch", "1,10", "--cleanup", "--run-id", "nightly-42"},
	} {
		code, stdout, stderr := runCLI(t, nil, append(args, "--out", filepath.Join(t.TempDir(), "r"))...)
		if code != exitBadInput || strings.Count(strings.TrimSpace(stderr), "\n") != 0 ||
			!strings.Contains(stderr, "would delete the queues under the other instances") || !strings.Contains(stderr, "warren merge RUN_DIR... --out DIR --cleanup") {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want exit %d and one line naming 'warren merge --cleanup'", args, code, stderr, stdout, exitBadInput)
		}
	}
}

// TestMergeCleanup runs two instances of a shared run one after the other,
// without --cleanup, then merges them with --cleanup: the queues and the
// exchange are gone afterwards.
func TestMergeCleanup(t *testing.T) {
	uri := testbroker.Require(t)
	prefix := testbroker.UniqueName(t, "mcl") + "."
	t.Cleanup(func() { deleteGreenhouse(t, uri, prefix) })
	env := map[string]string{"WARREN_URI": uri}
	dir := t.TempDir()
	var runs []string
	for _, inst := range []string{"a", "b"} {
		out := filepath.Join(dir, inst)
		code, stdout, stderr := runCLI(t, env, "run", "greenhouse", "--duration", "2s", "--rate", "200", "--quiet", "--no-report",
			"--run-id", prefix, "--instance-id", inst, "--prefix", prefix, "--out", out)
		if code != exitOK {
			t.Fatalf("instance %s: exit %d\n%s%s", inst, code, stdout, stderr)
		}
		runs = append(runs, out)
	}
	code, stdout, stderr := runCLI(t, env, append([]string{"merge", "--no-report", "--cleanup", "--out", filepath.Join(dir, "merged")}, runs...)...)
	if code != exitOK || !strings.Contains(stdout, "deleted 3 queues and 1 exchange") {
		t.Fatalf("merge --cleanup: exit %d\n%s%s", code, stdout, stderr)
	}
	conn, err := amqp.Dial(uri)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{"greenhouse.temperature", "greenhouse.all", "greenhouse.zone1"} {
		ch, err := conn.Channel()
		if err != nil {
			t.Fatal(err)
		}
		_, err = ch.QueueDeclarePassive(prefix+q, true, false, false, false, nil)
		var amqpErr *amqp.Error
		if !errors.As(err, &amqpErr) || amqpErr.Code != amqp.NotFound {
			t.Errorf("queue %s after merge --cleanup: %v; want it gone", prefix+q, err)
			ch.Close()
		}
	}
}
