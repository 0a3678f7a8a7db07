package loadgen

import (
	"testing"
	"time"
)

// timers lists both wakeTimers: the one this OS gets and the portable one.
func timers() map[string]func() wakeTimer {
	return map[string]func() wakeTimer{
		"default":  newWakeTimer,
		"portable": func() wakeTimer { return newGoTimer() },
	}
}

func TestWakeTimerFiresNoSoonerThanAsked(t *testing.T) {
	for name, newTimer := range timers() {
		t.Run(name, func(t *testing.T) {
			w := newTimer()
			defer w.Close()
			for _, d := range []time.Duration{3 * time.Millisecond, 200 * time.Microsecond, 0, -time.Second} {
				start := time.Now()
				w.Reset(d)
				select {
				case <-w.C():
				case <-time.After(5 * time.Second):
					t.Fatalf("Reset(%s): no tick within 5s", d)
				}
				if got := time.Since(start); got < d {
					t.Errorf("Reset(%s) fired after %s, early", d, got)
				}
			}
		})
	}
}

func TestWakeTimerStopAndReset(t *testing.T) {
	for name, newTimer := range timers() {
		t.Run(name, func(t *testing.T) {
			w := newTimer()
			defer w.Close()
			w.Reset(20 * time.Millisecond)
			w.Stop()
			select {
			case <-w.C():
				t.Fatal("a stopped timer fired")
			case <-time.After(80 * time.Millisecond):
			}
			// A later Reset replaces an earlier one: one tick, at the later time.
			w.Reset(time.Hour)
			w.Reset(time.Millisecond)
			select {
			case <-w.C():
			case <-time.After(5 * time.Second):
				t.Fatal("the second Reset did not fire")
			}
			select {
			case <-w.C():
				t.Fatal("two ticks for one Reset")
			case <-time.After(30 * time.Millisecond):
			}
		})
	}
}

// BenchmarkWakeTimerLateness reports how late each timer wakes a goroutine
// after a 700 µs wait, the kind a publisher at 1,000 msg/s makes: Go's
// timers wait in whole milliseconds of the poller, the timerfd to the
// microsecond.
func BenchmarkWakeTimerLateness(b *testing.B) {
	for name, newTimer := range timers() {
		b.Run(name, func(b *testing.B) {
			w := newTimer()
			defer w.Close()
			const wait = 700 * time.Microsecond
			var late time.Duration
			for b.Loop() {
				start := time.Now()
				w.Reset(wait)
				<-w.C()
				late += time.Since(start) - wait
			}
			b.ReportMetric(float64(late.Microseconds())/float64(b.N), "µs-late/op")
		})
	}
}
