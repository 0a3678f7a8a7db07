package reports_test

import (
	"math"
	"math/rand"
	"slices"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// fixtureScenario is the greenhouse scenario as run, built in code so that
// edits to the built-in library do not move the golden files.
func fixtureScenario() *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:        "greenhouse",
		Description: "topic telemetry from greenhouse sensors, persistent and confirmed, three pattern-bound queues",
		Broker: scenarios.Broker{
			URI:            "amqp://warren:xxxxx@rabbit.example:5672/load", // masked, as loadgen writes it
			Heartbeat:      scenarios.Duration(60 * time.Second),
			ConnectionName: "warren",
		},
		Topology: scenarios.Topology{
			Exchanges: []scenarios.Exchange{{Name: "greenhouse.telemetry", Type: scenarios.ExchangeTopic, Durable: true}},
			Queues: []scenarios.Queue{
				{Name: "greenhouse.temperature", Type: scenarios.QueueClassic, Durable: true},
				{Name: "greenhouse.all", Type: scenarios.QueueClassic, Durable: true, MaxLength: 1_000_000, Overflow: "reject-publish"},
				{Name: "greenhouse.zone1", Type: scenarios.QueueQuorum, Durable: true, DeliveryLimit: 5,
					Arguments: map[string]any{"x-quorum-initial-group-size": 3, "x-max-in-memory-length": 10000}},
			},
			Bindings: []scenarios.Binding{
				{Exchange: "greenhouse.telemetry", Queue: "greenhouse.temperature", Key: "greenhouse.*.temperature"},
				{Exchange: "greenhouse.telemetry", Queue: "greenhouse.all", Key: "greenhouse.#"},
				{Exchange: "greenhouse.telemetry", Queue: "greenhouse.zone1", Key: "greenhouse.zone1.*"},
			},
		},
		Publishers: []scenarios.PublisherGroup{{
			Name: "sensors", Count: 2, Exchange: "greenhouse.telemetry",
			RoutingKeys: []string{"greenhouse.zone1.temperature", "greenhouse.zone1.humidity",
				"greenhouse.zone2.temperature", "greenhouse.zone3.humidity"},
			Size: 256, Persistent: true, Confirm: true, ConfirmWindow: 128,
			Rate: scenarios.Rate{PerSecond: 1000},
		}},
		Consumers: []scenarios.ConsumerGroup{
			{Name: "temperature-service", Count: 1, Queue: "greenhouse.temperature", Prefetch: 50, AckMode: scenarios.AckManual},
			{Name: "archiver", Count: 2, Queue: "greenhouse.all", Prefetch: 100, AckMode: scenarios.AckMultiple, AckEvery: 10},
			{Name: "zone1-controller", Count: 1, Queue: "greenhouse.zone1", Prefetch: 20, AckMode: scenarios.AckManual,
				ProcessingTime: scenarios.Duration(200 * time.Microsecond)},
		},
		Run: scenarios.RunSettings{
			Duration: scenarios.Duration(20 * time.Second),
			WarmUp:   scenarios.Duration(2 * time.Second),
			Drain:    scenarios.Duration(3 * time.Second),
		},
	}
}

// latencySampler draws realistic latencies in microseconds: a log-normal
// body around a median, a thin exponential tail, and rare long stalls (a
// GC pause, a flow-control episode).
type latencySampler struct {
	rng        *rand.Rand
	median     float64 // µs
	sigma      float64
	tailP      float64
	tailMean   float64 // µs
	stallP     float64
	stallRange [2]float64 // µs
}

func (s latencySampler) next() int64 {
	v := s.median * math.Exp(s.sigma*s.rng.NormFloat64())
	u := s.rng.Float64()
	switch {
	case u < s.stallP:
		v += s.stallRange[0] + s.rng.Float64()*(s.stallRange[1]-s.stallRange[0])
	case u < s.stallP+s.tailP:
		v += s.rng.ExpFloat64() * s.tailMean
	}
	return max(1, int64(v))
}

func newHistogram() *hdrhistogram.Histogram { return hdrhistogram.New(1, 60_000_000, 3) }

func encode(t testing.TB, h *hdrhistogram.Histogram) string {
	t.Helper()
	b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		t.Fatal(err)
	}
	return string(b) // already base64
}

func summarise(h *hdrhistogram.Histogram) results.LatencySummary {
	return results.LatencySummary{
		Count: h.TotalCount(), Min: h.Min(), Mean: h.Mean(),
		P50: h.ValueAtQuantile(50), P90: h.ValueAtQuantile(90), P99: h.ValueAtQuantile(99),
		P999: h.ValueAtQuantile(99.9), P9999: h.ValueAtQuantile(99.99), Max: h.Max(),
	}
}

