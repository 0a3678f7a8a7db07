package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/scenarios"
)

// TestVerifyDurabilityCommand checks the command's plumbing on the shared
// broker with a restart command that restarts nothing: everything survives,
// and the command says which survivals were promised. The restart itself is
// tested on a private node in loadgen.
func TestVerifyDurabilityCommand(t *testing.T) {
	uri := testbroker.Require(t)
	out := t.TempDir()
	prefix := testbroker.UniqueName(t, "dur") + "."
	deleteTopologyAfter(t, uri, prefix, "durability")
	code, stdout, stderr := runCLI(t, nil, "verify-durability", "durability", "--uri", uri, "--prefix", prefix,
		"--restart-cmd", "true", "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"DURABLE  PERSISTENT  CONFIRMED  EXPECTED  HELD  RECOVERED  STILL QUEUED  LOST",
		prefix + "durability.persistent: durable queue, persistent and confirmed messages: all 5000 survived.",
		"although without persistent messages nothing promised it",
		"verdict: no confirmed persistent message in a durable queue was lost",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	data, err := os.ReadFile(filepath.Join(out, "durability.json"))
	if err != nil || !strings.Contains(string(data), loadgen.DurabilitySchema) || !strings.Contains(string(data), `"still_queued": 0`) {
		t.Errorf("durability.json: %v\n%s", err, data)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "--restart-cmd is required"},
		{[]string{"--restart-cmd", "true", "--restart-timeout", "0s"}, "--restart-timeout must be > 0"},
	} {
		args := append([]string{"verify-durability", "durability", "--uri", uri}, tc.args...)
		code, _, stderr = runCLI(t, nil, args...)
		if code != exitBadInput || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %q; want exit %d and %q", tc.args, code, stderr, exitBadInput, tc.want)
		}
	}
}

// TestRestartCommandReturnsAtItsExit runs a restart command that leaves a
// process in the background holding its output, as a command that starts
// the broker in the background does: runRestart must return when the
// command exits, while that process still runs, not when the process lets
// go of the output.
func TestRestartCommandReturnsAtItsExit(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	err := runRestart(context.Background(), "sleep 60 & echo $! > "+pidFile+"; echo started", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	if !alive(pid) {
		t.Errorf("runRestart returned only once the background process %d had ended", pid)
	}
	// The background process is ours: end it with the test.
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Logf("killing %d: %v", pid, err)
	}
}

// alive tells whether process pid runs. An orphan that has exited may stay
// a zombie where nothing reaps it (PID 1 of a container, say), and signal 0
// reaches a zombie, so on Linux its state is read from /proc.
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		if _, statErr := os.Stat("/proc/self/stat"); statErr == nil {
			return false // /proc works, and the process is gone
		}
		return syscall.Kill(pid, 0) == nil
	}
	// "pid (comm) S ...": the state follows the command's closing parenthesis.
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] != 'Z'
}

func TestRestartCommandFailures(t *testing.T) {
	err := runRestart(context.Background(), "sleep 5", 100*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "--restart-timeout") || !strings.Contains(err.Error(), "had not exited after 100ms") {
		t.Errorf("a command that outlives --restart-timeout: %v", err)
	}
	err = runRestart(context.Background(), "echo starting; echo no such node >&2; exit 3", time.Minute)
	if err == nil || !strings.Contains(err.Error(), "exit status 3: no such node") {
		t.Errorf("a failing command: %v; want its exit status and last line of output", err)
	}
}

// deleteTopologyAfter deletes, when the test ends however it ends, the
// queues and exchanges that the built-in scenario declares under prefix.
func deleteTopologyAfter(t *testing.T, uri, prefix, builtin string) {
	t.Helper()
	s, err := scenarios.Builtin(builtin)
	if err != nil {
		t.Fatal(err)
	}
	var queues, exchanges []string
	for _, q := range s.Topology.Queues {
		queues = append(queues, prefix+q.Name)
	}
	for _, e := range s.Topology.Exchanges {
		exchanges = append(exchanges, prefix+e.Name)
	}
	t.Cleanup(func() { deleteNamed(t, uri, queues, exchanges) })
}

// deleteNamed deletes queues and exchanges over a connection of its own (the
// test's may be closed by the time its cleanup runs). Deleting what does not
// exist is not an error to RabbitMQ.
func deleteNamed(t *testing.T, uri string, queues, exchanges []string) {
	conn, err := amqp.Dial(uri)
	if err != nil {
		t.Logf("cleanup: %v", err)
		return
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Logf("cleanup: %v", err)
		return
	}
	for _, q := range queues {
		if _, err := ch.QueueDelete(q, false, false, false); err != nil {
			t.Logf("cleanup: queue %s: %v", q, err)
			return
		}
	}
	for _, e := range exchanges {
		if err := ch.ExchangeDelete(e, false, false); err != nil {
			t.Logf("cleanup: exchange %s: %v", e, err)
			return
		}
	}
}
