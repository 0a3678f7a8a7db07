package loadgen

import (
	"net"
	"sync"
)

// corkLimit is how much a corked connection holds before it writes anyway:
// enough for a few hundred small publishes or a thousand acks in one system
// call, little enough that the broker is never kept waiting long.
const corkLimit = 32 << 10

// corkConn is the network connection under the client library. amqp091-go
// writes each publish (its method, header and body frames) and each ack with
// a write system call of its own, and on a machine shared with the broker
// each call also runs the broker's side of the loopback. A publisher or
// consumer that has several to send in a row corks the connection; the
// frames written meanwhile collect here, in order, and go out in one write
// when it uncorks, or when corkLimit bytes have collected.
//
// A corker never waits for anything but I/O while corked (it uncorks before
// it waits for a send time, a confirm or a delivery), so the frames of other
// writers on the connection (heartbeats, channel opens, closes) wait at most
// one burst. Close is the socket's own: it does not wait for a write in
// progress, which the broker's TCP back-pressure may hold up.
type corkConn struct {
	net.Conn

	mu    sync.Mutex
	corks int    // corkers in a burst: writes are held while > 0
	buf   []byte // held writes
	err   error  // the failed write: every later one fails with it
}

func (c *corkConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return 0, c.err
	}
	if c.corks == 0 && len(c.buf) == 0 {
		n, err := c.Conn.Write(p)
		if err != nil {
			c.err = err
		}
		return n, err
	}
	c.buf = append(c.buf, p...)
	if c.corks == 0 || len(c.buf) >= corkLimit {
		if err := c.flushLocked(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// cork starts a burst: writes are held until uncork.
func (c *corkConn) cork() {
	c.mu.Lock()
	c.corks++
	c.mu.Unlock()
}

// uncork ends a burst and writes what was held, this burst's and any other
// writer's. A failed write closes the connection, which the client library
// then reports as lost: what was held and not sent is, for a publish, never
// confirmed (counted unconfirmed), and for an ack, delivered again.
func (c *corkConn) uncork() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.corks > 0 {
		c.corks--
	}
	if len(c.buf) > 0 && c.err == nil {
		_ = c.flushLocked()
	}
}

func (c *corkConn) flushLocked() error {
	_, err := c.Conn.Write(c.buf)
	if cap(c.buf) > 4*corkLimit {
		c.buf = nil // a very large message went through: do not keep its room
	} else {
		c.buf = c.buf[:0]
	}
	if err != nil {
		c.err = err
		// The client library learns of the loss from its reader, which
		// the closed socket ends.
		c.Conn.Close()
	}
	return err
}

// burstMax is the most sends (publishes or acks) one burst holds: the
// first of them must not wait long for the last.
const burstMax = 128

// burst corks a link's socket over a run of sends by one publisher or
// consumer: begin before each send, sent after it, end before waiting for
// anything. It is not safe for concurrent use; each sender has its own.
type burst struct {
	link *link
	on   *corkConn // the socket corked, nil between bursts
	n    int
}

func (b *burst) begin() {
	if b.on != nil {
		return
	}
	if b.on = b.link.socket(); b.on != nil {
		b.on.cork()
		b.n = 0
	}
}

func (b *burst) sent() {
	if b.on == nil {
		return
	}
	if b.n++; b.n >= burstMax {
		b.end()
	}
}

// end writes what the burst held.
func (b *burst) end() {
	if b.on != nil {
		b.on.uncork()
		b.on = nil
	}
}
