package loadgen_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// These tests disturb the broker (purge, memory alarm, restart, closed
// connections), so they run on the package's private node, one after
// another, never on the shared broker. Each names its queues uniquely and
// deletes them, and puts back what it changed on the node when it fails.

func oneQueueScenario(name string, rate float64, d time.Duration) *scenarios.Scenario {
	s := &scenarios.Scenario{
		Name: name,
		Topology: scenarios.Topology{
			Queues: []scenarios.Queue{{Name: name, Durable: true}},
		},
		Publishers: []scenarios.PublisherGroup{{
			Exchange: "", RoutingKeys: []string{name}, Size: 64,
			Confirm: true, ConfirmWindow: 50, Rate: scenarios.Rate{PerSecond: rate},
		}},
		Consumers: []scenarios.ConsumerGroup{{Queue: name, Count: 1, Prefetch: 200}},
		Run:       scenarios.RunSettings{Duration: scenarios.Duration(d), Drain: scenarios.Duration(4 * time.Second)},
	}
	s.ApplyDefaults()
	return s
}

// ctlStep is one rabbitmqctl command for disrupt, and the pause after it.
type ctlStep struct {
	args  []string
	pause time.Duration
}

// disrupt waits until messages flow and then for before, runs the steps
// against node one after another, then calls stop after a last pause: it
// plays an operator during a run. rabbitmqctl takes a second or more to
// start, so timings count from when each command returns. wait blocks until
// it is done and returns the first failure.
func disrupt(node *testbroker.Node, stop func(), flow <-chan struct{}, before, after time.Duration, steps ...ctlStep) (wait func() error) {
	done := make(chan error, 1)
	go func() {
		defer stop()
		<-flow
		time.Sleep(before)
		for _, st := range steps {
			if out, err := node.Ctl(st.args...); err != nil {
				done <- fmt.Errorf("rabbitmqctl %s: %v: %s", strings.Join(st.args, " "), err, out)
				return
			}
			time.Sleep(st.pause)
		}
		time.Sleep(after)
		done <- nil
	}()
	return func() error { return <-done }
}

// flowing returns an option whose channel closes at the first progress
// report that shows messages consumed: the run is under way, however long
// its start took on a busy machine. Progress comes once a second.
func flowing() (loadgen.Option, <-chan struct{}) {
	ch := make(chan struct{})
	var once sync.Once
	return loadgen.WithProgress(func(p loadgen.Progress) {
		if p.Consumed > 0 {
			once.Do(func() { close(ch) })
		}
	}), ch
}

// onPrivate returns the package's private node and a scenario with one
// durable queue named for the test, deleted when the test ends.
func onPrivate(t *testing.T, prefix string, rate float64, d time.Duration) (*testbroker.Node, *scenarios.Scenario) {
	t.Helper()
	node := private.Node(t)
	s := oneQueueScenario(testbroker.UniqueName(t, prefix), rate, d)
	t.Cleanup(func() { deleteQueues(t, node.URI(), s) })
	return node, s
}

// resetWatermarkOnFailure puts the node's memory high watermark back to its
// default when the test fails with the alarm raised.
func resetWatermarkOnFailure(t *testing.T, node *testbroker.Node) {
	t.Cleanup(func() {
		if t.Failed() {
			if out, err := node.Ctl("set_vm_memory_high_watermark", "0.4"); err != nil {
				t.Logf("resetting the memory watermark: %v: %s", err, out)
			}
		}
	})
}

