package capacity

import (
	"math"
	"strings"
	"testing"
	"time"
)

// depth makes one sample a second from t=1 on.
func depth(values ...float64) []DepthSample {
	out := make([]DepthSample, len(values))
	for i, v := range values {
		out[i] = DepthSample{T: float64(i + 1), Depth: v}
	}
	return out
}

func TestFitGrowth(t *testing.T) {
	g := FitGrowth(depth(0, 10, 20, 30, 40))
	if g.Slope != 10 || g.StdErr != 0 || g.Rise != 40 || g.Start != 0 || g.End != 40 || g.N != 5 {
		t.Errorf("a straight line: %+v", g)
	}
	g = FitGrowth(depth(5, 3, 6, 4, 5, 3, 6, 4))
	if math.Abs(g.Slope) > 0.3 || g.StdErr == 0 {
		t.Errorf("jitter around a level: %+v", g)
	}
	if g := FitGrowth(depth(7)); g.Slope != 0 || g.N != 1 || g.Start != 7 {
		t.Errorf("one sample: %+v", g)
	}
	if g := FitGrowth(nil); g != (Growth{}) {
		t.Errorf("no samples: %+v", g)
	}
	if g := FitGrowth([]DepthSample{{T: 3, Depth: 1}, {T: 3, Depth: 9}}); g.Slope != 0 {
		t.Errorf("samples at one moment have no slope: %+v", g)
	}
}

func TestGrows(t *testing.T) {
	o := Objective{P99: time.Second}
	tests := []struct {
		name   string
		target float64
		depth  []DepthSample
		want   bool
	}{
		{"level", 100, depth(3, 4, 3, 5, 4, 3), false},
		{"jitter of a few messages", 100, depth(0, 12, 1, 9, 2, 14, 0, 11), false},
		{"steady growth of 5 msg/s at 100 msg/s", 100, depth(2, 7, 11, 18, 22, 27), true},
		{"growth within the 1% allowance at 1000 msg/s", 1000, depth(0, 8, 16, 24, 32, 40), false},
		{"growth beyond it at 1000 msg/s", 1000, depth(0, 30, 60, 90, 120, 150), true},
		{"a slow step is not failed for a handful of messages", 10, depth(0, 0, 1, 1, 1, 2), false},
		{"a jump that the slope's noise does not support", 100, depth(0, 0, 0, 0, 0, 40), false},
		{"too few samples to tell", 100, depth(0, 50), false},
		{"draining, not growing", 100, depth(60, 50, 40, 30, 20, 10), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := FitGrowth(tt.depth)
			if got := g.Grows(tt.target, o); got != tt.want {
				t.Errorf("Grows = %v, want %v (%+v)", got, tt.want, g)
			}
		})
	}
}

