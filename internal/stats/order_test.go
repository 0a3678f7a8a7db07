package stats_test

import (
	"math"
	"testing"

	"github.com/warrenmq/warren/internal/stats"
)

func TestQuantile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		xs   []float64
		q    float64
		want float64
	}{
		{[]float64{3, 1, 2}, 0.5, 2},
		{[]float64{4, 1, 3, 2}, 0.5, 2.5},
		{[]float64{1, 2, 3, 4}, 0.25, 1.75}, // R: quantile(1:4, 0.25) = 1.75
		{[]float64{1, 2, 3, 4}, 0.75, 3.25},
		{[]float64{1, 2, 3, 4}, 0, 1},
		{[]float64{1, 2, 3, 4}, 1, 4},
		{[]float64{7}, 0.9, 7},
		{[]float64{10, 20}, 0.9, 19},
		{nil, 0.5, math.NaN()},
		{[]float64{1}, 1.5, math.NaN()},
		{[]float64{1}, math.NaN(), math.NaN()},
	} {
		got := stats.Quantile(tc.xs, tc.q)
		if !(got == tc.want || math.IsNaN(got) && math.IsNaN(tc.want)) {
			t.Errorf("Quantile(%v, %v) = %v, want %v", tc.xs, tc.q, got, tc.want)
		}
	}
	xs := []float64{3, 1, 2}
	stats.Median(xs)
	if xs[0] != 3 || xs[1] != 1 || xs[2] != 2 {
		t.Errorf("Median sorted its argument: %v", xs)
	}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	s := stats.Summarize([]float64{9, 1, 5, 3, 7})
	want := stats.Summary{N: 5, Min: 1, Q1: 3, Median: 5, Q3: 7, Max: 9}
	if s != want || s.IQR() != 4 || s.Range() != 8 {
		t.Errorf("%+v, IQR %v, range %v", s, s.IQR(), s.Range())
	}
	if e := stats.Summarize(nil); e.N != 0 || !math.IsNaN(e.Median) || !math.IsNaN(e.Min) {
		t.Errorf("empty: %+v", e)
	}
}

func TestJain(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		xs   []float64
		want float64
	}{
		{[]float64{5, 5, 5, 5}, 1},
		{[]float64{1, 0, 0, 0}, 0.25}, // one takes all: 1/n
		{[]float64{3, 3, 0, 0}, 0.5},  // k of n equal: k/n
		{[]float64{1, 2, 3}, 36.0 / 42},
		{[]float64{7}, 1},
		{nil, math.NaN()},
		{[]float64{0, 0}, math.NaN()},
	} {
		got := stats.Jain(tc.xs)
		if !(math.Abs(got-tc.want) < 1e-15 || math.IsNaN(got) && math.IsNaN(tc.want)) {
			t.Errorf("Jain(%v) = %v, want %v", tc.xs, got, tc.want)
		}
	}
}
