package reports

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// verdictsOf are the verdicts a result recorded; a result written before
// thresholds existed, or rebuilt from a killed run, is judged now (the
// same figures give the same verdicts).
func verdictsOf(r *results.Result) []results.Verdict {
	if r.Verdicts != nil {
		return r.Verdicts
	}
	return results.Evaluate(r)
}

// writeVerdicts opens the report: is the run a pass or a fail, and by
// which thresholds.
func writeVerdicts(w *mdWriter, r *results.Result) {
	vs := verdictsOf(r)
	w.line("## Verdict")
	w.blank()
	if len(vs) == 0 {
		w.line("No thresholds judge this run: its scenario has none, and integrity (`lost==0`) is judged by default only when publishers ask for confirms and consumers take the messages. See `thresholds` in scenarios/README.md.")
		w.blank()
		return
	}
	w.line(verdictSentence(vs))
	w.blank()
	t := table{header: []string{"Threshold", "Figure", "Verdict"}, align: []byte{'l', 'l', 'l'}}
	for _, v := range vs {
		name := code(v.Threshold.String())
		if v.Default {
			name += " (integrity, by default)"
		}
		verdict := string(v.Status)
		if v.Status == results.StatusFail || v.Status == results.StatusUnknown {
			verdict = "**" + verdict + "**"
		}
		t.add(name, textfmt.EscapeMarkdown(VerdictFigure(v)), verdict)
	}
	w.table(t)
	w.blank()
}

// verdictSentence is the report's first line: pass or fail, and why.
func verdictSentence(vs []results.Verdict) string {
	n := map[results.Status]int{}
	for _, v := range vs {
		n[v.Status]++
	}
	total := len(vs)
	var s string
	switch bad := n[results.StatusFail] + n[results.StatusUnknown]; {
	case bad == 0 && n[results.StatusDeferred] == 0:
		s = fmt.Sprintf("**Pass**: %s.", holdText(total))
	case bad == 0:
		s = fmt.Sprintf("**Pass** so far: %s held, and %d deferred to `warren merge`, which judges the counts of a shared run on all its instances together.",
			textfmt.Plural(n[results.StatusPass], "threshold"), n[results.StatusDeferred])
	default:
		var parts []string
		if f := n[results.StatusFail]; f > 0 {
			parts = append(parts, fmt.Sprintf("%d of %s failed", f, textfmt.Plural(total, "threshold")))
		}
		if u := n[results.StatusUnknown]; u > 0 {
			what := fmt.Sprintf("%d of %s", u, textfmt.Plural(total, "threshold"))
			if len(parts) > 0 {
				what = fmt.Sprint(u)
			}
			parts = append(parts, fmt.Sprintf("%s could not be judged (the run did not record the figure), which fails a run as a crossed threshold does", what))
		}
		s = "**Fail**: " + strings.Join(parts, ", and ") + ". `warren run` and `warren merge` exit 1."
	}
	return s
}

func holdText(total int) string {
	if total == 1 {
		return "the threshold holds"
	}
	return fmt.Sprintf("all %d thresholds hold", total)
}

// VerdictHeadline sums verdicts up: "pass (3 passed)", "fail (1 failed,
// 1 unknown, 2 passed)". Deferred ones are counted apart: they wait for
// 'warren merge'.
func VerdictHeadline(vs []results.Verdict) string {
	n := map[results.Status]int{}
	for _, v := range vs {
		n[v.Status]++
	}
	var parts []string
	for _, s := range []struct {
		status results.Status
		text   string
	}{
		{results.StatusFail, "failed"},
		{results.StatusUnknown, "unknown"},
		{results.StatusPass, "passed"},
		{results.StatusDeferred, "deferred to warren merge"},
	} {
		if n[s.status] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[s.status], s.text))
		}
	}
	verdict := "pass"
	if results.Failed(vs) {
		verdict = "fail"
	}
	return verdict + " (" + strings.Join(parts, ", ") + ")"
}

// VerdictFigure says what a verdict observed, for people: "12.3 ms",
// "0 lost", "0.0303% (3 of 9,900 expected copies)", "99% of the 1,000
// msg/s target (990 msg/s)", or, when there is no figure, why.
func VerdictFigure(v results.Verdict) string {
	if v.Observed == nil {
		if v.Note == "" {
			return string(v.Status)
		}
		return v.Note
	}
	t, obs := v.Threshold, *v.Observed
	if t.Percent && v.Absolute != nil && v.Base != nil {
		pct := distinct(obs, t.Value, textfmt.Number) + "%"
		if t.Metric.Kind == scenarios.KindRate {
			return fmt.Sprintf("%s of the %s target (%s)", pct, textfmt.Rate(*v.Base), textfmt.Rate(*v.Absolute))
		}
		return fmt.Sprintf("%s (%s of %s %s)", pct, textfmt.Count(int64(*v.Absolute)), textfmt.Count(int64(*v.Base)), t.Metric.PercentOf())
	}
	switch t.Metric.Kind {
	case scenarios.KindLatency:
		if s := textfmt.Seconds(obs); obs == t.Value || s != textfmt.Seconds(t.Value) {
			return s
		}
		return distinct(obs*1000, t.Value*1000, textfmt.Number) + " ms"
	case scenarios.KindRate:
		return distinct(obs, t.Value, func(v float64) string { return strings.TrimSuffix(textfmt.Rate(v), " msg/s") }) + " msg/s"
	}
	return textfmt.Count(int64(obs)) + " " + t.Metric.Name
}

// distinct formats a figure as format does, unless it would then read as
// the bound it is compared with while it differs ("99%" failing ">=99%"):
// then with as many digits as tell them apart.
func distinct(v, bound float64, format func(float64) string) string {
	s := format(v)
	if v == bound || s != format(bound) {
		return s
	}
	for prec := 4; prec < 17; prec++ {
		a, b := strconv.FormatFloat(v, 'g', prec, 64), strconv.FormatFloat(bound, 'g', prec, 64)
		if a != b {
			return strings.TrimRight(strings.TrimRight(strconv.FormatFloat(v, 'f', max(prec-magnitude(v), 0), 64), "0"), ".")
		}
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// magnitude is the number of digits before v's decimal point.
func magnitude(v float64) int {
	n := 1
	for v = math.Abs(v); v >= 10; v /= 10 {
		n++
	}
	return n
}
