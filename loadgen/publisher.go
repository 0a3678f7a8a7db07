package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// publisher is one publishing goroutine with its own channel (amqp091
// channels are not safe for concurrent use).
type publisher struct {
	r      *runner
	g      *scenarios.PublisherGroup
	id     uint64
	link   *link
	ch     *amqp.Channel
	pacer  Pacer
	rec    *recorder
	keys   scenarios.KeyChoice
	routes [][]string // queues each key reaches, by key index
	body   []byte     // sized for the largest message; each send uses a prefix
	rng    *rand.Rand // key and size choices, seeded from run.seed

	confirms chan amqp.Confirmation
	returns  chan amqp.Return
	closed   chan *amqp.Error

	// msg is the one Publishing every send reuses; stampAt is where its
	// stamp goes (the body, or a header for bodies shorter than a stamp).
	msg     amqp.Publishing
	stampAt func() []byte

	// inflight is a ring of the unconfirmed sends, indexed by delivery tag
	// modulo the confirm window: at most window sends are outstanding, so
	// a slot is always free when a send is allowed.
	inflight    []inflight
	outstanding int
	// pending holds, with republish_unconfirmed, the sends a lost channel
	// left without a confirm, oldest first, until the next channel takes
	// them. It never holds more than the confirm window.
	pending []inflight

	mu          sync.Mutex // guards the accounting below, read by the runner
	perKey      []int64    // confirmed (or sent, without confirms) per key
	notAcked    []uint64   // seqs nacked or never confirmed
	noConfirm   int64      // sends whose confirm never came
	republished int64      // sends made again on a new channel
	unsent      int64      // due by the schedule before publishing ended, never sent
}

// inflight is a send awaiting its confirm, with what it takes to send the
// same message again.
type inflight struct {
	seq      uint64
	sent     int64 // unix nanos
	intended int64 // unix nanos
	size     int32
	key      int32
}

// startPublishers opens the publishers' connections and channels. Nothing
// is sent until run is called.
func (r *runner) startPublishers() ([]*publisher, error) {
	var pubs []*publisher
	index := uint32(0)
	for gi := range r.s.Publishers {
		g := &r.s.Publishers[gi]
		nconn := g.Connections
		if nconn <= 0 || nconn > g.Count {
			nconn = g.Count
		}
		links := make([]*link, nconn)
		for i := range links {
			l, err := r.newLink(fmt.Sprintf("pub-%s-%d", g.Name, i), true)
			if err != nil {
				closeAll(pubs)
				return nil, err
			}
			links[i] = l
			r.links = append(r.links, l)
		}
		keys, err := g.KeyChoice()
		if err != nil {
			closeAll(pubs)
			return nil, fmt.Errorf("publishers %s: %w", g.Name, err)
		}
		routes := make([][]string, len(keys.Keys))
		for k, key := range keys.Keys {
			routes[k] = r.s.RouteQueues(g.Exchange, key, g.Headers)
		}
		perPublisher := g.Rate.Scale(1 / float64(g.Count))
		for i := 0; i < g.Count; i++ {
			p := &publisher{
				r:      r,
				g:      g,
				id:     PublisherID(r.instance, index),
				link:   links[i%nconn],
				rec:    r.newRecorder(),
				keys:   keys,
				routes: routes,
				body:   make([]byte, g.MaxSize()),
				perKey: make([]int64, len(keys.Keys)),
			}
			p.rng = rand.New(rand.NewPCG(seedFor(r.seed, p.id)))
			index++
			pacer := pacerFor(perPublisher)
			if limit, bounded := share(g.MaxMessages, g.Count, i); bounded {
				pacer = newLimitedPacer(pacer, limit)
			}
			if limit, bounded := share(r.s.Run.MaxMessages, r.totalPublishers(), int(p.id&0xffffffff)); bounded {
				pacer = newLimitedPacer(pacer, limit)
			}
			p.pacer = pacer
			pubs = append(pubs, p)
		}
	}
	if err := forEachLimited(pubs, func(p *publisher) error { return p.open(context.Background()) }); err != nil {
		closeAll(pubs)
		return nil, err
	}
	return pubs, nil
}

func (r *runner) totalPublishers() int {
	n := 0
	for _, g := range r.s.Publishers {
		n += g.Count
	}
	return n
}

// share splits a bound of total messages over n senders; sender i gets its
// part (the first ones take the remainder, so a part may be 0). bounded is
// false when there is no bound.
func share(total int64, n, i int) (part uint64, bounded bool) {
	if total <= 0 || n <= 0 {
		return 0, false
	}
	p := total / int64(n)
	if int64(i) < total%int64(n) {
		p++
	}
	return uint64(p), true
}

