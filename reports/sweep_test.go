package reports_test

import (
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/warrenmq/warren/reports"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// point is what a synthetic sweep variant measured.
type point struct {
	value      string
	throughput float64 // msg/s consumed
	p50, p99   float64 // ms, end-to-end
	depth      int64   // deepest backlog
	unacked    int64
	lost       int64
}

// sweepVariant builds a variant of a prefetch sweep whose end-to-end
// histogram has about the given p50 and p99 (a log-normal body).
func sweepVariant(t *testing.T, seed int64, key string, p point) reports.SweepVariant {
	t.Helper()
	rng := rand.New(rand.NewSource(seed))
	sigma := math.Log(p.p99/p.p50) / 2.326
	h := newHistogram()
	for range 20_000 {
		record(t, h, max(1, int64(p.p50*1000*math.Exp(sigma*rng.NormFloat64()))))
	}
	conf := newHistogram()
	for range 5_000 {
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
	var samples []results.BrokerSample
	for s := 1; s <= 10; s++ {
		samples = append(samples, results.BrokerSample{T: s, Queues: []results.QueueSample{{
			Queue: "prefetch-sweep.work", Ready: p.depth * int64(s) / 10, Unacked: p.unacked, Consumers: 4}}})
	}
	start := time.Date(2025, 3, 14, 11, 0, 0, 0, time.UTC).Add(time.Duration(seed) * 20 * time.Second)
	name := key + "=" + p.value
	return reports.SweepVariant{
		Name:   name,
		Params: map[string]string{key: p.value},
		Dir:    name,
		Result: &results.Result{
			Schema:      results.ResultSchema,
			ID:          "sweep-" + p.value,
			Scenario:    sc,
			Environment: results.Environment{WarrenVersion: "v0.4.0", BrokerProduct: "RabbitMQ", BrokerVersion: "4.1.2"},
			StartedAt:   start,
			EndedAt:     start.Add(15 * time.Second),
			Duration:    scenarios.Duration(10 * time.Second),
			Summary: results.Summary{TargetRate: 1500, PublishRate: 1500, ConfirmRate: 1500, ConsumeRate: p.throughput,
				Published: 15_000, Confirmed: 15_000, Consumed: int64(p.throughput * 10)},
			Latency: map[string]results.LatencySummary{
				results.MetricEndToEnd: summarise(h),
				results.MetricConfirm:  summarise(conf),
			},
			Histograms: map[string]string{results.MetricEndToEnd: encode(t, h), results.MetricConfirm: encode(t, conf)},
			Integrity:  results.Integrity{Lost: p.lost},
			Broker:     results.BrokerView{Source: results.SourceManagement, Samples: samples},
		},
	}
}

// prefetchSweep is a typical prefetch sweep: prefetch 1 cannot keep up
// (each worker waits a round trip per message), 10 and 50 can, and larger
// prefetches buy nothing but latency, as messages wait unacked at busy
// workers.
func prefetchSweep(t *testing.T) []reports.SweepVariant {
	var vs []reports.SweepVariant
	for i, p := range []point{
		{"1", 1_180, 850, 2_400, 9_400, 4, 0},
		{"10", 1_492, 3.1, 9.8, 42, 40, 0},
		{"50", 1_498, 3.4, 14.5, 24, 200, 0},
		{"100", 1_499, 4.0, 28, 11, 400, 0},
		{"500", 1_500, 6.5, 61, 6, 2_000, 0},
	} {
		vs = append(vs, sweepVariant(t, int64(i+1), "consumers.prefetch", p))
	}
	return vs
}

func TestRecommend(t *testing.T) {
	t.Parallel()
	vs := prefetchSweep(t)
	bestP99 := float64(vs[1].Result.Latency[results.MetricEndToEnd].P99)

	t.Run("derived objective", func(t *testing.T) {
		rec := reports.Recommend(vs, 0)
		if rec.Best != 2 || rec.Knee != 1 || !rec.Derived || rec.Parameter != "consumers.prefetch" {
			t.Errorf("best %d, knee %d, derived %v, parameter %q; want 50, 10, derived, consumers.prefetch", rec.Best, rec.Knee, rec.Derived, rec.Parameter)
		}
		if rec.Objective != int64(2*bestP99) {
			t.Errorf("objective %d µs, want twice the best p99 (%v)", rec.Objective, 2*bestP99)
		}
		for _, want := range []string{"It gave the highest throughput (1,498 msg/s)", "`consumers.prefetch=500` was 0.1% faster but its p99"} {
			if !strings.Contains(rec.Reason, want) {
				t.Errorf("reason %q lacks %q", rec.Reason, want)
			}
		}
		if !strings.Contains(rec.KneeReason, "stops paying at `consumers.prefetch=10`") {
			t.Errorf("knee reason %q", rec.KneeReason)
		}
	})
	t.Run("generous objective", func(t *testing.T) {
		if rec := reports.Recommend(vs, 100*time.Millisecond); rec.Best != 4 || rec.Derived {
			t.Errorf("best %d, derived %v; want prefetch 500 under a 100ms objective", rec.Best, rec.Derived)
		}
	})
	t.Run("objective nobody meets", func(t *testing.T) {
		rec := reports.Recommend(vs, time.Millisecond)
		if rec.Best != -1 || !strings.Contains(rec.Reason, "No variant kept its end-to-end p99 within the objective of 1.00 ms") {
			t.Errorf("best %d, reason %q", rec.Best, rec.Reason)
		}
		if rec.Knee != 1 {
			t.Errorf("knee %d: the knee does not depend on the objective", rec.Knee)
		}
	})
	t.Run("still growing", func(t *testing.T) {
		grow := []reports.SweepVariant{
			sweepVariant(t, 1, "consumers.prefetch", point{"1", 500, 2, 5, 0, 0, 0}),
			sweepVariant(t, 2, "consumers.prefetch", point{"2", 800, 2, 5, 0, 0, 0}),
			sweepVariant(t, 3, "consumers.prefetch", point{"4", 1_000, 2, 5, 0, 0, 0}),
		}
		rec := reports.Recommend(grow, 0)
		if rec.Knee != 2 || !strings.Contains(rec.KneeReason, "still growing at the largest value tried") {
			t.Errorf("knee %d, %q", rec.Knee, rec.KneeReason)
		}
	})
	t.Run("categorical: no knee", func(t *testing.T) {
		qs := []reports.SweepVariant{
			sweepVariant(t, 1, "queues.type", point{"classic", 1_500, 2, 5, 0, 0, 0}),
			sweepVariant(t, 2, "queues.type", point{"quorum", 1_400, 3, 8, 0, 0, 0}),
		}
		rec := reports.Recommend(qs, 0)
		if rec.Best != 0 || rec.Knee != -1 || rec.KneeReason != "" {
			t.Errorf("best %d, knee %d %q", rec.Best, rec.Knee, rec.KneeReason)
		}
	})
	t.Run("failed variants", func(t *testing.T) {
		failed := []reports.SweepVariant{{Name: "consumers.prefetch=1", Params: map[string]string{"consumers.prefetch": "1"}, Error: "broker closed the connection"}}
		if rec := reports.Recommend(failed, 0); rec.Best != -1 || !strings.Contains(rec.Reason, "No variant ran") {
			t.Errorf("%+v", rec)
		}
		mixed := append(prefetchSweep(t), failed...)
		if rec := reports.Recommend(mixed, 0); rec.Best != 2 {
			t.Errorf("a failed variant changed the recommendation: best %d", rec.Best)
		}
	})
	t.Run("prefetch 0 (unlimited) is no number", func(t *testing.T) {
		vs := []reports.SweepVariant{
			sweepVariant(t, 1, "consumers.prefetch", point{"0", 1_500, 9, 90, 0, 0, 0}),
			sweepVariant(t, 2, "consumers.prefetch", point{"10", 1_490, 3, 9, 0, 0, 0}),
		}
		if rec := reports.Recommend(vs, 0); rec.Knee != -1 || rec.Best != 1 {
			t.Errorf("best %d, knee %d", rec.Best, rec.Knee)
		}
	})
}

func TestSweepGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		vs   func(*testing.T) []reports.SweepVariant
		opts []reports.SweepOption
	}{
		{"prefetch", prefetchSweep, nil},
		{"queue-types", func(t *testing.T) []reports.SweepVariant {
			vs := []reports.SweepVariant{
				sweepVariant(t, 1, "queues.type", point{"classic", 1_500, 2.2, 6.1, 30, 40, 0}),
				sweepVariant(t, 2, "queues.type", point{"quorum", 1_480, 4.8, 19, 60, 40, 0}),
				{Name: "queues.type=stream", Params: map[string]string{"queues.type": "stream"}, Dir: "queues.type=stream",
					Error: "declare queue prefetch-sweep.work: PRECONDITION_FAILED - stream queues need a prefetch"},
			}
			vs[1].Result.Warnings = []string{"generator fell behind its target rate by 2%: results understate the broker", "another"}
			vs[1].Result.Integrity.Lost = 3
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
	if err := reports.RenderSweep(filepath.Join(t.TempDir(), "missing"), prefetchSweep(t)[:1]); err == nil {
		t.Error("missing directory: no error")
	}
}
