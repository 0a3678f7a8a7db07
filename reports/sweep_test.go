package reports_test

import (
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/warrenmq/warren/internal/stats"
	"github.com/warrenmq/warren/reports"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// point is what a synthetic sweep variant measured, in each of its runs.
type point struct {
	value      string
	throughput float64 // msg/s consumed
	p50, p99   float64 // ms, end-to-end
	growth     int64   // msg/s by which the work queue's backlog grew
	unacked    int64
	lost       int64
	achieved   float64 // share of the target rate published (0: all of it)
}

// sweepRuns is how many runs each synthetic variant has.
const sweepRuns = 3

// sweepVariant builds a variant of a sweep over key, three runs of ten
// seconds at 1,500 msg/s each (two of them warm-up): per-second series
// whose p99 and throughput scatter about the point's, a whole-run
// end-to-end histogram of about its p50 and p99, broker samples of the
// work queue and deliveries per consumer.
func sweepVariant(t *testing.T, seed int64, key string, p point) reports.SweepVariant {
	t.Helper()
	rng := rand.New(rand.NewSource(seed))
	name := key + "=" + p.value
	v := reports.SweepVariant{Name: name, Params: map[string]string{key: p.value}}
	for run := 1; run <= sweepRuns; run++ {
		v.Runs = append(v.Runs, reports.SweepRun{Dir: name + "/" + strconv.Itoa(run), Result: sweepResult(t, rng, seed, run, p)})
	}
	return v
}

func sweepResult(t *testing.T, rng *rand.Rand, seed int64, run int, p point) *results.Result {
	sigma := math.Log(p.p99/p.p50) / 2.326
	h := newHistogram()
	for range 4_000 {
		record(t, h, max(1, int64(p.p50*1000*math.Exp(sigma*rng.NormFloat64()))))
	}
	conf := newHistogram()
	for range 1_000 {
		record(t, conf, max(1, int64(2_400*math.Exp(0.3*rng.NormFloat64()))))
	}
	sc := &scenarios.Scenario{
		Name:        "prefetch-sweep",
		Description: "one work queue, workers with a fixed 2ms processing time",
		Topology:    scenarios.Topology{Queues: []scenarios.Queue{{Name: "prefetch-sweep.work", Durable: true}}},
		Publishers: []scenarios.PublisherGroup{{Name: "producer", Count: 1, RoutingKeys: []string{"prefetch-sweep.work"},
			Size: 1024, Confirm: true, ConfirmWindow: 256, Rate: scenarios.Rate{PerSecond: 1500}}},
		Consumers: []scenarios.ConsumerGroup{{Name: "workers", Count: 4, Queue: "prefetch-sweep.work", AckMode: scenarios.AckManual,
			ProcessingTime: scenarios.Duration(2 * time.Millisecond)}},
		Run: scenarios.RunSettings{Duration: scenarios.Duration(10 * time.Second), WarmUp: scenarios.Duration(2 * time.Second),
			Drain: scenarios.Duration(5 * time.Second)},
	}
	if n, err := strconv.Atoi(p.value); err == nil {
		sc.Consumers[0].Prefetch = n
	}
	achieved := p.achieved
	if achieved == 0 {
		achieved = 1
	}
	var samples []results.BrokerSample
	var series []results.Second
	for s := 1; s <= 10; s++ {
		samples = append(samples, results.BrokerSample{T: s, Queues: []results.QueueSample{{
			Queue: fmt.Sprintf("sweep-0a1b2c-%d-%d.prefetch-sweep.work", seed, run), Ready: p.growth*int64(s) + rng.Int63n(20),
			Unacked: p.unacked, Consumers: 4}}})
		series = append(series, results.Second{T: s, Published: int64(1500 * achieved), Confirmed: int64(1500 * achieved),
			Consumed:    int64(math.Round(p.throughput * (1 + 0.004*rng.NormFloat64()))),
			EndToEndP50: int64(p.p50 * 1000), EndToEndP99: int64(p.p99 * 1000 * math.Exp(0.15*rng.NormFloat64()))})
	}
	// The workers share the deliveries the more unevenly the larger their
	// prefetch: the first to ask takes a whole prefetch.
	var consumers []results.ConsumerDeliveries
	total := int64(p.throughput * 10)
	skew := math.Min(0.5, float64(sc.Consumers[0].Prefetch)/1000)
	for i, w := range []float64{1 + skew, 1, 1, 1 - skew} {
		consumers = append(consumers, results.ConsumerDeliveries{Tag: fmt.Sprintf("warren-test-workers-%d", i), Group: "workers",
			Queue: "prefetch-sweep.work", Delivered: int64(float64(total) * w / 4)})
	}
	start := time.Date(2025, 3, 14, 11, 0, 0, 0, time.UTC).Add(time.Duration(seed*3+int64(run)) * 20 * time.Second)
	return &results.Result{
		Schema:      results.ResultSchema,
		ID:          "sweep-" + p.value + "-" + strconv.Itoa(run),
		Scenario:    sc,
		Environment: results.Environment{WarrenVersion: "v0.4.0", BrokerProduct: "RabbitMQ", BrokerVersion: "4.1.2"},
		StartedAt:   start,
		EndedAt:     start.Add(15 * time.Second),
		Duration:    scenarios.Duration(10 * time.Second),
		Summary: results.Summary{TargetRate: 1500, PublishRate: 1500 * achieved, ConfirmRate: 1500 * achieved, ConsumeRate: p.throughput,
			Published: int64(15_000 * achieved), Confirmed: int64(15_000 * achieved), Consumed: int64(p.throughput * 10)},
		Latency: map[string]results.LatencySummary{
			results.MetricEndToEnd: summarise(h),
			results.MetricConfirm:  summarise(conf),
		},
		Series:     series,
		Histograms: map[string]string{results.MetricEndToEnd: encode(t, h), results.MetricConfirm: encode(t, conf)},
		Integrity:  results.Integrity{Lost: p.lost},
		Broker:     results.BrokerView{Source: results.SourceManagement, Samples: samples},
		Consumers:  consumers,
	}
}

// prefetchSweep is a typical prefetch sweep at a rate the workers can
// carry: prefetch 1 cannot keep up (each worker waits a round trip per
// message, and the backlog grows), 10, 50 and 100 can, and larger
// prefetches buy nothing but latency, as messages wait unacked at busy
// workers. Capacity-bound.
func prefetchSweep(t *testing.T) []reports.SweepVariant {
	var vs []reports.SweepVariant
	for i, p := range []point{
		{value: "1", throughput: 1_180, p50: 850, p99: 2_400, growth: 320, unacked: 4},
		{value: "10", throughput: 1_500, p50: 3.1, p99: 9.8, unacked: 40},
		{value: "50", throughput: 1_500, p50: 3.4, p99: 14.5, unacked: 200},
		{value: "100", throughput: 1_500, p50: 4.0, p99: 28, unacked: 400},
		{value: "500", throughput: 1_500, p50: 6.5, p99: 61, unacked: 2_000},
	} {
		vs = append(vs, sweepVariant(t, int64(i+1), "consumers.prefetch", p))
	}
	return vs
}

// rateBoundSweep is the sweep of issue 15: at a fixed rate every prefetch
// carries the load; prefetch=1 consumed 2.8% more (random fan-out), which
// decides nothing, but its p99 was twice as high.
func rateBoundSweep(t *testing.T) []reports.SweepVariant {
	return []reports.SweepVariant{
		sweepVariant(t, 11, "consumers.prefetch", point{value: "1", throughput: 1_542, p50: 4.1, p99: 20.7, unacked: 4}),
		sweepVariant(t, 12, "consumers.prefetch", point{value: "20", throughput: 1_500, p50: 3.3, p99: 10.6, unacked: 60}),
		sweepVariant(t, 13, "consumers.prefetch", point{value: "50", throughput: 1_500, p50: 3.3, p99: 10.7, unacked: 70}),
	}
}

func TestRecommend(t *testing.T) {
	t.Parallel()
	// Built once: Recommend reads its arguments and never changes them.
	prefetch, rateBound := prefetchSweep(t), rateBoundSweep(t)
	t.Run("capacity-bound", func(t *testing.T) {
		rec := reports.Recommend(prefetch, 0)
		if rec.Class != reports.SweepCapacityBound || rec.Decider != reports.DecidedByThroughput || !rec.Derived {
			t.Errorf("class %q, decider %q, derived %v", rec.Class, rec.Decider, rec.Derived)
		}
		// 10, 50 and 100 carry the load alike within the objective: the
		// smallest prefetch; 500 breaks the derived objective.
		if rec.Best != 1 || rec.Knee != 1 || rec.Parameter != "consumers.prefetch" {
			t.Errorf("best %d, knee %d, parameter %q; want prefetch 10, 10, consumers.prefetch\n%s", rec.Best, rec.Knee, rec.Parameter, rec.Reason)
		}
		for _, want := range []string{"capacity-bound (`consumers.prefetch=1` built a backlog: `prefetch-sweep.work` grew by 3",
			"so cost decided: `consumers.prefetch=10` costs the broker least, at most 40 unacknowledged messages (prefetch 10 × 4 consumers)"} {
			if !strings.Contains(rec.Reason, want) {
				t.Errorf("reason lacks %q:\n%s", want, rec.Reason)
			}
		}
		if !strings.HasPrefix(rec.KneeReason, "More prefetch stops paying at `consumers.prefetch=10`") {
			t.Errorf("knee reason %q", rec.KneeReason)
		}
	})
	t.Run("rate-bound: p99 decides, not throughput", func(t *testing.T) {
		vs := rateBound
		rec := reports.Recommend(vs, 0)
		if rec.Class != reports.SweepRateBound || rec.Decider != reports.DecidedByP99 {
			t.Fatalf("class %q (%s), decider %q", rec.Class, rec.ClassReason, rec.Decider)
		}
		if rec.Best != 1 || len(rec.Tied) != 1 || rec.Tied[0] != 2 || rec.Knee != -1 || rec.KneeReason != "" {
			t.Errorf("best %d, tied %v, knee %d %q; want prefetch 20 tied with 50, no knee\n%s", rec.Best, rec.Tied, rec.Knee, rec.KneeReason, rec.Reason)
		}
		for _, want := range []string{"was lower than at `consumers.prefetch=1`", "It could not tell `consumers.prefetch=20` apart from `consumers.prefetch=50`"} {
			if !strings.Contains(rec.Reason, want) {
				t.Errorf("reason lacks %q:\n%s", want, rec.Reason)
			}
		}
		// Whatever the cost: the recommended variant is significantly
		// worse than no other, by an independent test of its samples.
		checkNotWorse(t, vs, rec.Best)
	})
	t.Run("identical variants", func(t *testing.T) {
		a := sweepVariant(t, 21, "consumers.prefetch", point{value: "20", throughput: 1_500, p50: 3, p99: 10})
		b := sweepVariant(t, 22, "consumers.prefetch", point{value: "10", throughput: 1_500, p50: 3, p99: 10})
		rec := reports.Recommend([]reports.SweepVariant{a, b}, 0)
		if rec.Class != reports.SweepRateBound || rec.Best != 1 || len(rec.Pairs) != 1 || rec.Pairs[0].Significant() {
			t.Errorf("class %q, best %d, pairs %+v\n%s", rec.Class, rec.Best, rec.Pairs, rec.Reason)
		}
		if !strings.Contains(rec.Reason, "There was no significant difference in per-second end-to-end p99 between the two variants") ||
			!strings.Contains(rec.Reason, "so cost decided: `consumers.prefetch=10` costs the broker least") {
			t.Errorf("reason:\n%s", rec.Reason)
		}
	})
	t.Run("a publisher short of its target makes it capacity-bound", func(t *testing.T) {
		vs := slices.Clone(rateBound)
		vs[2] = sweepVariant(t, 13, "consumers.prefetch", point{value: "50", throughput: 1_450, p50: 3.3, p99: 10.7, achieved: 0.97})
		rec := reports.Recommend(vs, 0)
		if rec.Class != reports.SweepCapacityBound || !strings.Contains(rec.ClassReason, "`consumers.prefetch=50` published 97.0% of its target") {
			t.Errorf("class %q: %s", rec.Class, rec.ClassReason)
		}
	})
	t.Run("objective nobody meets", func(t *testing.T) {
		rec := reports.Recommend(prefetch, time.Millisecond)
		if rec.Best != -1 || !strings.Contains(rec.Reason, "No variant kept its end-to-end p99 within the objective of 1.00 ms") {
			t.Errorf("best %d, reason %q", rec.Best, rec.Reason)
		}
	})
	t.Run("failed variants and runs", func(t *testing.T) {
		failed := reports.SweepVariant{Name: "consumers.prefetch=1", Params: map[string]string{"consumers.prefetch": "1"},
			Runs: []reports.SweepRun{{Error: "broker closed the connection"}}}
		if rec := reports.Recommend([]reports.SweepVariant{failed}, 0); rec.Best != -1 || !strings.Contains(rec.Reason, "No variant ran") {
			t.Errorf("%+v", rec)
		}
		vs := slices.Clone(prefetch)
		vs[2].Runs = slices.Clone(vs[2].Runs)
		vs[2].Runs[1] = reports.SweepRun{Error: "channel closed"} // one run of prefetch 50 failed
		mixed := append(vs, failed)
		if rec := reports.Recommend(mixed, 0); rec.Best != 1 {
			t.Errorf("a failed variant changed the recommendation: best %d\n%s", rec.Best, rec.Reason)
		}
	})
}

// checkNotWorse fails when another variant's per-second p99 after the
// warm-up is significantly lower than the recommended one's.
func checkNotWorse(t *testing.T, vs []reports.SweepVariant, best int) {
	t.Helper()
	samples := func(v reports.SweepVariant) []float64 {
		var out []float64
		for _, r := range v.Runs {
			if r.Result == nil {
				continue
			}
			for _, s := range r.Result.Series {
				if float64(s.T) > r.Result.Scenario.Run.WarmUp.Std().Seconds() && float64(s.T) <= r.Result.Duration.Std().Seconds() && s.Consumed > 0 {
					out = append(out, float64(s.EndToEndP99))
				}
			}
		}
		return out
	}
	b := samples(vs[best])
	for i, v := range vs {
		if i == best {
			continue
		}
		r, err := stats.MannWhitney(b, samples(v))
		if err != nil {
			t.Fatal(err)
		}
		if r.Significant(reports.Alpha) && r.Effect() > 0.5 {
			t.Errorf("recommended %s has a p99 significantly above %s's (p = %v)", vs[best].Name, v.Name, r.P)
		}
	}
}

func TestSweepGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		vs   func(*testing.T) []reports.SweepVariant
		opts []reports.SweepOption
	}{
		{"prefetch", prefetchSweep, nil},
		{"rate-bound", rateBoundSweep, nil},
		{"queue-types", func(t *testing.T) []reports.SweepVariant {
			vs := []reports.SweepVariant{
				sweepVariant(t, 1, "queues.type", point{value: "classic", throughput: 1_500, p50: 2.2, p99: 6.1, unacked: 40}),
				sweepVariant(t, 2, "queues.type", point{value: "quorum", throughput: 1_480, p50: 4.8, p99: 19, unacked: 40, achieved: 0.98}),
				{Name: "queues.type=stream", Params: map[string]string{"queues.type": "stream"}, Runs: []reports.SweepRun{
					{Error: "declare queue prefetch-sweep.work: PRECONDITION_FAILED - stream queues need a prefetch"},
					{Error: "declare queue prefetch-sweep.work: PRECONDITION_FAILED - stream queues need a prefetch"},
				}},
			}
			vs[1].Runs[1].Result.Warnings = []string{"generator fell behind its target rate by 2%: results understate the broker", "another"}
			vs[1].Runs[2].Result.Integrity.Lost = 3
			// A run written without its report: its directory is linked.
			vs[0].Runs[2].NoReport = true
			return vs
		}, []reports.SweepOption{reports.WithP99Objective(10 * time.Millisecond)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := reports.RenderSweep(dir, tc.vs(t), tc.opts...); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(dir, reports.SweepFile))
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "sweep-"+tc.name+".md", got)
			for _, name := range []string{reports.SweepThroughputFile, reports.SweepP99File, reports.SweepLatencySpectrumFile} {
				checkPNG(t, filepath.Join(dir, name))
			}
			if look := os.Getenv("WARREN_REPORTS_LOOK"); look != "" {
				copyDir(t, dir, filepath.Join(look, "sweep-"+tc.name))
			}
		})
	}
}

func TestRenderSweepErrors(t *testing.T) {
	t.Parallel()
	if err := reports.RenderSweep(t.TempDir(), nil); err == nil {
		t.Error("no variants: no error")
	}
	one := []reports.SweepVariant{{Name: "v", Runs: []reports.SweepRun{{Error: "failed"}}}}
	if err := reports.RenderSweep(filepath.Join(t.TempDir(), "missing"), one); err == nil {
		t.Error("missing directory: no error")
	}
}
