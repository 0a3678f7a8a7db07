package stats

import (
	"math"
	"slices"
)

// Quantile returns the q-quantile (0 ≤ q ≤ 1) of xs, interpolating
// linearly between the two nearest order statistics (the definition R
// calls type 7 and spreadsheets use). It returns NaN for an empty sample
// or a q outside [0, 1]. xs is not changed.
func Quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 || !(q >= 0 && q <= 1) {
		return math.NaN()
	}
	return quantileSorted(sorted(xs), q)
}

// Median returns the middle value of xs (the mean of the two middle ones
// for an even count); NaN for an empty sample.
func Median(xs []float64) float64 { return Quantile(xs, 0.5) }

// Summary describes a sample by its order statistics: where it lies and
// how far it spreads, without assuming any distribution.
type Summary struct {
	N      int
	Min    float64
	Q1     float64 // the 0.25-quantile
	Median float64
	Q3     float64 // the 0.75-quantile
	Max    float64
}

// Summarize returns the order statistics of xs; every figure is NaN for
// an empty sample.
func Summarize(xs []float64) Summary {
	if len(xs) == 0 {
		nan := math.NaN()
		return Summary{Min: nan, Q1: nan, Median: nan, Q3: nan, Max: nan}
	}
	s := sorted(xs)
	return Summary{
		N:      len(s),
		Min:    s[0],
		Q1:     quantileSorted(s, 0.25),
		Median: quantileSorted(s, 0.5),
		Q3:     quantileSorted(s, 0.75),
		Max:    s[len(s)-1],
	}
}

// IQR is the interquartile range, Q3 − Q1: the width of the middle half.
func (s Summary) IQR() float64 { return s.Q3 - s.Q1 }

// Range is Max − Min.
func (s Summary) Range() float64 { return s.Max - s.Min }

func sorted(xs []float64) []float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s
}

// quantileSorted is Quantile of a sorted, non-empty sample.
func quantileSorted(s []float64, q float64) float64 {
	h := q * float64(len(s)-1)
	lo := int(math.Floor(h))
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[lo] + (h-float64(lo))*(s[lo+1]-s[lo])
}
