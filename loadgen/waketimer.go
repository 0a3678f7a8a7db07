package loadgen

import "time"

// wakeTimer wakes a publisher at its next send time. Go's own timers are
// only as fine as the runtime's poller wait, which on Linux is whole
// milliseconds: a publisher at 1,000 msg/s that sleeps with time.Timer
// sends each message up to a millisecond late (0.5 ms at the median), and
// that lateness, counted by design in open-loop latency, would be the
// generator's and not the broker's. The Linux timer (waketimer_linux.go)
// fires within microseconds of the time asked for.
//
// C may deliver a tick that a later Reset or Stop made stale: the
// publisher looks at the clock after every wake and waits again if it is
// early, so a spurious tick costs a loop, never a wrong send time.
type wakeTimer interface {
	C() <-chan struct{}
	// Reset arms the timer to fire once after d (at once when d <= 0).
	Reset(d time.Duration)
	Stop()
	// Close releases the timer; it must not be used afterwards.
	Close()
}

// goTimer is the portable wakeTimer, and the fallback when the precise one
// cannot be had (out of file descriptors, say).
type goTimer struct {
	t *time.Timer // its function forwards each tick to c
	c chan struct{}
}

func newGoTimer() *goTimer {
	g := &goTimer{c: make(chan struct{}, 1)}
	g.t = time.AfterFunc(time.Hour, func() {
		select {
		case g.c <- struct{}{}:
		default:
		}
	})
	g.t.Stop()
	return g
}

func (g *goTimer) C() <-chan struct{} { return g.c }

func (g *goTimer) Reset(d time.Duration) {
	drain(g.c)
	g.t.Reset(d)
}

func (g *goTimer) Stop() { g.t.Stop() }

func (g *goTimer) Close() { g.t.Stop() }

// drain empties a tick channel without waiting.
func drain(c chan struct{}) {
	select {
	case <-c:
	default:
	}
}

// idleTimer never fires: the wakeTimer of a publisher that never waits for
// a send time.
type idleTimer struct{}

func (idleTimer) C() <-chan struct{}  { return nil }
func (idleTimer) Reset(time.Duration) {}
func (idleTimer) Stop()               {}
func (idleTimer) Close()              {}
