package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/warrenmq/warren/internal/rabbit"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// queueTracker accounts for what one queue delivered, across all the
// consumers of that queue (a duplicate may reach two different consumers).
type queueTracker struct {
	name string

	mu          sync.Mutex
	seen        map[uint64]*results.SeqSet // by publisher id
	received    int64
	duplicates  int64
	reordered   int64
	redelivered int64
	foreign     int64
	rejected    int64
	unique      int64
	leftover    int64  // messages in the queue when the run ended
	unknown     string // why the broker could not say what the queue held at the end
	gone        bool   // the broker said the queue no longer existed at the end
}

func newQueueTracker(name string) *queueTracker {
	return &queueTracker{name: name, seen: map[uint64]*results.SeqSet{}}
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
		set = &results.SeqSet{}
		q.seen[st.Publisher] = set
	}
	if !set.Add(st.Seq) {
		// Seen before: an application would handle it twice. With the
		// redelivered flag it is the broker's at-least-once redelivery of
		// a message whose ack never reached it (the channel closed
		// first), counted as redelivered too; without it, the broker
		// sent a copy it should not have.
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

func (q *queueTracker) setLeftover(n int64) {
	q.mu.Lock()
	q.leftover = n
	q.mu.Unlock()
}

func (q *queueTracker) setLeftoverUnknown(why string) {
	q.mu.Lock()
	q.unknown = why
	q.mu.Unlock()
}

func (q *queueTracker) setGone() {
	q.mu.Lock()
	q.gone = true
	q.mu.Unlock()
}

func (q *queueTracker) addRejected() {
	q.mu.Lock()
	q.rejected++
	q.mu.Unlock()
}

// taken counts the messages the queue gave up: each of the run's messages
// once however often it came, and every delivery of another run's.
func (q *queueTracker) taken() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.unique + q.foreign
}

func (q *queueTracker) distinct() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.unique
}

// account is the queue's part of the run's accounting. It shares the
// tracker's sets, which must no longer change.
func (q *queueTracker) account() results.QueueAccount {
	q.mu.Lock()
	defer q.mu.Unlock()
	qa := results.QueueAccount{
		Queue: q.name, Leftover: q.leftover, LeftoverUnknown: q.unknown, Gone: q.gone,
		Duplicated: q.duplicates, Reordered: q.reordered,
		Redelivered: q.redelivered, Rejected: q.rejected, Foreign: q.foreign,
		Received: make([]results.ReceivedSeqs, 0, len(q.seen)),
	}
	for id, set := range q.seen {
		qa.Received = append(qa.Received, results.ReceivedSeqs{Publisher: id, Seqs: set})
	}
	sort.Slice(qa.Received, func(i, j int) bool { return qa.Received[i].Publisher < qa.Received[j].Publisher })
	return qa
}

// consumer is one consuming goroutine with its own channel.
type consumer struct {
	r    *runner
	g    *scenarios.ConsumerGroup
	tag  string
	ch   *amqp.Channel // the current channel; replaced after a reconnect
	q    *queueTracker
	rec  *recorder
	link *link
	done chan struct{}
	// delivered counts every delivery this consumer took; read once it
	// has stopped, or by the metrics while it runs.
	delivered atomic.Int64
	once      sync.Once
	rng       *rand.Rand // outcomes and processing times, seeded from run.seed
	pacer     Pacer      // the consume-rate limit, or nil

	// consumed is set once the consumer has subscribed: a queue missing
	// after that was deleted during the run.
	consumed bool

	// ctx ends when stop is called: it ends polling and reconnecting.
	ctx     context.Context
	stopCtx context.CancelFunc
	chMu    sync.Mutex // guards ch: stop cancels on the current channel
}

// deliveries counts what each consumer took, in the order they started.
func deliveries(consumers []*consumer) []results.ConsumerDeliveries {
	out := make([]results.ConsumerDeliveries, 0, len(consumers))
	for _, c := range consumers {
		out = append(out, results.ConsumerDeliveries{Tag: c.tag, Group: c.g.Name, Queue: c.g.Queue, Delivered: c.delivered.Load()})
	}
	return out
}

