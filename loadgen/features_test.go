package loadgen_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// TestScenarioFeaturesTakeEffect runs one scenario that uses the format's
// less common fields and checks each on the real broker: weighted keys,
// a size distribution, a rate ramp, basic.get polling, nacks with requeue,
// and global prefetch.
func TestScenarioFeaturesTakeEffect(t *testing.T) {
	uri := testbroker.Require(t)
	p := testbroker.UniqueName(t, "feat")
	yaml := strings.NewReplacer("P.", p+".").Replace(`
name: features
topology:
  cleanup: true
  exchanges: [{name: P.x, type: direct, auto_delete: true}]
  queues: [{name: P.heavy, auto_delete: true}, {name: P.light, auto_delete: true}]
  bindings:
    - {exchange: P.x, queue: P.heavy, key: heavy}
    - {exchange: P.x, queue: P.light, key: light}
publishers:
  - exchange: P.x
    weighted_routing_keys: [{key: heavy, weight: 3}, {key: light, weight: 1}]
    size_distribution: {min: 100B, max: 1KiB}
    confirm: true
    rate: {ramp: {from: 100/s, to: 700/s, over: 3s}}
consumers:
  - {queue: P.heavy, count: 2, basic_get: true, poll_interval: 5ms}
  - {queue: P.light, count: 1, prefetch: 20, global_prefetch: true, nack_rate: 0.2, requeue: true}
run:
  duration: 3s
  drain: 5s
  seed: 42
`)
	s, err := scenarios.Load(bytes.NewReader([]byte(yaml)), "features.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	res, err := loadgen.Run(context.Background(), s, loadgen.WithURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	in := res.Integrity
	t.Logf("summary %+v; integrity %+v", res.Summary, in)
	if in.Lost != 0 || in.Duplicated != 0 {
		t.Errorf("integrity %+v", in)
	}
	var heavy, light results.QueueIntegrity
	for _, q := range in.Queues {
		if strings.HasSuffix(q.Queue, ".heavy") {
			heavy = q
		} else {
			light = q
		}
	}
	// Weighted keys: three to one.
	if ratio := float64(heavy.Expected) / float64(light.Expected); ratio < 2.4 || ratio > 3.6 {
		t.Errorf("heavy:light = %d:%d (%.2f), want about 3", heavy.Expected, light.Expected, ratio)
	}
	// Basic.get consumers took from their queue (a round trip a message:
	// on a busy machine some may still be queued at the end, accounted).
	if heavy.Received == 0 || heavy.Received+heavy.Unconsumed != heavy.Expected {
		t.Errorf("basic.get consumers received %d and left %d of %d", heavy.Received, heavy.Unconsumed, heavy.Expected)
	}
	// Sizes spread between 100 B and 1 KiB, averaging about the middle.
	mean := float64(res.Summary.BytesPublished) / float64(res.Summary.Published)
	if mean < 480 || mean > 645 {
		t.Errorf("mean message size %.0f B, want about 562 B", mean)
	}
	// The ramp: about 200 msg/s on average in the first second, 600 in
	// the third.
	first, last := res.Series[0].Published, res.Series[2].Published
	if last < 2*first {
		t.Errorf("ramp: %d published in the first second, %d in the last", first, last)
	}
	// Nacks with requeue come back flagged as redelivered, and are counted
	// once they are finally acked.
	if in.Redelivered == 0 || light.Received+light.Unconsumed != light.Expected {
		t.Errorf("nack with requeue: redelivered %d, light received %d of %d", in.Redelivered, light.Received, light.Expected)
	}
	if res.Scenario.Run.Seed != 42 {
		t.Errorf("seed %d recorded, want 42", res.Scenario.Run.Seed)
	}
}