func record(t testing.TB, h *hdrhistogram.Histogram, v int64) {
	t.Helper()
	if err := h.RecordValue(v); err != nil {
		t.Fatal(err)
	}
}

// greenhouseResult is a realistic result of the greenhouse scenario at
// 1,000 msg/s for 20 s with 3 s of drain: every histogram, 23 seconds of
// series, a warning and two events. It is deterministic (fixed seed).
func greenhouseResult(t testing.TB) *results.Result {
	t.Helper()
	rng := rand.New(rand.NewSource(20240611))
	sendDelay := latencySampler{rng: rng, median: 45, sigma: 0.6, tailP: 0.01, tailMean: 300,
		stallP: 0.0015, stallRange: [2]float64{4_000, 38_000}}
	delivery := latencySampler{rng: rng, median: 1_750, sigma: 0.32, tailP: 0.012, tailMean: 6_000,
		stallP: 0.0003, stallRange: [2]float64{140_000, 260_000}}
	confirm := latencySampler{rng: rng, median: 2_400, sigma: 0.38, tailP: 0.01, tailMean: 7_500,
		stallP: 0.0002, stallRange: [2]float64{90_000, 180_000}}

	e2e, e2eActual, conf, delay := newHistogram(), newHistogram(), newHistogram(), newHistogram()
	const published = 18_000 // after the 2 s warm-up
	// Fan-out of the four routing keys: 3, 2, 2 and 1 queues.
	fanout := []int{3, 2, 2, 1}
	for i := range published {
		d := sendDelay.next()
		record(t, delay, d)
		record(t, conf, confirm.next())
		for range fanout[i%len(fanout)] {
			a := delivery.next()
			record(t, e2eActual, a)
			record(t, e2e, a+d)
		}
	}

	start := time.Date(2025, 3, 14, 9, 26, 53, 589_000_000, time.UTC)
	var series []results.Second
	for s := 1; s <= 23; s++ {
		sec := results.Second{T: s}
		if s <= 20 {
			sec.Published = int64(1000 + rng.Intn(7) - 3)
			sec.Confirmed = sec.Published - int64(rng.Intn(5))
			sec.Consumed = 2*sec.Published - int64(rng.Intn(20))
		}
		switch s {
		case 12: // a memory alarm blocked the publishers briefly
			sec.Published, sec.Confirmed, sec.Consumed = 612, 570, 1_190
		case 13:
			sec.Published, sec.Confirmed, sec.Consumed = 1_388, 1_420, 2_790
		case 21:
			sec.Consumed = 24
		}
		if sec.Consumed > 0 {
			sec.EndToEndP50 = 1_700 + int64(rng.Intn(300))
			sec.EndToEndP99 = 5_200 + int64(rng.Intn(2_400))
			sec.EndToEndMax = sec.EndToEndP99 + 3_000 + int64(rng.Intn(9_000))
			if s == 1 { // connections warming up
				sec.EndToEndP50, sec.EndToEndP99, sec.EndToEndMax = 3_900, 21_000, 48_000
			}
			if s == 12 || s == 13 {
				sec.EndToEndP50, sec.EndToEndP99, sec.EndToEndMax = 2_600+int64(s-12)*900, 188_000, 251_000
			}
		}
		series = append(series, sec)
	}
	var pub, confd, cons int64
	for _, s := range series {
		pub += s.Published
		confd += s.Confirmed
		cons += s.Consumed
	}

	sc := fixtureScenario()
	// One of each kind, one crossed (a stall reached 260 ms), one read from
	// the histogram (p95 is not in the latency table).
	sc.Thresholds = fixtureThresholds(t, "e2e_p99<50ms", "e2e_p95<20ms", "e2e_max<100ms", "confirm_p999<=200ms",
		"duplicated==0", "publish_rate>=99%", "consume_rate>=900/s")
	r := &results.Result{
		Schema:   results.ResultSchema,
		ID:       "20250314T092653Z-greenhouse-7f3a",
		Scenario: sc,
		Environment: results.Environment{
			WarrenVersion: "v0.4.0",
			GoVersion:     "go1.26.8",
			OS:            "linux",
			Arch:          "amd64",
			CPUs:          8,
			InstanceID:    "gen-7f3a",
			// Deliberately unmasked: Render must mask it itself.
			BrokerURI:     "amqp://warren:s3cret@rabbit.example:5672/load",
			BrokerProduct: "RabbitMQ",
			BrokerVersion: "4.1.2",
			BrokerNode:    "rabbit@rabbit-0",
		},
		StartedAt: start,
		EndedAt:   start.Add(23 * time.Second),
		Duration:  scenarios.Duration(20 * time.Second),
		Summary: results.Summary{
			TargetRate:     1000,
			Published:      pub,
			Confirmed:      confd,
			Consumed:       cons,
			PublishRate:    float64(pub) / 20,
			ConfirmRate:    float64(confd) / 20,
			ConsumeRate:    float64(cons) / 20,
			BytesPublished: pub * 256,
		},
		Latency: map[string]results.LatencySummary{
			results.MetricEndToEnd:       summarise(e2e),
			results.MetricEndToEndActual: summarise(e2eActual),
			results.MetricConfirm:        summarise(conf),
			results.MetricSendDelay:      summarise(delay),
		},
		Series: series,
		Histograms: map[string]string{
			results.MetricEndToEnd:       encode(t, e2e),
			results.MetricEndToEndActual: encode(t, e2eActual),
			results.MetricConfirm:        encode(t, conf),
			results.MetricSendDelay:      encode(t, delay),
		},
		Integrity: results.Integrity{
			Expected:    2 * confd,
			Received:    2 * confd,
			Reordered:   0,
			Redelivered: 14,
			Queues: []results.QueueIntegrity{
				{Queue: "greenhouse.temperature", Expected: confd / 2, Received: confd / 2},
				{Queue: "greenhouse.all", Expected: confd, Received: confd},
				{Queue: "greenhouse.zone1", Expected: confd / 2, Received: confd / 2},
			},
		},
		Events: []results.Event{
			{At: start.Add(12_100 * time.Millisecond), Kind: results.EventUnblocked, Message: "connection sensors-1 unblocked"},
			{At: start.Add(11_640 * time.Millisecond), Kind: results.EventBlocked, Message: "connection sensors-1 blocked by the broker: low on memory"},
			{At: start.Add(11_700 * time.Millisecond), Kind: results.EventBlocked, Message: "connection sensors-2 blocked by the broker: low on memory"},
			{At: start.Add(12_050 * time.Millisecond), Kind: results.EventUnblocked, Message: "connection sensors-2 unblocked"},
		},
		Broker: greenhouseBroker(),
		Generator: results.Generator{
			CPUUserSeconds: 5.91, CPUSystemSeconds: 1.42, CoreShare: 0.3187,
			CPUPerMessage: 122.6, MaxRSSBytes: 48_123_904, Goroutines: 31,
		},
		Warnings: []string{
			"generator fell behind its target rate by 39% in second 12: results understate the broker",
		},
	}
	r.Verdicts = results.Evaluate(r) // as a run records them
	return r
}

