package loadgen

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/warrenmq/warren/results"
)

// Backoff bounds for reconnecting: quick enough to notice a broker that
// restarts in seconds, slow enough not to hammer one that is down.
const (
	backoffMin = 100 * time.Millisecond
	backoffMax = 3 * time.Second
)

// link is a connection shared by several publishers or consumers that comes
// back after the broker closes it (restart, close_all_connections, a cut).
// The first user that finds it closed redials; the others wait for it.
type link struct {
	r       *runner
	name    string
	publish bool // watch connection.blocked on it

	// wire is conn's socket; atomic, so that corking never waits behind
	// a redial that holds mu.
	wire atomic.Pointer[corkConn]

	mu     sync.Mutex
	conn   *amqp.Connection
	closed bool // closed by us: do not redial
}

func (r *runner) newLink(name string, publish bool) (*link, error) {
	l := &link{r: r, name: name, publish: publish}
	conn, wire, err := r.dialCorked(name)
	if err != nil {
		return nil, err
	}
	l.attach(conn, wire)
	return l, nil
}

// attach starts watching a fresh connection: its blocks, and its loss.
func (l *link) attach(conn *amqp.Connection, wire *corkConn) {
	l.conn = conn
	l.wire.Store(wire)
	if l.publish {
		go l.r.watchBlocked(l.name, conn.NotifyBlocked(make(chan amqp.Blocking, 4)))
	}
	lost := conn.NotifyClose(make(chan *amqp.Error, 1))
	go func() {
		if err, ok := <-lost; ok && err != nil {
			l.r.outageStart(l.name, err.Error())
		}
	}()
}

// channel opens a channel on the link, redialing with backoff while the
// connection is down, until ctx is done.
func (l *link) channel(ctx context.Context) (*amqp.Channel, error) {
	wait := backoffMin
	for {
		ch, err := l.tryChannel()
		if err == nil || errors.Is(err, errLinkClosed) {
			return ch, err
		}
		// Jitter spreads the reconnects of many links over time.
		d := time.Duration(float64(wait) * (0.8 + 0.4*rand.Float64()))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(d):
		}
		wait = min(2*wait, backoffMax)
	}
}

var errLinkClosed = errors.New("link closed")

func (l *link) tryChannel() (*amqp.Channel, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, errLinkClosed
	}
	if l.conn.IsClosed() {
		conn, wire, err := l.r.dialCorked(l.name)
		if err != nil {
			return nil, err
		}
		// What the scenario declared may be gone (non-durable, or a new
		// node): declare it again before anyone uses the connection.
		if ch, err := conn.Channel(); err == nil {
			if err := declare(ch, l.r.s.Topology); err != nil {
				l.r.event(results.EventError, "re-declare after reconnect on %s: %v", l.name, err)
			}
			ch.Close()
		}
		l.attach(conn, wire)
		l.r.outageEnd(l.name)
	}
	return l.conn.Channel()
}

// current opens a channel on the link's connection as it is, without
// redialling (and so without declaring anything) when it is down.
func (l *link) current() (*amqp.Channel, error) {
	l.mu.Lock()
	conn := l.conn
	l.mu.Unlock()
	if conn == nil || conn.IsClosed() {
		return nil, amqp.ErrClosed
	}
	return conn.Channel()
}

// socket returns the current connection's socket, for corking.
func (l *link) socket() *corkConn { return l.wire.Load() }

func (l *link) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if l.conn != nil {
		l.conn.Close()
	}
}

func (r *runner) outageStart(link, cause string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.outages = append(r.outages, results.Outage{Link: link, Start: time.Now().UTC(), Cause: cause})
	r.events = append(r.events, results.Event{At: time.Now().UTC(), Kind: results.EventDisconnected, Message: link + ": " + cause})
}

func (r *runner) outageEnd(link string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.outages) - 1; i >= 0; i-- {
		if o := &r.outages[i]; o.Link == link && o.End.IsZero() {
			o.End = time.Now().UTC()
			r.events = append(r.events, results.Event{At: o.End, Kind: results.EventReconnected, Message: link + " reconnected after " + o.End.Sub(o.Start).Round(time.Millisecond).String()})
			return
		}
	}
}
