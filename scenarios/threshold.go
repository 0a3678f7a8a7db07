package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
)

// Threshold is a pass/fail criterion on a figure a run records, written the
// way k6 writes its thresholds: a metric, an operator and a bound.
//
//	e2e_p99<50ms          end-to-end p99 (from the intended send) under 50 ms
//	confirm_p99.9<=200ms  confirm latency p99.9 (also written confirm_p999)
//	lost==0               no copy of a confirmed message lost
//	duplicated<=0.1%      duplicates at most 0.1% of the copies received
//	publish_rate>=99%     at least 99% of the target publish rate
//	consume_rate>=900/s   consumers took at least 900 msg/s
//
// A run judges each threshold pass, fail or unknown (the figure was not
// recorded); see the results package.
type Threshold struct {
	Metric Metric
	Op     Op
	// Value is the bound in the metric's unit: seconds for a latency,
	// messages for a count, msg/s for a rate; or a percent when Percent
	// is set (of the target rate for a rate, of the copies expected,
	// received or published for a count: see PercentOf).
	Value   float64
	Percent bool
}

// Op is a threshold's comparison.
type Op string

// The operators a threshold may use.
const (
	OpLess         Op = "<"
	OpLessEqual    Op = "<="
	OpGreater      Op = ">"
	OpGreaterEqual Op = ">="
	OpEqual        Op = "=="
	OpNotEqual     Op = "!="
)

// MetricKind tells what kind of figure a metric is, hence its unit.
type MetricKind int

// Kinds of metrics.
const (
	// KindLatency is a statistic of a latency histogram; values are
	// durations ("50ms").
	KindLatency MetricKind = iota + 1
	// KindCount is a message count from the run's accounting; values are
	// counts or a percent ("0", "0.1%").
	KindCount
	// KindRate is a rate over the publishing period; values are rates or
	// a percent of the target ("900/s", "99%").
	KindRate
)

// Metric is what a threshold measures.
type Metric struct {
	// Name is the canonical name: e2e_p99.9, confirm_max, lost,
	// publish_rate.
	Name string
	Kind MetricKind
	// Series is, for a latency, the histogram as results name it:
	// end_to_end, end_to_end_actual, confirm or send_delay.
	Series string
	// Stat is, for a latency, the statistic: StatPercentile, StatMax,
	// StatMean or StatMin.
	Stat string
	// Percentile is the percentile of StatPercentile: 99.9 for p99.9.
	Percentile float64
}

// Latency statistics.
const (
	StatPercentile = "percentile"
	StatMax        = "max"
	StatMean       = "mean"
	StatMin        = "min"
)

// Counts and rates a threshold may judge.
const (
	CountLost        = "lost"
	CountUnconsumed  = "unconsumed"
	CountDuplicated  = "duplicated"
	CountReordered   = "reordered"
	CountRedelivered = "redelivered"
	CountUnconfirmed = "unconfirmed"
	CountNacked      = "nacked"
	CountReturned    = "returned"

	RatePublish = "publish_rate"
	RateConsume = "consume_rate"
)

// latencySeries maps the prefix written in a threshold to the histogram it
// reads, in the order the help lists them.
var latencySeries = []struct{ prefix, series, about string }{
	{"e2e", LatencyEndToEnd, "end-to-end from the intended send"},
	{"e2e_actual", LatencyEndToEndActual, "end-to-end from the actual send"},
	{"confirm", LatencyConfirm, "publisher confirm"},
	{"send_delay", LatencySendDelay, "how late publishers sent"},
}

// The latency histograms, named as results name them (Metric.Series).
const (
	LatencyEndToEnd       = "end_to_end"
	LatencyEndToEndActual = "end_to_end_actual"
	LatencyConfirm        = "confirm"
	LatencySendDelay      = "send_delay"
)

// countMetrics are the counts, in the order the help lists them, with what
// a percent of them is a percent of.
var countMetrics = []struct{ name, of string }{
	{CountLost, PercentOfExpected},
	{CountUnconsumed, PercentOfExpected},
	{CountDuplicated, PercentOfReceived},
	{CountReordered, PercentOfReceived},
	{CountRedelivered, PercentOfReceived},
	{CountUnconfirmed, PercentOfPublished},
	{CountNacked, PercentOfPublished},
	{CountReturned, PercentOfPublished},
}

