package loadgen

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// DurabilitySchema names the format of durability.json.
const DurabilitySchema = "warren.durability/v1"

// DurabilityResult says what survived a broker restart.
type DurabilityResult struct {
	Schema      string              `json:"schema"`
	Scenario    string              `json:"scenario"`
	Environment results.Environment `json:"environment"`
	// RestartTook is how long the restart command ran.
	RestartTook scenarios.Duration `json:"restart_took"`
	Queues      []DurableQueue     `json:"queues"`
	// Safe is true when no confirmed persistent message in a durable queue
	// was lost: the guarantee a production setup relies on.
	Safe bool `json:"safe"`
}

// DurableQueue is what one queue held before the restart and gave back
// after it.
type DurableQueue struct {
	Queue   string `json:"queue"`
	Durable bool   `json:"durable"`
	Type    string `json:"type"`
	// Persistent is true when every publisher that reaches the queue sends
	// persistent messages, Confirmed when every one uses confirms.
	Persistent bool `json:"persistent"`
	Confirmed  bool `json:"confirmed"`
	// Expected is what the broker had confirmed (or, without confirms,
	// what was sent) into the queue before the restart.
	Expected int64 `json:"expected"`
	// Held is the message count the broker reported for the queue once
	// it was back and the count held still, before anything was
	// consumed. It may include messages of other runs.
	Held int64 `json:"held"`
	// Gone is set when the queue itself did not survive the restart.
	Gone      bool  `json:"gone,omitempty"`
	Recovered int64 `json:"recovered"`
	// StillQueued counts expected messages that were not consumed back
	// but are still in the queue: they survived, and are not lost.
	StillQueued int64 `json:"still_queued"`
	// Lost counts expected messages neither consumed back nor still in
	// the queue.
	Lost int64 `json:"lost"`
}

// Guaranteed reports whether the queue's setup promises survival: a durable
// queue, persistent messages, publisher confirms.
func (q DurableQueue) Guaranteed() bool { return q.Durable && q.Persistent && q.Confirmed }

// Bounds on the wait after a restart. A broker that boots on a busy machine
// and recovers large queues needs tens of seconds; these only keep a broker
// that never comes back from holding the check for ever.
const (
	// brokerBackWithin bounds the wait for the broker to accept AMQP
	// connections again.
	brokerBackWithin = 2 * time.Minute
	// settleWithin bounds the wait for each queue to answer a passive
	// declare with a count that holds still.
	settleWithin = 2 * time.Minute
	// settleFor is how long a queue's count must hold still before it is
	// taken as what the queue holds: a queue that is still recovering (a
	// quorum queue replaying its log, say) may report a count that grows.
	settleFor = time.Second
	// probeEvery spaces the passive declares of these waits.
	probeEvery = 100 * time.Millisecond
)

