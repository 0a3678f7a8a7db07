package loadgen_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
	"github.com/warrenmq/warren/sizing"
)

// These tests put faults between warren and the package's private node:
// a frozen VM, and a fault proxy (Toxiproxy, in this process, on
// loopback) that delays, throttles, black-holes or resets the traffic.

// recovery is what a fault did to the run's connections.
type recovery struct {
	detect  time.Duration // longest time from the fault to a connection's loss
	outage  time.Duration // longest time a connection was down
	links   []string
	summary string
}

// checkRecovered requires that every connection of the run (publishers,
// consumers and the monitor) was lost after the fault began at since, and
// came back; and that nothing confirmed was lost, unknown or left behind.
func checkRecovered(t *testing.T, res *results.Result, since time.Time) recovery {
	t.Helper()
	var rec recovery
	first := map[string]results.Outage{}
	for _, o := range res.Outages {
		if o.End.IsZero() {
			t.Errorf("the outage of %s never ended (cause %q)", o.Link, o.Cause)
		}
		if o.Start.Before(since) {
			continue
		}
		if f, seen := first[o.Link]; !seen || o.Start.Before(f.Start) {
			first[o.Link] = o
		}
		rec.outage = max(rec.outage, o.End.Sub(o.Start))
	}
	for _, prefix := range []string{"pub-", "con-", "monitor"} {
		found := false
		for link := range first {
			found = found || strings.HasPrefix(link, prefix)
		}
		if !found {
			t.Errorf("no %s connection was lost after the fault: outages %+v", prefix, res.Outages)
		}
	}
	var parts []string
	for link, o := range first {
		rec.links = append(rec.links, link)
		rec.detect = max(rec.detect, o.Start.Sub(since))
		parts = append(parts, link+" lost after "+o.Start.Sub(since).Round(time.Millisecond).String()+", down "+o.End.Sub(o.Start).Round(time.Millisecond).String())
	}
	sort.Strings(parts)
	sort.Strings(rec.links)
	rec.summary = strings.Join(parts, "; ")
	in := res.Integrity
	if in.Expected == 0 || in.Lost != 0 || in.Unknown != 0 || in.Unconsumed != 0 || in.Received != in.Expected {
		t.Errorf("integrity %+v: want every confirmed copy received, none lost, unknown or left", in)
	}
	return rec
}

// TestFrozenBrokerEveryConnectionReconnects stops the broker's VM with
// SIGSTOP for three heartbeat intervals, then resumes it: heartbeats
// detect the silence within two intervals, every connection comes back,
// and nothing confirmed is lost (what was in flight is unconfirmed).
func TestFrozenBrokerEveryConnectionReconnects(t *testing.T) {
	node := private.Node(t)
	const heartbeat = 2 * time.Second
	s := oneQueueScenario(testbroker.UniqueName(t, "frozen"), 300, 16*time.Second)
	s.Broker.Heartbeat = scenarios.Duration(heartbeat)
	s.Publishers[0].Persistent = true
	s.Run.Drain = scenarios.Duration(10 * time.Second)
	deleteQueuesAfter(t, node, s)
	t.Cleanup(func() { node.Thaw() })

	var frozenAt, thawedAt time.Time
	opt, done := at(3*time.Second, func() error {
		if err := node.Freeze(); err != nil {
			return err
		}
		frozenAt = time.Now()
		time.Sleep(3 * heartbeat)
		thawedAt = time.Now()
		return node.Thaw()
	})
	res, err := loadgen.Run(context.Background(), s, loadgen.WithURI(node.URI()), loadgen.WithManagementURI(node.ManagementURI()), opt)
	if err := done(); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	rec := checkRecovered(t, res, frozenAt)
	t.Logf("frozen for %s with a %s heartbeat: %s; published %d, unconfirmed %d; integrity %+v",
		thawedAt.Sub(frozenAt).Round(time.Millisecond), heartbeat, rec.summary, res.Summary.Published, res.Integrity.Unconfirmed, res.Integrity)
	// The client gives up on a connection 1.5 intervals after its last
	// frame (amqp091-go's read deadline).
	if rec.detect > 2*heartbeat {
		t.Errorf("the freeze was detected after %s, more than two heartbeat intervals (%s)", rec.detect, 2*heartbeat)
	}
	for _, o := range res.Outages {
		if !o.Start.Before(frozenAt) && o.End.Before(thawedAt) {
			t.Errorf("%s reconnected at %s, before the broker was thawed", o.Link, o.End)
		}
	}
}

