package scenarios

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
)

func TestParseRate(t *testing.T) {
	tests := []struct {
		in   string
		want Rate
		err  bool
	}{
		{"500/s", Rate{PerSecond: 500}, false},
		{"500", Rate{PerSecond: 500}, false},
		{"30000/min", Rate{PerSecond: 500}, false},
		{"2/ms", Rate{PerSecond: 2000}, false},
		{"3600/h", Rate{PerSecond: 1}, false},
		{"unlimited", Rate{Unlimited: true}, false},
		{"0", Rate{Unlimited: true}, false},
		{"-5/s", Rate{}, true},
		{"fast", Rate{}, true},
		{"5/fortnight", Rate{}, true},
		{"NaN", Rate{}, true},
	}
	for _, tt := range tests {
		got, err := ParseRate(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseRate(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestRateYAML(t *testing.T) {
	tests := []struct {
		in      string
		want    string // Rate.String
		wantErr string
	}{
		{"rate: 500/s", "500/s", ""},
		{"rate: 500", "500/s", ""},
		{"rate: unlimited", "unlimited", ""},
		{"rate: {constant: 250/s}", "250/s", ""},
		{"rate: {ramp: {from: 100/s, to: 2000/s, over: 60s}}", "ramp 100/s to 2000/s over 1m0s", ""},
		{"rate: {steps: [100/s, 500, 30000/min], every: 30s}", "steps 100/s, 500/s, 500/s every 30s", ""},
		{"rate:\n  ramp:\n    from: 1/s\n    to: 2/s\n    over: 1s\n", "ramp 1/s to 2/s over 1s", ""},
		{"rate: {ramp: {from: 1/s, to: 2/s, over: 1s}, steps: [1/s]}", "", "not several"},
		{"rate: {every: 1s}", "", "needs one of"},
		{"rate: {constant: 1/s, every: 1s}", "", "every goes with steps"},
		{"rate: {ramp: {from: 1/s, too: 2/s}}", "", `unknown field "too"`},
		{"rate: {constant: {ramp: {from: 1/s, to: 2/s, over: 1s}}}", "", "constant needs a single rate"},
		{"rate: [1, 2]", "", "got a list"},
		{"rate: fast", "", "invalid rate"},
	}
	for _, tt := range tests {
		var v struct {
			Rate Rate `yaml:"rate"`
		}
		err := yaml.UnmarshalWithOptions([]byte(tt.in), &v, yaml.DisallowUnknownField())
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: error %v, want one containing %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if got := v.Rate.String(); got != tt.want {
			t.Errorf("%q: got %s, want %s", tt.in, got, tt.want)
		}
		// Both YAML and JSON write it back in a form they read.
		out, err := yaml.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var back struct {
			Rate Rate `yaml:"rate"`
		}
		if err := yaml.UnmarshalWithOptions(out, &back, yaml.DisallowUnknownField()); err != nil || back.Rate.String() != tt.want {
			t.Errorf("%q: YAML round trip gave %s (%v) from %s", tt.in, back.Rate, err, out)
		}
		js, err := json.Marshal(v.Rate)
		if err != nil {
			t.Fatal(err)
		}
		var jback Rate
		if err := json.Unmarshal(js, &jback); err != nil || jback.String() != tt.want {
			t.Errorf("%q: JSON round trip gave %s (%v) from %s", tt.in, jback, err, js)
		}
	}
}

func ramp(from, to float64, over time.Duration) Rate {
	return Rate{Ramp: &RampRate{From: Rate{PerSecond: from}, To: Rate{PerSecond: to}, Over: Duration(over)}}
}

func steps(every time.Duration, rates ...float64) Rate {
	s := &StepRates{Every: Duration(every)}
	for _, r := range rates {
		s.Rates = append(s.Rates, Rate{PerSecond: r})
	}
	return Rate{Steps: s}
}

func TestRateAtAndDue(t *testing.T) {
	sec := time.Second
	tests := []struct {
		name    string
		r       Rate
		elapsed time.Duration
		at, due float64
	}{
		{"constant at 0", Rate{PerSecond: 100}, 0, 100, 0},
		{"constant", Rate{PerSecond: 100}, 3 * sec, 100, 300},
		{"no rate", Rate{}, 3 * sec, 0, 0},
		{"ramp start", ramp(100, 300, 10*sec), 0, 100, 0},
		{"ramp middle", ramp(100, 300, 10*sec), 5 * sec, 200, 750},
		{"ramp end", ramp(100, 300, 10*sec), 10 * sec, 300, 2000},
		{"ramp after: holds", ramp(100, 300, 10*sec), 12 * sec, 300, 2600},
		{"ramp down", ramp(300, 100, 10*sec), 5 * sec, 200, 1250},
		{"steps first", steps(10*sec, 100, 500, 1000), 5 * sec, 100, 500},
		{"steps second", steps(10*sec, 100, 500, 1000), 15 * sec, 500, 1000 + 2500},
		{"steps boundary", steps(10*sec, 100, 500, 1000), 20 * sec, 1000, 1000 + 5000},
		{"steps last holds", steps(10*sec, 100, 500, 1000), 40 * sec, 1000, 1000 + 5000 + 20000},
	}
	for _, tt := range tests {
		if got := tt.r.At(tt.elapsed); math.Abs(got-tt.at) > 1e-9 {
			t.Errorf("%s: At(%s) = %v, want %v", tt.name, tt.elapsed, got, tt.at)
		}
		if got := tt.r.Due(tt.elapsed); math.Abs(got-tt.due) > 1e-6 {
			t.Errorf("%s: Due(%s) = %v, want %v", tt.name, tt.elapsed, got, tt.due)
		}
		// DueAt is the inverse of Due.
		if tt.due > 0 {
			if got := tt.r.DueAt(tt.due); (got - tt.elapsed).Abs() > time.Microsecond {
				t.Errorf("%s: DueAt(%v) = %s, want %s", tt.name, tt.due, got, tt.elapsed)
			}
		}
	}
	u := Rate{Unlimited: true}
	if !math.IsInf(u.At(0), 1) || !math.IsInf(u.Due(sec), 1) || u.DueAt(1e9) != 0 {
		t.Errorf("unlimited: At %v, Due %v, DueAt %v", u.At(0), u.Due(sec), u.DueAt(1e9))
	}
	if got := (Rate{}).DueAt(1); got != Never {
		t.Errorf("no rate: DueAt(1) = %s, want Never", got)
	}
	if got := ramp(0, 0, sec).DueAt(1); got != Never {
		t.Errorf("zero ramp: DueAt(1) = %s, want Never", got)
	}
	if got := ramp(0, 100, 10*sec).DueAt(125); (got - 5*sec).Abs() > time.Microsecond {
		t.Errorf("ramp from 0: DueAt(125) = %s, want 5s", got)
	}
}

func TestRateDueAtIsMonotonic(t *testing.T) {
	for _, r := range []Rate{ramp(10, 1000, 5*time.Second), ramp(1000, 10, 5*time.Second), steps(time.Second, 5, 50, 1, 500), {PerSecond: 7}} {
		prev := time.Duration(-1)
		for n := 0.0; n < 3000; n++ {
			d := r.DueAt(n)
			if d < prev {
				t.Fatalf("%s: DueAt(%v) = %s < DueAt(%v) = %s", r, n, d, n-1, prev)
			}
			if back := r.Due(d); math.Abs(back-n) > 1e-3 {
				t.Fatalf("%s: Due(DueAt(%v)) = %v", r, n, back)
			}
			prev = d
		}
	}
}

func TestRateScalePeakMean(t *testing.T) {
	r := ramp(100, 300, 10*time.Second).Scale(0.5)
	if r.Ramp.From.PerSecond != 50 || r.Ramp.To.PerSecond != 150 || r.Ramp.Over.Std() != 10*time.Second {
		t.Errorf("Scale: %s", r)
	}
	s := steps(time.Second, 100, 500).Scale(0.1)
	if s.String() != "steps 10/s, 50/s every 1s" {
		t.Errorf("Scale: %s", s)
	}
	if (Rate{PerSecond: 10}).Scale(2).PerSecond != 20 || !(Rate{Unlimited: true}).Scale(2).Unlimited {
		t.Error("Scale of constant or unlimited")
	}
	if p := steps(time.Second, 100, 500, 200).Peak(); p != 500 {
		t.Errorf("Peak = %v", p)
	}
	if m := ramp(100, 300, 10*time.Second).Mean(10 * time.Second); m != 200 {
		t.Errorf("Mean = %v", m)
	}
	// Scaling must not share memory with the original.
	orig := steps(time.Second, 100)
	_ = orig.Scale(2)
	if orig.Steps.Rates[0].PerSecond != 100 {
		t.Error("Scale changed the original")
	}
}