// VerifyDurability publishes what the scenario's publishers send (each
// group must be bounded by max_messages), waits for every confirm, calls
// restart, then consumes back what the broker kept and reports per queue
// what was confirmed against what was recovered.
//
// restart must return once the broker has been told to restart; it may
// return before the broker is up again. Afterwards, what decides is what the
// broker holds: each queue is waited for until a passive declare succeeds
// and its message count holds still, consumers take messages until that
// count is exhausted (not until deliveries pause), and a message still in
// its queue at the end is counted as still queued, never as lost. Consuming
// ends early only when no delivery comes for the scenario's drain time
// while the broker still reports messages.
func VerifyDurability(ctx context.Context, s *scenarios.Scenario, restart func(context.Context) error, opts ...Option) (*DurabilityResult, error) {
	for _, g := range s.Publishers {
		if g.MaxMessages <= 0 {
			return nil, fmt.Errorf("publishers %s: set max_messages: a durability check publishes a known number of messages", g.Name)
		}
	}
	r, err := newRunner(s, opts)
	if err != nil {
		return nil, err
	}
	setup, env, err := r.prepare()
	if err != nil {
		return nil, err
	}
	setup.Close()

	pubs, err := r.startPublishers()
	if err != nil {
		return nil, err
	}
	r.pubs = pubs
	r.start = time.Now()
	var wg sync.WaitGroup
	for _, p := range pubs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.run(ctx, r.start)
		}()
	}
	wg.Wait()
	for _, p := range pubs {
		p.close()
	}
	for _, l := range r.links {
		l.close()
	}
	r.links = nil
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}

	began := time.Now()
	if err := restart(ctx); err != nil {
		return nil, fmt.Errorf("restart the broker: %w", err)
	}
	took := time.Since(began)
	if err := r.awaitBroker(ctx, brokerBackWithin); err != nil {
		return nil, err
	}
	probe := &queueProbe{r: r}
	defer probe.close()
	held, gone, err := r.awaitQueues(ctx, probe)
	if err != nil {
		return nil, err
	}
	if len(gone) > 0 {
		// The consumers need the queues that did not survive (a
		// non-durable one, say) to exist again; what they held is lost.
		if err := probe.redeclare(); err != nil {
			return nil, err
		}
	}
	if err := r.consumeBack(ctx, probe, held); err != nil {
		return nil, err
	}
	// What is still queued survived the restart: it is not lost. A count
	// that cannot be read leaves the verdict open, so it is an error, not
	// a loss; a queue that is gone holds nothing.
	for name, q := range r.queues {
		n, err := probe.count(name)
		for try := 1; err != nil && !isNotFound(err) && try < 5; try++ {
			time.Sleep(probeEvery)
			n, err = probe.count(name)
		}
		switch {
		case isNotFound(err):
		case err != nil:
			return nil, fmt.Errorf("could not read how many messages queue %q still holds, so cannot tell what was lost: %w", name, err)
		default:
			q.setLeftover(n)
		}
	}

	res := &DurabilityResult{Schema: DurabilitySchema, Scenario: s.Name, Environment: env, RestartTook: scenarios.Duration(took.Round(time.Millisecond)), Safe: true}
	in := r.integrity()
	for _, qi := range in.Queues {
		q := r.queueSpec(qi.Queue)
		dq := DurableQueue{Queue: qi.Queue, Durable: outlivesRestart(q), Type: q.Type,
			Persistent: true, Confirmed: true, Expected: qi.Expected, Held: held[qi.Queue], Gone: gone[qi.Queue],
			Recovered: qi.Received, StillQueued: qi.Unconsumed, Lost: qi.Lost}
		for _, p := range pubs {
			if p.reaches(qi.Queue) {
				dq.Persistent = dq.Persistent && p.g.Persistent
				dq.Confirmed = dq.Confirmed && p.g.Confirm
			}
		}
		if dq.Guaranteed() && dq.Lost > 0 {
			res.Safe = false
		}
		res.Queues = append(res.Queues, dq)
	}
	sort.Slice(res.Queues, func(i, j int) bool { return res.Queues[i].Queue < res.Queues[j].Queue })
	return res, nil
}

// awaitQueues waits until each queue of the topology answers a passive
// declare with a message count that holds still for settleFor, and returns
// those counts. A queue the broker no longer knows is gone: at once for a
// queue that does not outlive a restart (a non-durable classic one), after
// settleWithin for one that should have. The queues are probed in turns, so
// the wait is settleFor, not settleFor per queue.
func (r *runner) awaitQueues(ctx context.Context, probe *queueProbe) (held map[string]int64, gone map[string]bool, err error) {
	type watch struct {
		q     scenarios.Queue
		last  int64
		since time.Time
	}
	var waiting []*watch
	for _, q := range r.s.Topology.Queues {
		waiting = append(waiting, &watch{q: q, last: -1})
	}
	held, gone = map[string]int64{}, map[string]bool{}
	deadline := time.Now().Add(settleWithin)
	for len(waiting) > 0 {
		next := waiting[:0]
		for _, w := range waiting {
			n, err := probe.count(w.q.Name)
			now := time.Now()
			late := now.After(deadline)
			switch {
			case isNotFound(err) && (late || !outlivesRestart(w.q)):
				gone[w.q.Name] = true
				continue
			case err != nil && late:
				return nil, nil, fmt.Errorf("queue %q did not answer within %s of the restart: %w", w.q.Name, settleWithin, err)
			case err != nil:
				w.last = -1
			case n != w.last:
				w.last, w.since = n, now
			case now.Sub(w.since) >= settleFor:
				held[w.q.Name] = n
				continue
			case late:
				return nil, nil, fmt.Errorf("the message count of queue %q still changed %s after the restart (now %d)", w.q.Name, settleWithin, n)
			}
			next = append(next, w)
		}
		waiting = next
		if len(waiting) == 0 {
			break
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(probeEvery):
		}
	}
	return held, gone, nil
}

