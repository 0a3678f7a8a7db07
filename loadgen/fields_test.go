package loadgen_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/scenarios"
)

// fieldsScenario uses the scenario fields that the other broker tests do
// not: an alternate exchange, an internal exchange behind an
// exchange-to-exchange binding, length in bytes, a dead-letter routing key,
// raw x- arguments, single active consumer, a quorum queue's delivery limit,
// shared publisher connections, a message bound, mandatory returns,
// multiple acks, the heartbeat and the connection name.
const fieldsScenario = `
name: fields
broker:
  heartbeat: 7s
  connection_name: fieldcheck
topology:
  exchanges:
    - {name: f.main, type: topic, durable: true, alternate_exchange: f.unrouted}
    - {name: f.unrouted, type: fanout, durable: true}
    - {name: f.inner, type: direct, durable: true, internal: true}
    - {name: f.dlx, type: direct, durable: true}
    - {name: f.strict, type: direct, durable: true}
  queues:
    - name: f.work
      durable: true
      max_length: 100000
      max_length_bytes: 64MiB
      dead_letter_exchange: f.dlx
      dead_letter_routing_key: parked
      arguments: {x-queue-version: 2}
    - {name: f.single, durable: true, single_active_consumer: true}
    - {name: f.replicated, type: quorum, durable: true, delivery_limit: 4}
    - {name: f.unrouted, durable: true}
    - {name: f.parked, durable: true}
  bindings:
    - {exchange: f.main, queue: f.work, key: "job.*"}
    - {exchange: f.main, to_exchange: f.inner, key: "job.#"}
    - {exchange: f.inner, queue: f.single, key: job.a}
    - {exchange: f.main, queue: f.replicated, key: "job.a"}
    - {exchange: f.unrouted, queue: f.unrouted}
    - {exchange: f.dlx, queue: f.parked, key: parked}
publishers:
  - name: jobs
    count: 4
    connections: 2
    exchange: f.main
    routing_keys: [job.a, job.b, other]
    size: 64B
    confirm: true
    rate: 200/s
    max_messages: 600
  - name: strict
    exchange: f.strict
    routing_key: nowhere
    mandatory: true
    confirm: true          # the broker sends basic.return before the ack
    size: 64B
    rate: 50/s
consumers:
  - {name: work, queue: f.work, ack_mode: multiple, ack_every: 5, prefetch: 20}
  - {name: single, queue: f.single, count: 2}
  - {name: replicated, queue: f.replicated}
  - {queue: f.unrouted}
  - {queue: f.parked}
run:
  duration: 8s
  drain: 5s
`

