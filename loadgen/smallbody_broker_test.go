package loadgen_test

import (
	"context"
	"testing"
	"time"

	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// TestBodiesShorterThanTheStamp sends 12-byte messages, and sizes from 8 B
// to 100 B, through a headers exchange that matches all of its binding's
// headers: the stamp travels in a header for them, the bodies keep their
// sizes, the header routing is undisturbed, and every message is accounted
// for and timed.
func TestBodiesShorterThanTheStamp(t *testing.T) {
	uri := testbroker.Require(t)
	q := testbroker.UniqueName(t, "small")
	x := testbroker.UniqueName(t, "small-x")
	s := &scenarios.Scenario{
		Name: "small-bodies",
		Topology: scenarios.Topology{
			Exchanges: []scenarios.Exchange{{Name: x, Type: scenarios.ExchangeHeaders, AutoDelete: true}},
			Queues:    []scenarios.Queue{{Name: q, AutoDelete: true}},
			Bindings:  []scenarios.Binding{{Exchange: x, Queue: q, Headers: map[string]string{"site": "north"}, Match: "all"}},
			Cleanup:   true,
		},
		Publishers: []scenarios.PublisherGroup{
			{Name: "tiny", Exchange: x, Headers: map[string]string{"site": "north"}, Size: 12,
				Confirm: true, ConfirmWindow: 100, Rate: scenarios.Rate{PerSecond: 400}},
			{Name: "mixed", Exchange: x, Headers: map[string]string{"site": "north"},
				SizeDistribution: &scenarios.SizeDistribution{Min: 8, Max: 100},
				Confirm:          true, ConfirmWindow: 100, Rate: scenarios.Rate{PerSecond: 400}},
		},
		Consumers: []scenarios.ConsumerGroup{{Queue: q, Prefetch: 100}},
		Run:       scenarios.RunSettings{Duration: scenarios.Duration(2 * time.Second)},
	}
	s.ApplyDefaults()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	res, err := loadgen.Run(context.Background(), s, loadgen.WithURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	sum, in := res.Summary, res.Integrity
	keptSchedule(t, res, 800, 2*time.Second)
	if sum.Published == 0 || in.Expected != sum.Published || in.Received != in.Expected || in.Lost != 0 || in.Foreign != 0 {
		t.Fatalf("published %d; integrity %+v: every message should reach the queue once and be told as warren's", sum.Published, in)
	}
	if e2e := res.Latency[results.MetricEndToEnd]; e2e.Count != sum.Consumed+sum.Unsent || e2e.P50 <= 0 {
		// Each message due but never sent adds its lower bound.
		t.Errorf("end-to-end latency holds %d values (p50 %d µs) for %d consumed and %d unsent", e2e.Count, e2e.P50, sum.Consumed, sum.Unsent)
	}
	// The bodies kept their sizes: 12 B, and 8 B to 100 B (54 B on
	// average), so far less than the 40 B a body stamp would need for
	// the tiny ones.
	if perMsg := float64(sum.BytesPublished) / float64(sum.Published); perMsg < 25 || perMsg > 40 {
		t.Errorf("%.1f body bytes per message, want about (12+54)/2 = 33", perMsg)
	}
}
