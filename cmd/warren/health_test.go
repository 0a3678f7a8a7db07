package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	rabbithole "github.com/michaelklishin/rabbit-hole/v2"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/warrenmq/warren/health"
	"github.com/warrenmq/warren/internal/rabbit"
	"github.com/warrenmq/warren/internal/testbroker"
)

func TestHealthHelpDocumentsExitStatuses(t *testing.T) {
	code, stdout, _ := runCLI(t, nil, "health", "--help")
	if code != exitOK {
		t.Errorf("exit %d", code)
	}
	for _, want := range []string{"0 healthy", "1 warning", "2 critical", "3 unknown", "--watch", "--count", "--thresholds"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("help lacks %q:\n%s", want, stdout)
		}
	}
}

func TestHealthRulesList(t *testing.T) {
	code, stdout, _ := runCLI(t, nil, "health", "--rules")
	if code != exitOK {
		t.Errorf("exit %d", code)
	}
	for _, r := range health.HealthRules() {
		if !strings.Contains(stdout, r.ID) {
			t.Errorf("--rules does not list %s", r.ID)
		}
	}
}

func TestHealthBadInputIsUnknown(t *testing.T) {
	bad := t.TempDir() + "/bad.yaml"
	if err := os.WriteFile(bad, []byte("queue_depth: {warning: 500, critical: 5}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"health", "--bogus"}, "unknown flag: --bogus"},
		{[]string{"health", "extra"}, `unexpected argument "extra"`},
		{[]string{"health", "--watch", "10ms"}, "at least 1s"},
		{[]string{"health", "--count", "2"}, "with --watch"},
		{[]string{"health", "--thresholds", "no-such.yaml"}, "--thresholds"},
		{[]string{"health", "--thresholds", bad}, "critical (5) must be ≥ warning (500)"},
		{[]string{"health", "--disable", "queue-dept"}, "--disable queue-dept: no such rule"},
	} {
		code, _, stderr := runCLI(t, nil, tt.args...)
		if code != exitUnknown || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, stderr, exitUnknown, tt.want)
		}
	}
}

func TestHealthPrintThresholds(t *testing.T) {
	code, stdout, _ := runCLI(t, nil, "health", "--thresholds", lintTestdata+"thresholds.yaml", "--print-thresholds")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	th, err := health.LoadThresholds(strings.NewReader(stdout))
	if err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	if th.QueueDepth.Critical != 100 || th.Window != 30*time.Second {
		t.Errorf("printed thresholds do not read back: %+v", th)
	}
}

func TestHealthUnreachableIsUnknown(t *testing.T) {
	env := map[string]string{"WARREN_MANAGEMENT_URI": "http://ops:s3cret@127.0.0.1:1/"}
	code, stdout, stderr := runCLI(t, env, "health")
	if code != exitUnknown || strings.Contains(stdout+stderr, "s3cret") ||
		!strings.Contains(stdout, "UNKNOWN: management API at http://ops:xxxxx@127.0.0.1:1/") ||
		!strings.Contains(stdout, "rabbitmq-plugins enable rabbitmq_management") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, env, "health", "--json")
	var rep health.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != exitUnknown || rep.Status != health.StatusUnknown || rep.ExitCode != exitUnknown {
		t.Errorf("exit %d, report %+v, %v", code, rep, err)
	}
}

func TestHealthManagementURIFromWarrenURI(t *testing.T) {
	if got := healthManagementURI(&cli{getenv: func(k string) string {
		if k == "WARREN_URI" {
			return "amqps://ops:pw@rabbit.example.com:5671/prod"
		}
		return ""
	}}, rabbit.Override{}); got != "https://ops:pw@rabbit.example.com:15671/" {
		t.Errorf("got %q", got)
	}
	if got := healthManagementURI(&cli{getenv: func(string) string { return "" }}, rabbit.Override{}); got != rabbit.DefaultManagementURI {
		t.Errorf("got %q", got)
	}
	flag := "http://flag/"
	if got := healthManagementURI(&cli{getenv: func(string) string { return "http://env/" }}, rabbit.Override{ManagementURI: &flag}); got != flag {
		t.Errorf("the flag must win over the environment, got %q", got)
	}
}

