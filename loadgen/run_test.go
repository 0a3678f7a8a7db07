package loadgen_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// fanoutScenario sends to a topic exchange whose keys reach one, two or no
// queues, so the accounting must follow the routing to be right.
func fanoutScenario(t *testing.T, prefix string) *scenarios.Scenario {
	t.Helper()
	s := &scenarios.Scenario{
		Name: "fanout-accounting",
		Topology: scenarios.Topology{
			Cleanup:   true,
			Exchanges: []scenarios.Exchange{{Name: prefix + "x", Type: "topic", AutoDelete: true}},
			Queues: []scenarios.Queue{
				{Name: prefix + "all", AutoDelete: true},
				{Name: prefix + "a", AutoDelete: true},
			},
			Bindings: []scenarios.Binding{
				{Exchange: prefix + "x", Queue: prefix + "all", Key: "#"},
				{Exchange: prefix + "x", Queue: prefix + "a", Key: "a.*"},
			},
		},
		Publishers: []scenarios.PublisherGroup{{
			Count: 2, Exchange: prefix + "x", RoutingKeys: []string{"a.1", "b.1"},
			Size: 100, Confirm: true, ConfirmWindow: 50,
			Rate: scenarios.Rate{PerSecond: 400},
		}},
		Consumers: []scenarios.ConsumerGroup{
			{Queue: prefix + "all", Count: 2, Prefetch: 20},
			{Queue: prefix + "a", Count: 1, Prefetch: 20, AckMode: scenarios.AckMultiple, AckEvery: 5},
		},
		Run: scenarios.RunSettings{Duration: scenarios.Duration(2 * time.Second)},
	}
	s.ApplyDefaults()
	return s
}

func TestRunAccountsForFanout(t *testing.T) {
	uri := testbroker.Require(t)
	s := fanoutScenario(t, testbroker.UniqueName(t, "lg")+".")
	var hlog bytes.Buffer
	var ticks int
	res, err := loadgen.Run(context.Background(), s, loadgen.WithURI(uri), loadgen.WithHlog(&hlog),
		loadgen.WithProgress(func(loadgen.Progress) { ticks++ }))
	if err != nil {
		t.Fatal(err)
	}
	sum := res.Summary
	// 400 msg/s for 2 s: never more than the schedule; less only on a
	// starved machine, and then the result must say so.
	if sum.Published > 810 || sum.Published == 0 {
		t.Errorf("published %d, want about 800 (400 msg/s for 2 s)", sum.Published)
	}
	if sum.Published < 760 && !strings.Contains(strings.Join(res.Warnings, "\n"), "target") {
		t.Errorf("published %d of about 800 without a warning that the target was missed: %q", sum.Published, res.Warnings)
	}
	if sum.Confirmed != sum.Published {
		t.Errorf("confirmed %d, published %d", sum.Confirmed, sum.Published)
	}
	// Keys are chosen at random: "a.1" reaches both queues, "b.1" only
	// "all", so "all" expects every message and "a" about half.
	in := res.Integrity
	if len(in.Queues) != 2 {
		t.Fatalf("per-queue integrity: %+v", in.Queues)
	}
	var all, a results.QueueIntegrity
	for _, q := range in.Queues {
		switch {
		case strings.HasSuffix(q.Queue, ".all"):
			all = q
		case strings.HasSuffix(q.Queue, ".a"):
			a = q
		}
	}
	if all.Expected != sum.Published {
		t.Errorf("queue all expected %d copies, want every published message (%d)", all.Expected, sum.Published)
	}
	if a.Expected < sum.Published*4/10 || a.Expected > sum.Published*6/10 {
		t.Errorf("queue a expected %d copies, want about half of %d", a.Expected, sum.Published)
	}
	if in.Expected != all.Expected+a.Expected || in.Received != in.Expected || in.Lost != 0 || in.Duplicated != 0 {
		t.Errorf("integrity %+v: want every expected copy received once", in)
	}
	if sum.Consumed != in.Expected {
		t.Errorf("consumed %d, want %d", sum.Consumed, in.Expected)
	}
	// Deliveries per consumer: one entry for each of the three, adding up
	// to what was consumed, each queue's share with its own consumers.
	if len(res.Consumers) != 3 {
		t.Fatalf("deliveries per consumer: %+v", res.Consumers)
	}
	perQueue := map[string]int64{}
	for _, c := range res.Consumers {
		if c.Tag == "" || c.Group == "" || c.Delivered <= 0 {
			t.Errorf("consumer %+v", c)
		}
		perQueue[c.Queue] += c.Delivered
	}
	if perQueue[all.Queue] != all.Received || perQueue[a.Queue] != a.Received {
		t.Errorf("deliveries per queue %v; want %s: %d, %s: %d", perQueue, all.Queue, all.Received, a.Queue, a.Received)
	}
	for _, m := range []string{results.MetricEndToEnd, results.MetricEndToEndActual, results.MetricConfirm, results.MetricSendDelay} {
		l, ok := res.Latency[m]
		if !ok || l.Count == 0 {
			t.Errorf("no %s latency recorded", m)
		}
		if h, err := res.Histogram(m); err != nil || h == nil || h.TotalCount() != l.Count {
			t.Errorf("%s histogram does not decode to the summary's count: %v", m, err)
		}
	}
	if len(res.Series) < 2 || ticks < 2 {
		t.Errorf("series has %d seconds, progress ran %d times", len(res.Series), ticks)
	}
	if hlog.Len() == 0 {
		t.Error("latency.hlog stayed empty")
	}
}

