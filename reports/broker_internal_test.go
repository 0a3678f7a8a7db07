package reports

import (
	"slices"
	"testing"
	"time"

	"github.com/warrenmq/warren/results"
)

func TestBlockedIntervals(t *testing.T) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return start.Add(time.Duration(ms) * time.Millisecond) }
	ev := func(ms int, kind string) results.Event { return results.Event{At: at(ms), Kind: kind} }
	for _, tc := range []struct {
		name   string
		events []results.Event
		want   []interval
	}{
		{"none", nil, nil},
		{"one pair", []results.Event{ev(1000, results.EventBlocked), ev(2500, results.EventUnblocked)}, []interval{{1, 2.5}}},
		{"two connections overlap", []results.Event{
			ev(1000, results.EventBlocked), ev(1200, results.EventBlocked),
			ev(2000, results.EventUnblocked), ev(2600, results.EventUnblocked),
		}, []interval{{1, 2.6}}},
		{"out of order in the result", []results.Event{ev(2500, results.EventUnblocked), ev(1000, results.EventBlocked)}, []interval{{1, 2.5}}},
		{"never lifted lasts to the end", []results.Event{ev(4000, results.EventBlocked)}, []interval{{4, 10}}},
		{"unblock without block ignored", []results.Event{ev(500, results.EventUnblocked), ev(1000, results.EventBlocked), ev(1500, results.EventUnblocked)}, []interval{{1, 1.5}}},
		{"other kinds ignored", []results.Event{{At: at(1000), Kind: "channel.closed"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &results.Result{StartedAt: start, EndedAt: at(10_000), Events: tc.events}
			if got := blockedIntervals(r); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAlarmIntervals(t *testing.T) {
	var samples []results.BrokerSample
	for tsec, on := range []bool{false, true, true, false, true, false, true} {
		samples = append(samples, results.BrokerSample{T: tsec + 1, MemoryAlarm: on})
	}
	got := alarmIntervals(samples, func(s results.BrokerSample) bool { return s.MemoryAlarm })
	want := []interval{{2, 3}, {5, 5}, {7, 7}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if s := shadingText(shading{kind: shadeMemoryAlarm, intervals: want, sampled: true}); s != "**The memory alarm was on** in the samples at +2s to +3s, +5s, +7s." {
		t.Errorf("shadingText: %q", s)
	}
}

// The largest lag reads in warren's one convention for durations.
func TestLagText(t *testing.T) {
	for _, tc := range []struct {
		st   queueStats
		want string
	}{
		{queueStats{maxLag: 0.042, maxLagAt: 12}, "42 ms at +12s"},
		{queueStats{maxLag: 1.649, maxLagAt: 3}, "1.65 s at +3s"},
		{queueStats{maxLag: 312.4, maxLagAt: 400}, "5.21 min at +400s"},
		{queueStats{maxReady: 10}, "no consumers"},
		{queueStats{}, "0 s (never a backlog)"},
	} {
		if got := lagText(&tc.st); got != tc.want {
			t.Errorf("lagText(%+v) = %q, want %q", tc.st, got, tc.want)
		}
	}
}

// Memory far below the watermark keeps its own scale, and the legend says
// where the watermark is; near it, both share the scale.
func TestBrokerMemoryScale(t *testing.T) {
	for _, tc := range []struct {
		used, limit int64
		legend      string
		ymaxMiB     float64
	}{
		{170 << 20, 9_400 << 20, "high watermark 9.2 GiB, above this scale (peak use 1.8% of it)", 170 * 1.05},
		{300 << 20, 400 << 20, "high watermark (400.0 MiB)", 400 * 1.05},
	} {
		r := &results.Result{Broker: results.BrokerView{Source: results.SourceManagement, Samples: []results.BrokerSample{
			{T: 1, MemoryUsed: tc.used / 2, MemoryLimit: tc.limit},
			{T: 2, MemoryUsed: tc.used, MemoryLimit: tc.limit},
		}}}
		c, err := brokerMemoryChart(r)
		if err != nil {
			t.Fatal(err)
		}
		if c.legend[0].label != tc.legend {
			t.Errorf("legend %q, want %q", c.legend[0].label, tc.legend)
		}
		if got := c.p.Y.Max; got < tc.ymaxMiB-0.01 || got > tc.ymaxMiB+0.01 {
			t.Errorf("y axis to %v MiB, want %v", got, tc.ymaxMiB)
		}
	}
}
