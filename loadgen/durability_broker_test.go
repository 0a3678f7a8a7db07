package loadgen_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	rabbithole "github.com/michaelklishin/rabbit-hole/v2"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/scenarios"
)

// private is one private node for this package's tests that kill, restart
// or otherwise disturb a broker: booting a node costs several seconds of CPU.
var private testbroker.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	if err := private.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// durCase is one queue of a durability matrix, fed by one publisher that
// sends perCase messages to it through the default exchange.
type durCase struct {
	suffix     string
	queue      scenarios.Queue
	size       int64
	persistent bool
	// keeps says whether the broker keeps the queue's confirmed messages
	// across a restart: the figure the test expects, known beforehand.
	keeps bool
}

const perCase = 300

// durScenario builds the scenario of a matrix: one queue, publisher and
// consumer per case.
func durScenario(prefix string, cases []durCase) *scenarios.Scenario {
	s := &scenarios.Scenario{Name: prefix + "matrix", Run: scenarios.RunSettings{Drain: scenarios.Duration(10 * time.Second)}}
	for _, c := range cases {
		q := c.queue
		q.Name = prefix + c.suffix
		s.Topology.Queues = append(s.Topology.Queues, q)
		s.Publishers = append(s.Publishers, scenarios.PublisherGroup{
			Name: c.suffix, Exchange: "", RoutingKeys: []string{q.Name}, Size: scenarios.ByteSize(c.size),
			Persistent: c.persistent, Confirm: true, ConfirmWindow: 100,
			Rate: scenarios.Rate{Unlimited: true}, MaxMessages: perCase,
		})
		s.Consumers = append(s.Consumers, scenarios.ConsumerGroup{Name: c.suffix, Queue: q.Name, Prefetch: 100})
	}
	s.ApplyDefaults()
	return s
}

// counter reads queue counts over a connection of its own: the figures the
// test holds warren's against.
type counter struct {
	t    *testing.T
	conn *amqp.Connection
}