// What a percent threshold is a percent of (Metric.PercentOf).
const (
	PercentOfExpected  = "expected copies"
	PercentOfReceived  = "received copies"
	PercentOfPublished = "published messages"
	PercentOfTarget    = "target rate"
)

// LatencySeries lists the histograms a latency threshold can read, as
// results name them.
func LatencySeries() []string {
	out := make([]string, len(latencySeries))
	for i, l := range latencySeries {
		out[i] = l.series
	}
	return out
}

// PercentOf says what a percent bound of the metric is a percent of: the
// target rate for a rate, the expected copies (lost, unconsumed), the
// received copies (duplicated, reordered, redelivered) or the published
// messages (unconfirmed, nacked, returned) for a count; "" for a latency.
func (m Metric) PercentOf() string {
	switch m.Kind {
	case KindRate:
		return PercentOfTarget
	case KindCount:
		for _, c := range countMetrics {
			if c.name == m.Name {
				return c.of
			}
		}
	}
	return ""
}

// ParseThreshold reads a threshold such as "e2e_p99<50ms". Spaces around
// the operator are allowed. Errors name what is wrong and the fix.
func ParseThreshold(s string) (Threshold, error) {
	text := strings.TrimSpace(s)
	if text == "" {
		return Threshold{}, fmt.Errorf("empty threshold: write METRIC OP VALUE, such as e2e_p99<50ms or lost==0")
	}
	if len(text) > 200 || !utf8.ValidString(text) {
		return Threshold{}, fmt.Errorf("threshold %q is not a threshold: write METRIC OP VALUE, such as e2e_p99<50ms", clip(text))
	}
	i := strings.IndexAny(text, "<>=!")
	if i < 0 {
		return Threshold{}, fmt.Errorf("threshold %q has no comparison: write METRIC OP VALUE with one of < <= > >= == !=, such as e2e_p99<50ms or lost==0", text)
	}
	j := i
	for j < len(text) && strings.IndexByte("<>=!", text[j]) >= 0 {
		j++
	}
	name, opText, valueText := strings.TrimSpace(text[:i]), text[i:j], strings.TrimSpace(text[j:])
	op, err := parseOp(opText)
	if err != nil {
		return Threshold{}, fmt.Errorf("threshold %q: %v", text, err)
	}
	if name == "" {
		return Threshold{}, fmt.Errorf("threshold %q has no metric before %s: write METRIC OP VALUE, such as e2e_p99<50ms", text, op)
	}
	m, err := ParseMetric(name)
	if err != nil {
		return Threshold{}, fmt.Errorf("threshold %q: %v", text, err)
	}
	if valueText == "" {
		return Threshold{}, fmt.Errorf("threshold %q has no value after %s: %s", text, op, valueHint(m))
	}
	t := Threshold{Metric: m, Op: op}
	if t.Value, t.Percent, err = parseBound(m, valueText); err != nil {
		return Threshold{}, fmt.Errorf("threshold %q: %v", text, err)
	}
	return t, nil
}

func parseOp(s string) (Op, error) {
	switch op := Op(s); op {
	case OpLess, OpLessEqual, OpGreater, OpGreaterEqual, OpEqual, OpNotEqual:
		return op, nil
	}
	fix := map[string]Op{"=": OpEqual, "===": OpEqual, "=<": OpLessEqual, "=>": OpGreaterEqual, "<>": OpNotEqual, "!": OpNotEqual, "!==": OpNotEqual, "=!": OpNotEqual}
	if f, ok := fix[s]; ok {
		return "", fmt.Errorf("unknown operator %s: did you mean %s? (use < <= > >= == or !=)", s, f)
	}
	return "", fmt.Errorf("unknown operator %s: use < <= > >= == or !=", s)
}