// TestPurgeIsCountedAsLost purges the queue in the middle of a run: the
// report must say exactly how many messages were lost.
func TestPurgeIsCountedAsLost(t *testing.T) {
	node, s := onPrivate(t, "purge-me", 500, 4*time.Second)
	queue := s.Topology.Queues[0].Name
	// A slow consumer lets a backlog build, so the purge takes something.
	s.Consumers[0].Rate = scenarios.Rate{PerSecond: 350}

	purged := make(chan int, 1)
	go func() {
		// Purge once a backlog has built up, however slow the machine.
		conn, err := amqp.Dial(node.URI())
		if err != nil {
			purged <- -1
			return
		}
		defer conn.Close()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			ch, err := conn.Channel()
			if err != nil {
				break
			}
			q, err := ch.QueueDeclarePassive(queue, true, false, false, false, nil)
			if err == nil && q.Messages >= 100 {
				n, err := ch.QueuePurge(queue, false)
				if err != nil {
					n = -1
				}
				purged <- n
				return
			}
			if err == nil {
				ch.Close()
			}
		}
		purged <- -1
	}()
	res, err := loadgen.Run(context.Background(), s, loadgen.WithURI(node.URI()))
	if err != nil {
		t.Fatal(err)
	}
	n := <-purged
	if n <= 0 {
		t.Fatalf("the purge took %d messages: the test needs a backlog (consumed %d of %d, samples %+v)", n, res.Summary.Consumed, res.Summary.Published, res.Broker.Samples)
	}
	in := res.Integrity
	if in.Lost != int64(n) {
		t.Errorf("purged %d messages, the result says %d lost (%+v)", n, in.Lost, in)
	}
	if in.Duplicated != 0 {
		t.Errorf("duplicated %d", in.Duplicated)
	}
	t.Logf("purged %d, lost %d, expected %d, received %d", n, in.Lost, in.Expected, in.Received)
}

// TestStallShowsInIntendedLatency blocks publishers with a memory alarm for
// two seconds: latency from the intended send must show the stall, latency
// from the actual send hides most of it, and the result records the block.
func TestStallShowsInIntendedLatency(t *testing.T) {
	node, s := onPrivate(t, "stall", 2000, time.Minute)
	resetWatermarkOnFailure(t, node)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	// The run is stopped by cancellation some seconds after the alarm
	// clears.
	progress, flow := flowing()
	wait := disrupt(node, stop, flow, 2*time.Second, 3*time.Second,
		ctlStep{[]string{"set_vm_memory_high_watermark", "0.0000001"}, 2 * time.Second},
		ctlStep{[]string{"set_vm_memory_high_watermark", "0.4"}, 0})
	res, err := loadgen.Run(ctx, s, loadgen.WithURI(node.URI()), progress)
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	intended := res.Latency[results.MetricEndToEnd]
	actual := res.Latency[results.MetricEndToEndActual]
	t.Logf("intended: p99 %dµs max %dµs; actual: p99 %dµs max %dµs; events %v", intended.P99, intended.Max, actual.P99, actual.Max, res.Events)
	if intended.Max < 2_000_000 || intended.P99 < 1_000_000 {
		t.Errorf("latency from the intended send does not show the 2 s stall: p99 %dµs, max %dµs", intended.P99, intended.Max)
	}
	if actual.P99*2 > intended.P99 {
		t.Errorf("latency from the actual send (p99 %dµs) should hide most of the stall that the intended one shows (p99 %dµs)", actual.P99, intended.P99)
	}
	var blocked, unblocked bool
	for _, e := range res.Events {
		blocked = blocked || e.Kind == results.EventBlocked
		unblocked = unblocked || e.Kind == results.EventUnblocked
	}
	if !blocked || !unblocked {
		t.Errorf("the block was not recorded: events %+v", res.Events)
	}
	if !strings.Contains(strings.Join(res.Warnings, "\n"), "the broker blocked publishing connections") {
		t.Errorf("no warning that the broker blocked publishers: %q", res.Warnings)
	}
	if res.Integrity.Lost != 0 {
		t.Errorf("a memory alarm lost %d messages", res.Integrity.Lost)
	}
}

