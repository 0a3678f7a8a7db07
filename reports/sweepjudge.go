package reports

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/warrenmq/warren/internal/stats"
	"github.com/warrenmq/warren/internal/textfmt"
)

// Alpha is the significance level of a sweep's comparisons: a difference
// between two variants counts only when the Mann-Whitney U test of their
// per-second samples gives a p-value below it.
const Alpha = 0.05

// TargetShare is the share of its target publish rate a variant must reach
// for a sweep to be rate-bound.
const TargetShare = 0.99

// SweepClass says what limited a sweep's variants, and so which figure
// decides between them.
type SweepClass string

const (
	// SweepRateBound: every variant published its target rate (within
	// 1%) and no queue built a backlog. Every variant carried the same
	// load, so throughput decides nothing: end-to-end p99 decides, then
	// what a variant costs the broker.
	SweepRateBound SweepClass = "rate-bound"
	// SweepCapacityBound: some variant fell short of its target, built a
	// backlog, or ran without a target. Throughput within the latency
	// objective decides.
	SweepCapacityBound SweepClass = "capacity-bound"
)

// What decided a sweep.
const (
	DecidedByP99        = "end-to-end p99"
	DecidedByThroughput = "throughput"
)

// PairTest compares two variants on the deciding figure: the Mann-Whitney U
// test of their per-second samples, pooled over repetitions.
type PairTest struct {
	// A and B index the variants.
	A, B int
	// MedianA and MedianB are the medians of their per-second samples
	// (µs for p99, msg/s for throughput); NA and NB count the samples.
	MedianA, MedianB float64
	NA, NB           int
	// P is the two-sided p-value adjusted by Holm's method for the number
	// of pairs compared, so that alpha holds for the sweep as a whole; Raw
	// is the pair's own. Both are 1 when a variant had no samples.
	P, Raw float64
	// Better indexes the variant the figure favours (lower p99, higher
	// throughput) when the difference is significant, -1 otherwise.
	Better int
}

// Significant says whether the pair differs at level Alpha.
func (p PairTest) Significant() bool { return p.Better >= 0 }

// sweepFigures is what the judgement of a sweep reads of one variant,
// pooled over its repetitions.
type sweepFigures struct {
	name string
	// runs counts the repetitions that ran to completion.
	runs int
	// p99s and rates are per-second samples of every repetition, after
	// the warm-up and before the drain: the end-to-end p99 (µs) of each
	// second that delivered something, and the throughput (msg/s).
	p99s, rates []float64
	// runP99s and runRates are each repetition's own figures over its
	// measured period.
	runP99s, runRates []float64
	// achieved is the smallest share of its target rate a repetition
	// published; NaN when the publishers had no target (unlimited).
	achieved float64
	// backlog says where a repetition built a backlog ("`q` grew by 41
	// msg/s in round 2"); empty when none did.
	backlog string
	// bound is how many unacknowledged messages the consumers may hold,
	// Σ prefetch × consumers (+Inf when a prefetch is unlimited), and
	// boundText says how ("prefetch 10 × 4 consumers").
	bound     float64
	boundText string
	// unacked is the median over repetitions of the most unacknowledged
	// messages the broker reported; -1 when unknown.
	unacked float64
}

func (f sweepFigures) hasLatency() bool { return len(f.runP99s) > 0 }

// medianP99 is the median of the repetitions' own p99s, µs.
func (f sweepFigures) medianP99() float64 { return stats.Median(f.runP99s) }