// ParseMetric reads a metric name: a latency (e2e_p99, confirm_max), a
// count (lost) or a rate (publish_rate).
func ParseMetric(name string) (Metric, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, c := range countMetrics {
		if name == c.name {
			return Metric{Name: name, Kind: KindCount}, nil
		}
	}
	if name == RatePublish || name == RateConsume {
		return Metric{Name: name, Kind: KindRate}, nil
	}
	// The longest prefix that matches: e2e_actual_p99 is e2e_actual's.
	prefix, series := "", ""
	for _, l := range latencySeries {
		if name == l.prefix {
			return Metric{}, fmt.Errorf("%s needs a statistic: %s_p99, %s_max or %s_mean, say", name, name, name, name)
		}
		if strings.HasPrefix(name, l.prefix+"_") && len(l.prefix) > len(prefix) {
			prefix, series = l.prefix, l.series
		}
	}
	if prefix != "" {
		m := Metric{Kind: KindLatency, Series: series}
		if err := parseStat(&m, strings.TrimPrefix(name, prefix+"_")); err != nil {
			return Metric{}, fmt.Errorf("%s: %v", name, err)
		}
		m.Name = prefix + "_" + statText(m)
		return m, nil
	}
	msg := fmt.Sprintf("unknown metric %q", name)
	if s := suggestMetric(name); s != "" {
		msg += fmt.Sprintf(": did you mean %s?", s)
	}
	return Metric{}, fmt.Errorf("%s (%s)", msg, MetricHelp())
}

// parseStat reads p99, p99.9, p999 (99.9), p9999 (99.99), max, mean, min.
func parseStat(m *Metric, s string) error {
	switch s {
	case StatMax, StatMean, StatMin:
		m.Stat = s
		return nil
	case "avg", "average":
		return fmt.Errorf("%s: write mean", s)
	case "median":
		return fmt.Errorf("%s: write p50", s)
	}
	digits, ok := strings.CutPrefix(s, "p")
	if !ok || digits == "" || strings.Trim(digits, "0123456789.") != "" || strings.Count(digits, ".") > 1 ||
		strings.HasPrefix(digits, ".") || strings.HasSuffix(digits, ".") {
		return fmt.Errorf("unknown statistic %q: use a percentile such as p50, p95, p99, p99.9 (or p999), or max, mean or min", s)
	}
	intPart, _, dotted := strings.Cut(digits, ".")
	if !dotted && len(intPart) > 2 {
		// p999 is p99.9, p9999 is p99.99, as Prometheus and k6 users
		// write them; p100 would read 10.0, so it is not accepted.
		if !strings.HasPrefix(intPart, "99") {
			return fmt.Errorf("unknown statistic %q: write the percentile with its dot (p%s.%s), or max for the largest value", s, intPart[:2], intPart[2:])
		}
		digits = intPart[:2] + "." + intPart[2:]
	}
	p, err := strconv.ParseFloat(digits, 64)
	if err != nil {
		return fmt.Errorf("unknown statistic %q: use a percentile such as p99", s)
	}
	switch {
	case p >= 100:
		return fmt.Errorf("%s is the largest value: write max", s)
	case p <= 0:
		return fmt.Errorf("%s is the smallest value: write min", s)
	}
	m.Stat, m.Percentile = StatPercentile, p
	return nil
}

func statText(m Metric) string {
	if m.Stat == StatPercentile {
		return "p" + strconv.FormatFloat(m.Percentile, 'f', -1, 64)
	}
	return m.Stat
}

// parseBound reads a threshold's value in the metric's unit.
func parseBound(m Metric, s string) (v float64, percent bool, err error) {
	if num, ok := strings.CutSuffix(s, "%"); ok {
		if m.Kind == KindLatency {
			return 0, false, fmt.Errorf("%s is a latency: give a duration such as 50ms, not a percent", m.Name)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, false, fmt.Errorf("invalid percent %q: %s", s, valueHint(m))
		}
		return v, true, nil
	}
	switch m.Kind {
	case KindLatency:
		d, err := ParseDuration(s)
		if err != nil {
			if _, nerr := strconv.ParseFloat(s, 64); nerr == nil {
				return 0, false, fmt.Errorf("%q has no unit: give a duration such as %sms", s, s)
			}
			return 0, false, fmt.Errorf("invalid duration %q: %s", s, valueHint(m))
		}
		if d < 0 {
			return 0, false, fmt.Errorf("%s is below zero: latencies are ≥ 0", s)
		}
		return d.Std().Seconds(), false, nil
	case KindCount:
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, false, fmt.Errorf("invalid count %q: %s", s, valueHint(m))
		}
		return v, false, nil
	default:
		if strings.EqualFold(s, "unlimited") || strings.EqualFold(s, "max") {
			return 0, false, fmt.Errorf("%s: give a rate such as 900/s, or a percent of the target rate such as 99%%", s)
		}
		r, err := ParseRate(s)
		if err != nil || r.Kind() != RateConstant {
			if err == nil { // "0", which ParseRate reads as unlimited
				return 0, false, nil
			}
			return 0, false, fmt.Errorf("invalid rate %q: %s", s, valueHint(m))
		}
		return r.PerSecond, false, nil
	}
}

