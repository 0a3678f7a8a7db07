package main

import (
	"strings"
	"testing"

	"github.com/warrenmq/warren/scenarios"
)

func TestScenariosList(t *testing.T) {
	code, out, errOut := scenarioCLI("scenarios")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	names := scenarios.BuiltinNames()
	if len(lines) != len(names) {
		t.Fatalf("%d lines for %d built-ins:\n%s", len(lines), len(names), out)
	}
	for i, name := range names {
		s, _ := scenarios.Builtin(name)
		if !strings.HasPrefix(lines[i], name+" ") || !strings.HasSuffix(lines[i], s.Description) {
			t.Errorf("line %q, want %s and its description", lines[i], name)
		}
	}
}

func TestScenariosShow(t *testing.T) {
	code, out, _ := scenarioCLI("scenarios", "show", "dead-letter")
	src, _ := scenarios.BuiltinSource("dead-letter")
	if code != exitOK || out != string(src) {
		t.Errorf("exit %d, output differs from the embedded file", code)
	}
	// What show prints loads and validates: a user can copy it.
	s, err := scenarios.Load(strings.NewReader(out), "copy.yaml")
	if err != nil || s.Validate() != nil {
		t.Errorf("shown YAML does not validate: %v", err)
	}
}

func TestScenariosBadInput(t *testing.T) {
	for _, args := range [][]string{{"scenarios", "show", "nope"}, {"scenarios", "list", "x"}, {"scenarios", "show"}} {
		code, _, errOut := scenarioCLI(args...)
		if code != exitBadInput || errOut == "" {
			t.Errorf("%q: exit %d, stderr %q", args, code, errOut)
		}
	}
}

func TestScenariosHelp(t *testing.T) {
	code, out, _ := scenarioCLI("scenarios", "--help")
	if code != exitOK || !strings.Contains(out, "Usage: warren scenarios") || !strings.Contains(out, "Example:") {
		t.Errorf("exit %d\n%s", code, out)
	}
}
