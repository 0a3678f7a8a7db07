package loadgen_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// TestThousandsOfClients runs 1,000 publishers and 1,000 consumers in one
// process, spread over 50 connections each, at a modest total rate: every
// channel must open, every message must be accounted for, and the
// goroutines must be gone afterwards.
func TestThousandsOfClients(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: 2,000 channels take a while to open")
	}
	uri := testbroker.Require(t)
	prefix := testbroker.UniqueName(t, "scale")
	const queues = 20
	s := &scenarios.Scenario{Name: "thousands", Topology: scenarios.Topology{Cleanup: true}}
	s.Topology.Exchanges = []scenarios.Exchange{{Name: prefix + ".x", Type: "direct", AutoDelete: true}}
	keys := make([]string, queues)
	for i := range queues {
		q := prefix + ".q" + string(rune('a'+i))
		keys[i] = q
		s.Topology.Queues = append(s.Topology.Queues, scenarios.Queue{Name: q, AutoDelete: true})
		s.Topology.Bindings = append(s.Topology.Bindings, scenarios.Binding{Exchange: prefix + ".x", Queue: q, Key: q})
		s.Consumers = append(s.Consumers, scenarios.ConsumerGroup{Name: "c" + string(rune('a'+i)), Queue: q, Count: 50, Connections: 3, Prefetch: 10})
	}
	s.Publishers = []scenarios.PublisherGroup{{
		Count: 1000, Connections: 50, Exchange: prefix + ".x", RoutingKeys: keys,
		Size: 64, Confirm: true, ConfirmWindow: 8, Rate: scenarios.Rate{PerSecond: 2000},
	}}
	s.Run = scenarios.RunSettings{Duration: scenarios.Duration(4 * time.Second)}
	s.ApplyDefaults()

	before := runtime.NumGoroutine()
	began := time.Now()
	res, err := loadgen.Run(context.Background(), s, loadgen.WithURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("run took %s in all for 4 s of publishing; published %d, consumed %d; %+v; generator %+v",
		time.Since(began).Round(time.Millisecond), res.Summary.Published, res.Summary.Consumed, res.Integrity, res.Generator)
	in := res.Integrity
	// On a busy machine the publishers may fall behind their 2,000 msg/s;
	// what matters here is that every client worked and nothing was lost.
	if in.Lost != 0 || in.Duplicated != 0 || in.Unconfirmed != 0 || in.Expected < 2000 {
		t.Errorf("integrity %+v", in)
	}
	for _, e := range res.Events {
		if e.Kind == results.EventError || e.Kind == results.EventDisconnected {
			t.Errorf("event %s: %s", e.Kind, e.Message)
		}
	}
	// Goroutines wind down after the run (the client library's readers
	// exit as their connections close).
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before+10 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+10 {
		t.Errorf("%d goroutines after the run, %d before", n, before)
	}
}