// startConsumers opens the consumers' connections (never the publishers')
// and starts consuming.
func (r *runner) startConsumers() ([]*consumer, error) {
	var out []*consumer
	fail := func(err error) ([]*consumer, error) {
		for _, c := range out {
			c.stop()
		}
		return nil, err
	}
	for gi := range r.s.Consumers {
		g := &r.s.Consumers[gi]
		nconn := g.Connections
		if nconn <= 0 || nconn > g.Count {
			nconn = g.Count
		}
		links := make([]*link, nconn)
		for i := range links {
			l, err := r.newLink(fmt.Sprintf("con-%s-%d", g.Name, i), false)
			if err != nil {
				return fail(err)
			}
			links[i] = l
			r.links = append(r.links, l)
		}
		for i := 0; i < g.Count; i++ {
			c := &consumer{
				r:    r,
				g:    g,
				tag:  fmt.Sprintf("warren-%s-%s-%d", r.instanceID, g.Name, i),
				q:    r.queues[g.Queue],
				rec:  r.newRecorder(),
				link: links[i%nconn],
				done: make(chan struct{}),
			}
			c.ctx, c.stopCtx = context.WithCancel(context.Background())
			c.rng = rand.New(rand.NewPCG(seedFor(r.seed, uint64(len(out))<<32|0xc0)))
			if !c.g.Rate.IsZero() && c.g.Rate.Kind() != scenarios.RateUnlimited {
				c.pacer = pacerFor(c.g.Rate.Scale(1 / float64(g.Count)))
			}
			out = append(out, c)
		}
	}
	// Channels open concurrently (thousands, one round trip each), and
	// consuming starts only once every one is open.
	streams := make(map[*consumer]<-chan amqp.Delivery, len(out))
	var mu sync.Mutex
	err := forEachLimited(out, func(c *consumer) error {
		d, err := c.open()
		if err != nil {
			return err
		}
		mu.Lock()
		streams[c] = d
		mu.Unlock()
		return nil
	})
	for _, c := range out {
		if d, ok := streams[c]; ok {
			go c.run(d)
		} else {
			close(c.done) // never ran: stop must not wait for it
		}
	}
	if err != nil {
		return fail(err)
	}
	return out, nil
}

func (c *consumer) open() (<-chan amqp.Delivery, error) {
	ch, err := c.link.channel(c.ctx)
	if err != nil {
		return nil, fmt.Errorf("consumers %s: open channel: %w", c.g.Name, err)
	}
	c.chMu.Lock()
	c.ch = ch
	c.chMu.Unlock()
	if c.g.AckMode != scenarios.AckAuto && !c.g.BasicGet {
		if err := ch.Qos(c.g.Prefetch, 0, c.g.GlobalPrefetch); err != nil {
			return nil, fmt.Errorf("consumers %s: set prefetch %d: %w", c.g.Name, c.g.Prefetch, err)
		}
	}
	if c.g.BasicGet {
		return c.poll(), nil
	}
	// The broker cancels a consumer when its queue is deleted or moves
	// (failover); the delivery stream then just ends, so say why.
	cancelled := ch.NotifyCancel(make(chan string, 1))
	go func() {
		if tag, ok := <-cancelled; ok {
			c.r.event(results.EventCancelled, "%s", c.cancelReason(tag))
		}
	}()
	d, err := ch.Consume(c.g.Queue, c.tag, c.g.AckMode == scenarios.AckAuto, false, false, false, nil)
	if err != nil {
		var amqpErr *amqp.Error
		if c.consumed && errors.As(err, &amqpErr) && amqpErr.Code == amqp.NotFound {
			// It was there when the run began: something deleted it.
			return nil, fmt.Errorf("%w: %s", errQueueGone, queueGoneText(c.g.Queue))
		}
		return nil, rabbit.DeclareError(fmt.Sprintf("consumer on queue %q", c.g.Queue), err)
	}
	c.consumed = true
	return d, nil
}

// errQueueGone marks a queue that existed when the run began and was
// deleted during it.
var errQueueGone = errors.New("queue deleted during the run")

func queueGoneText(queue string) string {
	return fmt.Sprintf("queue %s no longer exists: something deleted it during the run (an operator, a policy such as x-expires, another run's cleanup), and what is routed to it from then on is lost", queue)
}

// cancelReason says why the broker cancelled the consumer: it asks, on
// the same connection, whether the queue still exists. Nothing is
// redialled or declared for the question.
func (c *consumer) cancelReason(tag string) string {
	ch, err := c.link.current()
	if err == nil {
		defer ch.Close()
		_, err = ch.QueueDeclarePassive(c.g.Queue, false, false, false, false, nil)
		var amqpErr *amqp.Error
		switch {
		case err == nil:
			return fmt.Sprintf("the broker cancelled consumer %s on queue %s, which still exists (it moved, or its leader changed): consuming again", tag, c.g.Queue)
		case errors.As(err, &amqpErr) && amqpErr.Code == amqp.NotFound:
			return fmt.Sprintf("the broker cancelled consumer %s because its %s", tag, queueGoneText(c.g.Queue))
		}
	}
	return fmt.Sprintf("the broker cancelled consumer %s on queue %s (queue deleted or moved)", tag, c.g.Queue)
}

// consumeState is what a consumer keeps across reconnects.
type consumeState struct {
	last      map[uint64]uint64 // publisher → last seq seen by this consumer
	reordered int64
	n         uint64    // deliveries handled, for the consume-rate schedule
	start     time.Time // of the consume-rate schedule: the first delivery
}