func newCounter(t *testing.T, uri string) *counter {
	t.Helper()
	conn, err := amqp.Dial(uri)
	if err != nil {
		t.Fatalf("independent client: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return &counter{t: t, conn: conn}
}

// count is the queue's ready count, or -1 when the queue does not exist.
func (c *counter) count(queue string) (int, error) {
	ch, err := c.conn.Channel()
	if err != nil {
		return 0, err
	}
	defer ch.Close()
	q, err := ch.QueueDeclarePassive(queue, false, false, false, false, nil)
	var amqpErr *amqp.Error
	if errors.As(err, &amqpErr) && amqpErr.Code == amqp.NotFound {
		return -1, nil
	}
	return q.Messages, err
}

// await polls until the queue's count is want (a queue that recovers may
// report a smaller count for a moment) and returns the last count seen.
func (c *counter) await(queue string, want int) int {
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, err := c.count(queue)
		if err == nil && n == want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// take removes n messages from queue with basic.get: acked, they are gone;
// unacked, they stay with this client's channel, which is returned open.
func (c *counter) take(queue string, n int, ack bool) *amqp.Channel {
	c.t.Helper()
	ch, err := c.conn.Channel()
	if err != nil {
		c.t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		d, ok, err := ch.Get(queue, false)
		if err != nil || !ok {
			c.t.Fatalf("basic.get %d of %d from %s: ok %t, %v", i+1, n, queue, ok, err)
		}
		if ack {
			if err := d.Ack(false); err != nil {
				c.t.Fatal(err)
			}
		}
	}
	return ch
}

// TestVerifyDurabilityAfterCrash kills the node's Erlang VM with SIGKILL
// between publishing and consuming, and boots it on the same data: every
// confirmed persistent message in a durable queue must come back, whatever
// the body size (below and above the 4 KiB that classic queues embed in
// their index), in a lazy classic queue and in a quorum queue. Transient
// messages in classic queues are dropped and counted lost, quorum queues
// keep them, a non-durable queue loses everything. Another client takes 41
// messages from one queue before the crash and leaves them unacked: their
// consumption is delayed, not deleted, and they must not count as lost.
// (Messages acked just before a crash may come back: the broker writes
// acks to disk lazily, so the deletion test restarts gracefully.)
func TestVerifyDurabilityAfterCrash(t *testing.T) {
	node := private.Node(t)
	prefix := testbroker.UniqueName(t, "crash") + "."
	classic := scenarios.Queue{Durable: true}
	quorum := scenarios.Queue{Durable: true, Type: scenarios.QueueQuorum}
	cases := []durCase{
		{"classic-16B-persistent", classic, 16, true, true},
		{"classic-16B-transient", classic, 16, false, false},
		{"classic-1KiB-persistent", classic, 1024, true, true},
		{"classic-1KiB-transient", classic, 1024, false, false},
		{"classic-64KiB-persistent", classic, 64 << 10, true, true},
		{"classic-64KiB-transient", classic, 64 << 10, false, false},
		{"lazy-persistent", classic, 1024, true, true},
		{"lazy-transient", classic, 1024, false, false},
		{"quorum-persistent", quorum, 1024, true, true},
		{"quorum-transient", quorum, 1024, false, true},
		{"nondurable-persistent", scenarios.Queue{}, 1024, true, false},
		{"delayed", classic, 1024, true, true},
	}
	const delayed = 41
	s := durScenario(prefix, cases)

	mgmt := managementClientAt(t, node.ManagementURI())
	policy := testbroker.UniqueName(t, "lazy")
	if _, err := mgmt.PutPolicy("/", policy, rabbithole.Policy{
		Pattern: "^" + strings.ReplaceAll(prefix, ".", `\.`) + "lazy-", ApplyTo: "queues",
		Definition: rabbithole.PolicyDefinition{"queue-mode": "lazy"},
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mgmt.DeletePolicy("/", policy) })
	t.Cleanup(func() { deleteQueues(t, node.URI(), s) })

	ind := newCounter(t, node.URI())
	before := map[string]int{}
	after := map[string]int{}
	crash := func(context.Context) error {
		for _, q := range s.Topology.Queues {
			n, err := ind.count(q.Name)
			if err != nil {
				return err
			}
			before[q.Name] = n
		}
		// The management API shows a queue's policy with its next
		// statistics, some seconds after the declare.
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			info, err := mgmt.GetQueue("/", prefix+"lazy-persistent")
			if err == nil && info.Policy == policy {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("the lazy policy does not apply: %+v, %v", info, err)
			}
		}
		// Unacked on a channel that the crash ends: the broker must
		// still have them.
		ind.take(prefix+"delayed", delayed, false)
		if err := node.Kill(); err != nil {
			return err
		}
		boot := time.Now()
		if err := node.Start(); err != nil {
			return err
		}
		t.Logf("booted after the kill in %s", time.Since(boot).Round(time.Millisecond))
		ind = newCounter(t, node.URI())
		for _, c := range cases {
			name := prefix + c.suffix
			want := 0
			switch {
			case c.suffix == "nondurable-persistent":
				want = -1
			case c.keeps:
				want = before[name]
			}
			after[name] = ind.await(name, want)
		}
		return nil
	}
	start := time.Now()
	res, err := loadgen.VerifyDurability(context.Background(), s, crash, loadgen.WithURI(node.URI()))
	t.Logf("verify-durability took %s", time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	// Lost without a promise (transient messages, a non-durable queue)
	// does not make the broker unsafe.
	if !res.Safe {
		t.Errorf("not Safe: %+v", res.Queues)
	}
	got := map[string]loadgen.DurableQueue{}
	for _, q := range res.Queues {
		got[q.Queue] = q
	}
	for _, c := range cases {
		name := prefix + c.suffix
		q, ok := got[name]
		if !ok {
			t.Errorf("%s: not in the result", name)
			continue
		}
		t.Logf("%s: expected %d, held %d, recovered %d, still queued %d, lost %d (broker: %d before, %d after)", c.suffix, q.Expected, q.Held, q.Recovered, q.StillQueued, q.Lost, before[name], after[name])
		if q.Expected != perCase || before[name] != perCase {
			t.Errorf("%s: warren expected %d, the broker held %d before the crash: want %d confirmed", c.suffix, q.Expected, before[name], perCase)
		}
		wantLost := int64(0)
		if !c.keeps {
			wantLost = perCase
		}
		if q.Lost != wantLost || q.StillQueued != 0 || q.Recovered != perCase-wantLost {
			t.Errorf("%s: recovered %d, still queued %d, lost %d; want %d recovered, none still queued, %d lost", c.suffix, q.Recovered, q.StillQueued, q.Lost, perCase-wantLost, wantLost)
		}
		// The broker's own figure: what it held after the crash is what
		// warren took back.
		if held := max(after[name], 0); q.Held != int64(held) || q.Recovered != int64(held) {
			t.Errorf("%s: the broker held %d after the crash; warren says held %d, recovered %d", c.suffix, after[name], q.Held, q.Recovered)
		}
		if want := c.persistent && (c.queue.Durable || c.queue.Type == scenarios.QueueQuorum); q.Guaranteed() != want {
			t.Errorf("%s: guaranteed %t", c.suffix, q.Guaranteed())
		}
		if n, err := ind.count(name); err != nil || n != 0 {
			t.Errorf("%s: %d messages left in the queue after the check (%v)", c.suffix, n, err)
		}
	}
	if q := got[prefix+"nondurable-persistent"]; !q.Gone {
		t.Errorf("the non-durable queue is not reported gone: %+v", q)
	}
}

// TestVerifyDurabilityGracefulRestart stops the node cleanly and has the
// restart return while the node is still booting, as a restart command
// that starts the broker in the background does: warren must wait for the
// broker and its queues, and take everything back. Before the restart
// another client takes 37 messages from one durable queue and acks them:
// deleted, they must be reported lost, exactly those.
func TestVerifyDurabilityGracefulRestart(t *testing.T) {
	node := private.Node(t)
	prefix := testbroker.UniqueName(t, "graceful") + "."
	cases := []durCase{
		{"classic-persistent", scenarios.Queue{Durable: true}, 1024, true, true},
		{"classic-transient", scenarios.Queue{Durable: true}, 1024, false, false},
		{"deleted", scenarios.Queue{Durable: true}, 1024, true, true},
		{"quorum-persistent", scenarios.Queue{Durable: true, Type: scenarios.QueueQuorum}, 1024, true, true},
	}
	const deleted = 37
	s := durScenario(prefix, cases)
	t.Cleanup(func() { deleteQueues(t, node.URI(), s) })
	ind := newCounter(t, node.URI())
	before := map[string]int{}
	booted := make(chan error, 1)
	restart := func(context.Context) error {
		for _, q := range s.Topology.Queues {
			n, err := ind.count(q.Name)
			if err != nil {
				return err
			}
			before[q.Name] = n
		}
		ind.take(prefix+"deleted", deleted, true)
		if err := node.Stop(); err != nil {
			return err
		}
		go func() { booted <- node.Start() }()
		return nil
	}
	res, err := loadgen.VerifyDurability(context.Background(), s, restart, loadgen.WithURI(node.URI()))
	if bootErr := <-booted; bootErr != nil {
		t.Fatal(bootErr)
	}
	if err != nil {
		t.Fatal(err)
	}
	if res.Safe {
		t.Errorf("Safe after %d acknowledged messages were taken from %sdeleted before the restart", deleted, prefix)
	}
	ind = newCounter(t, node.URI())
	for i, q := range res.Queues {
		c := cases[i] // both sorted by name
		t.Logf("%+v", q)
		wantLost := int64(0)
		switch {
		case c.suffix == "deleted":
			wantLost = deleted
		case !c.keeps:
			wantLost = perCase
		}
		if q.Queue != prefix+c.suffix || before[q.Queue] != perCase || q.Expected != perCase || q.Lost != wantLost || q.Recovered != perCase-wantLost || q.StillQueued != 0 {
			t.Errorf("%s: broker held %d before; warren expected %d, recovered %d, still queued %d, lost %d; want %d lost of %d", q.Queue, before[q.Queue], q.Expected, q.Recovered, q.StillQueued, q.Lost, wantLost, perCase)
		}
		if n, err := ind.count(q.Queue); err != nil || n != 0 {
			t.Errorf("%s: %d messages left in the queue after the check (%v)", q.Queue, n, err)
		}
	}
}

// deleteQueues removes the scenario's queues, so a failed test leaves
// nothing behind on the node the package shares.
func deleteQueues(t *testing.T, uri string, s *scenarios.Scenario) {
	conn, err := amqp.Dial(uri)
	if err != nil {
		t.Logf("cleanup: %v", err)
		return
	}
	defer conn.Close()
	for _, q := range s.Topology.Queues {
		ch, err := conn.Channel()
		if err != nil {
			t.Logf("cleanup: %v", err)
			return
		}
		_, _ = ch.QueueDelete(q.Name, false, false, false)
		ch.Close()
	}
}

// TestVerifyDurabilitySlowConsumer delays consumption and nothing else: a
// consumer that takes 2 s per message, against a drain time of 1 s, cannot
// take back the 300 messages in time. What it leaves is still queued, as an
// independent client sees, and none of it may be called lost.
func TestVerifyDurabilitySlowConsumer(t *testing.T) {
	uri := testbroker.Require(t)
	prefix := testbroker.UniqueName(t, "slow") + "."
	s := durScenario(prefix, []durCase{{"slow", scenarios.Queue{Durable: true}, 64, true, true}})
	s.Run.Drain = scenarios.Duration(time.Second)
	s.Consumers[0].Prefetch = 1
	s.Consumers[0].ProcessingTime = scenarios.Duration(2 * time.Second)
	t.Cleanup(func() { deleteQueues(t, uri, s) })
	nothing := func(context.Context) error { return nil }
	res, err := loadgen.VerifyDurability(context.Background(), s, nothing, loadgen.WithURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	q := res.Queues[0]
	t.Logf("%+v", q)
	n, err := newCounter(t, uri).count(q.Queue)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Safe || q.Lost != 0 || q.Expected != perCase || q.Held != perCase || q.StillQueued == 0 || q.Recovered+q.StillQueued != perCase || int64(n) != q.StillQueued {
		t.Errorf("safe %t, expected %d, held %d, recovered %d, still queued %d (the broker holds %d), lost %d: want %d held, none lost, the rest still queued",
			res.Safe, q.Expected, q.Held, q.Recovered, q.StillQueued, n, q.Lost, perCase)
	}
}
