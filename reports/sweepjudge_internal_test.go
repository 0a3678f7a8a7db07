package reports

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// fig is what a constructed variant measured.
type fig struct {
	name     string
	p99      float64 // ms, median of the per-second p99s
	rate     float64 // msg/s, median throughput
	noise    float64 // relative spread of the per-second samples
	achieved float64 // share of the target published; NaN: unlimited
	backlog  string
	prefetch int // × 4 consumers; 0: unlimited
}

// sweepFigs builds sweep figures for three repetitions of 20 measured
// seconds each, the samples log-normal about the given medians.
func sweepFigs(seed uint64, in ...fig) []sweepFigures {
	rng := rand.New(rand.NewPCG(seed, 7))
	var out []sweepFigures
	for _, f := range in {
		sf := sweepFigures{name: f.name, runs: 3, achieved: f.achieved, backlog: f.backlog, unacked: -1}
		if f.prefetch > 0 {
			sf.bound = float64(4 * f.prefetch)
		} else {
			sf.bound = math.Inf(1)
		}
		noise := f.noise
		if noise == 0 {
			noise = 0.1
		}
		for range 3 {
			var p99s, rates []float64
			for range 20 {
				p99s = append(p99s, f.p99*1000*math.Exp(noise*rng.NormFloat64()))
				rates = append(rates, math.Round(f.rate*(1+noise/10*rng.NormFloat64())))
			}
			sf.p99s = append(sf.p99s, p99s...)
			sf.rates = append(sf.rates, rates...)
			sf.runP99s = append(sf.runP99s, slices.Max(p99s))
			sf.runRates = append(sf.runRates, f.rate)
		}
		out = append(out, sf)
	}
	return out
}

func names(fs []sweepFigures, idx []int) []string {
	var out []string
	for _, i := range idx {
		out = append(out, fs[i].name)
	}
	return out
}

func prefetchValues(fs []sweepFigures) []float64 {
	var out []float64
	for _, f := range fs {
		var v float64
		for _, r := range strings.TrimPrefix(f.name, "prefetch=") {
			v = v*10 + float64(r-'0')
		}
		out = append(out, v)
	}
	return out
}