func TestEveryTopologyFieldTakesEffect(t *testing.T) {
	uri := testbroker.Require(t)
	mgmt := managementClient(t)
	s, err := scenarios.Load(strings.NewReader(fieldsScenario), "fields.yaml")
	if err != nil {
		t.Fatal(err)
	}
	prefix := testbroker.UniqueName(t, "fields") + "."
	s.PrefixNames(prefix)
	s.ApplyDefaults()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, q := range s.Topology.Queues {
			mgmt.DeleteQueue("/", q.Name)
		}
		for _, e := range s.Topology.Exchanges {
			mgmt.DeleteExchange("/", e.Name)
		}
	})
	n := func(name string) string { return prefix + name }

	// While it runs: the connections' names and heartbeat.
	type seen struct{ publishers, heartbeat7 int }
	during := make(chan seen, 1)
	ran := make(chan struct{})
	go func() {
		var got seen
		defer func() { during <- got }()
		// The management API lists a connection once the broker has
		// emitted its statistics (every 5 s by default): ask until the
		// publishers' two connections are listed, or the run is over.
		for {
			conns, err := mgmt.ListConnections()
			if err != nil {
				t.Logf("list connections: %v", err)
			}
			var now seen
			for _, c := range conns {
				name, _ := c.ClientProperties["connection_name"].(string)
				if !strings.HasPrefix(name, "fieldcheck-") {
					continue
				}
				if strings.Contains(name, "-pub-jobs-") {
					now.publishers++
				}
				if c.Timeout == 7 {
					now.heartbeat7++
				}
			}
			if now.publishers >= got.publishers {
				got = now
			}
			if got.publishers >= 2 && got.heartbeat7 > 0 {
				return
			}
			select {
			case <-ran:
				return
			case <-time.After(250 * time.Millisecond):
			}
		}
	}()
	res, err := loadgen.Run(context.Background(), s, loadgen.WithURI(uri))
	close(ran)
	if err != nil {
		t.Fatal(err)
	}
	conns := <-during
	if conns.publishers != 2 {
		t.Errorf("the jobs group's 4 publishers should share 2 connections named fieldcheck-…; the broker saw %d", conns.publishers)
	}
	if conns.heartbeat7 == 0 {
		t.Error("no connection negotiated the 7 s heartbeat")
	}

	ex, err := mgmt.GetExchange("/", n("f.main"))
	if err != nil {
		t.Fatal(err)
	}
	if ex.Arguments["alternate-exchange"] != n("f.unrouted") {
		t.Errorf("f.main arguments %v: want alternate-exchange %s", ex.Arguments, n("f.unrouted"))
	}
	if inner, err := mgmt.GetExchange("/", n("f.inner")); err != nil || !inner.Internal {
		t.Errorf("f.inner should be internal: %+v, %v", inner, err)
	}
	for name, want := range map[string]map[string]any{
		"f.work": {"x-max-length-bytes": float64(64 << 20), "x-dead-letter-routing-key": "parked",
			"x-dead-letter-exchange": n("f.dlx"), "x-queue-version": float64(2), "x-max-length": float64(100000)},
		"f.single":     {"x-single-active-consumer": true},
		"f.replicated": {"x-queue-type": "quorum", "x-delivery-limit": float64(4)},
	} {
		q, err := mgmt.GetQueue("/", n(name))
		if err != nil {
			t.Fatalf("queue %s: %v", name, err)
		}
		for k, v := range want {
			if q.Arguments[k] != v {
				t.Errorf("queue %s argument %s = %v, want %v", name, k, q.Arguments[k], v)
			}
		}
	}
	bindings, err := mgmt.ListBindingsIn("/")
	if err != nil {
		t.Fatal(err)
	}
	e2e := false
	for _, b := range bindings {
		e2e = e2e || b.Source == n("f.main") && b.Destination == n("f.inner") && b.DestinationType == "exchange"
	}
	if !e2e {
		t.Error("the exchange-to-exchange binding f.main → f.inner is not on the broker")
	}

	// Routing took effect as the matcher says: job.a reaches f.work,
	// f.replicated and (through the internal exchange) f.single; job.b
	// only f.work; "other" matches nothing and goes to the alternate
	// exchange's queue.
	got := map[string]int64{}
	for _, q := range res.Integrity.Queues {
		got[strings.TrimPrefix(q.Queue, prefix)] = q.Received
	}
	if got["f.single"] == 0 || got["f.single"] != got["f.replicated"] || got["f.work"] <= got["f.single"] || got["f.unrouted"] == 0 {
		t.Errorf("copies per queue %v: want f.single = f.replicated (job.a), f.work more (job.a and job.b), f.unrouted some (other)", got)
	}
	if in := res.Integrity; in.Lost != 0 || in.Received != in.Expected {
		t.Errorf("integrity %+v", in)
	}
	// max_messages bounds the jobs group: 600 in all, the strict group's
	// messages on top; every strict message came back unroutable.
	strict := res.Summary.Published - 600
	if strict <= 0 || res.Summary.Returned != strict {
		t.Errorf("published %d (600 jobs expected, plus ~400 strict), returned %d: want every strict message returned", res.Summary.Published, res.Summary.Returned)
	}
}
