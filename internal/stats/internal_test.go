package stats

import (
	"math"
	"testing"
)

// SciPy's documentation, males vs females with method="asymptotic": the
// normal approximation with continuity correction gives p =
// 0.11134688653314041 for U = 17 of 5 and 4 values.
func TestNormalPScipy(t *testing.T) {
	t.Parallel()
	for _, u := range []float64{17, 3} {
		if p := normalP(u, 5, 4, 0); math.Abs(p-0.11134688653314041) > 1e-12 {
			t.Errorf("U = %v: p = %.17g", u, p)
		}
	}
	// R: wilcox.test(1:3, 4:6, exact = FALSE) gives p-value = 0.08086.
	if p := normalP(0, 3, 3, 0); math.Abs(p-0.08086) > 5e-6 {
		t.Errorf("separated 3 vs 3: p = %v", p)
	}
	if p := normalP(10, 5, 4, 0); p != 1 {
		t.Errorf("U at its mean: p = %v", p)
	}
}

// The exact distribution: counts that can be enumerated by hand, a
// symmetric whole, and the normal approximation close to it at the
// exact limit.
func TestUCDF(t *testing.T) {
	t.Parallel()
	// Two x's and two y's: the 6 orders give U = 0,1,2,2,3,4.
	for k, want := range []float64{1, 2, 4, 5, 6} {
		if got := uCDF(2, 2, k); math.Abs(got-want/6) > 1e-15 {
			t.Errorf("n 2, 2: P(U ≤ %d) = %v, want %v/6", k, got, want)
		}
	}
	if uCDF(2, 2, -1) != 0 || uCDF(2, 2, 4) != 1 || uCDF(2, 2, 9) != 1 {
		t.Error("outside 0 … n1·n2")
	}
	for _, n := range [][2]int{{1, 7}, {7, 1}, {5, 4}, {13, 29}, {ExactLimit, ExactLimit}} {
		n1, n2 := n[0], n[1]
		for _, k := range []int{0, 1, n1 * n2 / 3, n1*n2/2 - 1, n1 * n2 / 2} {
			// P(U ≤ k) + P(U ≥ k+1) = 1, and U is symmetric about
			// n1·n2/2, so P(U ≥ k+1) = P(U ≤ n1·n2 − k − 1).
			if sum := uCDF(n1, n2, k) + uCDF(n1, n2, n1*n2-k-1); math.Abs(sum-1) > 1e-12 {
				t.Errorf("%v, k %d: the two tails add up to %v", n, k, sum)
			}
		}
	}
	// At 50 and 50 the exact and the approximate agree to a few
	// thousandths.
	if exact, approx := 2*uCDF(ExactLimit, ExactLimit, 1000), normalP(1000, ExactLimit, ExactLimit, 0); math.Abs(exact-approx) > 0.002 {
		t.Errorf("U = 1000 of 50, 50: exact %v, normal %v", exact, approx)
	}
}

// Against brute force: every way of choosing which n1 of n1+n2 ranks
// belong to x, counted by U.
func TestUCDFEnumerated(t *testing.T) {
	t.Parallel()
	for _, n := range [][2]int{{3, 5}, {6, 6}, {4, 9}, {10, 3}} {
		n1, n2 := n[0], n[1]
		counts := make([]float64, n1*n2+1)
		var total float64
		for mask := 0; mask < 1<<(n1+n2); mask++ {
			if bitsSet(mask) != n1 {
				continue
			}
			// U: for each x, the y's at lower ranks.
			u, ys := 0, 0
			for i := 0; i < n1+n2; i++ {
				if mask&(1<<i) != 0 {
					u += ys
				} else {
					ys++
				}
			}
			counts[u]++
			total++
		}
		cum := 0.0
		for k := range counts {
			cum += counts[k]
			if got := uCDF(n1, n2, k); math.Abs(got-cum/total) > 1e-14 {
				t.Errorf("%v: P(U ≤ %d) = %v, enumerated %v", n, k, got, cum/total)
			}
		}
	}
}

func bitsSet(m int) int {
	n := 0
	for ; m != 0; m &= m - 1 {
		n++
	}
	return n
}