func TestJudgeSweep(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		figs      []sweepFigures
		objective int64 // µs
		class     SweepClass
		best      string
		tied      []string
		knee      string
		reason    []string // fragments the reason must hold
		notReason []string
		kneeWhy   string
	}{
		{
			// The trap of issue 15: at a fixed rate prefetch=1 consumed
			// 2.8% more (random fan-out), but its p99 was twice as high.
			name: "rate-bound: p99 decides, not throughput",
			figs: sweepFigs(1,
				fig{name: "prefetch=1", p99: 20.7, rate: 1028, achieved: 1, prefetch: 1},
				fig{name: "prefetch=50", p99: 10.7, rate: 1000, achieved: 1, prefetch: 50}),
			class: SweepRateBound, best: "prefetch=50",
			reason: []string{"The sweep was rate-bound: every variant published its target rate (within 1%) and no queue built a backlog, so throughput decides nothing and end-to-end p99 decided",
				"was lower than at `prefetch=1` (", "p < 0.0001"},
			notReason: []string{"could not tell"},
		},
		{
			// Two variants that behave alike: no difference, the cheaper
			// one.
			name: "rate-bound: identical variants, cost decides",
			figs: sweepFigs(2,
				fig{name: "prefetch=20", p99: 5, rate: 50, achieved: 1, prefetch: 20},
				fig{name: "prefetch=10", p99: 5, rate: 50, achieved: 1, prefetch: 10}),
			class: SweepRateBound, best: "prefetch=10", tied: []string{"prefetch=20"},
			reason: []string{"There was no significant difference in per-second end-to-end p99 between the two variants (alpha 0.05; smallest p = ",
				"so cost decided: `prefetch=10` costs the broker least, at most 40 unacknowledged messages"},
		},
		{
			name: "rate-bound: identical variants of equal cost",
			figs: sweepFigs(3,
				fig{name: "a", p99: 5, rate: 50, achieved: 1, prefetch: 10},
				fig{name: "b", p99: 5, rate: 50, achieved: 1, prefetch: 10}),
			class:  SweepRateBound,
			reason: []string{"no significant difference", "and they cost the broker alike (at most 40 unacknowledged messages): `b` is named for its better median only"},
		},
		{
			// prefetch=1 is beaten; 10, 100 and 500 are alike: the
			// smallest prefetch of those.
			name: "rate-bound: cheapest of the tied",
			figs: sweepFigs(4,
				fig{name: "prefetch=1", p99: 16, rate: 500, achieved: 0.999, prefetch: 1},
				fig{name: "prefetch=10", p99: 10.2, rate: 500, achieved: 1, prefetch: 10},
				fig{name: "prefetch=100", p99: 10, rate: 500, achieved: 1, prefetch: 100},
				fig{name: "prefetch=500", p99: 10.1, rate: 500, achieved: 1, prefetch: 500}),
			class: SweepRateBound, best: "prefetch=10", tied: []string{"prefetch=100", "prefetch=500"},
			reason: []string{"was lower than at `prefetch=1`", "It could not tell `prefetch=10` apart from `prefetch=100` (", "and `prefetch=500` (",
				"so cost decided: `prefetch=10` costs the broker least, at most 40 unacknowledged messages"},
		},
		{
			// The cheapest variant is significantly slower: cost never
			// outweighs a significant difference.
			name: "rate-bound: a cheap but slower variant is not recommended",
			figs: sweepFigs(5,
				fig{name: "prefetch=1", p99: 12, rate: 500, achieved: 1, prefetch: 1, noise: 0.05},
				fig{name: "prefetch=10", p99: 10, rate: 500, achieved: 1, prefetch: 10, noise: 0.05}),
			class: SweepRateBound, best: "prefetch=10",
		},
		{
			name: "rate-bound: the objective is still kept",
			figs: sweepFigs(6,
				fig{name: "prefetch=1", p99: 20, rate: 500, achieved: 1, prefetch: 1},
				fig{name: "prefetch=10", p99: 10, rate: 500, achieved: 1, prefetch: 10}),
			objective: 5000,
			class:     SweepRateBound,
			reason:    []string{"No variant kept its end-to-end p99 within the objective of 5.00 ms: the lowest was"},
		},
		{
			// A prefetch sweep whose workers cannot keep up at prefetch=1:
			// capacity-bound; 10 reaches what 50 and 100 reach, 500 is as
			// fast but breaks the objective.
			name: "capacity-bound: the knee is recommended",
			figs: sweepFigs(7,
				fig{name: "prefetch=1", p99: 2400, rate: 1180, achieved: 1, backlog: "`work` grew by 320 msg/s in round 1", prefetch: 1},
				fig{name: "prefetch=10", p99: 9.8, rate: 1500, achieved: 1, prefetch: 10},
				fig{name: "prefetch=50", p99: 14.5, rate: 1500, achieved: 1, prefetch: 50},
				fig{name: "prefetch=100", p99: 18, rate: 1500, achieved: 1, prefetch: 100},
				fig{name: "prefetch=500", p99: 61, rate: 1500, achieved: 1, prefetch: 500}),
			class: SweepCapacityBound, best: "prefetch=10", tied: []string{"prefetch=50", "prefetch=100", "prefetch=500"}, knee: "prefetch=10",
			reason: []string{"The sweep was capacity-bound (`prefetch=1` built a backlog: `work` grew by 320 msg/s in round 1), so throughput within ",
				"(2× the best p99, as no objective was given) decided",
				"Over the objective: `prefetch=1` (p99 ", " ms) and `prefetch=500` (p99 ", " ms, as fast)."},
			kneeWhy: "More prefetch stops paying at `prefetch=10` (1,500 msg/s): `prefetch=1` was significantly slower (",
		},
		{
			// Unlimited publishers: capacity-bound; more prefetch keeps
			// paying.
			name: "capacity-bound: still growing",
			figs: sweepFigs(8,
				fig{name: "prefetch=1", p99: 5, rate: 5000, achieved: math.NaN(), prefetch: 1},
				fig{name: "prefetch=2", p99: 5, rate: 8000, achieved: math.NaN(), prefetch: 2},
				fig{name: "prefetch=4", p99: 5, rate: 10000, achieved: math.NaN(), prefetch: 4}),
			class: SweepCapacityBound, best: "prefetch=4", knee: "prefetch=4",
			reason:  []string{"(`prefetch=1`, `prefetch=2` and `prefetch=4` published without a target rate)", "was higher than at `prefetch=1` ("},
			kneeWhy: "Throughput was still growing at the largest value tried (`prefetch=4`",
		},
		{
			// The knee of the old report: throughput reached at the
			// smallest value already, so nothing "stops paying" there.
			name: "capacity-bound: no knee when nothing differs",
			figs: sweepFigs(9,
				fig{name: "prefetch=1", p99: 5, rate: 480, achieved: 0.96, prefetch: 1},
				fig{name: "prefetch=10", p99: 5, rate: 480, achieved: 0.96, prefetch: 10},
				fig{name: "prefetch=50", p99: 5, rate: 480, achieved: 0.96, prefetch: 50}),
			class: SweepCapacityBound, best: "prefetch=1", tied: []string{"prefetch=10", "prefetch=50"},
			reason: []string{"`prefetch=1` published 96.0% of its target", "There was no significant difference in per-second throughput between any two of the 3 variants"},
		},
		{
			name: "capacity-bound: nobody within the objective",
			figs: sweepFigs(10,
				fig{name: "prefetch=1", p99: 50, rate: 400, achieved: 0.8, prefetch: 1},
				fig{name: "prefetch=10", p99: 40, rate: 450, achieved: 0.9, prefetch: 10}),
			objective: 10_000,
			class:     SweepCapacityBound, knee: "prefetch=10", kneeWhy: "Throughput was still growing at the largest value tried",
			reason: []string{"No variant kept its end-to-end p99 within the objective of 10.0 ms: the lowest was", "at `prefetch=10`"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := judgeSweep(tc.figs, tc.objective, "consumers.prefetch", prefetchValues(tc.figs))
			if j.Class != tc.class {
				t.Errorf("class %q, want %q (%s)", j.Class, tc.class, j.ClassReason)
			}
			best := ""
			if j.Best >= 0 {
				best = tc.figs[j.Best].name
			}
			if tc.best != "" && best != tc.best || tc.best == "" && len(tc.tied) > 0 {
				t.Errorf("best %q, want %q\n%s", best, tc.best, j.Reason)
			}
			if tc.tied != nil && !slices.Equal(names(tc.figs, j.Tied), tc.tied) {
				t.Errorf("tied %v, want %v", names(tc.figs, j.Tied), tc.tied)
			}
			knee := ""
			if j.Knee >= 0 {
				knee = tc.figs[j.Knee].name
			}
			if knee != tc.knee || !strings.HasPrefix(j.KneeReason, tc.kneeWhy) || (tc.kneeWhy == "") != (j.KneeReason == "") {
				t.Errorf("knee %q, %q; want %q, %q", knee, j.KneeReason, tc.knee, tc.kneeWhy)
			}
			t.Logf("%s\n%s", j.Reason, j.KneeReason)
			for _, want := range tc.reason {
				if !strings.Contains(j.Reason, want) {
					t.Errorf("reason lacks %q:\n%s", want, j.Reason)
				}
			}
			for _, not := range tc.notReason {
				if strings.Contains(j.Reason, not) {
					t.Errorf("reason holds %q:\n%s", not, j.Reason)
				}
			}
			// Whatever else: never a variant that another beat
			// significantly on the deciding figure, among those compared.
			if j.Best >= 0 && j.Class == SweepRateBound {
				for _, p := range j.Pairs {
					if (p.A == j.Best || p.B == j.Best) && p.Significant() && p.Better != j.Best {
						t.Errorf("recommended %s, significantly worse than the other of %+v", best, p)
					}
				}
			}
		})
	}
}