// TestSurvivesBrokerRestart restarts the broker in the middle of a
// confirmed, persistent run into a durable queue: the run must complete,
// record the outage, and lose nothing that was confirmed.
func TestSurvivesBrokerRestart(t *testing.T) {
	node, s := onPrivate(t, "restart", 300, time.Minute)
	s.Publishers[0].Persistent = true
	s.Run.Drain = scenarios.Duration(10 * time.Second)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	// Restart once messages flow; end the run once 600 more (two
	// seconds' worth) were published after the node came back.
	var (
		mu        sync.Mutex
		published int64
		back      = int64(-1) // published when the node was back
	)
	restarted := make(chan error, 1)
	var once sync.Once
	progress := loadgen.WithProgress(func(p loadgen.Progress) {
		mu.Lock()
		defer mu.Unlock()
		published = p.Published
		if p.Consumed > 0 {
			once.Do(func() {
				go func() {
					err := node.Restart()
					mu.Lock()
					back = published
					mu.Unlock()
					if err != nil {
						stop()
					}
					restarted <- err
				}()
			})
		}
		if back >= 0 && p.Published >= back+600 {
			stop()
		}
	})
	res, err := loadgen.Run(ctx, s, loadgen.WithURI(node.URI()), progress)
	select {
	case err := <-restarted:
		if err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatal("the run ended before the node was restarted")
	}
	if err != nil {
		t.Fatal(err)
	}
	in := res.Integrity
	t.Logf("published %d, confirmed %d, consumed %d; integrity %+v; outages %+v", res.Summary.Published, res.Summary.Confirmed, res.Summary.Consumed, in, res.Outages)
	if len(res.Outages) == 0 {
		t.Error("no outage recorded across a broker restart")
	}
	for _, o := range res.Outages {
		if o.End.IsZero() {
			t.Errorf("outage of %s never ended", o.Link)
		}
		if o.Cause == "" {
			t.Errorf("outage of %s has no cause", o.Link)
		}
	}
	if in.Lost != 0 {
		t.Errorf("%d confirmed persistent messages were lost across the restart", in.Lost)
	}
	// Consumers came back too: what was confirmed was consumed, not left
	// in the queue (which would count as unconsumed, not lost).
	if in.Unconsumed != 0 || in.Received != in.Expected {
		t.Errorf("consumers did not take everything after the restart: %+v", in)
	}
	// The run was ended once publishing had carried on for 600 messages
	// after the node was back; one that did not carry on ran to its minute.
	mu.Lock()
	atBack := back
	mu.Unlock()
	if res.Summary.Published < atBack+600 {
		t.Errorf("the run did not carry on after the restart: published %d, %d when the node was back", res.Summary.Published, atBack)
	}
}

// TestSurvivesClosedConnections closes every client connection in the
// middle of a run, as an operator might.
func TestSurvivesClosedConnections(t *testing.T) {
	node, s := onPrivate(t, "closeall", 300, time.Minute)
	s.Publishers[0].Persistent = true
	s.Run.Drain = scenarios.Duration(10 * time.Second)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	progress, flow := flowing()
	wait := disrupt(node, stop, flow, 2*time.Second, 3*time.Second,
		ctlStep{[]string{"close_all_connections", "test"}, 0})
	res, err := loadgen.Run(ctx, s, loadgen.WithURI(node.URI()), progress)
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("integrity %+v; outages %d", res.Integrity, len(res.Outages))
	if len(res.Outages) == 0 {
		t.Error("no outage recorded")
	}
	// A message recorded just before the close, whose ack had not reached
	// the broker, comes again flagged redelivered: a duplicate, but only
	// as many as were redelivered.
	if in := res.Integrity; in.Lost != 0 || in.Duplicated > in.Redelivered || in.Unconsumed != 0 || in.Received != in.Expected || in.Expected == 0 {
		t.Errorf("integrity after close_all_connections (consumers must come back and take everything): %+v", in)
	}
}

