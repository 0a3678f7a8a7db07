package loadgen

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

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
	Expected  int64 `json:"expected"`
	Recovered int64 `json:"recovered"`
	Lost      int64 `json:"lost"`
}

// Guaranteed reports whether the queue's setup promises survival: a durable
// queue, persistent messages, publisher confirms.
func (q DurableQueue) Guaranteed() bool { return q.Durable && q.Persistent && q.Confirmed }

// VerifyDurability publishes what the scenario's publishers send (each
// group must be bounded by max_messages), waits for every confirm, calls
// restart, then consumes everything back and reports per queue what was
// confirmed against what was recovered. restart must return once the
// broker has been told to restart; the consumers wait for it to answer.
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
	if err := r.awaitBroker(ctx, time.Minute); err != nil {
		return nil, err
	}

	consumers, err := r.startConsumers()
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(max(s.Run.Drain.Std(), 10*time.Second))
	for time.Now().Before(deadline) && r.receivedCopies() < r.expectedCopies() && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
	}
	// Whatever the queues still hand out within a moment is counted too.
	time.Sleep(200 * time.Millisecond)
	for _, c := range consumers {
		c.stop()
	}
	for _, l := range r.links {
		l.close()
	}

	res := &DurabilityResult{Schema: DurabilitySchema, Scenario: s.Name, Environment: env, RestartTook: scenarios.Duration(took.Round(time.Millisecond)), Safe: true}
	in := r.integrity()
	for _, qi := range in.Queues {
		q := r.queueSpec(qi.Queue)
		dq := DurableQueue{Queue: qi.Queue, Durable: q.Durable || q.Type != scenarios.QueueClassic, Type: q.Type,
			Persistent: true, Confirmed: true, Expected: qi.Expected, Recovered: qi.Received, Lost: qi.Lost}
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