// judgeSweep decides a sweep from its variants' figures. objective bounds the
// end-to-end p99 in µs (0: DefaultObjectiveFactor × the best median p99);
// param names the one swept parameter and values holds its numeric value
// per variant (nil when the sweep has no single numeric parameter). It
// reads nothing but its arguments.
func judgeSweep(fs []sweepFigures, objective int64, param string, values []float64) Recommendation {
	j := Recommendation{Best: -1, Knee: -1, Parameter: param}
	name := func(i int) string { return code(fs[i].name) }
	var ran, timed []int
	for i, f := range fs {
		if f.runs == 0 {
			continue
		}
		ran = append(ran, i)
		if f.hasLatency() {
			timed = append(timed, i)
		}
	}
	switch {
	case len(ran) == 0:
		j.Reason = "No variant ran to completion, so there is nothing to recommend."
		return j
	case len(timed) == 0:
		j.Reason = "No variant recorded end-to-end latency (did anything consume?), so no latency objective could be checked and nothing is recommended."
		return j
	}
	j.Objective = objective
	if j.Objective <= 0 {
		low := math.Inf(1)
		for _, i := range timed {
			low = min(low, fs[i].medianP99())
		}
		j.Objective, j.Derived = int64(DefaultObjectiveFactor*low), true
	}
	within := func(i int) bool { return fs[i].hasLatency() && fs[i].medianP99() <= float64(j.Objective) }
	objText := "the objective of " + formatMillis(j.Objective) + " ms"
	if j.Derived {
		objText = fmt.Sprintf("%s ms (%d× the best p99, as no objective was given)", formatMillis(j.Objective), DefaultObjectiveFactor)
	}

	j.Class, j.ClassReason = classify(fs, ran)
	// The pool the deciding figure compares. Rate-bound, every variant
	// that measured latency: a variant is never recommended when another
	// had a significantly lower p99, whatever the objective. Capacity-bound,
	// the variants within the objective: a faster variant that broke it
	// is no alternative.
	var pool []int
	samples := func(i int) []float64 { return fs[i].p99s }
	lowerBetter := true
	if j.Class == SweepRateBound {
		j.Decider, pool = DecidedByP99, timed
	} else {
		j.Decider, lowerBetter = DecidedByThroughput, false
		samples = func(i int) []float64 { return fs[i].rates }
		for _, i := range timed {
			if within(i) {
				pool = append(pool, i)
			}
		}
	}
	j.Pairs = comparePairs(fs, ran, samples, lowerBetter)
	pair := func(a, b int) PairTest {
		for _, p := range j.Pairs {
			if p.A == a && p.B == b || p.A == b && p.B == a {
				return p
			}
		}
		return PairTest{A: a, B: b, P: 1, Better: -1}
	}
	median := func(i int) float64 { return stats.Median(samples(i)) }
	better := func(a, b float64) bool { // a strictly better than b
		if lowerBetter {
			return a < b
		}
		return a > b
	}

	// The candidates: the variants of the pool that no other variant of
	// the pool beat significantly.
	var unbeaten []int
	for _, i := range pool {
		beaten := false
		for _, k := range pool {
			if k != i && pair(i, k).Better == k {
				beaten = true
				break
			}
		}
		if !beaten {
			unbeaten = append(unbeaten, i)
		}
	}
	if len(unbeaten) == 0 && len(pool) > 0 {
		// Significance is not transitive: in a cycle of wins, fall back
		// on the best median.
		b := pool[0]
		for _, i := range pool[1:] {
			if better(median(i), median(b)) {
				b = i
			}
		}
		unbeaten = []int{b}
	}
	candidates := unbeaten
	if j.Class == SweepRateBound {
		candidates = slices.DeleteFunc(slices.Clone(unbeaten), func(i int) bool { return !within(i) })
	}
	if len(candidates) == 0 {
		low := timed[0]
		for _, i := range timed[1:] {
			if fs[i].medianP99() < fs[low].medianP99() {
				low = i
			}
		}
		j.Reason = fmt.Sprintf("No variant kept its end-to-end p99 within %s: the lowest was %s ms, at %s.",
			objText, formatMillis(int64(fs[low].medianP99())), name(low))
		j.Knee, j.KneeReason = kneeOf(fs, ran, values, param, j.Class, pair, median)
		return j
	}
	// Among the candidates, the one that costs the broker least; among
	// equals, the best median.
	j.Best = candidates[0]
	for _, i := range candidates[1:] {
		if c := compareCost(fs[i], fs[j.Best]); c < 0 || c == 0 && better(median(i), median(j.Best)) {
			j.Best = i
		}
	}
	for _, i := range ran {
		if i != j.Best && !pair(i, j.Best).Significant() && len(samples(i)) > 0 {
			j.Tied = append(j.Tied, i)
		}
	}
	j.Reason = recommendationText(fs, j, objText, candidates, pool, pair, median, within)
	j.Knee, j.KneeReason = kneeOf(fs, ran, values, param, j.Class, pair, median)
	return j
}

