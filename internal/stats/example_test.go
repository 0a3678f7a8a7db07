package stats_test

import (
	"fmt"

	"github.com/warrenmq/warren/internal/stats"
)

// Per-second p99 latencies (ms) of two variants of a sweep: is the second
// one really slower, or is it noise?
func ExampleMannWhitney() {
	a := []float64{10.2, 11.0, 9.8, 10.5, 12.1, 10.9, 10.1, 11.4}
	b := []float64{12.0, 13.5, 11.8, 12.9, 14.2, 12.4, 13.1, 12.2}
	r, err := stats.MannWhitney(a, b)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("U = %.0f of %d pairs, p = %.4f, exact: %v\n", r.U, r.N1*r.N2, r.P, r.Exact)
	fmt.Println("significant at 5%:", r.Significant(0.05))
	// Output:
	// U = 2 of 64 pairs, p = 0.0006, exact: true
	// significant at 5%: true
}

func ExampleSummarize() {
	s := stats.Summarize([]float64{1480, 1502, 1497, 1510, 1499})
	fmt.Printf("median %.0f, range %.0f–%.0f, IQR %.0f\n", s.Median, s.Min, s.Max, s.IQR())
	// Output:
	// median 1499, range 1480–1510, IQR 5
}

func ExampleMedian() {
	fmt.Println(stats.Median([]float64{4, 1, 3, 2}))
	// Output:
	// 2.5
}

func ExampleQuantile() {
	fmt.Println(stats.Quantile([]float64{1, 2, 3, 4}, 0.25))
	// Output:
	// 1.75
}

// Deliveries per consumer: the busiest took half of everything.
func ExampleJain() {
	fmt.Printf("%.3f\n", stats.Jain([]float64{500, 200, 150, 150}))
	fmt.Printf("%.3f\n", stats.Jain([]float64{250, 250, 250, 250}))
	// Output:
	// 0.746
	// 1.000
}

// Three comparisons: the smallest p-value is tripled, the next doubled.
func ExampleHolm() {
	fmt.Println(stats.Holm([]float64{0.02, 0.01, 0.3}))
	// Output:
	// [0.04 0.03 0.3]
}