// Against the shared broker: whatever its state, the exit status is the
// report's, and --watch --count N prints N reports.
func TestHealthWatchOnTheSharedBroker(t *testing.T) {
	testbroker.Require(t)
	env := map[string]string{"WARREN_MANAGEMENT_URI": testbroker.ManagementURI()}
	code, stdout, stderr := runCLI(t, env, "health", "--vhost", "/", "--json", "--watch", "1s", "--count", "2")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("exit %d, %d lines, stderr %q:\n%s", code, len(lines), stderr, stdout)
	}
	var rep health.Report
	if err := json.Unmarshal([]byte(lines[1]), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Schema != health.SchemaHealth || rep.Taken == nil || rep.ExitCode != code || code == exitUnknown || rep.Counts["nodes"] == 0 {
		t.Errorf("exit %d, report %+v", code, rep)
	}
	if strings.Contains(stdout, "guest:guest") {
		t.Error("the password is printed")
	}
}

// --watch stops when the context is cancelled (Ctrl-C) and keeps the last
// verdict.
func TestHealthWatchStopsOnCancel(t *testing.T) {
	testbroker.Require(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	c := &cli{stdout: out, stderr: out, getenv: func(k string) string {
		if k == "WARREN_MANAGEMENT_URI" {
			return testbroker.ManagementURI()
		}
		return ""
	}}
	done := make(chan int)
	go func() { done <- run(ctx, []string{"health", "--watch", "1h"}, c) }()
	deadline := time.After(30 * time.Second)
	for !strings.Contains(out.String(), "warren health:") {
		select {
		case <-deadline:
			t.Fatalf("no report after 30 s: %q", out.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	cancel()
	select {
	case code := <-done:
		if code == exitUnknown {
			t.Errorf("exit %d after a good refresh:\n%s", code, out.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("--watch did not stop when cancelled")
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// vhostURI returns an AMQP URI for a vhost of a node.
func vhostURI(base, vhost string) string {
	return strings.TrimSuffix(base, "/") + "/" + url.PathEscape(vhost)
}

// mgmtClient connects rabbit-hole to a node's management API.
func mgmtClient(t *testing.T, uri string) *rabbithole.Client {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	pass, _ := u.User.Password()
	user := u.User.Username()
	u.User = nil
	c, err := rabbithole.NewClient(strings.TrimSuffix(u.String(), "/"), user, pass)
	if err != nil {
		t.Fatal(err)
	}
	c.SetTimeout(10 * time.Second)
	return c
}

// TestHealthAndLintOnAPrivateNode builds, in vhost "bad" of a private node,
// a growing queue without consumers, a non-durable queue without a
// dead-letter exchange and a dead-letter queue holding messages, and
// expects both commands to say critical; vhost "clean" exits 0.
func TestHealthAndLintOnAPrivateNode(t *testing.T) {
	n := testbroker.StartPrivate(t)
	api := mgmtClient(t, n.ManagementURI())
	for _, v := range []string{"bad", "clean"} {
		if _, err := api.PutVhost(v, rabbithole.VhostSettings{}); err != nil {
			t.Fatal(err)
		}
		if _, err := api.UpdatePermissionsIn(v, "guest", rabbithole.Permissions{Configure: ".*", Write: ".*", Read: ".*"}); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := amqp.Dial(vhostURI(n.URI(), "bad"))
	if err != nil {
		t.Fatal(err)
	}
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = ch.QueueDeclare("growing", true, false, false, false, amqp.Table{"x-dead-letter-exchange": "dlx"})
	must(err)
	_, err = ch.QueueDeclare("transient", false, false, false, false, nil)
	must(err)
	must(ch.ExchangeDeclare("dlx", "fanout", true, false, false, false, nil))
	_, err = ch.QueueDeclare("dead", true, false, false, false, amqp.Table{"x-max-length": 100_000, "x-overflow": "reject-publish"})
	must(err)
	must(ch.QueueBind("dead", "", "dlx", false, nil))
	_, err = ch.QueueDeclare("work", true, false, false, false, amqp.Table{"x-dead-letter-exchange": "dlx"})
	must(err)
	ctx := context.Background()
	publish := func(queue string, n int) {
		t.Helper()
		for i := 0; i < n; i++ {
			must(ch.PublishWithContext(ctx, "", queue, false, false, amqp.Publishing{Body: []byte("m")}))
		}
	}
	// Dead letters: work's messages rejected without requeue.
	publish("work", 25)
	for i := 0; i < 25; {
		d, ok, err := ch.Get("work", false)
		must(err)
		if !ok {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		must(d.Nack(false, false))
		i++
	}
	publish("transient", 5)
	publish("growing", 300)
	// Keep growing at 50 msg/s, on a channel of its own, until the test
	// ends (before the node stops).
	pubCtx, stopPub := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		pch, err := conn.Channel()
		if err != nil {
			return
		}
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-pubCtx.Done():
				return
			case <-tick.C:
				_ = pch.PublishWithContext(pubCtx, "", "growing", false, false, amqp.Publishing{Body: []byte("g")})
			}
		}
	}()
	t.Cleanup(func() {
		stopPub()
		wg.Wait()
		conn.Close()
	})

	env := map[string]string{"WARREN_MANAGEMENT_URI": n.ManagementURI()}
	// The management API refreshes its figures every 5 s and needs two
	// samples for a rate: poll until the findings are all there.
	want := map[string]health.Severity{
		"no-consumers/growing":   health.Critical,
		"queue-depth/growing":    health.Critical,
		"dead-letters/dead":      health.Critical,
		"no-consumers/transient": health.Warning,
	}
	var rep health.Report
	var code int
	var stdout string
	deadline := time.Now().Add(90 * time.Second)
	for {
		code, stdout, _ = runCLI(t, env, "health", "--vhost", "bad", "--thresholds", lintTestdata+"thresholds.yaml", "--json")
		rep = health.Report{}
		must(json.Unmarshal([]byte(stdout), &rep))
		got := map[string]health.Finding{}
		for _, f := range rep.Findings {
			got[f.Rule+"/"+f.Object.Name] = f
		}
		complete := strings.Contains(got["no-consumers/growing"].Figure, "growing")
		for k, sev := range want {
			if f, ok := got[k]; !ok || f.Severity != sev {
				complete = false
			}
		}
		if complete {
			if _, ok := got["dead-letters/growing"]; ok {
				t.Errorf("growing taken for a dead-letter queue: %+v", rep.Findings)
			}
			if _, ok := got["no-consumers/dead"]; ok {
				t.Errorf("the dead-letter queue is also reported as having no consumers")
			}
			t.Logf("%s: %s", "no-consumers/growing", got["no-consumers/growing"].Figure)
			t.Logf("%s: %s", "dead-letters/dead", got["dead-letters/dead"].Figure)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 90 s the findings are still incomplete (exit %d):\n%s", code, stdout)
		}
		time.Sleep(2 * time.Second)
	}
	if code != 2 || rep.ExitCode != 2 || rep.Status != health.StatusCritical {
		t.Errorf("health exit %d, report status %v", code, rep.Status)
	}
	// The table says the same.
	code, stdout, _ = runCLI(t, env, "health", "--vhost", "bad", "--thresholds", lintTestdata+"thresholds.yaml")
	if code != 2 || !strings.Contains(stdout, "CRITICAL: ") || !strings.Contains(stdout, "SEVERITY  RULE") {
		t.Errorf("exit %d:\n%s", code, stdout)
	}
	t.Logf("warren health --vhost bad:\n%s", stdout)

	code, stdout, _ = runCLI(t, env, "lint", "--vhost", "bad")
	if code != 2 {
		t.Errorf("lint exit %d:\n%s", code, stdout)
	}
	for _, want := range []string{
		"critical  queue-durable  queue transient (vhost bad)",
		"warning   dlx-missing  queue transient (vhost bad)",
		"warning   queue-unbounded  queue growing (vhost bad)",
		"warning   quorum-queue  queue dead (vhost bad)",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("lint output lacks %q:\n%s", want, stdout)
		}
	}
	for _, unwanted := range []string{"dlx-missing  queue dead", "dlx-unbound", "dlx-undeclared", "exchange amq."} {
		if strings.Contains(stdout, unwanted) {
			t.Errorf("lint output has %q:\n%s", unwanted, stdout)
		}
	}

	for _, cmd := range []string{"health", "lint"} {
		code, stdout, stderr := runCLI(t, env, cmd, "--vhost", "clean")
		if code != exitOK {
			t.Errorf("%s --vhost clean: exit %d, stderr %q:\n%s", cmd, code, stderr, stdout)
		}
		sc := bufio.NewScanner(strings.NewReader(stdout))
		sc.Scan()
		sc.Scan()
		if line := sc.Text(); !strings.HasPrefix(line, "OK:") {
			t.Errorf("%s --vhost clean: second line %q", cmd, line)
		}
	}
}
