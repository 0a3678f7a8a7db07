package calibrate_test

// An external test package: these tests hold the calibration against
// warren's sizing model (framing formula, memory prediction), which
// calibrate itself does not import.

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	rabbithole "github.com/michaelklishin/rabbit-hole/v2"

	"github.com/warrenmq/warren/calibrate"
	"github.com/warrenmq/warren/internal/rabbit"
	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/sizing"
)

func TestDefaultProbes(t *testing.T) {
	got := calibrate.DefaultProbes(100_000, calibrate.DefaultSizes, []string{"classic", "quorum"})
	want := []calibrate.Probe{
		{"classic", 16, 100_000},
		{"classic", 1024, 100_000}, // 100 MiB ÷ 1,024 = 102,400 allows all
		{"classic", 4096, 25_600},  // 100 MiB ÷ 4,096
		{"classic", 65536, 1600},   // 100 MiB ÷ 65,536
		{"quorum", 16, 25_000},     // a quarter in quorum queues
		{"quorum", 1024, 25_000},
		{"quorum", 4096, 25_000}, // min(25,000, 25,600)
		// 64 KiB would get 1,600 (< 10,000): not probed
	}
	if !slices.Equal(got, want) {
		t.Errorf("DefaultProbes = %v\nwant %v", got, want)
	}
	// Never fewer than 1,000 messages, so the queue's own memory stays
	// noise: 100 MiB ÷ 1 MiB would be 100.
	if got := calibrate.DefaultProbes(100_000, []int64{1 << 20}, []string{"classic"}); got[0].Messages != 1000 {
		t.Errorf("1 MiB probe has %d messages, want 1000", got[0].Messages)
	}
	// Quorum probes below 10,000 messages are dropped, unless none is left.
	if got := calibrate.DefaultProbes(8000, []int64{16, 1024}, []string{"quorum"}); len(got) != 2 || got[0].Messages != 2000 {
		t.Errorf("small quorum probes %v, want both sizes with 2,000", got)
	}
}

func TestCalibrateRejectsBadProbesAndBrokers(t *testing.T) {
	ctx := context.Background()
	_, err := calibrate.Run(ctx, calibrate.Options{Probes: []calibrate.Probe{{"stream", 16, 10}}})
	if err == nil || !strings.Contains(err.Error(), `queue type "stream"`) {
		t.Errorf("stream probe: %v", err)
	}
	_, err = calibrate.Run(ctx, calibrate.Options{URI: "amqp://guest:guest@127.0.0.1:1/", Probes: []calibrate.Probe{}})
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("unreachable broker: %v", err)
	}
}

