package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/warrenmq/warren/health"
)

const lintTestdata = "../../health/testdata/"

// The CLI prints what the health package's golden files hold (go test
// ./health -update rewrites them), with the path as given on the command
// line.
func TestLintGolden(t *testing.T) {
	for _, tt := range []struct {
		golden string
		args   []string
	}{
		{"lint.golden", []string{"lint", lintTestdata + "definitions.json", "--config", lintTestdata + "rabbitmq.conf"}},
		{"lint-without-config.golden", []string{"lint", lintTestdata + "definitions.json"}},
	} {
		code, stdout, stderr := runCLI(t, nil, tt.args...)
		if code != 2 || stderr != "" {
			t.Errorf("%v: exit %d, stderr %q", tt.args, code, stderr)
		}
		want, err := os.ReadFile(lintTestdata + tt.golden)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.ReplaceAll(stdout, lintTestdata, "testdata/"); got != string(want) {
			t.Errorf("%v: output differs from %s:\n%s", tt.args, tt.golden, got)
		}
	}
}

func TestLintCleanFileExitsZero(t *testing.T) {
	code, stdout, _ := runCLI(t, nil, "lint", lintTestdata+"clean.json")
	if code != exitOK || !strings.Contains(stdout, "OK: no findings") {
		t.Errorf("exit %d:\n%s", code, stdout)
	}
}

func TestLintJSONAndVhost(t *testing.T) {
	code, stdout, _ := runCLI(t, nil, "lint", lintTestdata+"definitions.json", "--vhost", "billing", "--json", "--disable", "guest-user")
	var rep health.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	if code != 1 || rep.ExitCode != 1 || rep.Schema != health.SchemaLint || rep.Vhost != "billing" {
		t.Errorf("exit %d, report %+v", code, rep)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, f.Rule+"/"+f.Object.Name)
		if f.Object.Vhost != "billing" {
			t.Errorf("finding outside the vhost: %+v", f)
		}
	}
	if strings.Join(got, " ") != "dlx-missing/invoices overflow-default/invoices" {
		t.Errorf("findings %v", got)
	}
}

func TestLintDisable(t *testing.T) {
	code, stdout, _ := runCLI(t, nil, "lint", lintTestdata+"definitions.json",
		"--disable", "dlx-unbound,dlx-undeclared", "--disable", "exchange-durable", "--disable", "queue-durable")
	if code != 1 || strings.Contains(stdout, "dlx-unbound") || strings.Contains(stdout, "queue-durable") {
		t.Errorf("exit %d:\n%s", code, stdout)
	}
}

func TestLintScenario(t *testing.T) {
	code, stdout, stderr := runCLI(t, nil, "lint", "dead-letter")
	if code == exitOK || code == exitUnknown || !strings.HasPrefix(stdout, "warren lint: dead-letter") {
		t.Errorf("exit %d, stderr %q:\n%s", code, stderr, stdout)
	}
}

func TestLintRulesList(t *testing.T) {
	code, stdout, _ := runCLI(t, nil, "lint", "--rules")
	if code != exitOK {
		t.Errorf("exit %d", code)
	}
	for _, r := range health.LintRules() {
		if !strings.Contains(stdout, r.ID) {
			t.Errorf("--rules does not list %s", r.ID)
		}
	}
}

func TestLintBadInputIsUnknown(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"lint", "--bogus"}, "unknown flag"},
		{[]string{"lint", "a.json", "b.json"}, "give one definitions or scenario file"},
		{[]string{"lint", lintTestdata + "clean.json", "--management-uri", "http://x/"}, "not both"},
		{[]string{"lint", lintTestdata + "clean.json", "--disable", "no-such-rule"}, "--disable no-such-rule: no such rule"},
		{[]string{"lint", "no-such-file.json"}, "neither a definitions file nor a scenario"},
		{[]string{"lint", lintTestdata + "thresholds.yaml"}, "neither a definitions file nor a scenario"},
		{[]string{"lint", lintTestdata + "clean.json", "--config", "no-such.conf"}, "--config"},
	} {
		code, _, stderr := runCLI(t, nil, tt.args...)
		if code != exitUnknown || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, stderr, exitUnknown, tt.want)
		}
	}
}

func TestLintUnreachableBroker(t *testing.T) {
	for _, asJSON := range []bool{false, true} {
		args := []string{"lint", "--management-uri", "http://ops:s3cret@127.0.0.1:1/"}
		if asJSON {
			args = append(args, "--json")
		}
		code, stdout, stderr := runCLI(t, nil, args...)
		if code != exitUnknown || strings.Contains(stdout+stderr, "s3cret") {
			t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		if asJSON {
			var rep health.Report
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil || rep.Status != health.StatusUnknown || rep.Error == "" {
				t.Errorf("report %+v, %v", rep, err)
			}
		} else if !strings.Contains(stdout, "UNKNOWN: management API at http://ops:xxxxx@127.0.0.1:1/") {
			t.Errorf("stdout %q", stdout)
		}
	}
}
