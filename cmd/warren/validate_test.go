package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// scenarioCLI runs the CLI with buffers and an empty environment.
func scenarioCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	c := &cli{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code = run(context.Background(), args, c)
	return code, out.String(), errb.String()
}

func writeScenario(t *testing.T, name, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestValidateBuiltins(t *testing.T) {
	code, out, errOut := scenarioCLI("validate", "greenhouse", "prefetch-sweep", "alerts")
	want := "ok: greenhouse (1 publisher group, 3 consumer groups, 1 variant)\n" +
		"ok: prefetch-sweep (1 publisher group, 1 consumer group, 5 variants)\n" +
		"ok: alerts (1 publisher group, 3 consumer groups, 1 variant)\n"
	if code != exitOK || out != want || errOut != "" {
		t.Errorf("exit %d\nstdout:\n%s\nwant:\n%s\nstderr: %s", code, out, want, errOut)
	}
}

func TestValidateFile(t *testing.T) {
	path := writeScenario(t, "good.yaml", `name: good
topology:
  queues: [{name: good.q}]
publishers:
  - {exchange: "", routing_key: good.q, rate: 10/s}
consumers:
  - {queue: good.q}
run: {duration: 10s}
`)
	code, out, errOut := scenarioCLI("validate", path)
	if code != exitOK || out != "ok: good (1 publisher group, 1 consumer group, 1 variant)\n" || errOut != "" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

const badScenario = `name: bad
topology:
  exchanges:
    - name: bad.x
      type: topics
  queues:
    - name: bad.q
publishers:
  - exchange: bad.x
    confirm: true
    confirm_window: -1
consumers:
    - queue: bad.q
    - queue: bad.q
      prefetch: -3
run:
  duration: 10s
`

func TestValidateReportsEveryProblemWithItsLine(t *testing.T) {
	path := writeScenario(t, "bad.yaml", badScenario)
	code, out, errOut := scenarioCLI("validate", path)
	want := "bad.yaml:5:7: topology.exchanges[0].type: unknown exchange type \"topics\": use direct, fanout, topic or headers\n" +
		"bad.yaml:11:5: publishers[0].confirm_window: must be ≥ 1 with confirm: true, got -1\n" +
		"bad.yaml:15:7: consumers[1].prefetch: must be between 0 and 65535, got -3\n"
	if code != exitBadInput || out != "" || errOut != want {
		t.Errorf("exit %d, stdout %q\nstderr:\n%s\nwant:\n%s", code, out, errOut, want)
	}
}

func TestValidateBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no arguments", []string{"validate"}, "warren validate: give a scenario file or a built-in name"},
		{"unknown built-in", []string{"validate", "nope"}, `warren validate: no built-in scenario "nope"`},
		{"missing file", []string{"validate", "missing/x.yaml"}, "does not exist"},
		{"YAML error", []string{"validate", writeScenario(t, "syntax.yaml", "name: x\nrun:\n  duration: 1s\n  typo: 2\n")}, `syntax.yaml:4:3: unknown field "typo"`},
		{"bad flag", []string{"validate", "--frobnicate", "greenhouse"}, "unknown flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := scenarioCLI(tt.args...)
			if code != exitBadInput || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q, want it to contain %q", code, errOut, tt.want)
			}
			if strings.Count(errOut, "\n") != 1 {
				t.Errorf("want one line on stderr, got %q", errOut)
			}
		})
	}
}

func TestValidateGoodAndBadTogether(t *testing.T) {
	bad := writeScenario(t, "bad.yaml", badScenario)
	code, out, errOut := scenarioCLI("validate", "greenhouse", bad)
	if code != exitBadInput || !strings.HasPrefix(out, "ok: greenhouse") || strings.Count(errOut, "\n") != 3 {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestValidateHelp(t *testing.T) {
	code, out, _ := scenarioCLI("validate", "--help")
	if code != exitOK || !strings.Contains(out, "Usage: warren validate FILE|NAME") || !strings.Contains(out, "Example:\n  warren validate") {
		t.Errorf("exit %d, help:\n%s", code, out)
	}
}