// The bytes counted on the sockets match sizing's AMQP 0-9-1 framing
// formula within 2% (the bar) for three message sizes, one of them
// larger than frame_max.
func TestCalibrateWireBytesMatchFramingFormula(t *testing.T) {
	uri := testbroker.Require(t)
	cal, err := calibrate.Run(context.Background(), calibrate.Options{
		URI:           uri,
		ManagementURI: testbroker.ManagementURI(),
		Probes:        []calibrate.Probe{},
		NoConnections: true,
		WireSizes:     []int64{16, 1024, 200_000},
		QueuePrefix:   testbroker.UniqueName(t, "cal") + "-",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(cal.Wire) != 3 || cal.FrameMax < 4096 {
		t.Fatalf("wire figures %+v, frame_max %d", cal.Wire, cal.FrameMax)
	}
	if cal.Wire[2].BodyBytes <= int64(cal.FrameMax-sizing.FrameOverhead) {
		t.Errorf("the large message (%d B) fits in one frame of frame_max %d", cal.Wire[2].BodyBytes, cal.FrameMax)
	}
	within := func(what string, counted float64, formula int64) {
		t.Helper()
		diff := math.Abs(counted-float64(formula)) / float64(formula)
		t.Logf("%s: counted %.2f B/message, formula %d B (%.3f%%)", what, counted, formula, diff*100)
		if diff > 0.02 {
			t.Errorf("%s: counted %.2f B/message, formula %d: %.2f%% apart, more than 2%%", what, counted, formula, diff*100)
		}
	}
	for _, w := range cal.Wire {
		ex, rk, tag := len(w.Exchange), len(w.RoutingKey), len(w.ConsumerTag)
		within("publish "+w.RoutingKey, w.PublishBytes, sizing.PublishWireBytes(ex, rk, 0, w.BodyBytes, cal.FrameMax))
		within("deliver "+w.RoutingKey, w.DeliverBytes, sizing.DeliverWireBytes(tag, ex, rk, 0, w.BodyBytes, cal.FrameMax))
		within("ack "+w.RoutingKey, w.AckBytes, sizing.AckFrameBytes)
	}
}

// The done-when: calibrated predictions of queue memory for a
// 100,000-message backlog of 1 KiB messages in a classic queue are within
// 15% of what the broker reports. The calibration fills one queue with
// 10,000 messages; the model, with its per-message figure, predicts the
// memory of another filled with 100,000 at the same time.
//
// It runs on a private node: on the shared broker, other tests' load and
// whatever an earlier run left there decide the node's memory, and past
// the paging threshold a classic queue moves its messages to disk, which
// Calibrate refuses to measure.
func TestCalibratedPredictionOfClassicQueueMemory(t *testing.T) {
	node := testbroker.StartPrivate(t)
	prefix := testbroker.UniqueName(t, "cal") + "-"
	start := time.Now()
	cal, err := calibrate.Run(context.Background(), calibrate.Options{
		URI:           node.URI(),
		ManagementURI: node.ManagementURI(),
		Probes: []calibrate.Probe{
			{QueueType: "classic", BodyBytes: 1024, Messages: 10_000},
			{QueueType: "classic", BodyBytes: 1024, Messages: 100_000},
		},
		NoWire:        true,
		NoConnections: true,
		QueuePrefix:   prefix,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("calibration took %s", time.Since(start).Round(time.Millisecond))
	calib, check := cal.Queues[0], cal.Queues[1]
	t.Logf("calibration: %d messages, empty %d B, full %d B: %.1f B/message; filled in %.1f s and %.1f s", calib.Messages, calib.EmptyMemory, calib.FullMemory, calib.PerMessage, calib.FillSeconds, check.FillSeconds)
	if calib.PerMessage <= 0 {
		t.Fatalf("per-message memory %.1f B: nothing measured", calib.PerMessage)
	}

	k := sizing.DefaultConstants(cal.Broker.Version).Calibrate(sizing.Measurements{
		Broker: cal.Broker.Product + " " + cal.Broker.Version,
		Queues: []sizing.QueueMeasurement{{
			Type: sizing.Classic, BodyBytes: calib.BodyBytes, Messages: calib.Messages,
			EmptyBytes: float64(calib.EmptyMemory), PerMessageBytes: calib.PerMessage,
		}},
	}, 1024)
	plan, err := sizing.Compute(sizing.Input{Rate: 1000, BodyBytes: 1024, BacklogMessages: 100_000, Constants: &k})
	if err != nil {
		t.Fatal(err)
	}
	predicted := plan.Value("queue_memory")
	diff := (float64(check.FullMemory) - predicted) / predicted
	t.Logf("100,000 messages: predicted %.0f B, the broker reports %d B (%+.1f%%)", predicted, check.FullMemory, diff*100)
	if math.Abs(diff) > 0.15 {
		t.Errorf("predicted %.0f B for 100,000 messages, the broker reports %d B: %+.1f%%, more than 15%% apart", predicted, check.FullMemory, diff*100)
	}

	// Run deleted its queues.
	mgmt, err := rabbit.OpenManagement(context.Background(), node.ManagementURI(), rabbit.ManagementOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer mgmt.Close()
	for _, name := range []string{prefix + "classic-empty", prefix + "classic-1024B", prefix + "classic-1024B-1"} {
		_, err := mgmt.GetQueue("/", name)
		var e rabbithole.ErrorResponse
		if !errors.As(err, &e) || e.StatusCode != 404 {
			t.Errorf("queue %s is still there (or the check failed: %v)", name, err)
		}
	}
}

// A classic queue whose messages sit on disk tells nothing of their memory
// in RAM: Run must refuse it and say why, not report a figure near
// zero. A lazy policy on a private node puts every message there.
func TestCalibrateRefusesQueuesPagedToDisk(t *testing.T) {
	node := testbroker.StartPrivate(t)
	if out, err := node.Ctl("set_policy", "--apply-to", "queues", "lazy", ".*", `{"queue-mode":"lazy"}`); err != nil {
		t.Fatalf("set_policy: %v\n%s", err, out)
	}
	_, err := calibrate.Run(context.Background(), calibrate.Options{
		URI:           node.URI(),
		ManagementURI: node.ManagementURI(),
		Probes:        []calibrate.Probe{{QueueType: "classic", BodyBytes: 1024, Messages: 2000}},
		NoWire:        true,
		NoConnections: true,
		QueuePrefix:   testbroker.UniqueName(t, "cal") + "-",
	})
	if err == nil {
		t.Fatal("Run measured a lazy queue; want an error")
	}
	t.Log(err)
	for _, want := range []string{"is lazy", "of its 2000 messages are on disk", "without that policy"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "guest:guest") {
		t.Errorf("error shows the password: %q", err)
	}
}

// A calibration pointed at a private node, with the management API of the
// shared broker (as the default address, port 15672 of the AMQP host,
// would find when two brokers share a host), must stop and say why: it
// would read the other broker's queues.
func TestRunRefusesManagementOfAnotherBroker(t *testing.T) {
	node := testbroker.StartPrivate(t)
	_, err := calibrate.Run(context.Background(), calibrate.Options{
		URI: node.URI(), ManagementURI: testbroker.ManagementURI(), NoWire: true, NoConnections: true,
		Probes: []calibrate.Probe{{QueueType: "classic", BodyBytes: 16, Messages: 100}},
	})
	if err == nil || !strings.Contains(err.Error(), "pass --management-uri with the management address of the broker under test") {
		t.Errorf("Run with another broker's management API: %v", err)
	}
	if err != nil && strings.Contains(err.Error(), "guest:guest") {
		t.Errorf("the error shows the password: %v", err)
	}
}
