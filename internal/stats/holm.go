package stats

import (
	"math"
	"slices"
)

// Holm adjusts the p-values of a family of tests for their number, by
// Holm's step-down method: a test whose adjusted p-value is below alpha
// is significant with the chance of any false difference in the whole
// family at most alpha. Without it, ten comparisons of five equal
// variants at alpha 0.05 would show a difference that is not there four
// times in ten.
//
// The k-th smallest of m p-values becomes the largest of (m−j+1)·p_j for
// j ≤ k, at most 1. The result is in the order of ps; NaN stays NaN and
// does not count as a test.
//
// S. Holm, "A simple sequentially rejective multiple test procedure",
// Scandinavian Journal of Statistics 6 (1979).
func Holm(ps []float64) []float64 {
	out := make([]float64, len(ps))
	var order []int
	for i, p := range ps {
		out[i] = p
		if !math.IsNaN(p) {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case ps[a] < ps[b]:
			return -1
		case ps[a] > ps[b]:
			return 1
		}
		return 0
	})
	m := len(order)
	running := 0.0
	for k, i := range order {
		running = max(running, min(1, float64(m-k)*ps[i]))
		out[i] = running
	}
	return out
}