func fixtureThresholds(t testing.TB, texts ...string) []scenarios.Threshold {
	t.Helper()
	var out []scenarios.Threshold
	for _, s := range texts {
		th, err := scenarios.ParseThreshold(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, th)
	}
	return out
}

// greenhouseBroker is what the monitor saw of the greenhouse run through
// the management API: greenhouse.all backs up from second 9, broker memory
// climbs over the high watermark at second 12 (the memory alarm blocks the
// publishers), and the backlog drains by second 15.
func greenhouseBroker() results.BrokerView {
	allReady := map[int]int64{9: 140, 10: 520, 11: 1_180, 12: 1_650, 13: 610, 14: 45}
	var samples []results.BrokerSample
	for t := 1; t <= 23; t++ {
		ready := allReady[t]
		if ready == 0 && t <= 20 {
			ready = int64(12 + (t*7)%19)
		}
		consumed := int64(1000)
		if t > 20 {
			consumed = 0
		}
		lag := 0.0
		if consumed > 0 {
			lag = float64(ready) / float64(consumed)
		}
		unacked := int64(38 + (t*5)%23)
		if ready > 100 {
			unacked = 200 // both archivers' prefetch of 100 is full
		}
		if t > 21 {
			ready, unacked = 0, 0
		}
		mem := int64(178<<20) + ready*150_000 + int64(t%3)<<20
		samples = append(samples, results.BrokerSample{
			T: t,
			Queues: []results.QueueSample{
				{Queue: "greenhouse.temperature", Ready: int64(t % 4), Consumers: 1, Unacked: int64(3 + t%5),
					LagSeconds: float64(t%4) / 500},
				{Queue: "greenhouse.all", Ready: ready, Consumers: 2, Unacked: unacked, LagSeconds: lag},
				{Queue: "greenhouse.zone1", Ready: int64(t % 3), Consumers: 1, Unacked: int64(10 + t%9),
					LagSeconds: float64(t%3) / 500},
			},
			MemoryUsed:  mem,
			MemoryLimit: 429_496_729, // 0.4 of 1 GiB, the default watermark
			MemoryAlarm: mem > 429_496_729,
			FDUsed:      64,
			Sockets:     9,
		})
	}
	return results.BrokerView{
		Source:        results.SourceManagement,
		ManagementURI: "http://warren:xxxxx@rabbit.example:15672/",
		Samples:       samples,
	}
}

