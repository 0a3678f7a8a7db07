package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/warrenmq/warren/internal/testbroker"
)

// oneMistake is a minimal valid scenario with one line replaced, so each
// case shows one mistake.
func oneMistake(t *testing.T, old, new string) string {
	t.Helper()
	const good = `name: bad-input
topology:
  exchanges:
    - {name: EXCHANGE, type: topic}
  queues:
    - {name: QUEUE}
  bindings:
    - {exchange: EXCHANGE, queue: QUEUE, key: "a.*"}
publishers:
  - exchange: EXCHANGE
    routing_keys: [a.b]
    rate: 100/s
consumers:
  - queue: QUEUE
    prefetch: 10
run:
  duration: 1s
`
	if !strings.Contains(good, old) {
		t.Fatalf("the base scenario has no %q", old)
	}
	path := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(path, []byte(strings.Replace(good, old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBadInput feeds warren run one mistake at a time: each must give a
// one-line error naming the problem, a non-zero exit, and no run directory.
func TestBadInput(t *testing.T) {
	uri := testbroker.Require(t)
	prefix := testbroker.UniqueName(t, "bad")
	exchange, queue := prefix+".x", prefix+".q"
	named := func(ex, q, old, new string) string {
		p := oneMistake(t, old, new)
		data, _ := os.ReadFile(p)
		data = []byte(strings.NewReplacer("EXCHANGE", ex, "QUEUE", q).Replace(string(data)))
		os.WriteFile(p, data, 0o644)
		return p
	}
	scenario := func(old, new string) string { return named(exchange, queue, old, new) }
	clash := prefix + ".clash"
	// Some cases declare part of the topology before the mistake stops
	// them: delete all of it when the test ends, however it ends.
	t.Cleanup(func() { deleteNamed(t, uri, []string{queue, clash}, []string{exchange, clash}) })
	// Something already on the broker that the scenario contradicts.
	conn, err := amqp.Dial(uri)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.ExchangeDeclare(clash, "fanout", false, true, false, false, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ch.QueueDeclare(clash, false, true, false, false, amqp.Table{"x-max-length": int64(5)}); err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o644)
	aFile := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(aFile, nil, 0o644)

	cases := []struct {
		name string
		args []string
		want string
	}{
		{"malformed yaml", []string{scenario("run:\n  duration: 1s", "run: [duration: 1s")}, "bad.yaml:"},
		{"wrong type", []string{scenario("prefetch: 10", "prefetch: lots")}, "bad.yaml:"},
		{"unknown field", []string{scenario("prefetch: 10", "prefech: 10")}, "prefech"},
		{"unknown exchange type", []string{scenario("type: topic", "type: topical")}, `unknown exchange type "topical"`},
		{"binding to an undeclared queue", []string{scenario("queue: QUEUE, key", "queue: elsewhere, key")}, `queue "elsewhere" is not declared`},
		{"negative prefetch", []string{scenario("prefetch: 10", "prefetch: -3")}, "prefetch: must be between 0 and 65535, got -3"},
		{"negative rate", []string{scenario("rate: 100/s", "rate: -5/s")}, "rate"},
		{"no bound", []string{scenario("run:\n  duration: 1s", "run: {}")}, "run.duration"},
		{"empty file", []string{scenario("name: bad-input", "name:")}, "name"},
		{"quorum not durable", []string{scenario("- {name: QUEUE}", "- {name: QUEUE, type: quorum}")}, "durable"},
		{"overflow without a limit", []string{scenario("- {name: QUEUE}", "- {name: QUEUE, overflow: drop-head}")}, "overflow"},
		{"topic pattern with an empty word", []string{scenario(`key: "a.*"`, `key: "a..*"`)}, "empty word"},
		{"unknown built-in", []string{"greenhous"}, `no built-in scenario "greenhous"`},
		{"missing file", []string{"nowhere/bad.yaml"}, "does not exist"},
		{"two scenarios", []string{"greenhouse", "alerts"}, "expected one scenario"},
		{"URI scheme", []string{"greenhouse", "--uri", "http://guest:guest@127.0.0.1:5672/"}, `scheme "http"`},
		{"URI port", []string{"greenhouse", "--uri", "amqp://guest:guest@127.0.0.1:99999/"}, "127.0.0.1:99999"},
		{"unreachable broker", []string{"greenhouse", "--uri", "amqp://guest:guest@127.0.0.1:1/"}, "make broker"},
		{"wrong password", []string{"greenhouse", "--uri", strings.Replace(uri, "guest@", "not-the-password@", 1)}, "refused the login"},
		{"unknown vhost", []string{"greenhouse", "--uri", strings.TrimSuffix(uri, "/") + "/no-such-vhost"}, "vhost"},
		{"TLS CA that is not PEM", []string{scenario("run:\n  duration: 1s", "run:\n  duration: 1s\nbroker:\n  tls: {ca_file: "+notPEM+"}"), "--uri", "amqps://guest:guest@127.0.0.1:5671/"}, "no PEM certificate"},
		{"exchange redeclared with another type", []string{named(clash, queue, "type: topic", "type: topic")}, "other settings"},
		{"queue redeclared with other arguments", []string{named(exchange, clash, "- {name: QUEUE}", "- {name: QUEUE, max_length: 10}")}, "other settings"},
		{"prefetch out of range", []string{"greenhouse", "--prefetch", "70000"}, "--prefetch must be between 0 and 65535"},
		{"negative duration", []string{"greenhouse", "--duration", "-5s"}, "--duration"},
		{"negative confirm window", []string{"greenhouse", "--confirm-window", "-1"}, "--confirm-window"},
		{"no publishers", []string{"greenhouse", "--publishers", "0"}, "--publishers"},
		{"output is a file", []string{"greenhouse", "--out", filepath.Join(aFile, "run")}, aFile},
		{"metrics address", []string{"greenhouse", "--metrics-addr", "256.1.1.1:http"}, "--metrics-addr"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			args := append([]string{"run"}, tc.args...)
			if !strings.Contains(strings.Join(tc.args, " "), "--out") {
				args = append(args, "--out", filepath.Join(parent, "run"))
			}
			args = append(args, "--quiet")
			code, stdout, stderr := runCLI(t, map[string]string{"WARREN_URI": uri}, args...)
			if code == exitOK {
				t.Fatalf("exit 0; stdout %s", stdout)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if len(lines) != 1 && !strings.Contains(stderr, "bad.yaml:") {
				t.Errorf("want one line, got %d:\n%s", len(lines), stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q does not mention %q", stderr, tc.want)
			}
			if entries, _ := os.ReadDir(parent); len(entries) != 0 {
				t.Errorf("left behind: %v", entries)
			}
		})
	}
	if len(cases) < 25 {
		t.Errorf("only %d bad inputs", len(cases))
	}
}

// TestPasswordNeverLeaks runs against a private node with a user whose
// password is distinctive, and searches every output for it: stdout,
// stderr, every file of the run directory, and the metrics endpoint.
func TestPasswordNeverLeaks(t *testing.T) {
	node := testbroker.StartPrivate(t)
	const user, secret = "leaky", "Zq9-very-secret-pw"
	for _, args := range [][]string{
		{"add_user", user, secret},
		{"set_permissions", "-p", "/", user, ".*", ".*", ".*"},
		{"set_user_tags", user, "monitoring"},
	} {
		if out, err := node.Ctl(args...); err != nil {
			t.Fatalf("rabbitmqctl %v: %v: %s", args, err, out)
		}
	}
	withUser := func(u string) string { return strings.Replace(u, "guest:guest@", user+":"+secret+"@", 1) }
	amqpURI, mgmtURI := withUser(node.URI()), withUser(node.ManagementURI())
	if !strings.Contains(amqpURI, secret) || !strings.Contains(mgmtURI, secret) {
		t.Fatalf("could not put the user into %s and %s", node.URI(), node.ManagementURI())
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := ln.Addr().String()
	ln.Close()

	dir := filepath.Join(t.TempDir(), "run")
	type outcome struct {
		code           int
		stdout, stderr string
	}
	done := make(chan outcome, 1)
	go func() {
		code, stdout, stderr := runCLI(t, nil, "run", "greenhouse", "--duration", "3s",
			"--uri", amqpURI, "--management-uri", mgmtURI, "--metrics-addr", metricsAddr, "--out", dir)
		done <- outcome{code, stdout, stderr}
	}()
	var scraped string
	for deadline := time.Now().Add(20 * time.Second); scraped == "" && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		resp, err := http.Get("http://" + metricsAddr + "/metrics")
		if err != nil {
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(body), "warren_messages_published_total") {
			scraped = string(body)
		}
	}
	out := <-done
	if out.code != exitOK {
		t.Fatalf("exit %d: %s", out.code, out.stderr)
	}
	if scraped == "" {
		t.Error("the metrics endpoint never served warren's metrics")
	}
	outputs := map[string]string{"stdout": out.stdout, "stderr": out.stderr, "metrics": scraped}
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			data, _ := os.ReadFile(path)
			outputs[path] = string(data)
		}
		return nil
	})
	if len(outputs) < 6 {
		t.Errorf("expected a full run directory, searched only %d outputs", len(outputs))
	}
	// A failing run too: the error message must not carry it either.
	_, failOut, failErr := runCLI(t, nil, "run", "greenhouse", "--quiet", "--uri", strings.TrimSuffix(amqpURI, "/")+"/no-such-vhost",
		"--out", filepath.Join(t.TempDir(), "x"))
	outputs["failing run"] = failOut + failErr
	for name, text := range outputs {
		if strings.Contains(text, secret) {
			t.Errorf("the password appears in %s", name)
		}
	}
	if !strings.Contains(outputs[filepath.Join(dir, "result.json")], fmt.Sprintf("%s:xxxxx@", user)) {
		t.Error("result.json does not show the masked URI")
	}
}