// TestProxyLatencyShiftsEndToEnd measures the end-to-end latency through
// the proxy, then again with 50 ms ± 10 ms added on the way from the broker
// to warren (deliveries and confirms; publishes are not delayed): the
// median shifts by the added latency. The proxy delays each chunk in
// order, so a chunk that drew a short delay may wait behind one that drew
// a long one: the shift lies between the latency and the latency plus the
// jitter, and a few milliseconds of scheduling on either side.
func TestProxyLatencyShiftsEndToEnd(t *testing.T) {
	node := private.Node(t)
	proxy := testbroker.StartProxy(t, node)
	const latency, jitter = 50 * time.Millisecond, 10 * time.Millisecond
	run := func(label string) results.LatencySummary {
		s := oneQueueScenario(testbroker.UniqueName(t, "latency-"+label), 200, 4*time.Second)
		s.Run.WarmUp = scenarios.Duration(time.Second)
		s.Run.Drain = scenarios.Duration(3 * time.Second)
		deleteQueuesAfter(t, node, s)
		res, err := loadgen.Run(context.Background(), s, loadgen.WithURI(proxy.URI()), loadgen.WithManagementURI(node.ManagementURI()))
		if err != nil {
			t.Fatal(err)
		}
		if in := res.Integrity; in.Lost != 0 || in.Received != in.Expected || in.Expected == 0 {
			t.Fatalf("%s: integrity %+v", label, in)
		}
		return res.Latency[results.MetricEndToEnd]
	}
	base := run("base")
	if err := proxy.Add(testbroker.Toxic{Name: "latency", Type: "latency", Stream: "downstream",
		Attributes: map[string]int64{"latency": latency.Milliseconds(), "jitter": jitter.Milliseconds()}}); err != nil {
		t.Fatal(err)
	}
	delayed := run("delayed")
	if err := proxy.Remove("latency"); err != nil {
		t.Fatal(err)
	}
	us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
	shift := us(delayed.P50 - base.P50)
	meanShift := time.Duration((delayed.Mean - base.Mean) * float64(time.Microsecond))
	t.Logf("end-to-end p50 %s → %s (shift %s), mean shift %s, p99 %s → %s; injected %s ± %s",
		us(base.P50), us(delayed.P50), shift, meanShift.Round(10*time.Microsecond), us(base.P99), us(delayed.P99), latency, jitter)
	const slack = 5 * time.Millisecond
	if shift < latency-slack || shift > latency+jitter+slack {
		t.Errorf("the median shifted by %s; want %s to %s (the injected %s ± %s)", shift, latency-slack, latency+jitter+slack, latency, jitter)
	}
}

// TestProxyBandwidthMatchesTheWireModel caps the bandwidth from warren to
// the broker and publishes as fast as confirms allow: the confirmed rate
// times the sizing model's bytes on the wire per published message lands
// on the cap.
func TestProxyBandwidthMatchesTheWireModel(t *testing.T) {
	node := private.Node(t)
	proxy := testbroker.StartProxy(t, node)
	const capKB = 200 // KB/s, 1 KB = 1,000 B
	if err := proxy.Add(testbroker.Toxic{Name: "cap", Type: "bandwidth", Stream: "upstream",
		Attributes: map[string]int64{"rate": capKB}}); err != nil {
		t.Fatal(err)
	}
	name := testbroker.UniqueName(t, "bandwidth")
	const body = 1024
	s := oneQueueScenario(name, 0, 7*time.Second)
	s.Publishers[0].Rate = scenarios.Rate{Unlimited: true}
	s.Publishers[0].Size = body
	s.Publishers[0].ConfirmWindow = 64
	s.Consumers = nil // only the publisher's connection carries the bodies
	s.Run.Drain = 0
	deleteQueuesAfter(t, node, s)
	res, err := loadgen.Run(context.Background(), s, loadgen.WithURI(proxy.URI()), loadgen.WithManagementURI(node.ManagementURI()))
	if err != nil {
		t.Fatal(err)
	}
	// The steady state: the proxy's buffers fill in the first seconds,
	// and the last one is cut short.
	var confirmed int64
	var seconds int
	for _, sec := range res.Series {
		if sec.T >= 3 && sec.T <= 6 {
			confirmed += sec.Confirmed
			seconds++
		}
	}
	if seconds == 0 {
		t.Fatalf("no steady seconds in %+v", res.Series)
	}
	rate := float64(confirmed) / float64(seconds)
	// Properties: the delivery mode alone (one octet); the stamp is in
	// the body; the default exchange; the queue's name as routing key.
	wire := sizing.PublishWireBytes(0, len(name), 1, body, sizing.DefaultFrameMaxSize)
	got, want := rate*float64(wire), float64(capKB*1000)
	t.Logf("%.1f msg/s confirmed × %d B on the wire = %.0f B/s through a %d B/s cap (%.1f%%)", rate, wire, got, capKB*1000, 100*got/want)
	if got < 0.9*want || got > 1.1*want {
		t.Errorf("%.0f B/s through the proxy, want the cap %.0f B/s within 10%%", got, want)
	}
	if in := res.Integrity; in.Lost != 0 || in.Unconsumed != in.Expected {
		t.Errorf("integrity %+v: every confirmed message should be left in the queue", in)
	}
}

