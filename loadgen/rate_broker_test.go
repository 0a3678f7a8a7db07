package loadgen_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/scenarios"
)

// TestFixedRateWithinOnePercent runs 2,000 msg/s for 10 s on the shared
// broker: the pacer's open-loop schedule must deliver the rate within 1%
// (it catches up after a stall rather than dropping the sends), and the
// send delay (how late the publisher was against that schedule) is
// reported for every message.
func TestFixedRateWithinOnePercent(t *testing.T) {
	uri := testbroker.Require(t)
	name := testbroker.UniqueName(t, "rate2000")
	s := oneQueueScenario(name, 2000, 10*time.Second)
	s.Publishers[0].ConfirmWindow = 500
	s.Topology.Cleanup = true
	res, err := loadgen.Run(context.Background(), s, loadgen.WithURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	sum := res.Summary
	t.Logf("published %d at %.1f msg/s in %s; send delay %+v", sum.Published, sum.PublishRate, res.Duration, res.Latency[loadgen.MetricSendDelay])
	if off := math.Abs(sum.PublishRate-2000) / 2000; off > 0.01 {
		t.Errorf("achieved %.1f msg/s, %.2f%% off the 2,000 msg/s target (at most 1%%)", sum.PublishRate, 100*off)
	}
	if math.Abs(float64(sum.Published)-20_000) > 200 {
		t.Errorf("published %d messages in 10 s at 2,000 msg/s", sum.Published)
	}
	sd, ok := res.Latency[loadgen.MetricSendDelay]
	if !ok || sd.Count != sum.Published || sd.P99 < sd.P50 {
		t.Errorf("send delay not reported for every message: %+v (published %d)", sd, sum.Published)
	}
	if in := res.Integrity; in.Lost != 0 || in.Received != in.Expected {
		t.Errorf("integrity: %+v", in)
	}
}

// TestWarmUpLeftOutOfLatency runs 3 s at 200 msg/s with a 1 s warm-up: the
// latency totals leave out the first second's deliveries, the message
// counts keep them.
func TestWarmUpLeftOutOfLatency(t *testing.T) {
	uri := testbroker.Require(t)
	name := testbroker.UniqueName(t, "warmup")
	s := oneQueueScenario(name, 200, 3*time.Second)
	s.Run.WarmUp = scenarios.Duration(time.Second)
	s.Topology.Cleanup = true
	res, err := loadgen.Run(context.Background(), s, loadgen.WithURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	consumed := res.Summary.Consumed
	counted := res.Latency[loadgen.MetricEndToEnd].Count
	t.Logf("consumed %d, end-to-end latencies counted %d", consumed, counted)
	// About 200 deliveries fall in the warm-up second.
	if consumed < 550 || counted > consumed-120 || counted < consumed-300 {
		t.Errorf("consumed %d, latency counted %d: want about 200 fewer (the 1 s warm-up)", consumed, counted)
	}
}