// classify tells a rate-bound sweep from a capacity-bound one, and says
// why.
func classify(fs []sweepFigures, ran []int) (SweepClass, string) {
	var short, unlimited, backlog []string
	for _, i := range ran {
		f := fs[i]
		switch {
		case math.IsNaN(f.achieved):
			unlimited = append(unlimited, code(f.name))
		case f.achieved < TargetShare:
			short = append(short, fmt.Sprintf("%s published %s of its target", code(f.name), formatPercent(f.achieved)))
		}
		if f.backlog != "" {
			backlog = append(backlog, fmt.Sprintf("%s built a backlog: %s", code(f.name), f.backlog))
		}
	}
	if len(short)+len(unlimited)+len(backlog) == 0 {
		return SweepRateBound, fmt.Sprintf("every variant published its target rate (within %s%%) and no queue built a backlog",
			strconv.FormatFloat(100*(1-TargetShare), 'g', 3, 64))
	}
	var why []string
	if len(unlimited) > 0 {
		why = append(why, fmt.Sprintf("%s published without a target rate", joinAnd(unlimited)))
	}
	if len(short) > 3 {
		short = append(short[:2], fmt.Sprintf("%d more fell short of theirs", len(short)-2))
	}
	why = append(why, short...)
	why = append(why, backlog...)
	return SweepCapacityBound, strings.Join(why, "; ")
}

// comparePairs tests every pair of variants that ran, and adjusts the
// p-values for their number.
func comparePairs(fs []sweepFigures, ran []int, samples func(int) []float64, lowerBetter bool) []PairTest {
	var out []PairTest
	var aLarger []bool
	for x, a := range ran {
		for _, b := range ran[x+1:] {
			sa, sb := samples(a), samples(b)
			p := PairTest{A: a, B: b, NA: len(sa), NB: len(sb), MedianA: stats.Median(sa), MedianB: stats.Median(sb), Raw: 1, Better: -1}
			larger := false
			if r, err := stats.MannWhitney(sa, sb); err == nil {
				p.Raw = r.P
				// U above its mean: a's values tend to be larger.
				larger = r.U > float64(r.N1)*float64(r.N2)/2
			}
			out = append(out, p)
			aLarger = append(aLarger, larger)
		}
	}
	raw := make([]float64, len(out))
	for i, p := range out {
		raw[i] = p.Raw
	}
	for i, adj := range stats.Holm(raw) {
		p := &out[i]
		p.P = adj
		if adj < Alpha {
			if aLarger[i] != lowerBetter {
				p.Better = p.A
			} else {
				p.Better = p.B
			}
		}
	}
	return out
}

// compareCost orders two variants by what they cost the broker: the
// unacknowledged messages their consumers may hold, and where both may
// hold any number, the most they were seen to hold.
func compareCost(a, b sweepFigures) int {
	if a.bound != b.bound {
		if a.bound < b.bound {
			return -1
		}
		return 1
	}
	if math.IsInf(a.bound, 1) && a.unacked >= 0 && b.unacked >= 0 && a.unacked != b.unacked {
		if a.unacked < b.unacked {
			return -1
		}
		return 1
	}
	return 0
}

// costText says what a variant costs the broker.
func costText(f sweepFigures) string {
	switch {
	case !math.IsInf(f.bound, 1):
		t := "at most " + textfmt.Plural(int64(f.bound), "unacknowledged message")
		if f.boundText != "" {
			t += " (" + f.boundText + ")"
		}
		return t
	case f.unacked >= 0:
		return fmt.Sprintf("no prefetch limit, and at most %s held at once (median over its runs)", textfmt.Plural(int64(f.unacked), "unacknowledged message"))
	}
	return "no prefetch limit"
}

// figureText formats a median of the deciding figure.
func figureText(decider string, v float64) string {
	if decider == DecidedByP99 {
		return formatMillis(int64(math.Round(v))) + " ms"
	}
	return textfmt.Rate(v)
}

// formatP formats a p-value with two significant digits.
func formatP(p float64) string {
	switch {
	case p < 0.0001:
		return "p < 0.0001"
	case p >= 0.1:
		return "p = " + strconv.FormatFloat(p, 'f', 2, 64)
	}
	dec := 1 - int(math.Floor(math.Log10(p)))
	return "p = " + strconv.FormatFloat(p, 'f', dec, 64)
}

