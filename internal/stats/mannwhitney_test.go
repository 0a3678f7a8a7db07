package stats_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/warrenmq/warren/internal/stats"
)

// Published results, each from its source's own example.
func TestMannWhitneyPublished(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		x, y    []float64
		u, p    float64
		tol     float64
		exact   bool
		comment string
	}{
		{
			// SciPy's mannwhitneyu documentation: ages at diagnosis of
			// males and females, U1 = 17, exact two-sided p = 1/9.
			name: "scipy males vs females", x: []float64{19, 22, 16, 29, 24}, y: []float64{20, 11, 17, 12},
			u: 17, p: 0.1111111111111111, tol: 1e-15, exact: true,
		},
		{
			// The same samples the other way round: U2 = 20 − 17, same p.
			name: "scipy females vs males", x: []float64{20, 11, 17, 12}, y: []float64{19, 22, 16, 29, 24},
			u: 3, p: 0.1111111111111111, tol: 1e-15, exact: true,
		},
		{
			// R's ?wilcox.test (Hollander & Wolfe 1973, p. 69):
			// W = 35, one-sided p = 0.1272 (alternative = "greater",
			// exact), so two-sided 0.2544 to the published digits.
			name: "R wilcox.test permeability", x: []float64{0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46},
			y: []float64{1.15, 0.88, 0.90, 0.74, 1.21}, u: 35, p: 2 * 0.1272, tol: 2e-4, exact: true,
		},
		{
			// R: wilcox.test(extra ~ group, data = sleep) gives
			// W = 25.5, p-value = 0.06933: three pairs of ties, so the
			// tie-corrected normal approximation with continuity
			// correction.
			name: "R sleep (ties)",
			x:    []float64{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0},
			y:    []float64{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4},
			u:    25.5, p: 0.06933, tol: 5e-6,
		},
		{
			// Complete separation of three and three: the exact p-value
			// is 2/C(6,3) = 0.1 (R: wilcox.test(1:3, 4:6)).
			name: "separated 3 vs 3", x: []float64{1, 2, 3}, y: []float64{4, 5, 6}, u: 0, p: 0.1, tol: 1e-15, exact: true,
		},
		{
			name: "one value each", x: []float64{1}, y: []float64{2}, u: 0, p: 1, tol: 0, exact: true,
		},
		{
			// Every value equal: no variance, nothing to tell apart.
			name: "all tied", x: []float64{5, 5, 5}, y: []float64{5, 5}, u: 3, p: 1, tol: 0,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := stats.MannWhitney(tc.x, tc.y)
			if err != nil {
				t.Fatal(err)
			}
			if r.U != tc.u || r.N1 != len(tc.x) || r.N2 != len(tc.y) || r.Exact != tc.exact {
				t.Errorf("U %v (n %d, %d), exact %v; want U %v, exact %v", r.U, r.N1, r.N2, r.Exact, tc.u, tc.exact)
			}
			if math.Abs(r.P-tc.p) > tc.tol {
				t.Errorf("p = %.10g, want %.10g ± %g", r.P, tc.p, tc.tol)
			}
		})
	}
}

func TestMannWhitneyErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		x, y []float64
	}{
		{"empty x", nil, []float64{1}},
		{"empty y", []float64{1}, nil},
		{"NaN", []float64{1, math.NaN()}, []float64{2}},
	} {
		if _, err := stats.MannWhitney(tc.x, tc.y); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

// Properties that hold for any samples: the inputs are left alone, U of
// (x, y) and of (y, x) add up to N1·N2 with the same p, and p is a
// probability.
func TestMannWhitneyProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		n1, n2 := 1+rng.IntN(70), 1+rng.IntN(70)
		x, y := make([]float64, n1), make([]float64, n2)
		for j := range x {
			x[j] = math.Round(rng.NormFloat64() * 10) // rounding makes ties
		}
		for j := range y {
			y[j] = math.Round(rng.NormFloat64()*10 + float64(i%3))
		}
		x0, y0 := append([]float64(nil), x...), append([]float64(nil), y...)
		a, err := stats.MannWhitney(x, y)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := stats.MannWhitney(y, x)
		if a.U+b.U != float64(n1*n2) || math.Abs(a.P-b.P) > 1e-12 || !(a.P > 0 && a.P <= 1) {
			t.Fatalf("n %d, %d: U %v + %v, p %v and %v", n1, n2, a.U, b.U, a.P, b.P)
		}
		for j := range x {
			if x[j] != x0[j] {
				t.Fatal("x changed")
			}
		}
		for j := range y {
			if y[j] != y0[j] {
				t.Fatal("y changed")
			}
		}
	}
}

// A shift of one and a half standard deviations is plain in 40 values a side; two
// samples from one distribution are rejected about as often as alpha says.
func TestMannWhitneyPower(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	sample := func(n int, shift float64) []float64 {
		s := make([]float64, n)
		for i := range s {
			// Log-normal, like latency: a long right tail.
			s[i] = math.Exp(rng.NormFloat64() + shift)
		}
		return s
	}
	r, err := stats.MannWhitney(sample(40, 0), sample(40, 1.5))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Significant(0.05) || r.P > 0.01 || r.Effect() > 0.3 {
		t.Errorf("shift of 1.5 sigma: p = %v, effect %v", r.P, r.Effect())
	}
	for _, n := range []int{8, 30, 120} { // exact, exact, normal
		rejected := 0
		const trials = 1000
		for range trials {
			r, err := stats.MannWhitney(sample(n, 0), sample(n, 0))
			if err != nil {
				t.Fatal(err)
			}
			if r.Significant(0.05) {
				rejected++
			}
		}
		// The exact test is conservative (its p-values are discrete), the
		// approximation close: 2% to 8% of null trials rejected. The
		// generator is seeded, so the outcome is fixed; a binomial(1000,
		// 0.05) would stay within that range with a chance of 1 − 10⁻⁵.
		if share := float64(rejected) / trials; share < 0.02 || share > 0.08 {
			t.Errorf("n = %d: %.1f%% of samples from one distribution rejected at alpha 5%%", n, 100*share)
		}
	}
}
