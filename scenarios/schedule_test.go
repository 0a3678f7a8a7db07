package scenarios

import (
	"math"
	"testing"
	"time"
)

// The schedule and the integral are inverses: the count due at message n's
// time is n, to within the nanosecond the time is rounded down to.
func TestScheduleInvertsDue(t *testing.T) {
	rates := map[string]Rate{
		"constant":   {PerSecond: 997},
		"fractional": {PerSecond: 0.7},
		"ramp up":    ramp(10, 5000, 30*time.Second),
		"ramp down":  ramp(5000, 10, 30*time.Second),
		"steps":      steps(time.Second, 100, 300, 50, 1000),
	}
	for name, r := range rates {
		s := r.Schedule()
		for _, n := range []uint64{1, 7, 100, 999, 12_345, 150_000, 1e6} {
			at, ok := s.Due(n)
			if !ok {
				t.Fatalf("%s: Due(%d) ended", name, n)
			}
			// Due(at) ≤ n, and one nanosecond later it is past n.
			lo, hi := r.Due(at), r.Due(at+1)
			if tol := 1e-9 * float64(n); lo > float64(n)+tol || hi < float64(n)-tol {
				t.Errorf("%s: Due(%d) = %v, but the integral there is %v (%v 1ns later)", name, n, at, lo, hi)
			}
			if d := r.DueAt(float64(n)); d != at {
				t.Errorf("%s: DueAt(%d) = %v, Schedule().Due = %v", name, n, d, at)
			}
		}
	}
}

// DueAt follows the schedule where the rate is zero for a while: the next
// message waits for the rate to rise again, and a rate that stays at zero
// never delivers it.
func TestDueAtZeroRate(t *testing.T) {
	sec := time.Second
	tests := []struct {
		name string
		r    Rate
		n    float64
		want time.Duration
	}{
		{"after a zero step", steps(sec, 100, 0, 200), 100, 2 * sec},
		{"zero first step", steps(2*sec, 0, 50), 0, 2 * sec},
		{"zero tail", steps(sec, 100, 0), 100, Never},
		{"ramp down to zero ends", ramp(100, 0, 10*sec), 500, Never},
		{"ramp down last", ramp(100, 0, 10*sec), 375, 5 * sec},
		{"no rate", Rate{}, 0, Never},
		{"negative n is the first", Rate{PerSecond: 10}, -3, 0},
		{"NaN n is the first", steps(2*sec, 0, 50), math.NaN(), 2 * sec},
		{"fractional n", Rate{PerSecond: 3}, 1.5, 500 * time.Millisecond},
		{"fractional n in a ramp", ramp(0, 100, 10*sec), 31.25, 2500 * time.Millisecond},
		{"beyond a Duration", Rate{PerSecond: 1}, 1e10, Never},
	}
	for _, tt := range tests {
		if got := tt.r.DueAt(tt.n); got != tt.want {
			t.Errorf("%s: DueAt(%v) = %v, want %v", tt.name, tt.n, got, tt.want)
		}
	}
}

// Pacing calls Due for every message: it must not allocate.
func TestScheduleDueDoesNotAllocate(t *testing.T) {
	for _, r := range []Rate{{PerSecond: 1000}, {PerSecond: 333.3}, {Unlimited: true}, {}, ramp(100, 10_000, time.Hour), steps(time.Minute, 100, 200, 400, 800)} {
		s := r.Schedule()
		var n uint64
		allocs := testing.AllocsPerRun(1000, func() {
			s.Due(n)
			n += 97
		})
		if allocs != 0 {
			t.Errorf("%s: Due allocates %v times per call", r, allocs)
		}
	}
}