func closeAll(pubs []*publisher) {
	for _, p := range pubs {
		p.close()
	}
}

func (p *publisher) open(ctx context.Context) error {
	ch, err := p.link.channel(ctx)
	if err != nil {
		return fmt.Errorf("publishers %s: open channel: %w", p.g.Name, err)
	}
	p.ch = ch
	p.closed = ch.NotifyClose(make(chan *amqp.Error, 1))
	if p.g.Mandatory {
		p.returns = ch.NotifyReturn(make(chan amqp.Return, 64))
	}
	if p.g.Confirm {
		p.confirms = ch.NotifyPublish(make(chan amqp.Confirmation, p.g.ConfirmWindow+1))
		if err := ch.Confirm(false); err != nil {
			return fmt.Errorf("publishers %s: enable publisher confirms: %w", p.g.Name, err)
		}
		if p.inflight == nil {
			p.inflight = make([]inflight, p.g.ConfirmWindow)
		}
	}
	return nil
}

// recover replaces a channel the broker closed, opening a new one once the
// link is back. The sends left without a confirm are counted as
// unconfirmed, never double-counted; with republish_unconfirmed they are
// sent again on the new channel first, in their order and with their
// stamps, so their latency counts from their first intended send. It
// reports false when ctx ended first; what was still to republish is then
// counted as unconfirmed.
func (p *publisher) recover(ctx context.Context) bool {
	for {
		// Confirms that arrived before the channel went are still good.
		for p.outstanding > 0 {
			c, ok := tryReceive(p.confirms)
			if !ok {
				break
			}
			p.confirmed(c)
		}
		if p.republishes() {
			// The outstanding sends went out before anything pending:
			// a send that failed, or the rest of an interrupted
			// republish.
			p.pending = append(p.takeOutstanding(nil), p.pending...)
		} else {
			p.giveUp()
		}
		if p.ch != nil {
			p.ch.Close()
		}
		opened := false
		for ctx.Err() == nil && !opened {
			err := p.open(ctx)
			if errors.Is(err, errLinkClosed) {
				break
			}
			opened = err == nil
		}
		if !opened {
			p.abandonPending()
			return false
		}
		if p.republish() {
			return true
		}
		// The new channel went too: go round again.
	}
}

// republishes tells whether the publisher sends unconfirmed messages again:
// only with confirms does it know which they are.
func (p *publisher) republishes() bool { return p.g.Republish && p.g.Confirm }

// republish sends the pending messages on the current channel. It reports
// false when a send failed; the unsent ones stay pending.
func (p *publisher) republish() bool {
	if len(p.pending) == 0 {
		return true
	}
	window := uint64(len(p.inflight))
	stamp := Stamp{Run: p.r.runID, Publisher: p.id}
	for len(p.pending) > 0 {
		f := p.pending[0]
		p.msg.Body = p.body[:f.size]
		now := time.Now()
		stamp.Seq, stamp.Intended, stamp.Sent = f.seq, f.intended, now.UnixNano()
		stamp.Put(p.stampAt())
		tag := p.ch.GetNextPublishSeqNo()
		if err := p.ch.Publish(p.g.Exchange, p.keys.Keys[f.key], p.g.Mandatory, false, p.msg); err != nil {
			return false
		}
		p.pending = p.pending[1:]
		f.sent = stamp.Sent
		p.inflight[tag%window] = f
		p.outstanding++
		p.rec.Add(counterRepublished, 1)
		p.mu.Lock()
		p.republished++
		p.mu.Unlock()
	}
	p.pending = p.pending[:0]
	return true
}

// unknown takes a send whose fate is unknown because its channel failed
// while sending it: pending with republish_unconfirmed, else unconfirmed.
func (p *publisher) unknown(f inflight) {
	if p.republishes() {
		p.pending = append(p.pending, f)
		return
	}
	p.mu.Lock()
	p.notAcked = append(p.notAcked, f.seq)
	p.noConfirm++
	p.mu.Unlock()
}

// abandonPending counts the sends still waiting to be republished as
// unconfirmed: the run ended before a channel took them.
func (p *publisher) abandonPending() {
	p.mu.Lock()
	for _, f := range p.pending {
		p.notAcked = append(p.notAcked, f.seq)
		p.noConfirm++
	}
	p.mu.Unlock()
	p.pending = p.pending[:0]
}

func (p *publisher) close() {
	if p.ch != nil {
		p.ch.Close()
	}
}

