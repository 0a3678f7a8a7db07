package loadgen_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/scenarios"
)

// The tests below make each counter of the integrity table count something,
// with a figure known beforehand, so that a counter that stopped counting
// (or counted twice) fails a test.

// TestRedeliveryCountsDuplicatedAndReordered closes the consumer's
// connection while it holds 10 messages it has recorded but not acked (it
// acks every 20, and only 10 come). The broker requeues them and delivers
// them again, flagged redelivered, in their order: each is seen twice
// (10 redelivered, 10 duplicated), and 9 of them come after a later
// sequence number than their own (reordered). Nothing is lost.
func TestRedeliveryCountsDuplicatedAndReordered(t *testing.T) {
	node := private.Node(t)
	p := testbroker.UniqueName(t, "redeliver") + "."
	s := &scenarios.Scenario{
		Name: "redeliver",
		// Not auto-delete: the queue must outlive its consumer's connection.
		Topology: scenarios.Topology{Queues: []scenarios.Queue{{Name: p + "q"}}},
		Publishers: []scenarios.PublisherGroup{
			{Name: "ten", Exchange: "", RoutingKeys: []string{p + "q"}, Size: 64, Confirm: true, ConfirmWindow: 10,
				Rate: scenarios.Rate{Unlimited: true}, MaxMessages: 10},
			// Keeps the run in its publishing phase until the test
			// has seen the redeliveries; its messages reach no queue.
			{Name: "ticker", Exchange: "", RoutingKeys: []string{p + "nowhere"}, Size: 64, Rate: scenarios.Rate{PerSecond: 10}},
		},
		Consumers: []scenarios.ConsumerGroup{{Queue: p + "q", Prefetch: 20, AckMode: scenarios.AckMultiple, AckEvery: 20}},
		Run:       scenarios.RunSettings{Duration: scenarios.Duration(30 * time.Second), Drain: scenarios.Duration(5 * time.Second)},
	}
	s.ApplyDefaults()
	t.Cleanup(func() { deleteQueues(t, node.URI(), s) })

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var once sync.Once
	closed := make(chan error, 1)
	progress := func(pr loadgen.Progress) {
		switch {
		case pr.Consumed >= 20:
			stop() // the redeliveries came
		case pr.Consumed >= 10:
			// Every message is recorded and none acked: close the
			// connections (rabbitmqctl needs a second or two, so not
			// from the collector's goroutine).
			once.Do(func() {
				go func() {
					_, err := node.Ctl("close_all_connections", "test")
					closed <- err
				}()
			})
		}
	}
	res, err := loadgen.Run(ctx, s, loadgen.WithURI(node.URI()), loadgen.WithProgress(progress))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("the connections were never closed: consumed %d", res.Summary.Consumed)
	}
	in := res.Integrity
	t.Logf("consumed %d; integrity %+v", res.Summary.Consumed, in)
	if in.Expected != 10 || in.Received != 10 || in.Lost != 0 || in.Unconsumed != 0 {
		t.Errorf("expected %d, received %d, lost %d, unconsumed %d: want 10 received of 10", in.Expected, in.Received, in.Lost, in.Unconsumed)
	}
	if in.Redelivered != 10 || in.Duplicated != 10 || in.Reordered != 9 || res.Summary.Consumed != 20 {
		t.Errorf("redelivered %d, duplicated %d, reordered %d, consumed %d: want 10, 10, 9 and 20", in.Redelivered, in.Duplicated, in.Reordered, res.Summary.Consumed)
	}
}