// recommendationText is the sentence behind a recommendation: what bound
// the sweep, which figure decided, how sure the decision is, what could
// not be told apart and why cost chose among those.
func recommendationText(fs []sweepFigures, j Recommendation, objText string, candidates, pool []int,
	pair func(a, b int) PairTest, median func(int) float64, within func(int) bool) string {
	name := func(i int) string { return code(fs[i].name) }
	figure := func(i int) string { return figureText(j.Decider, median(i)) }
	b := j.Best
	var s strings.Builder
	if j.Class == SweepRateBound {
		fmt.Fprintf(&s, "The sweep was rate-bound: %s, so throughput decides nothing and %s decided, then cost to the broker.", j.ClassReason, j.Decider)
	} else {
		fmt.Fprintf(&s, "The sweep was capacity-bound (%s), so throughput within %s decided, then cost to the broker.", j.ClassReason, objText)
	}
	what, lower := "per-second end-to-end p99", "lower"
	if j.Decider == DecidedByThroughput {
		what, lower = "per-second throughput", "higher"
	}

	anySignificant := slices.ContainsFunc(j.Pairs, func(p PairTest) bool {
		return p.Significant() && slices.Contains(pool, p.A) && slices.Contains(pool, p.B)
	})
	if !anySignificant && len(pool) > 1 {
		smallest := 1.0
		for _, p := range j.Pairs {
			if slices.Contains(pool, p.A) && slices.Contains(pool, p.B) {
				smallest = min(smallest, p.P)
			}
		}
		fmt.Fprintf(&s, " There was no significant difference in %s between %s (alpha %v; smallest %s%s)%s.",
			what, poolText(fs, j, pool), Alpha, formatP(smallest), holmNote(len(j.Pairs)), costChoice(fs, b, candidates))
	} else {
		// Those the recommended variant beat itself, then those another
		// candidate beat.
		var beat []string
		for _, i := range pool {
			if p := pair(b, i); p.Better == b {
				beat = append(beat, fmt.Sprintf("%s (%s, %s)", name(i), figure(i), formatP(p.P)))
			}
		}
		if len(beat) > 0 {
			note := ""
			if len(j.Pairs) > 1 {
				note = fmt.Sprintf(", p-values adjusted for the %d comparisons", len(j.Pairs))
			}
			fmt.Fprintf(&s, " Its %s (median %s over %s) was %s than at %s%s.", what, figure(b),
				textfmt.Plural(int64(len(samplesOf(fs[b], j.Decider))), "second"), lower, joinAnd(beat), note)
		} else {
			only := ""
			if len(pool) == 1 {
				only = " It was the only variant compared"
				if j.Class == SweepCapacityBound && countRan(fs) > 1 {
					only = " It was the only variant within the objective"
				}
				only += ";"
			}
			if only == "" {
				fmt.Fprintf(&s, " Its %s had a median of %s over %s.", what, figure(b), textfmt.Plural(int64(len(samplesOf(fs[b], j.Decider))), "second"))
			} else {
				fmt.Fprintf(&s, "%s its %s had a median of %s over %s.", only, what, figure(b), textfmt.Plural(int64(len(samplesOf(fs[b], j.Decider))), "second"))
			}
		}
		for _, i := range pool {
			if slices.Contains(candidates, i) || pair(b, i).Better == b {
				continue
			}
			// Beaten by another variant, not by the recommended one:
			// name a candidate that beat it, or else any.
			for _, k := range append(slices.Clone(candidates), pool...) {
				if p := pair(i, k); p.Better == k {
					fmt.Fprintf(&s, " %s (%s) was %s than %s (%s, %s).", name(i), figure(i),
						map[bool]string{true: "higher", false: "lower"}[j.Decider == DecidedByP99], name(k), figure(k), formatP(p.P))
					break
				}
			}
		}
		var tied []string
		for _, i := range j.Tied {
			if slices.Contains(pool, i) {
				tied = append(tied, fmt.Sprintf("%s (%s, %s)", name(i), figure(i), formatP(pair(b, i).P)))
			}
		}
		if len(tied) > 0 {
			fmt.Fprintf(&s, " It could not tell %s apart from %s%s.", name(b), joinAnd(tied), costChoice(fs, b, candidates))
		}
	}
	if j.Class == SweepCapacityBound {
		// What the objective ruled out, and whether it cost throughput.
		var over []string
		for i, f := range fs {
			if f.runs == 0 || !f.hasLatency() || within(i) {
				continue
			}
			t := fmt.Sprintf("%s (p99 %s ms", name(i), formatMillis(int64(f.medianP99())))
			if p := pair(i, b); p.Better != b {
				t += ", as fast"
			}
			over = append(over, t+")")
		}
		if len(over) > 0 {
			fmt.Fprintf(&s, " Over the objective: %s.", joinAnd(over))
		}
	}
	return s.String()
}