func TestResultRoundTrip(t *testing.T) {
	uri := testbroker.Require(t)
	s := fanoutScenario(t, testbroker.UniqueName(t, "rt")+".")
	s.Run.Duration = scenarios.Duration(time.Second)
	res, err := loadgen.Run(context.Background(), s, loadgen.WithURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "result.json")
	if err := res.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	back, err := results.ReadResult(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Summary, res.Summary) || !reflect.DeepEqual(back.Integrity, res.Integrity) ||
		!reflect.DeepEqual(back.Latency, res.Latency) || !reflect.DeepEqual(back.Series, res.Series) {
		t.Error("result changed in a JSON round trip")
	}
	if back.Scenario.Name != s.Name || back.Scenario.Publishers[0].Rate != s.Publishers[0].Rate {
		t.Errorf("scenario changed in a round trip: %+v", back.Scenario.Publishers[0])
	}
}

func TestRunRefusesABadScenario(t *testing.T) {
	s := &scenarios.Scenario{Name: "bad", Consumers: []scenarios.ConsumerGroup{{Queue: "nowhere", Count: 1}}}
	s.ApplyDefaults()
	if _, err := loadgen.Run(context.Background(), s, loadgen.WithURI("amqp://guest:guest@127.0.0.1:1/")); err == nil {
		t.Fatal("a scenario that fails validation ran")
	}
}

// TestConsumerCancelledByBroker deletes the queue under a running consumer:
// the broker cancels it, and the result must say so.
func TestConsumerCancelledByBroker(t *testing.T) {
	uri := testbroker.Require(t)
	name := testbroker.UniqueName(t, "cancel")
	s := &scenarios.Scenario{
		Name:     "cancel",
		Topology: scenarios.Topology{Queues: []scenarios.Queue{{Name: name, AutoDelete: true}}},
		Publishers: []scenarios.PublisherGroup{{
			Exchange: "", RoutingKeys: []string{name}, Size: 64, Confirm: true, Rate: scenarios.Rate{PerSecond: 200},
		}},
		Consumers: []scenarios.ConsumerGroup{{Queue: name, Count: 1, Prefetch: 10}},
		Run:       scenarios.RunSettings{Duration: scenarios.Duration(3 * time.Second), Drain: scenarios.Duration(time.Second)},
	}
	s.Run.Duration = scenarios.Duration(30 * time.Second) // ended by the test
	s.ApplyDefaults()
	// Once messages flow, delete the queue; once 100 more have been
	// published into the void, end the run.
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	deleted := make(chan struct{})
	var deleting bool
	var after int64 = -1 // published when the deletion was seen done
	progress := func(p loadgen.Progress) {
		switch {
		case !deleting && p.Consumed > 0:
			deleting = true
			go func() {
				if err := deleteQueue(uri, name); err != nil {
					t.Errorf("deleting the queue: %v", err)
					stop()
				}
				close(deleted)
			}()
		case deleting && after < 0:
			select {
			case <-deleted:
				after = p.Published
			default:
			}
		case after >= 0 && p.Published >= after+100:
			stop()
		}
	}
	res, err := loadgen.Run(ctx, s, loadgen.WithURI(uri), loadgen.WithProgress(progress))
	if err != nil {
		t.Fatal(err)
	}
	var cancelled bool
	for _, e := range res.Events {
		cancelled = cancelled || e.Kind == results.EventCancelled
	}
	if !cancelled {
		t.Errorf("no cancellation among the events: %+v", res.Events)
	}
	// The events say the queue was deleted, not that it should be
	// declared first: the run declared it.
	var toldDeleted bool
	for _, e := range res.Events {
		if strings.Contains(e.Message, "declare it first") {
			t.Errorf("event %s: %q gives the hint for a queue never declared", e.Kind, e.Message)
		}
		toldDeleted = toldDeleted || e.Kind == results.EventCancelled && strings.Contains(e.Message, "queue "+name+" no longer exists: something deleted it during the run")
	}
	if !toldDeleted {
		t.Errorf("no event says the queue was deleted: %+v", res.Events)
	}
	if w := strings.Join(res.Warnings, "\n"); !strings.Contains(w, "queue "+name+" no longer existed when the run ended") {
		t.Errorf("no warning that the queue was gone at the end:\n%s", w)
	}
	// What was published after the queue went is confirmed but reaches
	// nobody: the accounting must not call that a success.
	if res.Integrity.Lost == 0 {
		t.Errorf("integrity %+v: messages published after the queue was deleted count as lost", res.Integrity)
	}
}

