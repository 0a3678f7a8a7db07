package loadgen_test

import (
	"context"
	"testing"
	"time"

	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/scenarios"
)

// TestFootprintStaysFlat runs two minutes at 2,000 msg/s: warren's resident
// memory after the first minute must stay within 10% of its value at the
// end, and the number of goroutines must stay level.
func TestFootprintStaysFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a two-minute run")
	}
	uri := testbroker.Require(t)
	name := testbroker.UniqueName(t, "soak")
	s := &scenarios.Scenario{
		Name:     "soak",
		Topology: scenarios.Topology{Queues: []scenarios.Queue{{Name: name, AutoDelete: true}}, Cleanup: true},
		Publishers: []scenarios.PublisherGroup{{
			Exchange: "", RoutingKeys: []string{name}, Size: 256, Confirm: true, ConfirmWindow: 256,
			Rate: scenarios.Rate{PerSecond: 2000},
		}},
		Consumers: []scenarios.ConsumerGroup{{Queue: name, Count: 2, Prefetch: 200}},
		Run:       scenarios.RunSettings{Duration: scenarios.Duration(2 * time.Minute)},
	}
	s.ApplyDefaults()
	res, err := loadgen.Run(context.Background(), s, loadgen.WithURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	// The footprint only means something if the load ran: 2,000 msg/s
	// for two minutes is 240,000 messages.
	if res.Summary.Published < 237_600 || res.Integrity.Received != res.Integrity.Expected {
		t.Errorf("published %d of 240,000 (consumed %d of %d copies): the run did not carry the load", res.Summary.Published, res.Integrity.Received, res.Integrity.Expected)
	}
	samples := res.Generator.Samples
	t.Logf("published %d, lost %d; footprint %+v", res.Summary.Published, res.Integrity.Lost, samples)
	var atMinute *loadgen.SelfSample
	for i := range samples {
		if samples[i].T >= 60 && atMinute == nil {
			atMinute = &samples[i]
		}
	}
	end := samples[len(samples)-1]
	if atMinute == nil || end.T < 110 {
		t.Fatalf("footprint samples do not span the run: %+v", samples)
	}
	if diff := float64(end.RSSBytes-atMinute.RSSBytes) / float64(end.RSSBytes); diff > 0.10 || diff < -0.10 {
		t.Errorf("resident memory %d at +%ds, %d at +%ds: more than 10%% apart", atMinute.RSSBytes, atMinute.T, end.RSSBytes, end.T)
	}
	// The publishers, consumers and collectors are fixed; the management
	// sampler and the HTTP client add a few short-lived goroutines that a
	// sample may catch. A leak would climb past that.
	// The last sample comes as the run winds down, when publishers,
	// consumers and their connections may be gone already: it may fall,
	// never climb.
	for i, smp := range samples[1:] {
		d := smp.Goroutines - samples[1].Goroutines
		if i == len(samples)-2 && d < 0 {
			continue
		}
		if d > 5 || d < -5 {
			t.Errorf("goroutines moved by %d during the run: %+v", d, samples)
			break
		}
	}
	if res.Integrity.Lost != 0 {
		t.Errorf("lost %d", res.Integrity.Lost)
	}
}
