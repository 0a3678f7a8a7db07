package stats

import "math"

// Jain returns Jain's fairness index of xs, (Σx)² / (n·Σx²): 1 when every
// share is equal, 1/n when one takes everything, and k/n when k take equal
// shares and the rest nothing. Shares must be ≥ 0. It returns NaN for an
// empty sample or when every share is 0, where fairness means nothing.
//
// R. Jain, D. Chiu and W. Hawe, "A Quantitative Measure of Fairness and
// Discrimination for Resource Allocation in Shared Computer Systems",
// DEC-TR-301, 1984.
func Jain(xs []float64) float64 {
	var sum, squares float64
	for _, x := range xs {
		sum += x
		squares += x * x
	}
	if len(xs) == 0 || squares == 0 {
		return math.NaN()
	}
	return sum * sum / (float64(len(xs)) * squares)
}
