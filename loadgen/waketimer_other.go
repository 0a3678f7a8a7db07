//go:build !linux

package loadgen

// newWakeTimer returns Go's timer where there is no timerfd.
func newWakeTimer() wakeTimer { return newGoTimer() }