func TestJudgeSweepNothing(t *testing.T) {
	t.Parallel()
	if j := judgeSweep([]sweepFigures{{name: "a"}}, 0, "", nil); j.Best != -1 || !strings.Contains(j.Reason, "No variant ran") {
		t.Errorf("%+v", j)
	}
	noLatency := []sweepFigures{{name: "a", runs: 3, rates: []float64{1, 2}, achieved: 1, unacked: -1}}
	if j := judgeSweep(noLatency, 0, "", nil); j.Best != -1 || !strings.Contains(j.Reason, "No variant recorded end-to-end latency") {
		t.Errorf("%+v", j)
	}
}

func TestFormatP(t *testing.T) {
	t.Parallel()
	for p, want := range map[float64]string{
		0.00001: "p < 0.0001", 0.00031: "p = 0.00031", 0.0312: "p = 0.031", 0.049: "p = 0.049",
		0.05: "p = 0.050", 0.1: "p = 0.10", 0.4567: "p = 0.46", 1: "p = 1.00",
	} {
		if got := formatP(p); got != want {
			t.Errorf("formatP(%v) = %q, want %q", p, got, want)
		}
	}
}

func TestCompareCost(t *testing.T) {
	t.Parallel()
	inf := math.Inf(1)
	for _, tc := range []struct {
		a, b sweepFigures
		want int
	}{
		{sweepFigures{bound: 40}, sweepFigures{bound: 400}, -1},
		{sweepFigures{bound: 40, unacked: 3}, sweepFigures{bound: 40, unacked: 30}, 0}, // a bound decides; what was seen is noise
		{sweepFigures{bound: inf}, sweepFigures{bound: 40}, 1},
		{sweepFigures{bound: inf, unacked: 900}, sweepFigures{bound: inf, unacked: 90}, 1},
		{sweepFigures{bound: inf, unacked: -1}, sweepFigures{bound: inf, unacked: 90}, 0},
	} {
		if got := compareCost(tc.a, tc.b); got != tc.want {
			t.Errorf("compareCost(%+v, %+v) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
