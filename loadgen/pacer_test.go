package loadgen

import (
	"math"
	"testing"
	"time"
)

func TestPacerDue(t *testing.T) {
	const s = time.Second
	ms := time.Millisecond
	tests := []struct {
		name   string
		pacer  Pacer
		n      uint64
		want   time.Duration
		wantOK bool
	}{
		// Constant, whole-number rates: exact integer arithmetic.
		{"constant 1000/s first", NewConstantPacer(1000), 0, 0, true},
		{"constant 1000/s second", NewConstantPacer(1000), 1, ms, true},
		{"constant 1000/s 1e8", NewConstantPacer(1000), 1e8, 100_000 * s, true},
		{"constant 3/s rounds down", NewConstantPacer(3), 1, 333_333_333, true},
		{"constant 3/s 3e8 no drift", NewConstantPacer(3), 3e8, 1e8 * s, true},
		{"constant 7/s 7e8-1 exact", NewConstantPacer(7), 7e8 - 1, 1e17 - 142_857_143, true},
		{"constant 7/s 7e8 exact", NewConstantPacer(7), 7e8, 1e8 * s, true},
		{"constant 1/s near overflow", NewConstantPacer(1), 9e9, 9e9 * s, true},
		{"constant 1/s overflow ends", NewConstantPacer(1), 1e10, 0, false},
		{"constant 1/s max n", NewConstantPacer(1), math.MaxUint64, 0, false},
		// Fractional rates: float64.
		{"constant 0.5/s", NewConstantPacer(0.5), 1, 2 * s, true},
		{"constant 0.5/s 1e8", NewConstantPacer(0.5), 1e8, 2e8 * s, true},
		{"constant 2.5/s", NewConstantPacer(2.5), 5, 2 * s, true},
		{"constant tiny 1e-9/s overflow ends", NewConstantPacer(1e-9), 10, 0, false},
		// Huge rates: clamped to MaxPacerRate.
		{"constant 1e12/s sub-ns", NewConstantPacer(1e12), 1, 0, true},
		{"constant 1e12/s", NewConstantPacer(1e12), 1e12, s, true},
		{"constant 1e15/s clamped", NewConstantPacer(1e15), 1e12, s, true},
		{"constant +Inf clamped", NewConstantPacer(math.Inf(1)), 3e12, 3 * s, true},
		// Rate ≤ 0: nothing is ever due.
		{"constant 0", NewConstantPacer(0), 0, 0, false},
		{"constant negative", NewConstantPacer(-5), 0, 0, false},
		{"constant NaN", NewConstantPacer(math.NaN()), 0, 0, false},
		{"constant -Inf", NewConstantPacer(math.Inf(-1)), 0, 0, false},

		{"unlimited first", NewUnlimitedPacer(), 0, 0, true},
		{"unlimited late", NewUnlimitedPacer(), math.MaxUint64, 0, true},

		// Ramp up 0→100/s over 10 s: N(t) = 5t², 500 messages in the ramp.
		{"ramp up first", NewRampPacer(0, 100, 10*s), 0, 0, true},
		{"ramp up middle", NewRampPacer(0, 100, 10*s), 125, 5 * s, true},
		{"ramp up end", NewRampPacer(0, 100, 10*s), 500, 10 * s, true},
		{"ramp up after", NewRampPacer(0, 100, 10*s), 600, 11 * s, true},
		{"ramp up 1e8 no drift", NewRampPacer(0, 100, 10*s), 1e8, 1_000_005 * s, true},
		// Ramp up 100→200/s over 10 s: N(t) = 100t + 5t², 1500 in the ramp.
		{"ramp 100-200 first", NewRampPacer(100, 200, 10*s), 0, 0, true},
		{"ramp 100-200 end", NewRampPacer(100, 200, 10*s), 1500, 10 * s, true},
		{"ramp 100-200 after", NewRampPacer(100, 200, 10*s), 1700, 11 * s, true},
		// Ramp down 100→0/s over 10 s: N(t) = 100t − 5t², 500 in all, then
		// the schedule ends.
		{"ramp down middle", NewRampPacer(100, 0, 10*s), 375, 5 * s, true},
		{"ramp down ends", NewRampPacer(100, 0, 10*s), 500, 0, false},
		// Degenerate ramps.
		{"ramp flat", NewRampPacer(10, 10, 10*s), 20, 2 * s, true},
		{"ramp zero length", NewRampPacer(10, 50, 0), 50, s, true},
		{"ramp negative length", NewRampPacer(10, 50, -s), 50, s, true},
		{"ramp zero to zero", NewRampPacer(0, 0, 10*s), 0, 0, false},
		{"ramp negative from is zero", NewRampPacer(-100, 100, 10*s), 125, 5 * s, true},
		{"ramp NaN to is zero", NewRampPacer(100, math.NaN(), 10*s), 500, 0, false},

		// Steps 100, 0, 200 every second: cum = 0, 100, 100.
		{"steps first", NewStepsPacer([]float64{100, 0, 200}, s), 0, 0, true},
		{"steps in first", NewStepsPacer([]float64{100, 0, 200}, s), 99, 990 * ms, true},
		{"steps skip zero step", NewStepsPacer([]float64{100, 0, 200}, s), 100, 2 * s, true},
		{"steps last holds", NewStepsPacer([]float64{100, 0, 200}, s), 300, 3 * s, true},
		{"steps 1e8 no drift", NewStepsPacer([]float64{100, 0, 200}, s), 1e8, 2*s + 499_999_500*ms, true},
		{"steps zero first", NewStepsPacer([]float64{0, 50}, 2*s), 0, 2 * s, true},
		{"steps zero first then", NewStepsPacer([]float64{0, 50}, 2*s), 50, 3 * s, true},
		{"steps up", NewStepsPacer([]float64{10, 20, 30}, s), 10, s, true},
		{"steps up 2", NewStepsPacer([]float64{10, 20, 30}, s), 25, 1750 * ms, true},
		{"steps up 3", NewStepsPacer([]float64{10, 20, 30}, s), 60, 3 * s, true},
		{"steps zero tail sends", NewStepsPacer([]float64{100, 0}, s), 99, 990 * ms, true},
		{"steps zero tail ends", NewStepsPacer([]float64{100, 0}, s), 100, 0, false},
		{"steps all zero", NewStepsPacer([]float64{0, 0}, s), 0, 0, false},
		{"steps none", NewStepsPacer(nil, s), 0, 0, false},
		{"steps single", NewStepsPacer([]float64{4}, s), 2, 500 * ms, true},
		{"steps zero every", NewStepsPacer([]float64{1, 4}, 0), 2, 500 * ms, true},
		{"steps huge every", NewStepsPacer([]float64{1, 2, 3}, math.MaxInt64/2+1), 1, time.Second, true},
		{"steps huge every beyond", NewStepsPacer([]float64{1, 2, 3}, math.MaxInt64/2+1), 2e10, 0, false},

		{"limited before", NewLimitedPacer(NewConstantPacer(10), 3), 2, 200 * ms, true},
		{"limited at max", NewLimitedPacer(NewConstantPacer(10), 3), 3, 0, false},
		{"limited zero", NewLimitedPacer(NewUnlimitedPacer(), 0), 0, 0, false},
		{"limited inner ends first", NewLimitedPacer(NewStepsPacer([]float64{10, 0}, s), 100), 10, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.pacer.Due(tt.n)
			if ok != tt.wantOK || (ok && got != tt.want) {
				t.Errorf("Due(%d) = %v, %v; want %v, %v", tt.n, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// Due times that are irrational: within a nanosecond of the exact value.
func TestPacerDueIrrational(t *testing.T) {
	const s = time.Second
	tests := []struct {
		name  string
		pacer Pacer
		n     uint64
		want  float64 // seconds
	}{
		{"ramp up second", NewRampPacer(0, 100, 10*s), 1, math.Sqrt(0.2)},
		{"ramp 100-200 early", NewRampPacer(100, 200, 10*s), 100, (math.Sqrt(12000) - 100) / 10},
		{"ramp down last", NewRampPacer(100, 0, 10*s), 499, 10 - math.Sqrt(0.2)},
		{"constant 3/s", NewConstantPacer(3), 2, 2.0 / 3},
	}
	for _, tt := range tests {
		got, ok := tt.pacer.Due(tt.n)
		if !ok || math.Abs(float64(got)-tt.want*1e9) > 1 {
			t.Errorf("%s: Due(%d) = %v, %v; want %.9fs", tt.name, tt.n, got, ok, tt.want)
		}
	}
}

// Fractional rates go through float64; over 1e8 messages the error must stay
// a rounding error, not a drift that grows with n.
func TestPacerFloatPrecision(t *testing.T) {
	for _, rate := range []float64{0.3, 1.5, 333.3, 12345.678} {
		p := NewConstantPacer(rate)
		for _, n := range []uint64{1, 1e3, 1e6, 1e8, 1e9} {
			got, ok := p.Due(n)
			want := float64(n) / rate * 1e9
			if !ok || math.Abs(float64(got)-want) > 1+want*1e-15 {
				t.Errorf("rate %v: Due(%d) = %v, %v; want %.0fns", rate, n, got, ok, want)
			}
		}
	}
}

// The ramp inverts N(t) exactly: N(Due(n)) must give back n.
func TestRampPacerInverts(t *testing.T) {
	ramps := []struct{ from, to float64 }{{0, 1000}, {1000, 0}, {10, 5000}, {5000, 10}, {0.5, 3}}
	over := 30 * time.Second
	for _, r := range ramps {
		p := NewRampPacer(r.from, r.to, over)
		total := (r.from + r.to) / 2 * over.Seconds()
		for i := 1; i < 200; i++ {
			n := uint64(float64(i) / 200 * total)
			at, ok := p.Due(n)
			if !ok {
				t.Fatalf("ramp %v→%v: Due(%d) ended", r.from, r.to, n)
			}
			x := at.Seconds()
			got := r.from*x + (r.to-r.from)*x*x/(2*over.Seconds())
			if math.Abs(got-float64(n)) > 1e-6*max(1, float64(n)) {
				t.Errorf("ramp %v→%v: N(Due(%d)=%v) = %v", r.from, r.to, n, at, got)
			}
		}
	}
}

// Every pacer's schedule is non-decreasing, and once it ends it stays ended.
func TestPacerMonotonic(t *testing.T) {
	pacers := map[string]Pacer{
		"constant":  NewConstantPacer(997),
		"fraction":  NewConstantPacer(0.7),
		"ramp up":   NewRampPacer(0, 1000, 5*time.Second),
		"ramp down": NewRampPacer(1000, 0, 5*time.Second),
		"steps":     NewStepsPacer([]float64{100, 0, 300, 50, 0}, time.Second),
		"limited":   NewLimitedPacer(NewConstantPacer(100), 1000),
	}
	for name, p := range pacers {
		var prev time.Duration
		ended := false
		for n := uint64(0); n < 20000; n++ {
			at, ok := p.Due(n)
			if ended && ok {
				t.Fatalf("%s: Due(%d) ok after the schedule ended", name, n)
			}
			if !ok {
				ended = true
				continue
			}
			if at < prev {
				t.Fatalf("%s: Due(%d) = %v < Due(%d) = %v", name, n, at, n-1, prev)
			}
			prev = at
		}
	}
}

// TestPacerCatchUp shows how a publisher uses a pacer when it falls behind:
// it sends at once everything overdue (the confirm window, not the pacer,
// bounds that burst) and the schedule does not slip: later messages stay on
// their original due times.
func TestPacerCatchUp(t *testing.T) {
	p := NewConstantPacer(1000)
	var n uint64
	// sendUntil sends every message due by `now`, returning how many.
	sendUntil := func(now time.Duration) int {
		sent := 0
		for {
			at, ok := p.Due(n)
			if !ok || at > now {
				return sent
			}
			n++
			sent++
		}
	}
	if got := sendUntil(100 * time.Millisecond); got != 101 {
		t.Fatalf("on schedule: sent %d by 100ms, want 101", got)
	}
	// A 500 ms stall (the broker blocked the connection): 500 are overdue.
	if got := sendUntil(600 * time.Millisecond); got != 500 {
		t.Fatalf("after a stall: burst of %d, want 500", got)
	}
	if at, _ := p.Due(n); at != 601*time.Millisecond {
		t.Fatalf("next due %v, want 601ms: the schedule must not slip", at)
	}
}