func TestJudge(t *testing.T) {
	o := Objective{P99: 50 * time.Millisecond}
	good := Measurement{
		Target: 1000, Achieved: 995, Consumed: 995, Published: 10000,
		P99: 20 * time.Millisecond, Delivered: 10000,
		Backlog:      depth(25, 23, 26, 24, 25, 23, 26, 24),
		Depth:        depth(5, 3, 6, 4, 5, 3, 6, 4),
		SendDelayP99: time.Millisecond, WindowFull: 0.05, GeneratorCPU: 0.3,
	}
	tests := []struct {
		name      string
		change    func(*Measurement)
		reasons   []string // substrings, one per reason, in order
		generator bool
	}{
		{"every criterion met", func(*Measurement) {}, nil, false},
		{"one message short at a low rate is rounding", func(m *Measurement) {
			m.Target, m.Achieved, m.Seconds = 20, 118.0/6, 6 // 118 of 120, where 99% is 118.8
		}, nil, false},
		{"two messages short at a low rate is not", func(m *Measurement) {
			m.Target, m.Achieved, m.Seconds = 20, 19.5, 4 // 78 of 80, where 99% is 79.2
		}, []string{"published 19.5 msg/s, 97.5% of the 20 msg/s target"}, false},
		{"publishers fell short", func(m *Measurement) { m.Achieved = 980 }, []string{"published 980 msg/s, 98.0% of the 1,000 msg/s target"}, false},
		{"queues grew", func(m *Measurement) { m.Depth = depth(0, 50, 100, 150, 200, 250) }, []string{"queues grew by 50 msg/s"}, false},
		{"the backlog grew", func(m *Measurement) { m.Backlog = depth(0, 50, 100, 150, 200, 250) }, []string{"the backlog grew by 50 msg/s (250 messages across the step)"}, false},
		{"both grew", func(m *Measurement) {
			m.Backlog, m.Depth = depth(0, 50, 100, 150, 200, 250), depth(0, 40, 80, 120, 160, 200)
		}, []string{"the backlog grew by 50 msg/s", "queues grew by 40 msg/s on the broker's count"}, false},
		{"p99 beyond the objective", func(m *Measurement) { m.P99 = 80 * time.Millisecond }, []string{"p99 80 ms exceeds the objective 50 ms"}, false},
		{"nothing delivered", func(m *Measurement) { m.Delivered, m.P99 = 0, 0 }, []string{"no message was delivered"}, false},
		{"an alarm blocked publishers", func(m *Measurement) { m.Blocked = []string{"memory alarm at 4s"} }, []string{"publishers were blocked: memory alarm at 4s"}, false},
		{"a lost message", func(m *Measurement) { m.Lost = 3 }, []string{"3 confirmed messages were lost"}, false},
		{"several at once, in order", func(m *Measurement) {
			m.Achieved, m.P99, m.Lost = 500, time.Second, 1
		}, []string{"published 500", "p99 1 s exceeds", "1 confirmed"}, false},
		{"warren out of CPU", func(m *Measurement) { m.Achieved, m.GeneratorCPU = 900, 0.97 }, []string{"published 900"}, true},
		{"warren late while the broker showed no strain", func(m *Measurement) {
			m.Achieved, m.SendDelayP99 = 900, 300*time.Millisecond
		}, []string{"published 900"}, true},
		{"p99 beyond the objective by no more than the sends were late", func(m *Measurement) {
			m.P99, m.SendDelayP99 = 60*time.Millisecond, 30*time.Millisecond
		}, []string{"p99 60 ms exceeds"}, true},
		{"p99 beyond the objective by more than the sends were late", func(m *Measurement) {
			m.P99, m.SendDelayP99 = 700*time.Millisecond, 30*time.Millisecond
		}, []string{"p99 700 ms exceeds"}, false},
		{"late because the confirm windows were full: the broker's limit", func(m *Measurement) {
			m.Achieved, m.SendDelayP99, m.WindowFull = 900, 300*time.Millisecond, 0.98
		}, []string{"published 900"}, false},
		{"late under flow control: the broker's limit", func(m *Measurement) {
			m.Achieved, m.SendDelayP99, m.Flow = 900, 300*time.Millisecond, true
		}, []string{"published 900"}, false},
		{"late while queues grew: the consumers' limit", func(m *Measurement) {
			m.Achieved, m.SendDelayP99, m.Backlog = 900, 300*time.Millisecond, depth(0, 50, 100, 150, 200, 250)
		}, []string{"published 900", "the backlog grew"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := good
			tt.change(&m)
			v := Judge(m, o)
			if v.Pass != (len(tt.reasons) == 0) {
				t.Errorf("Pass = %v with reasons %q", v.Pass, v.Reasons)
			}
			if len(v.Reasons) != len(tt.reasons) {
				t.Fatalf("reasons %q, want %d like %q", v.Reasons, len(tt.reasons), tt.reasons)
			}
			for i, want := range tt.reasons {
				if !strings.Contains(v.Reasons[i], want) {
					t.Errorf("reason %d %q does not say %q", i, v.Reasons[i], want)
				}
			}
			if v.GeneratorLimited != tt.generator || (v.GeneratorWhy != "") != tt.generator {
				t.Errorf("GeneratorLimited = %v (%q), want %v", v.GeneratorLimited, v.GeneratorWhy, tt.generator)
			}
		})
	}
}

func TestObjectiveValidate(t *testing.T) {
	if err := (Objective{P99: time.Millisecond}).Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
	err := Objective{MinAchieved: 1.5, MaxGrowth: -1}.Validate()
	for _, want := range []string{"p99", "achieved", "growth"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %q", err, want)
		}
	}
}