// holmNote says, where several pairs were compared, that their p-values
// are adjusted.
func holmNote(pairs int) string {
	if pairs < 2 {
		return ""
	}
	return fmt.Sprintf(", adjusted for %d comparisons", pairs)
}

// poolText names the variants compared: "any two of the 3 variants" or
// "the two variants within the objective".
func poolText(fs []sweepFigures, j Recommendation, pool []int) string {
	t := fmt.Sprintf("any two of the %d variants", len(pool))
	if len(pool) == 2 {
		t = "the two variants"
	}
	if j.Class == SweepCapacityBound && len(pool) < countRan(fs) {
		t += " within the objective"
	}
	return t
}

func countRan(fs []sweepFigures) int {
	n := 0
	for _, f := range fs {
		if f.runs > 0 {
			n++
		}
	}
	return n
}

// costChoice says how cost chose b among the candidates, which the
// deciding figure could not tell apart.
func costChoice(fs []sweepFigures, b int, candidates []int) string {
	same := true
	for _, i := range candidates {
		if compareCost(fs[i], fs[b]) != 0 {
			same = false
		}
	}
	if same {
		return fmt.Sprintf(", and they cost the broker alike (%s): %s is named for its better median only", costText(fs[b]), code(fs[b].name))
	}
	return fmt.Sprintf(", so cost decided: %s costs the broker least, %s", code(fs[b].name), costText(fs[b]))
}

func samplesOf(f sweepFigures, decider string) []float64 {
	if decider == DecidedByP99 {
		return f.p99s
	}
	return f.rates
}

// kneeOf finds where more of a numeric parameter stops paying in a
// capacity-bound sweep: the smallest value whose throughput is not
// significantly below the fastest variant's, said only when a smaller
// value was significantly slower and no larger one significantly faster.
// A rate-bound sweep has no knee: every variant carried the same load.
func kneeOf(fs []sweepFigures, ran []int, values []float64, param string, class SweepClass,
	pair func(a, b int) PairTest, median func(int) float64) (int, string) {
	if class != SweepCapacityBound || values == nil || len(ran) < 2 {
		return -1, ""
	}
	order := slices.Clone(ran)
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case values[a] < values[b]:
			return -1
		case values[a] > values[b]:
			return 1
		}
		return 0
	})
	fastest := order[0]
	for _, i := range order[1:] {
		if median(i) > median(fastest) {
			fastest = i
		}
	}
	knee := -1
	for _, i := range order {
		if i == fastest || !pair(i, fastest).Significant() {
			knee = i
			break
		}
	}
	name := func(i int) string { return code(fs[i].name) }
	at := slices.Index(order, knee)
	if at == 0 {
		// Even the smallest value kept up with the fastest: no knee
		// within the values tried.
		return -1, ""
	}
	// The knee must stand out of the noise on both sides: the value
	// below it significantly slower than it, and no larger value
	// significantly faster.
	below := order[at-1]
	if pair(below, knee).Better != knee {
		return -1, ""
	}
	for _, i := range order[at+1:] {
		if pair(i, knee).Better == i {
			return -1, ""
		}
	}
	if at == len(order)-1 {
		return knee, fmt.Sprintf("Throughput was still growing at the largest value tried (%s, %s; %s had %s, %s): try larger values to find where more %s stops paying.",
			name(knee), textfmt.Rate(median(knee)), name(below), textfmt.Rate(median(below)), formatP(pair(below, knee).P), shortKey(param))
	}
	return knee, fmt.Sprintf("More %s stops paying at %s (%s): %s was significantly slower (%s, %s), and no larger value was significantly faster.",
		shortKey(param), name(knee), textfmt.Rate(median(knee)), name(below), textfmt.Rate(median(below)), formatP(pair(below, knee).P))
}

// joinAnd joins "a", "a and b", "a, b and c".
func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
