package loadgen

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/warrenmq/warren/scenarios"
)

// queueTracker accounts for what one queue delivered, across all the
// consumers of that queue (a duplicate may reach two different consumers).
type queueTracker struct {
	name string

	mu          sync.Mutex
	seen        map[uint64]*SeqSet // by publisher id
	received    int64
	duplicates  int64
	reordered   int64
	redelivered int64
	foreign     int64
	rejected    int64
	unique      int64
}

func newQueueTracker(name string) *queueTracker {
	return &queueTracker{name: name, seen: map[uint64]*SeqSet{}}
}

// record notes one delivery and reports whether it was new.
func (q *queueTracker) record(st *Stamp, redelivered bool) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.received++
	if redelivered {
		q.redelivered++
	}
	set := q.seen[st.Publisher]
	if set == nil {
		set = &SeqSet{}
		q.seen[st.Publisher] = set
	}
	if !set.Add(st.Seq) {
		q.duplicates++
		return false
	}
	q.unique++
	return true
}

func (q *queueTracker) recordForeign() {
	q.mu.Lock()
	q.foreign++
	q.mu.Unlock()
}

func (q *queueTracker) addReordered(n int64) {
	q.mu.Lock()
	q.reordered += n
	q.mu.Unlock()
}

func (q *queueTracker) addRejected() {
	q.mu.Lock()
	q.rejected++
	q.mu.Unlock()
}

func (q *queueTracker) rejectedCount() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.rejected
}

func (q *queueTracker) distinct() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.unique
}

func (q *queueTracker) redeliveredCount() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.redelivered
}

func (q *queueTracker) foreignCount() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.foreign
}

// integrity reconciles the queue's deliveries with what publishers had
// confirmed for it. A message that was nacked or never confirmed is not
// expected; if it arrives anyway it is not counted as received either, so
// that lost = expected − received holds exactly.
func (q *queueTracker) integrity(expected int64, pubs []*publisher) QueueIntegrity {
	q.mu.Lock()
	defer q.mu.Unlock()
	received := q.unique
	for _, p := range pubs {
		set := q.seen[p.id]
		if set == nil {
			continue
		}
		for _, seq := range p.notAckedSeqs() {
			if set.Contains(seq) {
				received--
			}
		}
	}
	lost := expected - received
	if lost < 0 {
		lost = 0
	}
	return QueueIntegrity{
		Queue:      q.name,
		Expected:   expected,
		Received:   received,
		Lost:       lost,
		Duplicated: q.duplicates,
		Reordered:  q.reordered,
	}
}

// consumer is one consuming goroutine with its own channel.
type consumer struct {
	r      *runner
	g      *scenarios.ConsumerGroup
	tag    string
	ch     *amqp.Channel
	q      *queueTracker
	rec    *Recorder
	done   chan struct{}
	cancel chan struct{}
	once   sync.Once
	rng    *rand.Rand // outcomes and processing times, seeded from run.seed
	pacer  Pacer      // the consume-rate limit, or nil
}

// startConsumers opens the consumers' connections (never the publishers')
// and starts consuming.
func (r *runner) startConsumers() ([]*consumer, error) {
	var out []*consumer
	var conns []*amqp.Connection
	fail := func(err error) ([]*consumer, error) {
		for _, c := range out {
			c.stop()
		}
		for _, c := range conns {
			c.Close()
		}
		return nil, err
	}
	for gi := range r.s.Consumers {
		g := &r.s.Consumers[gi]
		nconn := g.Connections
		if nconn <= 0 || nconn > g.Count {
			nconn = g.Count
		}
		gconns := make([]*amqp.Connection, nconn)
		for i := range gconns {
			c, err := r.dial(fmt.Sprintf("con-%s-%d", g.Name, i))
			if err != nil {
				return fail(err)
			}
			gconns[i] = c
			conns = append(conns, c)
		}
		for i := 0; i < g.Count; i++ {
			c := &consumer{
				r:      r,
				g:      g,
				tag:    fmt.Sprintf("warren-%s-%s-%d", r.instanceID, g.Name, i),
				q:      r.queues[g.Queue],
				rec:    r.newRecorder(),
				done:   make(chan struct{}),
				cancel: make(chan struct{}),
			}
			c.rng = rand.New(rand.NewPCG(seedFor(r.seed, uint64(len(out))<<32|0xc0)))
			if !c.g.Rate.IsZero() && c.g.Rate.Kind() != scenarios.RateUnlimited {
				c.pacer = pacerFor(c.g.Rate.Scale(1 / float64(g.Count)))
			}
			deliveries, err := c.open(gconns[i%nconn])
			if err != nil {
				return fail(err)
			}
			out = append(out, c)
			go c.run(deliveries)
		}
	}
	r.consumerConns = conns
	return out, nil
}

