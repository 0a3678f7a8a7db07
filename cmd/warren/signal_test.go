package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// TestInterruptWritesWhatRan builds warren, interrupts a run with SIGINT
// (and another with SIGTERM), and checks the exit status and that the result
// of what ran was written.
func TestInterruptWritesWhatRan(t *testing.T) {
	uri := testbroker.Require(t)
	bin := buildWarren(t)
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			cmd, pipe := startWarren(t, bin, uri, "run", "greenhouse", "--duration", "1m",
				"--prefix", testbroker.UniqueName(t, "sig")+".", "--cleanup", "--out", dir)
			// Interrupt once the progress lines show messages going through,
			// however long the start took on a busy machine.
			var stderr strings.Builder
			lines := bufio.NewScanner(pipe)
			for lines.Scan() {
				stderr.WriteString(lines.Text() + "\n")
				if strings.Contains(lines.Text(), "consumed ") && !strings.Contains(lines.Text(), "consumed 0 ") {
					break
				}
			}
			drained := make(chan struct{})
			go func() {
				io.Copy(io.Discard, pipe)
				close(drained)
			}()
			start := time.Now()
			cmd.Process.Signal(tc.sig)
			<-drained // Wait closes the pipe: read it to the end first
			err := cmd.Wait()
			code := cmd.ProcessState.ExitCode()
			if code != tc.code {
				t.Fatalf("exit %d (%v), want %d; stderr: %s", code, err, tc.code, stderr.String())
			}
			// Stopping lets consumers drain, and writes the result and
			// report; it must not take longer than the minute's rest
			// would have.
			if took := time.Since(start); took > time.Minute {
				t.Errorf("stopping took %s, longer than letting the run end", took)
			}
			res, err := results.ReadResult(filepath.Join(dir, "result.json"))
			if err != nil {
				t.Fatalf("no result after an interrupt: %v", err)
			}
			if res.Summary.Published == 0 || res.Duration.Std() >= time.Minute {
				t.Errorf("result does not show a run cut short: published %d in %s", res.Summary.Published, res.Duration)
			}
			if res.Integrity.Lost != 0 {
				t.Errorf("a graceful stop lost %d messages", res.Integrity.Lost)
			}
			if _, err := os.Stat(filepath.Join(dir, "report.md")); err != nil {
				t.Errorf("no report after an interrupt: %v", err)
			}
		})
	}
}

// TestSecondInterruptStopsTheDrain interrupts backlog-drain while its
// backlog is deep: the first SIGINT starts the drain (up to 10 s), the
// second ends it at once; what ran is still written, and the copies left in
// the queue are unconsumed, not lost.
func TestSecondInterruptStopsTheDrain(t *testing.T) {
	uri := testbroker.Require(t)
	bin := buildWarren(t)
	dir := filepath.Join(t.TempDir(), "run")
	cmd, pipe := startWarren(t, bin, uri, "run", "backlog-drain", "--prefix", testbroker.UniqueName(t, "sig2")+".", "--cleanup", "--out", dir)
	lines := bufio.NewScanner(pipe)
	// waitFor reads progress lines until one satisfies ok.
	waitFor := func(what string, ok func(line string) bool) {
		for lines.Scan() {
			if ok(lines.Text()) {
				return
			}
		}
		t.Fatalf("warren's progress never showed %s", what)
	}
	// Five seconds in, the burst has built a backlog of thousands.
	waitFor("5 s", func(l string) bool { return strings.HasPrefix(l, "5s/") })
	cmd.Process.Signal(syscall.SIGINT)
	// The second interrupt once the drain has begun ("6s draining ...").
	waitFor("the drain", func(l string) bool { return strings.Contains(l, " draining ") })
	go io.Copy(io.Discard, pipe)
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("exit %d (%v), want 130", code, err)
	}
	res, err := results.ReadResult(filepath.Join(dir, "result.json"))
	if err != nil {
		t.Fatalf("no result after a second interrupt: %v", err)
	}
	// Had the second interrupt not ended the drain, the drain would have
	// run until the queue was empty (nothing unconsumed) or for its full
	// 10 s: it must have ended before either.
	if in := res.Integrity; in.Unconsumed == 0 || in.Lost != 0 {
		t.Errorf("a drain cut short should leave unconsumed copies and lose none: %+v", in)
	}
	if drained := res.EndedAt.Sub(res.StartedAt) - res.Duration.Std(); drained >= res.Scenario.Run.Drain.Std() {
		t.Errorf("the drain went on for %s, its full %s: the second interrupt did not end it", drained, res.Scenario.Run.Drain)
	}
}

// TestKilledRunStillReports kills a run with SIGKILL and rebuilds a report
// from what it streamed, marked incomplete.
func TestKilledRunStillReports(t *testing.T) {
	uri := testbroker.Require(t)
	bin := buildWarren(t)
	dir := filepath.Join(t.TempDir(), "run")
	prefix := testbroker.UniqueName(t, "kill") + "."
	cmd, pipe := startWarren(t, bin, uri, "run", "greenhouse", "--duration", "1m", "--prefix", prefix, "--out", dir)
	lines := bufio.NewScanner(pipe)
	seen := 0
	for lines.Scan() {
		if strings.Contains(lines.Text(), "consumed ") && !strings.Contains(lines.Text(), "consumed 0 ") {
			if seen++; seen == 3 {
				break
			}
		}
	}
	drained := make(chan struct{})
	go func() {
		io.Copy(io.Discard, pipe)
		close(drained)
	}()
	cmd.Process.Kill()
	<-drained
	cmd.Wait()
	// The killed run left its queues behind: delete them.
	t.Cleanup(func() { deleteScenarioQueues(t, uri, prefix) })

	if _, err := os.Stat(filepath.Join(dir, "result.json")); !os.IsNotExist(err) {
		t.Fatalf("a killed run has a result.json (%v)", err)
	}
	code, stdout, stderr := runCLI(t, nil, "report", dir)
	if code != exitOK {
		t.Fatalf("report of a killed run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "incomplete run: stopped at") {
		t.Errorf("report.md does not say the run is incomplete:\n%.600s", md)
	}
	res, err := results.Recover(dir)
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Published == 0 || len(res.Series) < 3 {
		t.Errorf("recovered %d published over %d seconds", res.Summary.Published, len(res.Series))
	}
	if l := res.Latency[results.MetricEndToEnd]; l.Count == 0 {
		t.Error("no end-to-end latency recovered from latency.hlog")
	}
}

func deleteScenarioQueues(t *testing.T, uri, prefix string) {
	conn, err := amqp.Dial(uri)
	if err != nil {
		return
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return
	}
	s, err := scenarios.Builtin("greenhouse")
	if err != nil {
		return
	}
	for _, q := range s.Topology.Queues {
		ch.QueueDelete(prefix+q.Name, false, false, false)
	}
	for _, e := range s.Topology.Exchanges {
		ch.ExchangeDelete(prefix+e.Name, false, false)
	}
}

// buildWarren builds the warren binary into a temporary directory, for
// tests that need a real process (signals, SIGKILL, side-by-side instances).
func buildWarren(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "warren")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// startWarren starts the binary with args against the broker at uri and
// returns the process and its stderr, where the progress lines come.
func startWarren(t *testing.T, bin, uri string, args ...string) (*exec.Cmd, io.ReadCloser) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "WARREN_URI="+uri)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, pipe
}