// TestRejectDeadLetterReturnCounts rejects or nacks, without requeue, every
// one of 50 messages into a queue with a dead-letter exchange (50 rejected,
// 50 dead-lettered, none lost), and publishes 20 mandatory messages that no
// queue takes (20 returned).
func TestRejectDeadLetterReturnCounts(t *testing.T) {
	uri := testbroker.Require(t)
	p := testbroker.UniqueName(t, "counts") + "."
	s := &scenarios.Scenario{
		Name: "counts",
		Topology: scenarios.Topology{
			Exchanges: []scenarios.Exchange{{Name: p + "x", Type: scenarios.ExchangeDirect}, {Name: p + "dlx", Type: scenarios.ExchangeFanout}},
			Queues:    []scenarios.Queue{{Name: p + "work", DeadLetterExchange: p + "dlx"}, {Name: p + "dead"}},
			Bindings:  []scenarios.Binding{{Exchange: p + "x", Queue: p + "work", Key: "work"}, {Exchange: p + "dlx", Queue: p + "dead"}},
			Cleanup:   true,
		},
		Publishers: []scenarios.PublisherGroup{
			{Name: "work", Exchange: p + "x", RoutingKeys: []string{"work"}, Size: 64, Confirm: true, ConfirmWindow: 50,
				Rate: scenarios.Rate{Unlimited: true}, MaxMessages: 50},
			{Name: "stray", Exchange: p + "x", RoutingKeys: []string{"nowhere"}, Size: 64, Confirm: true, ConfirmWindow: 20,
				Mandatory: true, Rate: scenarios.Rate{Unlimited: true}, MaxMessages: 20},
		},
		Consumers: []scenarios.ConsumerGroup{
			{Name: "refuse", Queue: p + "work", Prefetch: 10, RejectRate: 0.5, NackRate: 0.5},
			{Name: "dead", Queue: p + "dead", Prefetch: 10},
		},
		Run: scenarios.RunSettings{Drain: scenarios.Duration(5 * time.Second)},
	}
	s.ApplyDefaults()
	t.Cleanup(func() { deleteQueues(t, uri, s) })
	res, err := loadgen.Run(context.Background(), s, loadgen.WithURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	in := res.Integrity
	t.Logf("summary %+v; integrity %+v", res.Summary, in)
	if in.Expected != 50 || in.Lost != 0 || in.Rejected != 50 || in.DeadLettered != 50 {
		t.Errorf("expected %d, lost %d, rejected %d, dead-lettered %d: want 50, 0, 50, 50", in.Expected, in.Lost, in.Rejected, in.DeadLettered)
	}
	if res.Summary.Returned != 20 || res.Summary.Published != 70 {
		t.Errorf("published %d, returned %d: want 70 published, 20 returned", res.Summary.Published, res.Summary.Returned)
	}
}

// TestUnconfirmedCounts publishes with confirms to an exchange the broker
// does not have: it closes the channel at the first message, no confirm
// comes, and every message is unconfirmed (and expected nowhere). At 20
// msg/s the publisher learns of each close before its next send; at an
// unlimited rate the sends after a close fail on the closed channel, which
// is counted the same.
func TestUnconfirmedCounts(t *testing.T) {
	uri := testbroker.Require(t)
	missing := testbroker.UniqueName(t, "missing")
	for _, tc := range []struct {
		rate scenarios.Rate
		n    int64
	}{
		{scenarios.Rate{PerSecond: 20}, 5},
		{scenarios.Rate{Unlimited: true}, 20000},
	} {
		s := &scenarios.Scenario{
			Name:     "unconfirmed",
			Topology: scenarios.Topology{Declare: scenarios.DeclareNone},
			Publishers: []scenarios.PublisherGroup{{Exchange: missing, RoutingKeys: []string{"k"}, Size: 64, Confirm: true,
				ConfirmWindow: int(tc.n), Rate: tc.rate, MaxMessages: tc.n}},
			Run: scenarios.RunSettings{Drain: scenarios.Duration(time.Second)},
		}
		s.ApplyDefaults()
		res, err := loadgen.Run(context.Background(), s, loadgen.WithURI(uri))
		if err != nil {
			t.Fatal(err)
		}
		in := res.Integrity
		t.Logf("%s: summary %+v; unconfirmed %d; warnings %q", tc.rate, res.Summary, in.Unconfirmed, res.Warnings)
		if in.Unconfirmed != tc.n || in.Expected != 0 || res.Summary.Confirmed != 0 {
			t.Errorf("%s: unconfirmed %d, expected %d, confirmed %d: want %d unconfirmed, nothing expected or confirmed", tc.rate, in.Unconfirmed, in.Expected, res.Summary.Confirmed, tc.n)
		}
		if res.Summary.Published == tc.n && tc.rate.Unlimited {
			t.Logf("no send failed on a closed channel this time: only the unconfirmed sends were counted")
		}
		if want := fmt.Sprintf("%d messages got no confirm from the broker", tc.n); !strings.Contains(strings.Join(res.Warnings, "\n"), want) {
			t.Errorf("%s: no warning %q: %q", tc.rate, want, res.Warnings)
		}
	}
}
