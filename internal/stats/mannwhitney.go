package stats

import (
	"errors"
	"math"
	"slices"
)

// ExactLimit is the largest sample size for which MannWhitney computes
// the exact distribution of U (when neither sample has ties); beyond it
// the normal approximation is within a fraction of a per cent of the
// exact p-value, and the exact one costs time that grows as n⁴.
const ExactLimit = 50

// MannWhitneyResult is the outcome of a Mann-Whitney U test.
type MannWhitneyResult struct {
	// U counts the pairs (x, y), one from each sample, in which x is the
	// larger, a tie counting one half: from 0 (every x below every y) to
	// N1·N2 (every x above every y).
	U float64
	// N1 and N2 are the sizes of x and y.
	N1, N2 int
	// P is the two-sided p-value: were both samples drawn from one
	// distribution, the probability of a U at least as far from N1·N2/2
	// as this one.
	P float64
	// Exact says P comes from the exact distribution of U rather than the
	// normal approximation.
	Exact bool
}

// Effect is U/(N1·N2), the chance that a value drawn from x's
// distribution exceeds one drawn from y's (a tie counting one half):
// 0.5 when neither tends to be larger, above 0.5 when x does.
func (r MannWhitneyResult) Effect() float64 {
	return r.U / (float64(r.N1) * float64(r.N2))
}

// Significant says whether the test rejects, at level alpha, the
// hypothesis that both samples come from one distribution.
func (r MannWhitneyResult) Significant(alpha float64) bool { return r.P < alpha }

// MannWhitney runs the two-sided Mann-Whitney U test (also called the
// Wilcoxon rank-sum test) of whether x and y come from one distribution.
// It assumes nothing about that distribution's shape, only that the values
// within and between the samples are independent.
//
// When both samples hold at most ExactLimit values and no value occurs
// twice, P comes from the exact distribution of U. Otherwise it comes from
// the normal approximation with the variance corrected for ties and a
// continuity correction of one half (the defaults of R's wilcox.test and
// SciPy's mannwhitneyu).
//
// It returns an error when a sample is empty or holds NaN.
func MannWhitney(x, y []float64) (MannWhitneyResult, error) {
	n1, n2 := len(x), len(y)
	if n1 == 0 || n2 == 0 {
		return MannWhitneyResult{}, errors.New("stats: Mann-Whitney U needs at least one value in each sample")
	}
	// Rank the pooled values, tied values sharing the mean of their ranks.
	type value struct {
		v     float64
		fromX bool
	}
	all := make([]value, 0, n1+n2)
	for _, v := range x {
		all = append(all, value{v, true})
	}
	for _, v := range y {
		all = append(all, value{v, false})
	}
	for _, a := range all {
		if math.IsNaN(a.v) {
			return MannWhitneyResult{}, errors.New("stats: Mann-Whitney U of a sample holding NaN")
		}
	}
	slices.SortFunc(all, func(a, b value) int {
		switch {
		case a.v < b.v:
			return -1
		case a.v > b.v:
			return 1
		}
		return 0
	})
	var rankSumX, ties float64 // ties: Σ(t³ − t) over groups of t equal values
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		// Ranks i+1 … j, shared.
		rank := float64(i+1+j) / 2
		for k := i; k < j; k++ {
			if all[k].fromX {
				rankSumX += rank
			}
		}
		if t := float64(j - i); t > 1 {
			ties += t*t*t - t
		}
		i = j
	}
	r := MannWhitneyResult{N1: n1, N2: n2, U: rankSumX - float64(n1)*float64(n1+1)/2}
	pairs := float64(n1) * float64(n2)
	if ties == 0 && n1 <= ExactLimit && n2 <= ExactLimit {
		// U's distribution is symmetric about N1·N2/2: the two-sided
		// p-value doubles the tail beyond the nearer end.
		r.P, r.Exact = min(1, 2*uCDF(n1, n2, int(min(r.U, pairs-r.U)))), true
		return r, nil
	}
	r.P = normalP(r.U, n1, n2, ties)
	return r, nil
}

// normalP is the two-sided p-value of U from the normal approximation,
// its variance corrected for ties (ties = Σ(t³ − t) over the groups of t
// equal values) and its distance from the mean shortened by one half for
// continuity.
func normalP(u float64, n1, n2 int, ties float64) float64 {
	pairs, n := float64(n1)*float64(n2), float64(n1+n2)
	variance := pairs / 12 * ((n + 1) - ties/(n*(n-1)))
	d := math.Abs(u-pairs/2) - 0.5
	if variance <= 0 || d <= 0 {
		// Every value the same, or U at its mean: nothing tells the
		// samples apart.
		return 1
	}
	return min(1, math.Erfc(d/math.Sqrt(variance)/math.Sqrt2))
}

// uCDF returns P(U ≤ k) when two samples of n1 and n2 distinct values
// come from one distribution, so that every order of the pooled values is
// equally likely.
//
// U counts, for each x, the y values before it. Building an order value by
// value, a sequence of a x's and b y's ends either in an x, which adds b to
// U, or in a y, which adds nothing: the number of sequences with a given U
// is c(a, b, u) = c(a−1, b, u−b) + c(a, b−1, u). Only counts up to k are
// needed, which makes the small p-values that matter cheap, and only sums
// of positive counts are taken, so float64 keeps them to its full
// precision even where they exceed 10²⁹ (50 and 50 values).
func uCDF(n1, n2, k int) float64 {
	if k < 0 {
		return 0
	}
	if k >= n1*n2 {
		return 1
	}
	// prev[b] holds c(a−1, b, u) and cur[b] c(a, b, u) for u ≤ k.
	prev := make([][]float64, n2+1)
	cur := make([][]float64, n2+1)
	for b := range prev {
		prev[b] = make([]float64, k+1)
		cur[b] = make([]float64, k+1)
		prev[b][0] = 1 // no x: one sequence, U = 0
	}
	for a := 1; a <= n1; a++ {
		cur[0][0] = 1
		for b := 1; b <= n2; b++ {
			c, left, up := cur[b], cur[b-1], prev[b]
			top := min(a*b, k)
			copy(c[:top+1], left[:top+1]) // ends in a y
			for u := b; u <= top; u++ {
				c[u] += up[u-b] // ends in an x, above b y's
			}
		}
		prev, cur = cur, prev
	}
	var count float64
	for _, v := range prev[n2] {
		count += v
	}
	// Of C(n1+n2, n1) orders in all.
	total := 1.0
	for i := 1; i <= n1; i++ {
		total = total * float64(n2+i) / float64(i)
	}
	return min(1, count/total)
}
