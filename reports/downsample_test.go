package reports

import (
	"math"
	"testing"

	"gonum.org/v1/plot/plotter"
)

func TestDownsampleKeepsPeaks(t *testing.T) {
	// Eight hours of seconds: a steady 2,000 with one spike and one dip.
	pts := make(plotter.XYs, 8*3600)
	for i := range pts {
		pts[i] = plotter.XY{X: float64(i), Y: 2000 + 5*math.Sin(float64(i))}
	}
	pts[12345].Y = 9000
	pts[20000].Y = 10
	got := downsample(pts, maxChartPoints)
	if len(got) > maxChartPoints+2 {
		t.Errorf("%d points, want at most about %d", len(got), maxChartPoints)
	}
	var peak, dip bool
	for i, p := range got {
		peak = peak || p.Y == 9000 && p.X == 12345
		dip = dip || p.Y == 10 && p.X == 20000
		if i > 0 && p.X <= got[i-1].X {
			t.Fatalf("points out of time order at %d: %v then %v", i, got[i-1], p)
		}
	}
	if !peak || !dip {
		t.Errorf("downsampling lost the spike (%v) or the dip (%v)", peak, dip)
	}
	short := pts[:500]
	if got := downsample(short, maxChartPoints); len(got) != len(short) {
		t.Errorf("a short series was thinned to %d points", len(got))
	}
}
