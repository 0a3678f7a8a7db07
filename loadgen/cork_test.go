package loadgen

import (
	"bytes"
	"errors"
	"net"
	"sync"
	"testing"
)

// recordingConn is a socket that keeps each write it is given.
type recordingConn struct {
	net.Conn // nil: only Write and Close are used
	mu       sync.Mutex
	writes   [][]byte
	fail     error
	closed   bool
}

func (r *recordingConn) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return 0, r.fail
	}
	r.writes = append(r.writes, append([]byte(nil), p...))
	return len(p), nil
}

func (r *recordingConn) Close() error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	return nil
}

func TestCorkHoldsWritesUntilUncorked(t *testing.T) {
	under := &recordingConn{}
	c := &corkConn{Conn: under}

	c.Write([]byte("a")) // uncorked: straight through
	c.cork()
	c.Write([]byte("b"))
	c.Write([]byte("c"))
	if len(under.writes) != 1 {
		t.Fatalf("corked writes went out: %q", under.writes)
	}
	c.cork() // a second sender on the same connection
	c.Write([]byte("d"))
	c.uncork() // the first burst ends: everything held goes, in order
	if len(under.writes) != 2 || string(under.writes[1]) != "bcd" {
		t.Fatalf("after the first uncork: %q, want [a bcd]", under.writes)
	}
	c.Write([]byte("e")) // still corked by the second sender
	if len(under.writes) != 2 {
		t.Fatalf("held write went out while a sender still corks: %q", under.writes)
	}
	c.uncork()
	c.uncork() // one too many is harmless
	c.Write([]byte("f"))
	if got := bytes.Join(under.writes, []byte("|")); string(got) != "a|bcd|e|f" {
		t.Errorf("writes %q, want a|bcd|e|f", got)
	}
}

func TestCorkWritesAtTheLimit(t *testing.T) {
	under := &recordingConn{}
	c := &corkConn{Conn: under}
	c.cork()
	chunk := bytes.Repeat([]byte("x"), 1000)
	for range corkLimit/1000 + 1 {
		c.Write(chunk)
	}
	if len(under.writes) != 1 || len(under.writes[0]) < corkLimit {
		t.Fatalf("%d writes after %d bytes held, want one of at least %d", len(under.writes), (corkLimit/1000+1)*1000, corkLimit)
	}
	c.uncork()
}

func TestCorkFailedWriteClosesTheConnection(t *testing.T) {
	broken := errors.New("broken pipe")
	under := &recordingConn{}
	c := &corkConn{Conn: under}
	c.cork()
	if n, err := c.Write([]byte("held")); n != 4 || err != nil {
		t.Fatalf("held write: %d, %v", n, err)
	}
	under.fail = broken
	c.uncork()
	if !under.closed {
		t.Error("a failed flush left the socket open: the client library would never learn of the loss")
	}
	if _, err := c.Write([]byte("later")); !errors.Is(err, broken) {
		t.Errorf("write after the failure: %v, want %v", err, broken)
	}
}

func TestBurstEndsAtBurstMax(t *testing.T) {
	under := &recordingConn{}
	l := &link{}
	l.wire.Store(&corkConn{Conn: under})
	b := burst{link: l}
	for range burstMax + 3 {
		b.begin()
		l.socket().Write([]byte("m"))
		b.sent()
	}
	if len(under.writes) != 1 || len(under.writes[0]) != burstMax {
		t.Fatalf("writes %d (first %d bytes), want one of %d before the burst ends", len(under.writes), len(under.writes[0]), burstMax)
	}
	b.end()
	if len(under.writes) != 2 || len(under.writes[1]) != 3 {
		t.Errorf("after end: %d writes, want the last 3 sends in a second", len(under.writes))
	}
	(&burst{link: &link{}}).begin() // a link without a socket: nothing to cork
}
