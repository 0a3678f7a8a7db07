package stats_test

import (
	"math"
	"testing"

	"github.com/warrenmq/warren/internal/stats"
)

func TestHolm(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ps, want []float64
	}{
		// What R's p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm")
		// computes: 0.005·4, 0.01·3, 0.03·2 and max(0.04·1, 0.06).
		{[]float64{0.01, 0.04, 0.03, 0.005}, []float64{0.03, 0.06, 0.06, 0.02}},
		// The step-down keeps the order: a larger p never gets a smaller
		// adjusted one (0.012·2 = 0.024 is raised to 0.03).
		{[]float64{0.01, 0.012, 0.5}, []float64{0.03, 0.03, 0.5}},
		{[]float64{0.2, 0.9}, []float64{0.4, 0.9}},
		{[]float64{0.6, 0.7}, []float64{1, 1}},
		{[]float64{0.04}, []float64{0.04}},
		{[]float64{0.01, math.NaN(), 0.02}, []float64{0.02, math.NaN(), 0.02}},
		{nil, []float64{}},
	} {
		got := stats.Holm(tc.ps)
		if len(got) != len(tc.want) {
			t.Fatalf("Holm(%v) = %v", tc.ps, got)
		}
		for i := range got {
			if !(math.Abs(got[i]-tc.want[i]) < 1e-12 || math.IsNaN(got[i]) && math.IsNaN(tc.want[i])) {
				t.Errorf("Holm(%v) = %v, want %v", tc.ps, got, tc.want)
				break
			}
		}
	}
}
