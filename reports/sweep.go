package reports

import (
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/warrenmq/warren/results"
)

// Names of the files RenderSweep writes.
const (
	SweepFile                = "sweep.md"
	SweepThroughputFile      = "sweep-throughput.png"
	SweepP99File             = "sweep-p99.png"
	SweepLatencySpectrumFile = "sweep-latency.png"
)

// DefaultObjectiveFactor derives the p99 objective when none is given: a
// variant qualifies when its p99 is within this factor of the best p99.
const DefaultObjectiveFactor = 2

// SweepVariant is one variant of a sweep and its runs, as RenderSweep
// reads them.
type SweepVariant struct {
	// Name is the variant's name ("consumers.prefetch=10").
	Name string
	// Params holds the swept field → value ("consumers.prefetch" → "10").
	Params map[string]string
	// Runs are the variant's repetitions, in the order they ran.
	Runs []SweepRun
}

// SweepRun is one repetition of a variant.
type SweepRun struct {
	// Dir is the run's directory, relative to the sweep directory.
	Dir string
	// Result is what the run measured; nil when it failed.
	Result *results.Result
	// Error says why the run failed, when Result is nil.
	Error string
	// NoReport says the run wrote no report.md: sweep.md links its
	// directory instead.
	NoReport bool
}

// results are the results of the variant's runs that completed.
func (v SweepVariant) results() []*results.Result {
	var out []*results.Result
	for _, r := range v.Runs {
		if r.Result != nil {
			out = append(out, r.Result)
		}
	}
	return out
}

// ran says whether any run of the variant completed.
func (v SweepVariant) ran() bool { return len(v.results()) > 0 }

// SweepOption changes how a sweep is judged.
type SweepOption func(*sweepConfig)

type sweepConfig struct {
	objective time.Duration
}

// WithP99Objective sets the end-to-end p99 a recommended variant must stay
// within. Without it (or with 0) the objective is DefaultObjectiveFactor
// times the best p99 of the sweep.
func WithP99Objective(d time.Duration) SweepOption {
	return func(c *sweepConfig) { c.objective = d }
}

// Recommendation is the sweep's verdict.
type Recommendation struct {
	// Best indexes the recommended variant; -1 when none qualifies.
	Best int
	// Class says what bound the sweep, and ClassReason why.
	Class       SweepClass
	ClassReason string
	// Decider names the figure that decided: DecidedByP99 (rate-bound)
	// or DecidedByThroughput (capacity-bound); empty when nothing ran.
	Decider string
	// Objective is the p99 bound in µs; Derived says it was derived from
	// the best p99 rather than given.
	Objective int64
	Derived   bool
	// Pairs compares every two variants that ran on the deciding figure.
	Pairs []PairTest
	// Tied lists the variants the deciding figure could not tell apart
	// from the recommended one.
	Tied []int
	// Knee indexes the value of a single numeric parameter beyond which
	// more stops paying in throughput, when that stands out of the noise;
	// -1 otherwise.
	Knee int
	// Parameter is the single parameter the sweep varies, or "".
	Parameter string
	// Reason says why, without naming the recommended variant (the report
	// names it just before): what bound the sweep, which figure decided,
	// how sure the decision is and what it could not tell apart.
	// KneeReason says where more of the parameter stops paying.
	Reason, KneeReason string
}

// throughputOf is a run's achieved throughput: what its consumers took
// per second while publishing (every queue's copy counts; the drain left
// out, where a variant that fell behind catches up), or what it published
// when nothing consumed.
func throughputOf(r *results.Result) float64 {
	if hasConsumers(r) {
		return consumeRate(r)
	}
	return r.Summary.PublishRate
}

func e2e(r *results.Result) (results.LatencySummary, bool) {
	l, ok := r.Latency[results.MetricEndToEnd]
	return l, ok && l.Count > 0
}

// sweptKeys are the parameters whose value differs between variants, the
// named variant first and then sorted; when none differs, every parameter.
func sweptKeys(vs []SweepVariant) []string {
	values := map[string]map[string]bool{}
	for _, v := range vs {
		for k, val := range v.Params {
			if values[k] == nil {
				values[k] = map[string]bool{}
			}
			values[k][val] = true
		}
	}
	var keys, all []string
	for k, set := range values {
		all = append(all, k)
		if len(set) > 1 {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		keys = all
	}
	sort.Slice(keys, func(i, j int) bool {
		if (keys[i] == "variant") != (keys[j] == "variant") {
			return keys[i] == "variant"
		}
		return keys[i] < keys[j]
	})
	return keys
}

// numericValues returns the values of key as numbers, when every variant
// has a positive number there. Zero is left out on purpose: a prefetch of
// 0 means unlimited, which is no point on a numeric axis.
func numericValues(vs []SweepVariant, key string) ([]float64, bool) {
	out := make([]float64, len(vs))
	for i, v := range vs {
		f, err := strconv.ParseFloat(strings.TrimSpace(v.Params[key]), 64)
		if err != nil || !(f > 0) || math.IsInf(f, 0) {
			return nil, false
		}
		out[i] = f
	}
	return out, len(vs) > 0
}

// shortKey is the last part of a field path: "prefetch" for
// consumers.prefetch.
func shortKey(key string) string {
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		return key[i+1:]
	}
	return key
}

