package health

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warrenmq/warren/scenarios"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func readDefs(t *testing.T, path string) *Definitions {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := ReadDefinitions(f)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func readConf(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := ParseConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./health -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test ./health -update and review the diff):\n%s", path, got)
	}
}

// lintGolden lints the testdata definitions as `warren lint` would print
// them. The same golden files are checked through the CLI.
func lintGolden(t *testing.T, withConfig bool) []Finding {
	d := readDefs(t, "testdata/definitions.json")
	in := &LintInput{Definitions: *d}
	source := "testdata/definitions.json"
	if withConfig {
		in.Config = readConf(t, "testdata/rabbitmq.conf")
	}
	fs := Lint(in, nil)
	rep := NewReport(SchemaLint, source, fs)
	rep.Version = d.Version()
	rep.Counts = map[string]int{"queues": len(d.Queues), "exchanges": len(d.Exchanges), "policies": len(d.Policies)}
	var b bytes.Buffer
	if err := rep.WriteLintText(&b); err != nil {
		t.Fatal(err)
	}
	name := "lint.golden"
	if !withConfig {
		name = "lint-without-config.golden"
	}
	golden(t, name, b.Bytes())
	return fs
}

// The testdata definitions (with the rabbitmq.conf, or without it for the
// guest-user rule) show every lint rule at least once.
func TestLintGoldenCoversEveryRule(t *testing.T) {
	seen := map[string]bool{}
	for _, withConfig := range []bool{true, false} {
		for _, f := range lintGolden(t, withConfig) {
			seen[f.Rule] = true
			if f.Why == "" || f.Fix == "" || f.Object.Kind == "" {
				t.Errorf("finding without why, fix or object: %+v", f)
			}
		}
	}
	for _, r := range LintRules() {
		if !seen[r.ID] {
			t.Errorf("no example of rule %s in testdata/definitions.json (+ rabbitmq.conf)", r.ID)
		}
	}
}

func TestLintCleanDefinitions(t *testing.T) {
	d := readDefs(t, "testdata/clean.json")
	if fs := Lint(&LintInput{Definitions: *d}, nil); len(fs) != 0 {
		t.Errorf("clean definitions gave %v", rulesOf(fs))
	}
}

func TestLintDisable(t *testing.T) {
	d := readDefs(t, "testdata/definitions.json")
	fs := Lint(&LintInput{Definitions: *d}, map[string]bool{RuleQuorumQueue: true, RuleQueueUnbounded: true})
	for _, f := range fs {
		if f.Rule == RuleQuorumQueue || f.Rule == RuleQueueUnbounded {
			t.Errorf("disabled rule %s still reported", f.Rule)
		}
	}
	if len(fs) == 0 {
		t.Error("disabling two rules silenced everything")
	}
}

func lintOne(t *testing.T, in *LintInput) []string {
	t.Helper()
	var out []string
	for _, f := range Lint(in, nil) {
		out = append(out, f.Rule+"/"+f.Severity.String()+"/"+f.Object.Name)
	}
	return out
}