// TestRepublishUnconfirmed holds a publisher's sends unconfirmed behind a
// memory alarm, then closes every connection: without
// republish_unconfirmed those sends count as unconfirmed; with it they go
// out again on the new channel, get confirmed and arrive, and nothing is
// unconfirmed or lost.
func TestRepublishUnconfirmed(t *testing.T) {
	node := private.Node(t)
	resetWatermarkOnFailure(t, node)
	for _, republish := range []bool{false, true} {
		s := oneQueueScenario(testbroker.UniqueName(t, fmt.Sprintf("republish-%t", republish)), 500, time.Minute)
		t.Cleanup(func() { deleteQueues(t, node.URI(), s) })
		s.Publishers[0].Republish = republish
		ctx, stop := context.WithCancel(context.Background())
		// The alarm blocks the publisher's connection: the broker reads
		// none of its sends, so the whole confirm window is outstanding
		// when the connections close.
		progress, flow := flowing()
		wait := disrupt(node, stop, flow, 2*time.Second, 3*time.Second,
			ctlStep{[]string{"set_vm_memory_high_watermark", "0.0000001"}, time.Second},
			ctlStep{[]string{"close_all_connections", "test"}, time.Second},
			ctlStep{[]string{"set_vm_memory_high_watermark", "0.4"}, time.Second})
		res, err := loadgen.Run(ctx, s, loadgen.WithURI(node.URI()), loadgen.WithManagementURI(node.ManagementURI()), progress)
		ctlErr := wait()
		stop()
		if ctlErr != nil {
			t.Fatal(ctlErr)
		}
		if err != nil {
			t.Fatal(err)
		}
		in := res.Integrity
		t.Logf("republish %t: published %d, republished %d; integrity %+v; outages %d", republish, res.Summary.Published, res.Summary.Republished, in, len(res.Outages))
		if len(res.Outages) == 0 {
			t.Errorf("republish %t: no outage recorded: the connections were not closed", republish)
		}
		if in.Lost != 0 || in.Unconsumed != 0 || in.Received != in.Expected || in.Expected == 0 {
			t.Errorf("republish %t: integrity %+v, want every confirmed message received", republish, in)
		}
		if !republish {
			if in.Unconfirmed == 0 || in.Republished != 0 || res.Summary.Republished != 0 {
				t.Errorf("without republish: %d unconfirmed, %d republished; want some unconfirmed, none republished", in.Unconfirmed, in.Republished)
			}
			continue
		}
		if in.Republished == 0 || in.Unconfirmed != 0 {
			t.Errorf("with republish: %d republished, %d unconfirmed; want some republished, none unconfirmed", in.Republished, in.Unconfirmed)
		}
		if res.Summary.Republished != in.Republished {
			t.Errorf("summary says %d republished, accounting %d", res.Summary.Republished, in.Republished)
		}
		if in.Duplicated > in.Republished+in.Redelivered {
			t.Errorf("%d duplicated, more than the %d republished and %d redelivered", in.Duplicated, in.Republished, in.Redelivered)
		}
		// Every message counts once however often it was sent.
		if want := res.Summary.Published; in.Expected != want {
			t.Errorf("expected %d copies, want one per published message (%d)", in.Expected, want)
		}
	}
}

// TestManagementOfAnotherBroker points a run at a private node and the
// management API at the shared broker, as the default address (port 15672
// of the AMQP host) would when two brokers share a host: the run must not
// report the other broker's memory as this one's, and must say why.
func TestManagementOfAnotherBroker(t *testing.T) {
	node, s := onPrivate(t, "other-mgmt", 100, 2*time.Second)
	other := testbroker.ManagementURI()
	s.Run.Drain = scenarios.Duration(time.Second)
	res, err := loadgen.Run(context.Background(), s, loadgen.WithURI(node.URI()), loadgen.WithManagementURI(other))
	if err != nil {
		t.Fatal(err)
	}
	warnings := strings.Join(res.Warnings, "\n")
	t.Log(warnings)
	if res.Broker.Source != results.SourcePassive || !strings.Contains(warnings, "but the AMQP URI reaches cluster") {
		t.Errorf("source %q, warnings %q: want passive sampling and a warning naming both clusters", res.Broker.Source, warnings)
	}
	for _, smp := range res.Broker.Samples {
		if smp.MemoryLimit != 0 {
			t.Fatalf("a sample holds broker memory (%d of %d B) from the other broker's management API", smp.MemoryUsed, smp.MemoryLimit)
		}
	}
	// The same refusal stops a calibration: calibrate's
	// TestRunRefusesManagementOfAnotherBroker.
}
