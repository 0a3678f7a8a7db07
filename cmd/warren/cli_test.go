package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/warrenmq/warren/loadgen"
)

// runCLI calls the CLI as main would, with buffers and a fixed environment.
func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	c := &cli{stdout: &out, stderr: &errb, getenv: func(k string) string { return env[k] }}
	code = run(context.Background(), args, c)
	return code, out.String(), errb.String()
}

func TestNoArgsPrintsUsage(t *testing.T) {
	code, out, _ := runCLI(t, nil)
	if code != exitBadInput {
		t.Errorf("exit %d, want %d", code, exitBadInput)
	}
	for _, cmd := range []string{"run", "scenarios", "version"} {
		if !strings.Contains(out, cmd) {
			t.Errorf("usage does not list %q:\n%s", cmd, out)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	code, _, errOut := runCLI(t, nil, "frobnicate")
	if code != exitBadInput || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

func TestEveryCommandHasHelpWithExample(t *testing.T) {
	for _, cmd := range commands() {
		code, out, errOut := runCLI(t, nil, cmd.name, "--help")
		if code != exitOK {
			t.Errorf("%s --help: exit %d, stderr %q", cmd.name, code, errOut)
		}
		if !strings.Contains(out, "Usage: warren "+cmd.name) || !strings.Contains(out, "Example:") {
			t.Errorf("%s --help lacks usage or example:\n%s", cmd.name, out)
		}
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, nil, "version")
	if code != exitOK || !strings.HasPrefix(out, "warren ") {
		t.Errorf("exit %d, out %q", code, out)
	}
}

func TestHelpIsShownOnce(t *testing.T) {
	_, out, _ := runCLI(t, nil, "run", "--help")
	if n := strings.Count(out, "Usage: warren run"); n != 1 {
		t.Errorf("usage shown %d times:\n%s", n, out)
	}
}

func TestProgressLine(t *testing.T) {
	var buf bytes.Buffer
	show := progressPrinter(&buf)
	show(loadgen.Progress{Elapsed: time.Hour, Total: 8 * time.Hour, PublishRate: 2000, ConsumeRate: 1999, Published: 7_200_000, Consumed: 7_199_000, P99: 3 * time.Millisecond})
	show(loadgen.Progress{Elapsed: 5 * time.Second, Total: 20 * time.Second, PublishRate: 500})
	show(loadgen.Progress{Elapsed: 21 * time.Second, Total: 20 * time.Second, Draining: true})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("want a plain line per call off a terminal, got %q", buf.String())
	}
	if !strings.HasPrefix(lines[0], "1h0m0s/8h0m0s (ends ~") || !strings.Contains(lines[0], "pub 2000 msg/s") || !strings.Contains(lines[0], "p99 3ms") {
		t.Errorf("long-run line: %q", lines[0])
	}
	if strings.Contains(lines[1], "ends ~") || !strings.HasPrefix(lines[1], "5s/20s") {
		t.Errorf("short-run line: %q", lines[1])
	}
	if !strings.Contains(lines[2], "draining") {
		t.Errorf("drain line: %q", lines[2])
	}
}