// run publishes until the pacer's schedule ends or ctx is done, then waits
// a bounded time for outstanding confirms.
func (p *publisher) run(ctx context.Context, start time.Time) {
	unlimited := p.g.Rate.Kind() == scenarios.RateUnlimited
	// At an unlimited rate the publisher waits only for confirms.
	var timer wakeTimer = idleTimer{}
	if !unlimited {
		timer = newWakeTimer()
	}
	defer timer.Close()
	mode := uint8(amqp.Transient)
	if p.g.Persistent {
		mode = amqp.Persistent
	}
	p.msg = amqp.Publishing{DeliveryMode: mode, Body: p.body}
	msg := &p.msg
	if len(p.g.Headers) > 0 {
		msg.Headers = amqp.Table{}
		for k, v := range p.g.Headers {
			msg.Headers[k] = v
		}
	}
	// Bodies shorter than the stamp carry it in a header. The client
	// library encodes the headers during Publish, so one table and one
	// buffer serve every message.
	p.stampAt = func() []byte { return msg.Body }
	if p.g.MinSize() < StampSize {
		header := make([]byte, StampSize)
		if msg.Headers == nil {
			msg.Headers = amqp.Table{}
		}
		msg.Headers[StampHeader] = header
		p.stampAt = func() []byte { return header }
	}
	oneKey := len(p.keys.Keys) == 1
	sized := p.g.SizeDistribution != nil
	window := p.g.ConfirmWindow
	stamp := Stamp{Run: p.r.runID, Publisher: p.id}
	// Sends in a row (at an unlimited rate, or behind the schedule) go
	// out in one write; the burst ends whenever the publisher waits.
	out := burst{link: p.link}
	defer out.end()
	var seq uint64
loop:
	for {
		at, ok := p.pacer.Due(seq)
		if !ok {
			break
		}
		intended := start.Add(at)
		// Wait for the send time, handling confirms as they come so their
		// latency is measured when they arrive, not when we look.
		for {
			wait := time.Until(intended)
			if unlimited || wait <= 0 {
				if !p.g.Confirm || p.outstanding < window {
					break
				}
			}
			if wait > 0 && !unlimited {
				timer.Reset(wait)
			}
			out.end()
			select {
			case <-ctx.Done():
				timer.Stop()
				break loop
			case c, ok := <-p.confirms:
				if !ok {
					timer.Stop()
					if !p.recover(ctx) {
						break loop
					}
					continue
				}
				p.confirmed(c)
			case ret := <-p.returns:
				p.returned(ret)
			case <-p.closed:
				timer.Stop()
				if !p.recover(ctx) {
					break loop
				}
				continue
			case <-timer.C():
			}
			timer.Stop()
		}
		if ctx.Err() != nil {
			break
		}
		now := time.Now()
		if unlimited {
			intended = now
		}
		key := 0
		if !oneKey {
			key = p.keys.Index(p.rng.Float64())
		}
		if sized {
			msg.Body = p.body[:p.g.MessageSize(p.rng.Float64())]
		}
		stamp.Seq = seq
		stamp.Intended = intended.UnixNano()
		stamp.Sent = now.UnixNano()
		stamp.Put(p.stampAt())
		var tag uint64
		if p.g.Confirm {
			tag = p.ch.GetNextPublishSeqNo()
		}
		out.begin()
		sent := inflight{seq: seq, sent: stamp.Sent, intended: stamp.Intended, size: int32(len(msg.Body)), key: int32(key)}
		if err := p.ch.Publish(p.g.Exchange, p.keys.Keys[key], p.g.Mandatory, false, *msg); err != nil {
			out.end()
			// Whether it reached the broker is unknown, and its sequence
			// number is not used again.
			p.unknown(sent)
			seq++
			if !p.recover(ctx) {
				break
			}
			continue
		}
		p.rec.Record(metricSendDelay, now.Sub(intended))
		p.rec.Add(counterPublished, 1)
		p.rec.Add(counterBytesPublished, int64(len(msg.Body)))
		if p.g.Confirm {
			p.inflight[tag%uint64(window)] = sent
			p.outstanding++
		} else {
			p.mu.Lock()
			p.perKey[key]++
			p.mu.Unlock()
		}
		seq++
		out.sent()
		p.drainNotifications()
	}
	out.end()
	if !unlimited {
		p.countUnsent(ctx, start, seq)
	}
	p.awaitConfirms()
	// The broker sends a message's basic.return before its confirm, and
	// the client library hands them over in that order, but a select that
	// finds both ready may take the confirm first: a return the last
	// confirm overtook is still waiting here.
	for {
		ret, ok := tryReceive(p.returns)
		if !ok {
			break
		}
		p.returned(ret)
	}
}

