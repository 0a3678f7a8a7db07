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

// TestFootprintStaysFlat runs two minutes at 2,000 msg/s: warren's resident
// memory after the first minute must stay within 10% of its value at the
// end, and the number of goroutines must not climb.
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
	keptSchedule(t, res, 2000, 2*time.Minute)
	if res.Integrity.Received != res.Integrity.Expected {
		t.Errorf("consumed %d of %d copies: the run did not carry the load", res.Integrity.Received, res.Integrity.Expected)
	}
	samples := res.Generator.Samples
	t.Logf("published %d, lost %d; footprint %+v", res.Summary.Published, res.Integrity.Lost, samples)
	var atMinute *results.SelfSample
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
	// sampler's HTTP requests add short-lived goroutines (a connection's
	// read and write loops) that any sample may catch. So the floor is
	// compared: a leak lifts the lowest count of the second minute above
	// the first's, while passing goroutines cannot. The last sample comes
	// as the run winds down, with publishers and consumers gone, and is
	// left out.
	floor := func(from, to int) int {
		low := -1
		for _, smp := range samples[1 : len(samples)-1] {
			if smp.T >= from && smp.T < to && (low < 0 || smp.Goroutines < low) {
				low = smp.Goroutines
			}
		}
		return low
	}
	first, second := floor(0, 60), floor(60, 1<<30)
	if first < 0 || second < 0 {
		t.Fatalf("no goroutine samples in one of the minutes: %+v", samples)
	}
	if second > first+2 {
		t.Errorf("goroutines: the lowest count rose from %d in the first minute to %d in the second: %+v", first, second, samples)
	}
	for _, smp := range samples[1:] {
		if smp.Goroutines > first+20 {
			t.Errorf("goroutines: %d at +%ds against a floor of %d: %+v", smp.Goroutines, smp.T, first, samples)
			break
		}
	}
	if res.Integrity.Lost != 0 {
		t.Errorf("lost %d", res.Integrity.Lost)
	}
}
