package loadgen

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// fdTimer is a wakeTimer on a Linux timerfd: the kernel's high-resolution
// timer makes the descriptor readable at the time asked for, and Go's poller
// wakes the goroutine reading it at once, to the microsecond, where its own
// timers would wait for the next whole millisecond.
type fdTimer struct {
	fd int
	f  *os.File // fd, for the poller: reads park the goroutine, not a thread
	c  chan struct{}
}

// newWakeTimer returns the precise timer, or the portable one when no timer
// descriptor can be had.
func newWakeTimer() wakeTimer {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return newGoTimer()
	}
	t := &fdTimer{fd: fd, f: os.NewFile(uintptr(fd), "warren-timer"), c: make(chan struct{}, 1)}
	go t.forward()
	return t
}

// forward turns each expiry into a tick on c, until the descriptor closes.
func (t *fdTimer) forward() {
	var expirations [8]byte
	for {
		if _, err := t.f.Read(expirations[:]); err != nil {
			return
		}
		select {
		case t.c <- struct{}{}:
		default:
		}
	}
}

func (t *fdTimer) C() <-chan struct{} { return t.c }

func (t *fdTimer) Reset(d time.Duration) {
	drain(t.c)
	// A zero value disarms the timer: at once means in a nanosecond.
	t.set(max(d, time.Nanosecond))
}

func (t *fdTimer) Stop() { t.set(0) }

func (t *fdTimer) Close() { t.f.Close() }

func (t *fdTimer) set(d time.Duration) {
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(d))}
	// It fails only on a closed or invalid descriptor, which Close alone
	// makes; the publisher then no longer uses the timer.
	_ = unix.TimerfdSettime(t.fd, 0, &spec, nil)
}
