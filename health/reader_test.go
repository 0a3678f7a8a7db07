package health

import (
	"context"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/warrenmq/warren/internal/testbroker"
)

func TestDialUnreachableHidesThePassword(t *testing.T) {
	_, err := Dial(context.Background(), "http://admin:s3cret@127.0.0.1:1/", time.Second)
	if err == nil {
		t.Fatal("no error from a port nobody listens on")
	}
	if strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "admin:xxxxx@127.0.0.1:1") {
		t.Errorf("error %q", err)
	}
}

func TestDialRejectsNonHTTP(t *testing.T) {
	_, err := Dial(context.Background(), "amqp://guest:guest@127.0.0.1:5672/", time.Second)
	if err == nil || !strings.Contains(err.Error(), "want http://") || strings.Contains(err.Error(), "guest:guest") {
		t.Errorf("error %v", err)
	}
}

func TestDialCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Dial(ctx, testbroker.ManagementURI(), 5*time.Second); err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Errorf("error %v, want a cancelled request", err)
	}
}

// withQueue declares a transient queue on the shared broker holding n
// messages, deleted when the test ends.
func withQueue(t *testing.T, n int) string {
	t.Helper()
	uri := testbroker.Require(t)
	conn, err := amqp.Dial(uri)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	name := testbroker.UniqueName(t, "warren-health")
	if _, err := ch.QueueDeclare(name, false, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if ch, err := conn.Channel(); err == nil {
			_, _ = ch.QueueDelete(name, false, false, false)
		}
	})
	for i := 0; i < n; i++ {
		if err := ch.PublishWithContext(context.Background(), "", name, false, false, amqp.Publishing{Body: []byte("x")}); err != nil {
			t.Fatal(err)
		}
	}
	return name
}

func TestSnapshotAndLintInputFromTheSharedBroker(t *testing.T) {
	name := withQueue(t, 3)
	c, err := Dial(context.Background(), testbroker.ManagementURI(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if c.Version() == "" || strings.Contains(c.URI(), "guest:guest") {
		t.Errorf("version %q, URI %q", c.Version(), c.URI())
	}
	// The management API's figures lag by up to the statistics interval.
	var q *Queue
	var snap *Snapshot
	deadline := time.Now().Add(30 * time.Second)
	for q == nil || q.Ready != 3 {
		if time.Now().After(deadline) {
			t.Fatalf("queue %s never showed 3 ready messages: %+v", name, q)
		}
		time.Sleep(500 * time.Millisecond)
		if snap, err = c.Snapshot("/", time.Minute); err != nil {
			t.Fatal(err)
		}
		q = nil
		for i := range snap.Queues {
			if snap.Queues[i].Name == name {
				q = &snap.Queues[i]
			}
		}
	}
	if len(snap.Nodes) == 0 || !snap.Nodes[0].Running || snap.Nodes[0].MemLimit == 0 || snap.Nodes[0].FDTotal == 0 {
		t.Errorf("nodes %+v", snap.Nodes)
	}
	if q.Durable || q.Consumers != 0 || q.QueueType() != "classic" {
		t.Errorf("queue %+v", q)
	}
	found := false
	for _, f := range Check(snap, Defaults()) {
		if f.Rule == RuleNoConsumers && f.Object.Name == name {
			found = true
			if f.Severity != Warning || !strings.HasPrefix(f.Figure, "3 ready, 0 consumers") {
				t.Errorf("finding %+v", f)
			}
		}
	}
	if !found {
		t.Errorf("no no-consumers finding for %s", name)
	}

	in, err := c.LintInput("/")
	if err != nil {
		t.Fatal(err)
	}
	if in.LoggedInAs != "guest" || in.Version == "" {
		t.Errorf("logged in as %q, version %q", in.LoggedInAs, in.Version)
	}
	var rules []string
	for _, f := range Lint(in, nil) {
		if f.Object.Name == name {
			rules = append(rules, f.Rule)
			if f.Object.Vhost != "/" {
				t.Errorf("vhost %q", f.Object.Vhost)
			}
		}
	}
	if strings.Join(rules, " ") != "queue-durable dlx-missing queue-unbounded" {
		t.Errorf("lint of %s: %v", name, rules)
	}
}

func TestSnapshotOfAMissingVhost(t *testing.T) {
	testbroker.Require(t)
	c, err := Dial(context.Background(), testbroker.ManagementURI(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Snapshot(testbroker.UniqueName(t, "no-such-vhost"), time.Minute)
	if err == nil || !strings.Contains(err.Error(), "does the virtual host exist?") {
		t.Errorf("error %v", err)
	}
}