func deleteQueue(uri, name string) error {
	conn, err := amqp.Dial(uri)
	if err != nil {
		return err
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return err
	}
	_, err = ch.QueueDelete(name, false, false, false)
	return err
}

// TestLateIsNotLost stops consumers that cannot keep up before they drain
// the queue: what is left in the queue is reported as unconsumed, not lost.
func TestLateIsNotLost(t *testing.T) {
	uri := testbroker.Require(t)
	name := testbroker.UniqueName(t, "late")
	s := &scenarios.Scenario{
		Name:     "late",
		Topology: scenarios.Topology{Queues: []scenarios.Queue{{Name: name}}, Cleanup: true},
		Publishers: []scenarios.PublisherGroup{{
			Exchange: "", RoutingKeys: []string{name}, Size: 64, Confirm: true, Rate: scenarios.Rate{PerSecond: 400},
		}},
		Consumers: []scenarios.ConsumerGroup{{Queue: name, Count: 1, Prefetch: 10, Rate: scenarios.Rate{PerSecond: 100}}},
		Run:       scenarios.RunSettings{Duration: scenarios.Duration(2 * time.Second), Drain: scenarios.Duration(500 * time.Millisecond)},
	}
	s.ApplyDefaults()
	res, err := loadgen.Run(context.Background(), s, loadgen.WithURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	in := res.Integrity
	if in.Lost != 0 || in.Unconsumed == 0 || in.Received+in.Unconsumed != in.Expected {
		t.Errorf("integrity %+v: want the backlog reported as unconsumed, nothing lost", in)
	}
}

// TestRunAbandonedBeforePublishing stops a run after its consumers and
// publishers have started but before anything is published: Run returns
// the error, publishes nothing, and leaves no consumer on the queues.
func TestRunAbandonedBeforePublishing(t *testing.T) {
	uri := testbroker.Require(t)
	s := fanoutScenario(t, testbroker.UniqueName(t, "abandon")+".")
	for i := range s.Topology.Queues {
		s.Topology.Queues[i].AutoDelete = false // so that the queues outlive their consumers
	}
	conn, err := amqp.Dial(uri)
	if err != nil {
		t.Fatal(err)
	}
	// The connection stays open for the cleanup, which runs after the test
	// function has returned (a deferred Close would run first and leave the
	// queues behind on the shared broker).
	t.Cleanup(func() {
		defer conn.Close()
		if ch, err := conn.Channel(); err == nil {
			for _, q := range s.Topology.Queues {
				ch.QueueDelete(q.Name, false, false, false)
			}
			ch.ExchangeDelete(s.Topology.Exchanges[0].Name, false, false)
		}
	})
	refuse := errors.New("the run directory is not writable")
	res, err := loadgen.Run(context.Background(), s, loadgen.WithURI(uri),
		loadgen.WithStarted(func(results.StartInfo) error { return refuse }))
	if !errors.Is(err, refuse) || res != nil {
		t.Fatalf("Run = %v, %v; want the start callback's error", res, err)
	}
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range s.Topology.Queues {
		got, err := ch.QueueDeclarePassive(q.Name, false, false, false, false, nil)
		if err != nil {
			t.Fatalf("queue %s: %v", q.Name, err)
		}
		if got.Consumers != 0 || got.Messages != 0 {
			t.Errorf("queue %s after an abandoned run: %d consumers, %d messages; want none", q.Name, got.Consumers, got.Messages)
		}
	}
}

// TestRunRefusesCleanupInASharedRun: an instance of a shared run must not
// delete the topology the other instances still use. Run refuses before
// it reaches any broker.
func TestRunRefusesCleanupInASharedRun(t *testing.T) {
	s := oneQueueScenario("shared-cleanup", 100, time.Second)
	s.Topology.Cleanup = true
	for name, opt := range map[string]loadgen.Option{
		"run id":      loadgen.WithRunID("nightly-42"),
		"instance id": loadgen.WithInstanceID("pod-0"),
	} {
		res, err := loadgen.Run(context.Background(), s, opt, loadgen.WithURI("amqp://guest:guest@127.0.0.1:1/"))
		if !errors.Is(err, loadgen.ErrSharedCleanup) || res != nil || !strings.Contains(err.Error(), "warren merge --cleanup") {
			t.Errorf("%s: Run = %v, %v; want ErrSharedCleanup naming the alternative", name, res, err)
		}
	}
}
