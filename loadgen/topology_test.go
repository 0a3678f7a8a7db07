package loadgen_test

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	rabbithole "github.com/michaelklishin/rabbit-hole/v2"

	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/scenarios"
)

// TestTopologyTakesEffect runs the dead-letter built-in and then asks the
// broker's management API what exists: the queue arguments, exchange types
// and bindings must be what the scenario says.
func TestTopologyTakesEffect(t *testing.T) {
	uri := testbroker.Require(t)
	mgmt := managementClient(t)
	s, err := scenarios.Builtin("dead-letter")
	if err != nil {
		t.Fatal(err)
	}
	prefix := testbroker.UniqueName(t, "topo") + "."
	s.Sweep = nil
	s.PrefixNames(prefix)
	s.Run.Duration = scenarios.Duration(2 * time.Second)
	s.ApplyDefaults()
	t.Cleanup(func() {
		for _, q := range s.Topology.Queues {
			mgmt.DeleteQueue("/", q.Name)
		}
		for _, e := range s.Topology.Exchanges {
			mgmt.DeleteExchange("/", e.Name)
		}
	})
	res, err := loadgen.Run(context.Background(), s, loadgen.WithURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range s.Topology.Queues {
		info, err := mgmt.GetQueue("/", q.Name)
		if err != nil {
			t.Fatalf("queue %s: %v", q.Name, err)
		}
		if info.Durable != q.Durable {
			t.Errorf("queue %s durable %v, want %v", q.Name, info.Durable, q.Durable)
		}
		want := map[string]any{}
		if q.MaxLength > 0 {
			want["x-max-length"] = float64(q.MaxLength)
		}
		if q.MessageTTL > 0 {
			want["x-message-ttl"] = float64(q.MessageTTL.Std().Milliseconds())
		}
		if q.DeadLetterExchange != "" {
			want["x-dead-letter-exchange"] = q.DeadLetterExchange
		}
		if q.Overflow != "" {
			want["x-overflow"] = q.Overflow
		}
		for k, v := range want {
			if got := info.Arguments[k]; got != v {
				t.Errorf("queue %s argument %s = %v, want %v", q.Name, k, got, v)
			}
		}
	}
	for _, e := range s.Topology.Exchanges {
		info, err := mgmt.GetExchange("/", e.Name)
		if err != nil {
			t.Fatalf("exchange %s: %v", e.Name, err)
		}
		if info.Type != e.Type || info.Durable != e.Durable {
			t.Errorf("exchange %s is %s durable=%v, want %s durable=%v", e.Name, info.Type, info.Durable, e.Type, e.Durable)
		}
	}
	bindings, err := mgmt.ListBindingsIn("/")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range s.Topology.Bindings {
		found := false
		for _, got := range bindings {
			if got.Source == b.Exchange && got.Destination == b.Queue && got.RoutingKey == b.Key {
				found = true
			}
		}
		if !found {
			t.Errorf("binding %s → %s (%q) not on the broker", b.Exchange, b.Queue, b.Key)
		}
	}
	// The consumers reject a share without requeue: those copies must have
	// reached the dead-letter queue.
	if res.Integrity.Rejected == 0 || res.Integrity.DeadLettered != res.Integrity.Rejected {
		t.Errorf("rejected %d, dead-lettered %d: want every reject dead-lettered", res.Integrity.Rejected, res.Integrity.DeadLettered)
	}
}

func managementClient(t *testing.T) *rabbithole.Client {
	t.Helper()
	return managementClientAt(t, testbroker.ManagementURI())
}

// managementClientAt is a client of the management API at uri, which
// carries the credentials.
func managementClientAt(t *testing.T, uri string) *rabbithole.Client {
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
	if _, err := c.Overview(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("management API at %s: %v", u, err)
		}
		t.Skipf("management API at %s does not answer: %v", u, err)
	}
	return c
}
