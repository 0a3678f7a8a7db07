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
	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// These tests break the package's private node (stop it, freeze it, raise
// its memory alarm) while a run goes on, and check that the verdict claims
// no more than was seen.

// deleteQueuesAfter deletes the scenario's queues on the node when the test
// ends, passed or failed, so that the node shared by the package's tests
// holds nothing of this one.
func deleteQueuesAfter(t *testing.T, node *testbroker.Node, s *scenarios.Scenario) {
	t.Cleanup(func() {
		if err := node.Start(); err != nil { // a test may have left it stopped
			t.Logf("cleanup: %v", err)
			return
		}
		conn, err := amqp.Dial(node.URI())
		if err != nil {
			t.Logf("cleanup: %v", err)
			return
		}
		defer conn.Close()
		for _, q := range s.Topology.Queues {
			if ch, err := conn.Channel(); err == nil {
				if _, err := ch.QueueDelete(q.Name, false, false, false); err != nil {
					t.Logf("cleanup: delete queue %s: %v", q.Name, err)
				}
				ch.Close()
			}
		}
	})
}

// queueDepth asks the node how many messages a queue holds.
func queueDepth(t *testing.T, node *testbroker.Node, name string) int {
	t.Helper()
	conn, err := amqp.Dial(node.URI())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	q, err := ch.QueueDeclarePassive(name, true, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	return q.Messages
}

// at returns an option that calls f once, on a goroutine of its own, at the
// first progress report at or past elapsed: a disruption timed by the run's
// own clock, not by the test's (setting up a run on a busy machine may take
// seconds). wait returns f's error once f has returned.
func at(elapsed time.Duration, f func() error) (opt loadgen.Option, wait func() error) {
	var once sync.Once
	done := make(chan error, 1)
	opt = loadgen.WithProgress(func(p loadgen.Progress) {
		if p.Elapsed >= elapsed {
			once.Do(func() { go func() { done <- f() }() })
		}
	})
	return opt, func() error {
		select {
		case err := <-done:
			return err
		case <-time.After(2 * time.Minute):
			return fmt.Errorf("the disruption planned at %s never ran or never ended", elapsed)
		}
	}
}

// TestBrokerDownAtTheEndIsUnknown stops the broker while the run goes on, so
// the end-of-run check cannot ask it what the queue still holds: the
// undelivered confirmed copies are unknown, never lost, and the verdict says
// why. Started again, the broker shows it kept them.
func TestBrokerDownAtTheEndIsUnknown(t *testing.T) {
	node := private.Node(t)
	name := testbroker.UniqueName(t, "down")
	s := oneQueueScenario(name, 300, 6*time.Second)
	s.Publishers[0].Persistent = true
	// A slow consumer leaves a backlog for the stop to strand.
	s.Consumers[0].Rate = scenarios.Rate{PerSecond: 100}
	s.Run.Drain = scenarios.Duration(time.Second)
	deleteQueuesAfter(t, node, s)

	stop, stopped := at(2*time.Second, node.Stop)
	res, err := loadgen.Run(context.Background(), s, loadgen.WithURI(node.URI()), stop)
	if err := stopped(); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	in := res.Integrity
	t.Logf("published %d, confirmed %d, consumed %d; integrity %+v", res.Summary.Published, res.Summary.Confirmed, res.Summary.Consumed, in)
	if in.Unknown == 0 || in.Lost != 0 || in.Unconsumed != 0 || in.Received+in.Unknown != in.Expected {
		t.Fatalf("integrity %+v: want every undelivered confirmed copy unknown, none lost or unconsumed", in)
	}
	if len(in.Queues) != 1 || !strings.Contains(in.Queues[0].UnknownWhy, "cannot reach a broker") {
		t.Errorf("queue integrity %+v: want the reason the broker could not be asked (it was down)", in.Queues)
	}
	warnings := strings.Join(res.Warnings, "\n")
	if !strings.Contains(warnings, textfmt.Count(in.Unknown)+" confirmed copies are unknown") || strings.Contains(warnings, "were lost") {
		t.Errorf("warnings should call %d copies unknown and none lost:\n%s", in.Unknown, warnings)
	}

	// The broker kept them: every unknown copy is still in the queue
	// (with, on top, what was delivered but not acked before the stop).
	if err := node.Start(); err != nil {
		t.Fatal(err)
	}
	if depth := queueDepth(t, node, name); int64(depth) < in.Unknown {
		t.Errorf("after the restart the queue holds %d messages, fewer than the %d unknown", depth, in.Unknown)
	} else {
		t.Logf("after the restart the queue holds %d messages; %d were unknown", depth, in.Unknown)
	}
}

// TestUnsentCountedAsLowerBounds holds publishers behind a memory alarm
// for the whole publishing time: the messages the schedule had due are
// counted as unsent, the warning says how many, and the end-to-end
// histogram from the intended send holds them as lower bounds, so its
// maximum covers the stall.
func TestUnsentCountedAsLowerBounds(t *testing.T) {
	node := private.Node(t)
	name := testbroker.UniqueName(t, "unsent")
	const rate, window = 1000, 50
	s := oneQueueScenario(name, rate, 4*time.Second)
	s.Publishers[0].ConfirmWindow = window
	s.Run.Drain = scenarios.Duration(5 * time.Second)
	deleteQueuesAfter(t, node, s)
	lift := func() error {
		_, err := node.Ctl("set_vm_memory_high_watermark", "0.4")
		return err
	}
	t.Cleanup(func() { lift() })
	if _, err := node.Ctl("set_vm_memory_high_watermark", "0.0000001"); err != nil {
		t.Fatal(err)
	}
	// Lifted once publishing has ended, so that the drain takes what the
	// publisher had sent.
	opt, lifted := at(s.Run.Duration.Std(), lift)
	res, err := loadgen.Run(context.Background(), s, loadgen.WithURI(node.URI()), opt)
	if err := lifted(); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	blocked := false
	for _, e := range res.Events {
		blocked = blocked || e.Kind == results.EventBlocked
	}
	if !blocked {
		t.Fatalf("the alarm never blocked the publisher: events %+v", res.Events)
	}
	stall := s.Run.Duration.Std()
	sum := res.Summary
	e2e := res.Latency[results.MetricEndToEnd]
	t.Logf("published %d, unsent %d; end-to-end max %s, count %d, consumed %d",
		sum.Published, sum.Unsent, time.Duration(e2e.Max)*time.Microsecond, e2e.Count, sum.Consumed)
	// Every message due was unsent but for what went out before the block
	// held the publisher: at most the confirm window, and what the broker
	// took before it blocked the connection.
	if want := int64(rate*stall.Seconds()) - 2*window; sum.Unsent < want || sum.Unsent+sum.Published > int64(rate*stall.Seconds())+1 {
		t.Errorf("%d unsent and %d published, want at least %d unsent of the %.0f due", sum.Unsent, sum.Published, want, rate*stall.Seconds())
	}
	if e2e.Count != sum.Consumed+sum.Unsent {
		t.Errorf("end-to-end histogram holds %d values, want %d consumed + %d unsent", e2e.Count, sum.Consumed, sum.Unsent)
	}
	// The first unsent message was due within the first tenth of a
	// second, so its lower bound nearly spans the stall.
	if got := time.Duration(e2e.Max) * time.Microsecond; got < stall-200*time.Millisecond {
		t.Errorf("end-to-end max %s does not cover the %s stall", got, stall)
	}
	if w := strings.Join(res.Warnings, "\n"); !strings.Contains(w, textfmt.Count(sum.Unsent)+" messages due by the rate schedule were never sent") {
		t.Errorf("no warning with the unsent count %d:\n%s", sum.Unsent, w)
	}
	if in := res.Integrity; in.Lost != 0 || in.Unknown != 0 {
		t.Errorf("integrity %+v: an alarm loses nothing", in)
	}
}