func TestLintRules(t *testing.T) {
	durableQuorum := func(name string, args map[string]any) QueueDef {
		a := map[string]any{"x-queue-type": "quorum", "x-delivery-limit": 5, "x-max-length": 10, "x-overflow": "reject-publish",
			"x-dead-letter-exchange": "dlx"}
		for k, v := range args {
			if v == nil {
				delete(a, k)
			} else {
				a[k] = v
			}
		}
		return QueueDef{Vhost: "/", Name: name, Durable: true, Arguments: a}
	}
	dlx := []Exchange{{Vhost: "/", Name: "dlx", Type: "fanout", Durable: true}}
	dlxBound := []Binding{{Vhost: "/", Source: "dlx", Destination: "dlq", DestinationType: "queue"}}
	dlq := durableQuorum("dlq", map[string]any{"x-dead-letter-exchange": nil})
	tests := []struct {
		name string
		in   LintInput
		want string
	}{
		{"mirroring on 4.x is critical", LintInput{Version: "4.0.5", Definitions: Definitions{
			Policies: []Policy{{Vhost: "/", Name: "ha", Pattern: ".*", Definition: map[string]any{"ha-mode": "all"}}}}},
			"classic-mirroring/critical/ha"},
		{"mirroring on 3.x is a warning", LintInput{Definitions: Definitions{RabbitVersion: "3.13.1",
			Policies: []Policy{{Vhost: "/", Name: "ha", Pattern: ".*", Definition: map[string]any{"ha-mode": "exactly"}}}}},
			"classic-mirroring/warning/ha"},
		{"delivery limit needed before 4.0", LintInput{Version: "3.13.1", Definitions: Definitions{
			Queues: []QueueDef{durableQuorum("q", map[string]any{"x-delivery-limit": nil}), dlq}, Exchanges: dlx, Bindings: dlxBound}},
			"quorum-delivery-limit/warning/q"},
		{"delivery limit has a default from 4.0", LintInput{Version: "4.1.0", Definitions: Definitions{
			Queues: []QueueDef{durableQuorum("q", map[string]any{"x-delivery-limit": nil}), dlq}, Exchanges: dlx, Bindings: dlxBound}},
			""},
		{"dead-letter routing key that no binding takes", LintInput{Definitions: Definitions{
			Queues: []QueueDef{durableQuorum("q", map[string]any{"x-dead-letter-exchange": "tdlx", "x-dead-letter-routing-key": "dead.q"}),
				durableQuorum("dlq", map[string]any{"x-dead-letter-exchange": nil})},
			Exchanges: []Exchange{{Vhost: "/", Name: "tdlx", Type: "topic", Durable: true, Arguments: map[string]any{"alternate-exchange": "x"}},
				{Vhost: "/", Name: "x", Type: "fanout", Durable: true}},
			Bindings: []Binding{{Vhost: "/", Source: "tdlx", Destination: "dlq", DestinationType: "queue", RoutingKey: "other.*"},
				{Vhost: "/", Source: "x", Destination: "dlq", DestinationType: "queue"}}}},
			// The alternate exchange takes what the binding misses.
			""},
		{"dead-letter routing key that a topic binding takes", LintInput{Definitions: Definitions{
			Queues: []QueueDef{durableQuorum("q", map[string]any{"x-dead-letter-exchange": "tdlx", "x-dead-letter-routing-key": "dead.q"}),
				durableQuorum("dlq", map[string]any{"x-dead-letter-exchange": nil})},
			Exchanges: []Exchange{{Vhost: "/", Name: "tdlx", Type: "topic", Durable: true, Arguments: map[string]any{"alternate-exchange": "none"}}},
			Bindings:  []Binding{{Vhost: "/", Source: "tdlx", Destination: "dlq", DestinationType: "queue", RoutingKey: "dead.*"}}}},
			""},
		{"dead letters through an exchange-to-exchange binding", LintInput{Definitions: Definitions{
			Queues: []QueueDef{durableQuorum("q", map[string]any{"x-dead-letter-exchange": "front"}),
				durableQuorum("dlq", map[string]any{"x-dead-letter-exchange": nil})},
			Exchanges: []Exchange{{Vhost: "/", Name: "front", Type: "fanout", Durable: true}, dlx[0]},
			Bindings: []Binding{{Vhost: "/", Source: "front", Destination: "dlx", DestinationType: "exchange"},
				dlxBound[0]}}},
			""},
		{"dead-letter routing key no binding takes", LintInput{Definitions: Definitions{
			Queues: []QueueDef{durableQuorum("q", map[string]any{"x-dead-letter-exchange": "ddlx", "x-dead-letter-routing-key": "q"}),
				durableQuorum("dlq", map[string]any{"x-dead-letter-exchange": nil})},
			Exchanges: []Exchange{{Vhost: "/", Name: "ddlx", Type: "direct", Durable: true, Arguments: map[string]any{"alternate-exchange": "none"}}},
			Bindings:  []Binding{{Vhost: "/", Source: "ddlx", Destination: "dlq", DestinationType: "queue", RoutingKey: "other"}}}},
			"dlx-unbound/critical/q dlx-missing/warning/dlq"},
		{"guest logged in from afar", LintInput{LoggedInAs: "guest", Host: "rabbit.example.com:15672"},
			"guest-remote/critical/guest"},
		{"guest logged in locally", LintInput{LoggedInAs: "guest", Host: "127.0.0.1:15672"},
			"guest-user/info/guest"},
		{"guest allowed remote by the config", LintInput{Config: map[string]string{"loopback_users.guest": "false"},
			Definitions: Definitions{Users: []User{{Name: "guest"}}}},
			"guest-remote/critical/guest"},
		{"no guest, nothing to say", LintInput{Config: map[string]string{"loopback_users": "none"},
			Definitions: Definitions{Users: []User{{Name: "ops"}}}}, ""},
		{"connections without heartbeats", LintInput{Connections: []Connection{
			{Name: "a", Vhost: "/", Heartbeat: 0}, {Name: "b", Vhost: "/", Heartbeat: 60}, {Name: "c", Vhost: "/", Heartbeat: 0}}},
			"heartbeat-disabled/warning/2 without heartbeat"},
		{"mandatory publishers need no alternate exchange", LintInput{Mandatory: map[string]bool{"e": true}, Definitions: Definitions{
			Exchanges: []Exchange{{Name: "e", Type: "direct", Durable: true}, {Name: "f", Type: "direct", Durable: true}}}},
			"alternate-exchange/warning/f"},
		{"an alternate exchange through a policy", LintInput{Definitions: Definitions{
			Exchanges: []Exchange{{Vhost: "/", Name: "e", Type: "topic", Durable: true}},
			Policies: []Policy{{Vhost: "/", Name: "ae", Pattern: "^e$", ApplyTo: "exchanges",
				Definition: map[string]any{"alternate-exchange": "unrouted"}}}}},
			""},
		{"a queue policy does not apply to exchanges", LintInput{Definitions: Definitions{
			Exchanges: []Exchange{{Vhost: "/", Name: "e", Type: "topic", Durable: true}},
			Policies: []Policy{{Vhost: "/", Name: "ae", Pattern: "^e$", ApplyTo: "queues",
				Definition: map[string]any{"alternate-exchange": "unrouted"}}}}},
			"alternate-exchange/warning/e"},
		{"the higher-priority policy wins", LintInput{Definitions: Definitions{
			Queues: []QueueDef{durableQuorum("q", map[string]any{"x-max-length": nil, "x-overflow": nil}), dlq}, Exchanges: dlx, Bindings: dlxBound,
			Policies: []Policy{
				{Vhost: "/", Name: "low", Pattern: ".*", ApplyTo: "queues", Priority: 0, Definition: map[string]any{"max-length": 5, "overflow": "reject-publish"}},
				{Vhost: "/", Name: "high", Pattern: "^q$", ApplyTo: "queues", Priority: 9, Definition: map[string]any{"max-length": 5}}}}},
			"overflow-default/warning/q"},
		{"exclusive queues are the client's business", LintInput{Definitions: Definitions{
			Queues: []QueueDef{{Vhost: "/", Name: "amq.gen-1", Exclusive: true, AutoDelete: true,
				Arguments: map[string]any{"x-max-length": 10, "x-overflow": "drop-head"}}}}},
			""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(lintOne(t, &tt.in), " ")
			if got != tt.want {
				t.Errorf("findings\n %s\nwant\n %s", got, tt.want)
			}
		})
	}
}