// lossyResult is a run that went wrong: publishers without consumers,
// messages lost and duplicated, no latency recorded, no warm-up.
func lossyResult(t testing.TB) *results.Result {
	t.Helper()
	sc := fixtureScenario()
	sc.Name = "orders | fan-out"
	sc.Description = "a *dead* end: nothing consumes"
	sc.Consumers = nil
	sc.Run.WarmUp = 0
	sc.Publishers[0].Confirm = false
	sc.Publishers[0].Rate = scenarios.Rate{Unlimited: true}
	// Thresholds this run cannot judge (written before its consumers were
	// removed, say): unknown, which fails it. No Verdicts recorded: the
	// report judges a result written before thresholds existed.
	sc.Thresholds = fixtureThresholds(t, "e2e_p99<50ms", "publish_rate>=99%", "lost<=0.1%")
	start := time.Date(2025, 3, 14, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	var series []results.Second
	for s := 1; s <= 5; s++ {
		series = append(series, results.Second{T: s, Published: 5000 + int64(s)*10})
	}
	return &results.Result{
		Schema:   results.ResultSchema,
		ID:       "lossy",
		Scenario: sc,
		Environment: results.Environment{
			BrokerURI:     "amqp://guest:xxxxx@127.0.0.1:5672/",
			BrokerProduct: "RabbitMQ",
			BrokerVersion: "3.13.7",
		},
		StartedAt: start,
		EndedAt:   start.Add(5 * time.Second),
		Duration:  scenarios.Duration(5 * time.Second),
		Summary: results.Summary{
			Published: 25_150, PublishRate: 5030, Returned: 2, BytesPublished: 25_150 * 256,
		},
		Series: series,
		Broker: results.BrokerView{Source: results.SourcePassive, Samples: lossySamples()},
		Warnings: []string{
			"management API at http://guest:xxxxx@127.0.0.1:15672/ did not answer (connection refused): broker memory, alarms and unacked counts were not sampled",
		},
		Integrity: results.Integrity{
			Expected: 1_000, Received: 1_001, Lost: 7, Unconsumed: 40, Duplicated: 8, Unconfirmed: 1, DeadLettered: 2, Rejected: 3,
			Queues: []results.QueueIntegrity{{Queue: "orders|eu", Expected: 1_000, Received: 1_001, Lost: 7, Unconsumed: 40, Duplicated: 8}},
		},
	}
}

// lossySamples are passive-declare samples of a queue nothing consumes.
func lossySamples() []results.BrokerSample {
	var out []results.BrokerSample
	for t := 1; t <= 5; t++ {
		out = append(out, results.BrokerSample{T: t, Queues: []results.QueueSample{
			{Queue: "orders|eu", Ready: int64(t) * 5_020},
		}})
	}
	return out
}

// scaled is a copy of r with every latency multiplied by latency (the
// histograms re-encoded) and every rate multiplied by rate: scaled(r, 2,
// 0.5) is the same run made twice as slow.
func scaled(t testing.TB, r *results.Result, latency, rate float64) *results.Result {
	t.Helper()
	out := *r
	out.Summary.PublishRate *= rate
	out.Summary.ConfirmRate *= rate
	out.Summary.ConsumeRate *= rate
	out.Series = slices.Clone(r.Series)
	for i := range out.Series {
		s := &out.Series[i]
		s.Published = int64(math.Round(float64(s.Published) * rate))
		s.Confirmed = int64(math.Round(float64(s.Confirmed) * rate))
		s.Consumed = int64(math.Round(float64(s.Consumed) * rate))
	}
	out.Latency = map[string]results.LatencySummary{}
	for m, l := range r.Latency {
		f := func(v int64) int64 { return int64(math.Round(float64(v) * latency)) }
		out.Latency[m] = results.LatencySummary{Count: l.Count, Min: f(l.Min), Mean: l.Mean * latency,
			P50: f(l.P50), P90: f(l.P90), P99: f(l.P99), P999: f(l.P999), P9999: f(l.P9999), Max: f(l.Max)}
	}
	out.Histograms = map[string]string{}
	for m := range r.Histograms {
		h, err := r.Histogram(m)
		if err != nil {
			t.Fatal(err)
		}
		s := newHistogram()
		for _, b := range h.Distribution() {
			if b.Count > 0 {
				if err := s.RecordValues(max(1, int64(math.Round(float64(b.To)*latency))), b.Count); err != nil {
					t.Fatal(err)
				}
			}
		}
		out.Histograms[m] = encode(t, s)
	}
	return &out
}