// run handles deliveries until the consumer is stopped. When the broker
// closes the channel or the connection, it reopens them and consumes again;
// deliveries that were not acked come back marked redelivered.
func (c *consumer) run(deliveries <-chan amqp.Delivery) {
	defer close(c.done)
	st := consumeState{last: map[uint64]uint64{}}
	for {
		c.consume(deliveries, &st)
		if c.ctx.Err() != nil {
			break
		}
		d, err := c.open()
		if err != nil {
			switch {
			case c.ctx.Err() != nil:
			case errors.Is(err, errQueueGone):
				c.r.event(results.EventError, "consumer %s stopped: %s", c.tag, queueGoneText(c.g.Queue))
			default:
				c.r.event(results.EventError, "consumer %s stopped: %v", c.tag, err)
			}
			break
		}
		deliveries = d
	}
	c.q.addReordered(st.reordered)
}

// consume handles one channel's deliveries until the stream ends (after a
// Cancel, or when the broker closes the channel).
func (c *consumer) consume(deliveries <-chan amqp.Delivery, st *consumeState) {
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
	c.chMu.Lock()
	ch := c.ch
	c.chMu.Unlock()
	// The acks of deliveries that came in a row go out in one write; the
	// burst ends whenever no delivery is waiting. basic.get is a round
	// trip of its own and is never held.
	acks := burst{link: c.link}
	corking := manual && !c.g.BasicGet
	for {
		var d amqp.Delivery
		var open bool
		select {
		case d, open = <-deliveries:
		default:
			acks.end()
			d, open = <-deliveries
		}
		if !open {
			break
		}
		c.delivered.Add(1)
		now := time.Now()
		if st.n == 0 {
			st.start = now
		}
		outcome := scenarios.OutcomeAck
		if rejects && manual {
			outcome = c.g.Outcome(c.rng.Float64())
		}
		stamp, ok := ReadStamp(d.Body)
		if !ok {
			// A body shorter than the stamp: it travels in a header.
			if b, isBytes := d.Headers[StampHeader].([]byte); isBytes {
				stamp, ok = ReadStamp(b)
			}
		}
		switch {
		case !ok || stamp.Run != runID:
			c.q.recordForeign()
		case outcome != scenarios.OutcomeAck && c.g.Requeue:
			// It comes back: it is counted when it is finally taken.
			c.rec.Add(counterRejected, 1)
		default:
			if outcome != scenarios.OutcomeAck {
				c.rec.Add(counterRejected, 1)
				c.q.addRejected()
			}
			c.rec.Record(metricEndToEnd, now.Sub(time.Unix(0, stamp.Intended)))
			c.rec.Record(metricEndToEndActual, now.Sub(time.Unix(0, stamp.Sent)))
			c.rec.Add(counterConsumed, 1)
			c.q.record(&stamp, d.Redelivered)
			if prev, seen := st.last[stamp.Publisher]; seen && stamp.Seq < prev {
				st.reordered++
			}
			if prev := st.last[stamp.Publisher]; stamp.Seq > prev {
				st.last[stamp.Publisher] = stamp.Seq
			}
		}
		pt := c.g.ProcessingTime.Std()
		if varied {
			pt = c.g.ProcessingFor(c.rng.Float64())
		}
		if limited {
			// A consume-rate limit: take the next delivery no sooner
			// than the schedule allows.
			if at, ok := c.pacer.Due(st.n); ok {
				if wait := time.Until(st.start.Add(at)); wait > pt {
					pt = wait
				}
			}
		}
		st.n++
		if pt > 0 {
			acks.end()
			time.Sleep(pt)
		}
		if corking {
			acks.begin()
		}
		switch {
		case !manual:
		case outcome == scenarios.OutcomeReject:
			ch.Reject(d.DeliveryTag, c.g.Requeue)
		case outcome == scenarios.OutcomeNack:
			ch.Nack(d.DeliveryTag, false, c.g.Requeue)
		case c.g.BasicGet:
			ch.Ack(d.DeliveryTag, false)
		default:
			pending++
			lastTag = d.DeliveryTag
			if pending >= every {
				ch.Ack(lastTag, every > 1)
				pending = 0
			}
		}
		acks.sent()
	}
	if manual && pending > 0 {
		ch.Ack(lastTag, true)
	}
	acks.end()
}

// stop cancels the consumer, lets it finish what was delivered, and closes
// its channel. Messages prefetched but not handled return to the queue.
func (c *consumer) stop() {
	c.once.Do(func() {
		c.stopCtx()
		c.chMu.Lock()
		ch := c.ch
		c.chMu.Unlock()
		if ch != nil && !c.g.BasicGet {
			ch.Cancel(c.tag, false)
		}
		select {
		case <-c.done:
		case <-time.After(5 * time.Second):
			c.r.event(results.EventError, "consumer %s did not stop within 5s after cancel", c.tag)
		}
		if ch != nil {
			ch.Close()
		}
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
	ch := c.ch
	go func() {
		defer close(out)
		for {
			if c.ctx.Err() != nil {
				return
			}
			d, ok, err := ch.Get(c.g.Queue, auto)
			switch {
			case err != nil:
				return // the channel is gone: run reopens it
			case !ok:
				select {
				case <-c.ctx.Done():
					return
				case <-time.After(wait):
				}
				continue
			}
			select {
			case out <- d:
			case <-c.ctx.Done():
				// Not handled: it returns to the queue when the channel closes.
				return
			}
		}
	}()
	return out
}
