package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
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