// A policy for a queue that has one is added to that policy: only one
// applies.
func TestLintFixNamesTheQueuesPolicy(t *testing.T) {
	d := readDefs(t, "testdata/definitions.json")
	for _, f := range Lint(&LintInput{Definitions: *d}, nil) {
		if f.Rule == RuleOverflowDefault && f.Object.Name == "invoices" {
			if !strings.Contains(f.Fix, `add "overflow":"reject-publish" to the definition of policy invoices-limit`) {
				t.Errorf("fix %q", f.Fix)
			}
			return
		}
	}
	t.Error("no overflow-default finding for invoices")
}

func TestLintScenario(t *testing.T) {
	s, err := scenarios.Builtin("dead-letter")
	if err != nil {
		t.Fatal(err)
	}
	d, mandatory := FromScenario(s)
	fs := Lint(&LintInput{Definitions: *d, Mandatory: mandatory}, nil)
	if len(fs) == 0 {
		t.Fatal("no findings for a load-test scenario")
	}
	for _, f := range fs {
		if f.Rule == RuleDLXUndeclared || f.Rule == RuleDLXUnbound {
			t.Errorf("the dead-letter scenario's dead-lettering is broken? %+v", f)
		}
	}
}

func TestLintJSON(t *testing.T) {
	d := readDefs(t, "testdata/definitions.json")
	rep := NewReport(SchemaLint, "x", Lint(&LintInput{Definitions: *d}, nil))
	var b bytes.Buffer
	if err := rep.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Schema   string `json:"schema"`
		Status   string `json:"status"`
		ExitCode int    `json:"exit_code"`
		Findings []struct {
			Rule     string `json:"rule"`
			Severity string `json:"severity"`
			Object   Object `json:"object"`
			Fix      string `json:"fix"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Schema != SchemaLint || back.Status != "critical" || back.ExitCode != 2 || len(back.Findings) != len(rep.Findings) {
		t.Errorf("%+v", back)
	}
	if f := back.Findings[0]; f.Severity != "critical" || f.Object.Kind == "" || f.Fix == "" {
		t.Errorf("first finding %+v", f)
	}
}