func valueHint(m Metric) string {
	switch m.Kind {
	case KindLatency:
		return "give a duration such as 50ms or 1.5s"
	case KindCount:
		return fmt.Sprintf("give a number of messages such as 0, or a percent of the %s such as 0.1%%", m.PercentOf())
	}
	return "give a rate such as 900/s or 54000/min, or a percent of the target rate such as 99%"
}

// MetricHelp lists the metrics a threshold may name, for error messages.
func MetricHelp() string {
	var pre []string
	for _, l := range latencySeries {
		pre = append(pre, l.prefix+"_")
	}
	var counts []string
	for _, c := range countMetrics {
		counts = append(counts, c.name)
	}
	return fmt.Sprintf("latencies are %s followed by p50, p90, p95, p99, p99.9 (any pN), max, mean or min; counts are %s; rates are %s and %s",
		strings.Join(pre, ", "), strings.Join(counts, ", "), RatePublish, RateConsume)
}

// suggestMetric finds the known name closest to a misspelt one.
func suggestMetric(name string) string {
	var candidates []string
	for _, l := range latencySeries {
		for _, st := range []string{"p50", "p90", "p95", "p99", "p99.9", "p999", "max", "mean", "min"} {
			candidates = append(candidates, l.prefix+"_"+st)
		}
	}
	for _, c := range countMetrics {
		candidates = append(candidates, c.name)
	}
	candidates = append(candidates, RatePublish, RateConsume, "publish", "consume")
	best, bestD := "", 0
	for _, c := range candidates {
		d := editDistance(name, c)
		if best == "" || d < bestD {
			best, bestD = c, d
		}
	}
	// Far from every name, a suggestion would only confuse.
	if bestD > max(2, len(name)/3) {
		return ""
	}
	switch best {
	case "publish":
		best = RatePublish
	case "consume":
		best = RateConsume
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// String writes the threshold in its canonical form, which ParseThreshold
// reads back: "e2e_p99.9<50ms", "publish_rate>=99%", "consume_rate>=900/s".
func (t Threshold) String() string {
	return t.Metric.Name + string(t.Op) + t.valueString()
}

func (t Threshold) valueString() string {
	num := strconv.FormatFloat(t.Value, 'f', -1, 64)
	switch {
	case t.Percent:
		return num + "%"
	case t.Metric.Kind == KindLatency:
		return FormatSeconds(t.Value)
	case t.Metric.Kind == KindRate:
		return num + "/s"
	}
	return num
}

// FormatSeconds writes seconds as a Go duration ParseDuration reads back:
// 0.05 is "50ms".
func FormatSeconds(s float64) string {
	if s == 0 {
		return "0"
	}
	return time.Duration(math.Round(s * float64(time.Second))).String()
}

// Holds reports whether an observed figure, in the threshold's unit (a
// percent when Percent is set), meets the threshold.
func (t Threshold) Holds(observed float64) bool {
	switch t.Op {
	case OpLess:
		return observed < t.Value
	case OpLessEqual:
		return observed <= t.Value
	case OpGreater:
		return observed > t.Value
	case OpGreaterEqual:
		return observed >= t.Value
	case OpEqual:
		return observed == t.Value
	case OpNotEqual:
		return observed != t.Value
	}
	return false
}

// MarshalText writes the canonical form (JSON and YAML use it).
func (t Threshold) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads a threshold (JSON uses it).
func (t *Threshold) UnmarshalText(b []byte) error {
	v, err := ParseThreshold(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// UnmarshalYAML reads a threshold from YAML, locating a bad one.
func (t *Threshold) UnmarshalYAML(node ast.Node) error {
	k, err := kindOf(node)
	if err != nil {
		return wrapNodeError(node, err)
	}
	if k != kindScalar {
		return nodeError(node, "a threshold is one string such as \"e2e_p99<50ms\" or \"lost==0\"")
	}
	s, err := scalarText(node)
	if err != nil {
		return wrapNodeError(node, err)
	}
	v, err := ParseThreshold(s)
	if err != nil {
		return nodeError(node, "%v", err)
	}
	*t = v
	return nil
}

// DefaultThresholds are the thresholds every run is judged by besides its
// own: integrity, "lost==0", when a publisher group asks for confirms (a
// lost copy of a confirmed message is a broken promise; without confirms
// nothing was promised), consumers take what it publishes (there is no
// accounting without them), and no threshold of the scenario's own judges
// lost already (a scenario that accepts some loss says so: "lost<=0.1%").
func (s *Scenario) DefaultThresholds() []Threshold {
	if len(s.Consumers) == 0 {
		return nil
	}
	for _, t := range s.Thresholds {
		if t.Metric.Kind == KindCount && t.Metric.Name == CountLost {
			return nil
		}
	}
	for _, p := range s.Publishers {
		if p.Confirm {
			return []Threshold{{Metric: Metric{Name: CountLost, Kind: KindCount}, Op: OpEqual, Value: 0}}
		}
	}
	return nil
}

func (s *Scenario) validateThresholds(v *validator) {
	seen := map[string]int{}
	for i, t := range s.Thresholds {
		path := fmt.Sprintf("thresholds[%d]", i)
		key := t.String()
		if j, dup := seen[key]; dup {
			v.add(path, "%s is given twice (also thresholds[%d]): remove one", key, j)
			continue
		}
		seen[key] = i
		if err := s.CheckThreshold(t); err != nil {
			v.add(path, "%s: %v", key, err)
		}
	}
}

// CheckThreshold reports a threshold this scenario can never judge, because
// the run would not record its figure (a confirm latency without confirms,
// a percent of the target rate with unlimited publishers), saying why and
// what to change. Validate calls it for the file's thresholds; call it for
// thresholds given on the command line.
func (s *Scenario) CheckThreshold(t Threshold) error {
	confirms, rated, mandatory := 0, 0, 0
	for _, p := range s.Publishers {
		if p.Confirm {
			confirms++
		}
		if p.Rate.Kind() != RateUnlimited && !p.Rate.IsZero() {
			rated++
		}
		if p.Mandatory {
			mandatory++
		}
	}
	pubs, cons := len(s.Publishers), len(s.Consumers)
	m := t.Metric
	noConsumers := "the scenario has no consumers, so nothing is delivered to measure: add a consumer group or remove the threshold"
	switch m.Kind {
	case KindLatency:
		switch m.Series {
		case LatencyEndToEnd, LatencyEndToEndActual:
			if pubs == 0 {
				return fmt.Errorf("the scenario has no publishers, so no message carries the send time end-to-end latency is measured from: remove the threshold")
			}
			if cons == 0 {
				return fmt.Errorf("%s", noConsumers)
			}
		case LatencyConfirm:
			if confirms == 0 {
				return fmt.Errorf("no publisher group asks for confirms, so there is no confirm latency: set confirm: true on a publisher group, or remove the threshold")
			}
		case LatencySendDelay:
			if pubs == 0 {
				return fmt.Errorf("the scenario has no publishers: remove the threshold")
			}
		}
	case KindCount:
		switch m.Name {
		case CountUnconfirmed, CountNacked:
			if confirms == 0 {
				return fmt.Errorf("no publisher group asks for confirms, so none can be %s: set confirm: true on a publisher group, or remove the threshold", m.Name)
			}
		case CountReturned:
			if mandatory == 0 {
				return fmt.Errorf("no publisher group publishes with mandatory: true, so the broker returns nothing: set it, or remove the threshold")
			}
		default:
			if cons == 0 {
				return fmt.Errorf("%s", noConsumers)
			}
		}
		if t.Percent && m.PercentOf() == PercentOfPublished && pubs == 0 {
			return fmt.Errorf("the scenario has no publishers: remove the threshold")
		}
	case KindRate:
		if m.Name == RateConsume && cons == 0 {
			return fmt.Errorf("%s", noConsumers)
		}
		if m.Name == RatePublish && pubs == 0 {
			return fmt.Errorf("the scenario has no publishers: remove the threshold")
		}
		if t.Percent {
			if pubs == 0 || rated < pubs {
				return fmt.Errorf("a percent is of the target rate, and a publisher group runs unlimited: give every publisher group a rate, or write an absolute rate such as %s%s900/s", m.Name, t.Op)
			}
			if m.Name == RateConsume && confirms != 0 && confirms != pubs {
				return fmt.Errorf("a percent of the target counts the copies due at the consumed queues from the confirmed messages, and only some publisher groups confirm: confirm in every group or none, or write an absolute rate such as %s%s900/s", m.Name, t.Op)
			}
		}
	}
	return nil
}