// isNotFound tells a passive declare's "no such queue".
func isNotFound(err error) bool {
	var amqpErr *amqp.Error
	return errors.As(err, &amqpErr) && amqpErr.Code == amqp.NotFound
}

// outlivesRestart reports whether the broker keeps the queue itself across a
// restart: durable ones, and every quorum and stream queue.
func outlivesRestart(q scenarios.Queue) bool {
	return q.Durable || q.Type != "" && q.Type != scenarios.QueueClassic
}

// consumeBack runs the scenario's consumers until every queue they read has
// given what the broker reported holding and now reports none ready, or
// until no delivery has come for the scenario's drain time.
func (r *runner) consumeBack(ctx context.Context, probe *queueProbe, held map[string]int64) error {
	consumers, err := r.startConsumers()
	if err != nil {
		return err
	}
	defer func() {
		inParallel(consumers, (*consumer).stop)
		for _, l := range r.links {
			l.close()
		}
		r.links = nil
	}()
	pending := map[string]bool{}
	for _, g := range r.s.Consumers {
		if held[g.Queue] > 0 {
			pending[g.Queue] = true
		}
	}
	stall := r.s.Run.Drain.Std()
	if stall <= 0 {
		stall = scenarios.DefaultDrain
	}
	last, lastChange := int64(-1), time.Now()
	for len(pending) > 0 {
		var total int64
		for name := range r.queues {
			total += r.queues[name].taken()
		}
		now := time.Now()
		if total != last {
			last, lastChange = total, now
		}
		for name := range pending {
			if r.queues[name].taken() < held[name] {
				continue
			}
			// Everything the queue held has come; anything ready now
			// came back (a requeue) and is taken too.
			if n, err := probe.count(name); err == nil && n == 0 {
				delete(pending, name)
			}
		}
		if len(pending) == 0 || now.Sub(lastChange) > stall {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}

// queueProbe asks the broker for queue counts with passive declares on a
// connection of its own, opening a new channel after a failed declare (which
// closes it) and redialing after a lost connection.
type queueProbe struct {
	r    *runner
	conn *amqp.Connection
	ch   *amqp.Channel
}

func (p *queueProbe) channel() (*amqp.Channel, error) {
	if p.ch != nil && !p.ch.IsClosed() {
		return p.ch, nil
	}
	if p.conn == nil || p.conn.IsClosed() {
		conn, err := p.r.dial("durability-probe")
		if err != nil {
			return nil, err
		}
		p.conn = conn
	}
	ch, err := p.conn.Channel()
	if err != nil {
		return nil, err
	}
	p.ch = ch
	return ch, nil
}

// count returns the number of messages ready in the queue.
func (p *queueProbe) count(name string) (int64, error) {
	ch, err := p.channel()
	if err != nil {
		return 0, err
	}
	q, err := ch.QueueDeclarePassive(name, false, false, false, false, nil)
	if err != nil {
		return 0, err
	}
	return int64(q.Messages), nil
}

// redeclare declares the scenario's topology again.
func (p *queueProbe) redeclare() error {
	ch, err := p.channel()
	if err != nil {
		return err
	}
	return declare(ch, p.r.s.Topology)
}

func (p *queueProbe) close() {
	if p.conn != nil {
		p.conn.Close()
	}
}

// awaitBroker dials until the broker answers again after a restart.
func (r *runner) awaitBroker(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		conn, err := r.dial("await")
		if err == nil {
			conn.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the broker did not come back within %s of the restart: %w", limit, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (r *runner) queueSpec(name string) scenarios.Queue {
	for _, q := range r.s.Topology.Queues {
		if q.Name == name {
			return q
		}
	}
	return scenarios.Queue{Name: name}
}

// reaches reports whether any of the publisher's keys routes to queue.
func (p *publisher) reaches(queue string) bool {
	for _, qs := range p.routes {
		for _, q := range qs {
			if q == queue {
				return true
			}
		}
	}
	return false
}