func (c *consumer) open(conn *amqp.Connection) (<-chan amqp.Delivery, error) {
	ch, err := conn.Channel()
	if err != nil {
		return nil, fmt.Errorf("consumers %s: open channel: %w", c.g.Name, err)
	}
	c.ch = ch
	if c.g.AckMode != scenarios.AckAuto && !c.g.BasicGet {
		if err := ch.Qos(c.g.Prefetch, 0, c.g.GlobalPrefetch); err != nil {
			return nil, fmt.Errorf("consumers %s: set prefetch %d: %w", c.g.Name, c.g.Prefetch, err)
		}
	}
	if c.g.BasicGet {
		return c.poll(), nil
	}
	d, err := ch.Consume(c.g.Queue, c.tag, c.g.AckMode == scenarios.AckAuto, false, false, false, nil)
	if err != nil {
		return nil, explainDeclareError(fmt.Sprintf("consumer on queue %q", c.g.Queue), err)
	}
	return d, nil
}

// run handles deliveries until the channel's delivery stream ends (after a
// Cancel, or when the broker closes the channel).
func (c *consumer) run(deliveries <-chan amqp.Delivery) {
	defer close(c.done)
	last := map[uint64]uint64{} // publisher → last seq seen by this consumer
	var reordered int64
	manual := c.g.AckMode != scenarios.AckAuto
	every := uint64(1)
	if c.g.AckMode == scenarios.AckMultiple {
		every = uint64(c.g.AckEvery)
	}
	var pending uint64
	var lastTag uint64
	runID := c.r.runID
	rejects := c.g.RejectRate > 0 || c.g.NackRate > 0
	varied := c.g.ProcessingTimeMax > c.g.ProcessingTime
	limited := c.pacer != nil
	var n uint64
	var start time.Time // of the consume-rate schedule: the first delivery
	for d := range deliveries {
		now := time.Now()
		if n == 0 {
			start = now
		}
		outcome := scenarios.OutcomeAck
		if rejects && manual {
			outcome = c.g.Outcome(c.rng.Float64())
		}
		st, ok := ReadStamp(d.Body)
		switch {
		case !ok || st.Run != runID:
			c.q.recordForeign()
		case outcome != scenarios.OutcomeAck && c.g.Requeue:
			// It comes back: it is counted when it is finally taken.
			c.rec.Add(CounterRejected, 1)
		default:
			if outcome != scenarios.OutcomeAck {
				c.rec.Add(CounterRejected, 1)
				c.q.addRejected()
			}
			c.rec.Record(MetricIDEndToEnd, now.Sub(time.Unix(0, st.Intended)))
			c.rec.Record(MetricIDEndToEndActual, now.Sub(time.Unix(0, st.Sent)))
			c.rec.Add(CounterConsumed, 1)
			c.q.record(&st, d.Redelivered)
			if prev, seen := last[st.Publisher]; seen && st.Seq < prev {
				reordered++
			}
			if prev := last[st.Publisher]; st.Seq > prev {
				last[st.Publisher] = st.Seq
			}
		}
		pt := c.g.ProcessingTime.Std()
		if varied {
			pt = c.g.ProcessingFor(c.rng.Float64())
		}
		if limited {
			// A consume-rate limit: take the next delivery no sooner
			// than the schedule allows.
			if at, ok := c.pacer.Due(n); ok {
				if wait := time.Until(start.Add(at)); wait > pt {
					pt = wait
				}
			}
		}
		n++
		if pt > 0 {
			time.Sleep(pt)
		}
		switch {
		case !manual:
		case outcome == scenarios.OutcomeReject:
			c.ch.Reject(d.DeliveryTag, c.g.Requeue)
		case outcome == scenarios.OutcomeNack:
			c.ch.Nack(d.DeliveryTag, false, c.g.Requeue)
		case c.g.BasicGet:
			c.ch.Ack(d.DeliveryTag, false)
		default:
			pending++
			lastTag = d.DeliveryTag
			if pending >= every {
				c.ch.Ack(lastTag, every > 1)
				pending = 0
			}
		}
	}
	if manual && pending > 0 {
		c.ch.Ack(lastTag, true)
	}
	c.q.addReordered(reordered)
}

// stop cancels the consumer, lets it finish what was delivered, and closes
// its channel. Messages prefetched but not handled return to the queue.
func (c *consumer) stop() {
	c.once.Do(func() {
		if c.ch == nil {
			return
		}
		if c.g.BasicGet {
			close(c.cancel)
		} else {
			c.ch.Cancel(c.tag, false)
		}
		select {
		case <-c.done:
		case <-time.After(5 * time.Second):
			c.r.event("consumer-stuck", "consumer %s did not stop within 5s after cancel", c.tag)
		}
		c.ch.Close()
	})
}

// poll feeds deliveries from basic.get into the same handling as a
// subscription, waiting PollInterval when the queue is empty.
func (c *consumer) poll() <-chan amqp.Delivery {
	out := make(chan amqp.Delivery)
	wait := c.g.PollInterval.Std()
	if wait <= 0 {
		wait = 10 * time.Millisecond
	}
	auto := c.g.AckMode == scenarios.AckAuto
	go func() {
		defer close(out)
		for {
			select {
			case <-c.cancel:
				return
			default:
			}
			d, ok, err := c.ch.Get(c.g.Queue, auto)
			switch {
			case err != nil:
				c.r.event("channel-closed", "consumer %s: basic.get: %v", c.tag, err)
				return
			case !ok:
				select {
				case <-c.cancel:
					return
				case <-time.After(wait):
				}
				continue
			}
			select {
			case out <- d:
			case <-c.cancel:
				// Not handled: it returns to the queue when the channel closes.
				return
			}
		}
	}()
	return out
}
