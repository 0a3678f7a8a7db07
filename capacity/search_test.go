package capacity

import (
	"strings"
	"testing"
	"time"
)

func TestNext(t *testing.T) {
	base := Config{Start: 100, WarmUp: time.Second, Hold: 4 * time.Second, MinMessages: 1}
	p := func(rate float64) Attempt { return Attempt{Rate: rate, Pass: true, Took: 6 * time.Second} }
	f := func(rate float64) Attempt { return Attempt{Rate: rate, Took: 6 * time.Second} }
	tests := []struct {
		name    string
		cfg     Config
		history []Attempt
		want    Decision
	}{
		{"first step is the start rate", base, nil,
			Decision{Rate: 100, Phase: PhaseClimb}},
		{"a pass climbs by the factor", base, []Attempt{p(100)},
			Decision{Rate: 200, Phase: PhaseClimb, Pass: 100}},
		{"climbing keeps doubling", base, []Attempt{p(100), p(200), p(400)},
			Decision{Rate: 800, Phase: PhaseClimb, Pass: 400}},
		{"a first fail is retried", base, []Attempt{p(100), p(200), f(400)},
			Decision{Rate: 400, Phase: PhaseRetry, Pass: 200}},
		{"a retried fail is believed: bisect", base, []Attempt{p(100), p(200), f(400), f(400)},
			Decision{Rate: 300, Phase: PhaseBisect, Pass: 200, Fail: 400}},
		{"a retry that passes makes the rate pass", base, []Attempt{p(100), p(200), f(400), p(400)},
			Decision{Rate: 800, Phase: PhaseClimb, Pass: 400}},
		{"bisect towards a pass", base, []Attempt{p(100), p(200), f(400), f(400), p(300)},
			Decision{Rate: 350, Phase: PhaseBisect, Pass: 300, Fail: 400}},
		{"bisect towards a fail", base, []Attempt{p(100), p(200), f(400), f(400), f(300), f(300)},
			Decision{Rate: 250, Phase: PhaseBisect, Pass: 200, Fail: 300}},
		{"within the resolution: done", base, []Attempt{p(100), f(105), f(105)},
			Decision{Done: true, Phase: PhaseDone, Stopped: StopResolution, Pass: 100, Fail: 105}},
		{"just outside the resolution: one more", base, []Attempt{p(100), f(111), f(111)},
			Decision{Rate: 106, Phase: PhaseBisect, Pass: 100, Fail: 111}},
		{"a coarser resolution ends sooner", Config{Start: 100, Resolution: 0.2}, []Attempt{p(100), f(118), f(118)},
			Decision{Done: true, Phase: PhaseDone, Stopped: StopResolution, Pass: 100, Fail: 118}},
		{"no retries: a fail is believed at once", Config{Start: 100, Retries: -1}, []Attempt{p(100), f(200)},
			Decision{Rate: 150, Phase: PhaseBisect, Pass: 100, Fail: 200}},
		{"two retries", Config{Start: 100, Retries: 2}, []Attempt{p(100), f(200), f(200)},
			Decision{Rate: 200, Phase: PhaseRetry, Pass: 100}},
		{"the start fails: step down", base, []Attempt{f(100), f(100)},
			Decision{Rate: 50, Phase: PhaseClimb, Fail: 100}},
		{"stepping down finds a pass: bisect", base, []Attempt{f(100), f(100), f(50), f(50), p(25)},
			Decision{Rate: 37.5, Phase: PhaseBisect, Pass: 25, Fail: 50}},
		{"stepping down stops at the minimum rate", Config{Start: 4, MinRate: 2}, []Attempt{f(4), f(4)},
			Decision{Rate: 2, Phase: PhaseClimb, Fail: 4}},
		{"failing at the minimum rate ends the search", Config{Start: 4, MinRate: 2}, []Attempt{f(4), f(4), f(2), f(2)},
			Decision{Done: true, Phase: PhaseDone, Stopped: StopMinRate, Fail: 2}},
		{"climbing stops at the maximum rate", Config{Start: 100, MaxRate: 300}, []Attempt{p(100), p(200)},
			Decision{Rate: 300, Phase: PhaseClimb, Pass: 200}},
		{"passing the maximum rate ends the search", Config{Start: 100, MaxRate: 300}, []Attempt{p(100), p(200), p(300)},
			Decision{Done: true, Phase: PhaseDone, Stopped: StopMaxRate, Pass: 300}},
		{"the step limit ends the search", Config{Start: 100, MaxSteps: 3}, []Attempt{p(100), p(200), f(400)},
			Decision{Done: true, Phase: PhaseDone, Stopped: StopMaxSteps, Pass: 200}},
		{"the time budget ends the search", Config{Start: 100, MaxTime: 17 * time.Second, WarmUp: time.Second, Hold: 4 * time.Second, MinMessages: 1},
			[]Attempt{p(100), p(200)},
			Decision{Done: true, Phase: PhaseDone, Stopped: StopMaxTime, Pass: 200}},
		{"the time budget allows a step that fits", Config{Start: 100, MaxTime: 30 * time.Second, WarmUp: time.Second, Hold: 4 * time.Second, MinMessages: 1},
			[]Attempt{p(100), p(200)},
			Decision{Rate: 400, Phase: PhaseClimb, Pass: 200}},
		{"a pass above a believed fail is noise", base, []Attempt{p(100), f(200), f(200), p(150), f(175), f(175), p(190)},
			Decision{Rate: 163, Phase: PhaseBisect, Pass: 150, Fail: 175}},
		{"rates keep three significant figures", Config{Start: 1234}, []Attempt{p(1234)},
			Decision{Rate: 2470, Phase: PhaseClimb, Pass: 1234}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Next(tt.cfg, tt.history); got != tt.want {
				t.Errorf("Next = %+v\n           want %+v", got, tt.want)
			}
		})
	}
}