// TestProxyBlackholeDetectedByHeartbeats black-holes every connection
// through the proxy (data dropped both ways, sockets left open: a
// half-open connection) for three heartbeat intervals: heartbeats detect
// it within two, the outage is recorded, everyone reconnects once the
// path clears, and nothing confirmed is lost.
func TestProxyBlackholeDetectedByHeartbeats(t *testing.T) {
	node := private.Node(t)
	proxy := testbroker.StartProxy(t, node)
	const heartbeat = 2 * time.Second
	s := oneQueueScenario(testbroker.UniqueName(t, "blackhole"), 300, 16*time.Second)
	s.Broker.Heartbeat = scenarios.Duration(heartbeat)
	s.Publishers[0].Persistent = true
	s.Run.Drain = scenarios.Duration(10 * time.Second)
	deleteQueuesAfter(t, node, s)

	var holeAt time.Time
	opt, done := at(3*time.Second, func() error {
		for _, stream := range []string{"upstream", "downstream"} {
			if err := proxy.Add(testbroker.Toxic{Name: "hole-" + stream, Type: "timeout", Stream: stream, Attributes: map[string]int64{"timeout": 0}}); err != nil {
				return err
			}
		}
		holeAt = time.Now()
		time.Sleep(3 * heartbeat)
		for _, stream := range []string{"upstream", "downstream"} {
			if err := proxy.Remove("hole-" + stream); err != nil {
				return err
			}
		}
		return nil
	})
	res, err := loadgen.Run(context.Background(), s, loadgen.WithURI(proxy.URI()), loadgen.WithManagementURI(node.ManagementURI()), opt)
	if err := done(); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	rec := checkRecovered(t, res, holeAt)
	t.Logf("black hole for %s with a %s heartbeat: %s; unconfirmed %d", 3*heartbeat, heartbeat, rec.summary, res.Integrity.Unconfirmed)
	if rec.detect > 2*heartbeat {
		t.Errorf("the black hole was detected after %s, more than two heartbeat intervals (%s)", rec.detect, 2*heartbeat)
	}
}

// TestProxyResetPeerMidRun resets every connection through the proxy (a
// TCP reset on the first data from the broker) for a moment: everyone
// reconnects and nothing confirmed is lost.
func TestProxyResetPeerMidRun(t *testing.T) {
	node := private.Node(t)
	proxy := testbroker.StartProxy(t, node)
	s := oneQueueScenario(testbroker.UniqueName(t, "reset"), 300, 10*time.Second)
	s.Publishers[0].Persistent = true
	s.Run.Drain = scenarios.Duration(10 * time.Second)
	deleteQueuesAfter(t, node, s)

	var resetAt time.Time
	opt, done := at(3*time.Second, func() error {
		if err := proxy.Add(testbroker.Toxic{Name: "reset", Type: "reset_peer", Stream: "downstream", Attributes: map[string]int64{"timeout": 0}}); err != nil {
			return err
		}
		resetAt = time.Now()
		// The monitor speaks once a second: long enough for every
		// connection to send something and be reset.
		time.Sleep(1500 * time.Millisecond)
		return proxy.Remove("reset")
	})
	res, err := loadgen.Run(context.Background(), s, loadgen.WithURI(proxy.URI()), loadgen.WithManagementURI(node.ManagementURI()), opt)
	if err := done(); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	rec := checkRecovered(t, res, resetAt)
	t.Logf("reset: %s; unconfirmed %d, redelivered %d", rec.summary, res.Integrity.Unconfirmed, res.Integrity.Redelivered)
}