// countUnsent counts the messages from seq on that the schedule had due
// before publishing ended and that were never sent, and records for each
// a lower bound of its end-to-end latency from the intended send: the end
// of publishing minus its intended time. Without them, the messages that
// waited longest (behind a block, an outage) would be missing from the
// latency figures: coordinated omission by the back door.
func (p *publisher) countUnsent(ctx context.Context, start time.Time, seq uint64) {
	end := time.Now()
	if d, ok := ctx.Deadline(); ok && d.Before(end) {
		end = d
	}
	var n int64
	for ; ; seq++ {
		at, ok := p.pacer.Due(seq)
		if !ok || start.Add(at).After(end) {
			break
		}
		p.rec.Record(metricEndToEnd, end.Sub(start.Add(at)))
		n++
	}
	if n > 0 {
		p.mu.Lock()
		p.unsent += n
		p.mu.Unlock()
	}
}

func (p *publisher) unsentCount() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.unsent
}

// drainNotifications handles whatever confirms and returns are ready,
// without blocking.
func (p *publisher) drainNotifications() {
	for {
		select {
		case c, ok := <-p.confirms:
			if !ok {
				return
			}
			p.confirmed(c)
		case ret := <-p.returns:
			p.returned(ret)
		default:
			return
		}
	}
}

// awaitConfirms waits, bounded, for the confirms still outstanding; those
// that never come are counted as unconfirmed, never silently dropped.
func (p *publisher) awaitConfirms() {
	if !p.g.Confirm {
		return
	}
	deadline := time.NewTimer(confirmWait)
	defer deadline.Stop()
	for p.outstanding > 0 {
		select {
		case c, ok := <-p.confirms:
			if !ok {
				p.giveUp()
				return
			}
			p.confirmed(c)
		case ret := <-p.returns:
			p.returned(ret)
		case <-deadline.C:
			p.giveUp()
			return
		case <-p.r.cfg.stopNow:
			p.giveUp()
			return
		}
	}
}

// giveUp counts the sends still awaiting a confirm as unconfirmed.
func (p *publisher) giveUp() {
	lost := p.takeOutstanding(nil)
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, f := range lost {
		p.notAcked = append(p.notAcked, f.seq)
		p.noConfirm++
	}
}

// takeOutstanding appends the sends still awaiting a confirm to dst, oldest
// first, and forgets them.
func (p *publisher) takeOutstanding(dst []inflight) []inflight {
	if p.outstanding == 0 || p.ch == nil {
		p.outstanding = 0
		return dst
	}
	window := uint64(len(p.inflight))
	// The outstanding sends are the last `outstanding` tags before the
	// next one; their slots in the ring hold them.
	next := p.ch.GetNextPublishSeqNo()
	n := min(uint64(p.outstanding), next-1)
	for tag := next - n; tag < next; tag++ {
		dst = append(dst, p.inflight[tag%window])
	}
	p.outstanding = 0
	return dst
}

func (p *publisher) confirmed(c amqp.Confirmation) {
	f := p.inflight[c.DeliveryTag%uint64(len(p.inflight))]
	p.outstanding--
	now := time.Now().UnixNano()
	if c.Ack {
		p.rec.Record(metricConfirm, time.Duration(now-f.sent))
		p.rec.Add(counterConfirmed, 1)
		p.mu.Lock()
		p.perKey[f.key]++
		p.mu.Unlock()
		return
	}
	p.rec.Add(counterNacked, 1)
	p.mu.Lock()
	p.notAcked = append(p.notAcked, f.seq)
	p.mu.Unlock()
}

func (p *publisher) returned(ret amqp.Return) {
	p.rec.Add(counterReturned, 1)
}

// expectedPerQueue is how many copies each queue should get from this
// publisher: every confirmed message, once per queue its key routes to.
func (p *publisher) expectedPerQueue() map[string]int64 {
	out := map[string]int64{}
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, n := range p.perKey {
		for _, q := range p.routes[k] {
			out[q] += n
		}
	}
	return out
}

func (p *publisher) unconfirmed() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.noConfirm
}

func (p *publisher) republishedCount() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.republished
}

// notAckedSeqs lists the sequence numbers that were nacked or never
// confirmed: they are not expected anywhere, so arriving is no loss.
func (p *publisher) notAckedSeqs() []uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]uint64(nil), p.notAcked...)
}

// watchBlocked records connection.blocked and connection.unblocked (the
// broker's memory or disk alarm) as events. It ends when the connection
// closes.
func (r *runner) watchBlocked(conn string, ch <-chan amqp.Blocking) {
	for b := range ch {
		if b.Active {
			r.event(results.EventBlocked, "connection %s blocked by the broker: %s", conn, b.Reason)
		} else {
			r.event(results.EventUnblocked, "connection %s unblocked", conn)
		}
	}
}

// tryReceive takes a value from ch if one is ready.
func tryReceive[T any](ch <-chan T) (v T, ok bool) {
	select {
	case v, ok = <-ch:
		return v, ok
	default:
		return v, false
	}
}