// variantLabel names a variant briefly by its swept values:
// "prefetch=10", or "quorum, prefetch=10".
func variantLabel(v SweepVariant, keys []string) string {
	var parts []string
	for _, k := range keys {
		val, ok := v.Params[k]
		if !ok {
			continue
		}
		if k == "variant" {
			parts = append(parts, val)
		} else {
			parts = append(parts, shortKey(k)+"="+val)
		}
	}
	if len(parts) == 0 {
		if v.Name != "" {
			return v.Name
		}
		return "base"
	}
	return strings.Join(parts, ", ")
}

// Recommend judges a sweep from the per-second samples of its variants'
// runs (see SweepClass): the figure that decides, significance by the
// Mann-Whitney U test at level Alpha, and among the variants it cannot
// tell apart the one that costs the broker least. objective bounds the
// end-to-end p99 (0: DefaultObjectiveFactor times the best median p99).
// It reads nothing but its arguments.
func Recommend(vs []SweepVariant, objective time.Duration) Recommendation {
	keys := sweptKeys(vs)
	param := ""
	if len(keys) == 1 && keys[0] != "variant" {
		param = keys[0]
	}
	var values []float64
	if param != "" {
		if v, ok := numericValues(vs, param); ok {
			values = v
		}
	}
	fs := make([]sweepFigures, len(vs))
	for i, v := range vs {
		fs[i] = figuresOf(v.Name, runResults(v))
	}
	return judgeSweep(fs, objective.Microseconds(), param, values)
}

// runResults lists a variant's results in run order, nil for a run that
// failed.
func runResults(v SweepVariant) []*results.Result {
	out := make([]*results.Result, len(v.Runs))
	for i, r := range v.Runs {
		out[i] = r.Result
	}
	return out
}

// brokerMaxima are a run's deepest total backlog (ready messages over all
// its queues at one sample) and most unacked messages; unacked is -1
// without the management API.
func brokerMaxima(r *results.Result) (ready, unacked int64, sampled bool) {
	unacked = -1
	if fromManagement(r) {
		unacked = 0
	}
	for _, s := range r.Broker.Samples {
		var rd, un int64
		for _, q := range s.Queues {
			rd += q.Ready
			un += q.Unacked
			sampled = true
		}
		ready = max(ready, rd)
		if unacked >= 0 {
			unacked = max(unacked, un)
		}
	}
	return ready, unacked, sampled
}

// RenderSweep writes the report of a sweep into dir, which must exist:
// sweep.md with the recommendation, one row per variant (medians over its
// runs, with their spread, and links to each run's directory), every pair
// of variants compared on the deciding figure, how evenly each variant's
// consumers shared the work; and charts of throughput and p99 against the
// swept parameter, with the runs' spread drawn, and of every variant's
// percentile spectrum. Like Render, it draws everything first and writes
// each file atomically, sweep.md last.
func RenderSweep(dir string, variants []SweepVariant, opts ...SweepOption) error {
	if len(variants) == 0 {
		return errors.New("reports: render sweep: no variants")
	}
	if fi, err := os.Stat(dir); err != nil {
		return fmt.Errorf("reports: render sweep into %s: %w", dir, err)
	} else if !fi.IsDir() {
		return fmt.Errorf("reports: render sweep into %s: not a directory", dir)
	}
	var cfg sweepConfig
	for _, o := range opts {
		o(&cfg)
	}
	rec := Recommend(variants, cfg.objective)
	charts := []struct {
		name string
		draw func([]SweepVariant, Recommendation) (*chart, error)
	}{
		{SweepThroughputFile, sweepThroughputChart},
		{SweepP99File, sweepP99Chart},
		{SweepLatencySpectrumFile, sweepSpectrumChart},
	}
	var files []results.File
	for _, c := range charts {
		ch, err := c.draw(variants, rec)
		if err != nil {
			return fmt.Errorf("reports: render sweep: %s: %w", c.name, err)
		}
		data, err := ch.png()
		if err != nil {
			return fmt.Errorf("reports: render sweep: %s: %w", c.name, err)
		}
		files = append(files, results.File{Name: c.name, Data: data})
	}
	files = append(files, results.File{Name: SweepFile, Data: sweepMarkdown(variants, rec)})
	return writeFiles(dir, files, nil)
}

// firstResult is the first run that completed, for what all share.
func firstResult(vs []SweepVariant) *results.Result {
	for _, v := range vs {
		if rs := v.results(); len(rs) > 0 {
			return rs[0]
		}
	}
	return nil
}
