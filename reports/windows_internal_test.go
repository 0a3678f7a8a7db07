package reports

import "testing"

func TestTimeAxisUnit(t *testing.T) {
	for _, tc := range []struct {
		xmax float64
		unit string
	}{{30, "s"}, {600, "s"}, {601, "min"}, {3 * 3600, "min"}, {8 * 3600, "h"}} {
		if got, _ := timeUnit(tc.xmax); got != tc.unit {
			t.Errorf("a %.0f s run reads in %s, want %s", tc.xmax, got, tc.unit)
		}
	}
	// Ticks of a two-hour axis fall on round minutes.
	for _, tick := range (timeTicks{seconds: 60}).Ticks(0, 7200) {
		if tick.Label != "" && int(tick.Value)%(60*10) != 0 {
			t.Errorf("tick %q at %.0f s is not on a round ten minutes", tick.Label, tick.Value)
		}
	}
}
