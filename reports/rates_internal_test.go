package reports

import (
	"testing"
	"time"

	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

func TestConsumeRateWhilePublishing(t *testing.T) {
	// Two seconds of publishing at 1,500 msg/s whose consumers took 880
	// msg/s and caught up in the drain: the summary says 1,500, the series
	// says 880.
	series := []results.Second{
		{T: 1, Published: 1580, Consumed: 976},
		{T: 2, Published: 1420, Consumed: 784},
		{T: 3, Consumed: 1146},
		{T: 4, Consumed: 94},
	}
	for _, tc := range []struct {
		name     string
		duration time.Duration
		warmUp   time.Duration
		series   []results.Second
		want     float64
		ok       bool
	}{
		{"drain left out", 2 * time.Second, 0, series, 880, true},
		{"warm-up left out", 2 * time.Second, 1 * time.Second, series, 784, true},
		{"sub-second warm-up keeps its second", 2 * time.Second, 500 * time.Millisecond, series, 880, true},
		{"duration rounds to the second", 2003 * time.Millisecond, 0, series, 880, true},
		{"no series", 2 * time.Second, 0, nil, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &results.Result{
				Duration: scenarios.Duration(tc.duration),
				Scenario: &scenarios.Scenario{Run: scenarios.RunSettings{WarmUp: scenarios.Duration(tc.warmUp)}},
				Series:   tc.series,
				Summary:  results.Summary{ConsumeRate: 1500},
			}
			got, ok := consumeRateWhilePublishing(r)
			if got != tc.want || ok != tc.ok {
				t.Errorf("got %v, %v; want %v, %v", got, ok, tc.want, tc.ok)
			}
			if want := map[bool]float64{true: tc.want, false: 1500}[tc.ok]; consumeRate(r) != want {
				t.Errorf("consumeRate = %v, want %v", consumeRate(r), want)
			}
		})
	}
}