// Every search ends by itself: whatever the outcomes, the number of steps is
// bounded well below MaxSteps when the outcomes are consistent.
func TestNextEndsAgainstAnyLimit(t *testing.T) {
	for _, limit := range []float64{0.5, 1, 3, 37, 99.5, 100, 1000, 12345, 1e6} {
		cfg := Config{Start: 100, MaxTime: time.Hour}
		var history []Attempt
		for i := 0; ; i++ {
			d := Next(cfg, history)
			if d.Done {
				if limit >= cfg.withDefaults().MinRate && limit < 1e6 && d.Stopped != StopResolution {
					t.Errorf("limit %v: stopped %q, want %q", limit, d.Stopped, StopResolution)
				}
				if d.Stopped == StopResolution && !(d.Pass <= limit && limit < d.Fail && d.Fail <= d.Pass*1.05) {
					t.Errorf("limit %v: bracket [%v, %v] does not hold it within 5%%", limit, d.Pass, d.Fail)
				}
				if len(history) > 25 {
					t.Errorf("limit %v: %d steps", limit, len(history))
				}
				break
			}
			if i > 100 {
				t.Fatalf("limit %v: no end after %d steps", limit, i)
			}
			history = append(history, Attempt{Rate: d.Rate, Pass: d.Rate <= limit, Took: time.Second})
		}
	}
}

func TestStepLength(t *testing.T) {
	cfg := Config{Start: 1, WarmUp: 2 * time.Second, Hold: 5 * time.Second, MinMessages: 1000}
	for _, tt := range []struct {
		rate float64
		want time.Duration
	}{
		{1000, 7 * time.Second}, // 1000 messages take 1 s: the hold wins
		{300, 7 * time.Second},  // 3.3 s: the hold still wins
		{150, 9 * time.Second},  // 6.7 s, rounded up to a whole second
		{100, 12 * time.Second}, // 10 s
	} {
		if got := cfg.StepLength(tt.rate); got != tt.want {
			t.Errorf("StepLength(%v) = %s, want %s", tt.rate, got, tt.want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	if err := (Config{Start: 100}).Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
	err := Config{Start: 0, Factor: 1, Resolution: 1.5, MaxRate: -1, MaxSteps: -2}.Validate()
	if err == nil {
		t.Fatal("no error for a bad configuration")
	}
	for _, want := range []string{"start rate", "factor", "resolution", "maximum rate", "max steps"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestRoundRate(t *testing.T) {
	for in, want := range map[float64]float64{
		93.75: 93.8, 1234: 1230, 0.123456: 0.123, 150: 150, 87.5: 87.5, 123456: 123000,
	} {
		if got := roundRate(in); got != want {
			t.Errorf("roundRate(%v) = %v, want %v", in, got, want)
		}
	}
}
