package calibrate

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/warrenmq/warren/internal/rabbit"
	"github.com/warrenmq/warren/internal/stats"
	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/results"
)

// Probe is one scratch queue to fill: its type (classic or quorum), the
// body size of its messages and how many.
type Probe struct {
	QueueType string
	BodyBytes int64
	Messages  int64
}

// Defaults of a calibration.
const (
	// DefaultMessages is the messages per probe at small sizes.
	DefaultMessages = 100_000
	// maxProbeBytes bounds the bodies one probe puts on the broker: larger
	// messages get fewer of them.
	maxProbeBytes = 100 << 20
	// minProbeMessages keeps the per-message figure well above the noise
	// of the queue's own memory (kilobytes).
	minProbeMessages = 1000
	// quorumShare scales the messages of quorum probes: a quorum queue
	// writes and fsyncs every message, several times slower.
	quorumShare = 4
	// quorumMinMessages: below this a quorum queue's index (tens of bytes
	// a message) drowns in the ~100 kB its process's heap varies by, so
	// larger bodies, which would get fewer messages, are not probed; the
	// quorum queue guide says message size does not matter to the index.
	quorumMinMessages = 10_000
	// calibrationExpiry deletes a scratch queue that a crashed calibration
	// left behind (x-expires).
	calibrationExpiry = 15 * time.Minute
	// countTimeout bounds the wait for the management API to report a
	// queue's messages.
	countTimeout = 90 * time.Second
	// calibrationWindow bounds the publisher confirms outstanding while
	// filling.
	calibrationWindow = 5000
	// confirmWait bounds the wait for a publisher confirm or a delivery.
	confirmWait = 10 * time.Second
	// managementTimeout bounds each management API request once
	// connected: a busy node computes its memory breakdown slowly.
	managementTimeout = 10 * time.Second
)

// DefaultSizes are the body sizes a calibration measures.
var DefaultSizes = []int64{16, 1 << 10, 4 << 10, 64 << 10}

// DefaultWireSizes are the body sizes of the wire-bytes measurement: small,
// typical, and larger than the default frame_max (two body frames).
var DefaultWireSizes = []int64{16, 1 << 10, 200_000}

// DefaultProbes returns a probe per size and queue type: messages of each
// (bounded to 100 MiB of bodies and at least 1,000), a quarter as many in
// quorum queues, which skip the sizes that would get fewer than 10,000
// (unless that leaves none).
func DefaultProbes(messages int64, sizes []int64, queueTypes []string) []Probe {
	var out []Probe
	for _, qt := range queueTypes {
		var probes []Probe
		for _, size := range sizes {
			n := messages
			if qt == "quorum" {
				n = max(messages/quorumShare, 1)
			}
			if size > 0 {
				n = min(n, max(maxProbeBytes/size, minProbeMessages))
			}
			probes = append(probes, Probe{QueueType: qt, BodyBytes: size, Messages: n})
		}
		if qt == "quorum" {
			kept := slices.DeleteFunc(slices.Clone(probes), func(p Probe) bool { return p.Messages < quorumMinMessages })
			if len(kept) > 0 {
				probes = kept
			}
		}
		out = append(out, probes...)
	}
	return out
}

// Options configure Run.
type Options struct {
	URI           string // default amqp://guest:guest@127.0.0.1:5672/
	ManagementURI string // default: the AMQP host on port 15672
	// Probes are the queues to fill (DefaultProbes when nil).
	Probes []Probe
	// WireSizes are the body sizes of the wire measurement
	// (DefaultWireSizes when nil); NoWire skips it.
	WireSizes []int64
	NoWire    bool
	// NoConnections skips the connection and channel memory measurement.
	NoConnections bool
	// Settle is how long a queue's memory must hold still, once the
	// management API reports all its messages, before it is read; the
	// lowest value seen is kept (after a garbage collection). Default 6 s,
	// a little over the 5 s statistics interval.
	Settle time.Duration
	// QueuePrefix names the scratch queues (default
	// "warren-calibrate-<random>-").
	QueuePrefix string
	// Progress receives a line for each step.
	Progress func(string)
}

// Run measures the broker's constants for warren size: it fills scratch
// queues with messages of a few sizes and reads each queue's memory from
// the management API against an empty control queue of the same type;
// opens idle connections and channels and reads the node's memory
// breakdown; publishes and consumes through counting sockets. It deletes
// every queue it declared, also when it fails or ctx is cancelled.
func Run(ctx context.Context, o Options) (*results.Calibration, error) {
	addr := rabbit.Addresses{URI: o.URI, ManagementURI: o.ManagementURI}
	uri := addr.AMQP()
	if o.Probes == nil {
		o.Probes = DefaultProbes(DefaultMessages, DefaultSizes, []string{"classic", "quorum"})
	}
	if o.WireSizes == nil {
		o.WireSizes = DefaultWireSizes
	}
	if o.Settle <= 0 {
		o.Settle = 6 * time.Second
	}
	if o.QueuePrefix == "" {
		var b [4]byte
		_, _ = rand.Read(b[:])
		o.QueuePrefix = "warren-calibrate-" + hex.EncodeToString(b[:]) + "-"
	}
	for i, p := range o.Probes {
		if p.QueueType != "classic" && p.QueueType != "quorum" {
			return nil, fmt.Errorf("probe %d: queue type %q: calibration measures classic and quorum queues", i, p.QueueType)
		}
		if p.Messages < 1 || p.BodyBytes < 0 {
			return nil, fmt.Errorf("probe %d: needs at least one message and a body size ≥ 0", i)
		}
	}
	k := &calibrator{o: o, uri: uri, progress: o.Progress,
		dialer: rabbit.Dialer{URI: uri, NamePrefix: "warren-calibrate-"}}
	if k.progress == nil {
		k.progress = func(string) {}
	}
	k.vhost = rabbit.Vhost(uri)
	conn, err := k.dialer.Dial("control", nil)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	k.conn = conn
	mu := addr.Management()
	mgmt, err := rabbit.OpenManagement(ctx, mu, rabbit.ManagementOptions{Timeout: 2 * time.Second, Cluster: rabbit.ServerProperty(conn, "cluster_name")})
	if err != nil {
		return nil, fmt.Errorf("%s: calibration reads queue memory from it; %s", rabbit.ManagementProblem(mu, err), rabbit.ManagementFix(err))
	}
	defer mgmt.Close()
	mgmt.SetTimeout(managementTimeout)
	k.mgmt, k.node = mgmt, mgmt.Node()

	cal := &results.Calibration{Schema: results.CalibrationSchema, MeasuredAt: time.Now().UTC().Truncate(time.Second), FrameMax: conn.Config.FrameSize}
	cal.Broker = results.CalibrationBroker{Product: rabbit.ServerProperty(conn, "product"), Version: rabbit.ServerProperty(conn, "version"), Node: k.node}
	if ov, err := mgmt.Overview(); err == nil {
		cal.Broker.Erlang = ov.ErlangVersion
		cal.Broker.Version = cmp.Or(ov.RabbitMQVersion, cal.Broker.Version)
	}
	if n, err := mgmt.GetNode(k.node); err == nil {
		cal.NodeMemoryBefore, cal.NodeMemoryLimit, cal.FDUsedBefore = int64(n.MemUsed), int64(n.MemLimit), n.FdUsed
	}
	if strings.HasPrefix(uri, "amqps://") {
		cal.Warnings = append(cal.Warnings, "the connection uses TLS: the wire bytes counted include TLS records, which the AMQP framing formula leaves out")
	}

	// Delete every queue declared, whatever happens, on a fresh context.
	defer k.cleanup()

	if !o.NoConnections {
		if err := k.connections(ctx, cal); err != nil {
			return nil, err
		}
	}
	if len(o.Probes) > 0 {
		if err := k.queues(ctx, cal); err != nil {
			return nil, err
		}
	}
	if !o.NoWire {
		for _, size := range o.WireSizes {
			w, err := k.wire(ctx, size)
			if err != nil {
				return nil, err
			}
			cal.Wire = append(cal.Wire, w)
		}
	}
	return cal, nil
}

type calibrator struct {
	o        Options
	uri      string
	vhost    string
	dialer   rabbit.Dialer // connections named "warren-calibrate-<what>"
	conn     *amqp.Connection
	mgmt     *rabbit.Management
	node     string
	declared []string
	progress func(string)
}

// byteCounter counts the bytes a connection's socket reads and writes.
type byteCounter struct {
	read, written atomic.Int64
}

// wrap is a rabbit.Dialer's socket wrapper: the socket counts into b.
func (b *byteCounter) wrap(c net.Conn) net.Conn { return &countingConn{Conn: c, b: b} }

type countingConn struct {
	net.Conn
	b *byteCounter
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.b.read.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.b.written.Add(int64(n))
	return n, err
}

// connectionMemoryKeys are the node memory breakdown's categories that
// grow with client connections and channels.
var connectionMemoryKeys = []string{"connection_readers", "connection_writers", "connection_channels", "connection_other"}

// connectionMemory reads the node's memory breakdown (computed when asked,
// not on the statistics interval) and sums the connection categories.
func (k *calibrator) connectionMemory() (int64, error) {
	var body struct {
		Memory map[string]json.RawMessage `json:"memory"`
	}
	if err := k.mgmt.GetJSON("/api/nodes/"+url.PathEscape(k.node)+"/memory", &body); err != nil {
		return 0, fmt.Errorf("memory breakdown of %s: %w", k.node, err)
	}
	var sum int64
	for _, key := range connectionMemoryKeys {
		var v int64
		if raw, ok := body.Memory[key]; ok {
			if err := json.Unmarshal(raw, &v); err != nil {
				return 0, fmt.Errorf("memory breakdown of %s: %s: %w", k.node, key, err)
			}
		}
		sum += v
	}
	return sum, nil
}

// queueStats is what calibration reads of a queue. rabbit-hole's QueueInfo
// leaves out the backing queue's storage version, which says whether
// messages_ram below messages means paging.
type queueStats struct {
	Messages    int64 `json:"messages"`
	MessagesRAM int64 `json:"messages_ram"`
	Memory      int64 `json:"memory"`
	Backing     struct {
		// Version is the classic queue storage version (1 or 2), absent
		// for other queue types; Mode is "lazy" for a version 1 queue
		// that keeps its messages on disk from the start.
		Version int    `json:"version"`
		Mode    string `json:"mode"`
	} `json:"backing_queue_status"`
}

// pagedOut reports how many messages a version 1 classic queue has paged
// to disk. Such a queue keeps every message in RAM until the node passes
// its paging threshold, and does not bring them back while nobody
// consumes. Version 2 classic queues and quorum queues keep bodies on disk
// by design, so for them it is always 0.
func (q queueStats) pagedOut() int64 {
	if q.Backing.Version != 1 {
		return 0
	}
	return max(q.Messages-q.MessagesRAM, 0)
}

func (k *calibrator) queueStats(name string) (queueStats, error) {
	var q queueStats
	err := k.mgmt.GetJSON("/api/queues/"+url.PathEscape(k.vhost)+"/"+url.PathEscape(name)+"?columns=messages,messages_ram,memory,backing_queue_status", &q)
	return q, err
}

// Connection memory rounds: each opens idleConnections connections, then
// two channels on each; the median of the rounds resists other clients
// connecting at the same time.
const (
	idleConnections   = 20
	connectionRounds  = 3
	channelsPerConn   = 2
	breakdownSettling = 500 * time.Millisecond
)

func (k *calibrator) connections(ctx context.Context, cal *results.Calibration) error {
	k.progress(fmt.Sprintf("measuring memory per connection and per channel: %d rounds of %d idle connections with %d channels each", connectionRounds, idleConnections, channelsPerConn))
	var perConn, perChan []float64
	for range connectionRounds {
		before, err := k.connectionMemory()
		if err != nil {
			return err
		}
		var conns []*amqp.Connection
		closeAll := func() {
			for _, c := range conns {
				c.Close()
			}
		}
		for i := range idleConnections {
			c, err := k.dialer.Dial(fmt.Sprintf("idle-%d", i), nil)
			if err != nil {
				closeAll()
				return err
			}
			conns = append(conns, c)
		}
		sleep(ctx, breakdownSettling)
		mid, err := k.connectionMemory()
		if err != nil {
			closeAll()
			return err
		}
		for _, c := range conns {
			for range channelsPerConn {
				if _, err := c.Channel(); err != nil {
					closeAll()
					return fmt.Errorf("open a channel: %w", err)
				}
			}
		}
		sleep(ctx, breakdownSettling)
		after, err := k.connectionMemory()
		closeAll()
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		perConn = append(perConn, float64(mid-before)/idleConnections)
		perChan = append(perChan, float64(after-mid)/(idleConnections*channelsPerConn))
	}
	c, ch := stats.Median(perConn), stats.Median(perChan)
	if c > 0 {
		cal.ConnectionBytes = c
	} else {
		cal.Warnings = append(cal.Warnings, fmt.Sprintf("connection memory came out at %.0f B: other clients disturbed the measurement; the default stays", c))
	}
	if ch > 0 {
		cal.ChannelBytes = ch
	} else {
		cal.Warnings = append(cal.Warnings, fmt.Sprintf("channel memory came out at %.0f B: other clients disturbed the measurement; the default stays", ch))
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// declare declares a scratch queue and remembers it for the cleanup.
func (k *calibrator) declare(name, queueType string) error {
	ch, err := k.conn.Channel()
	if err != nil {
		return fmt.Errorf("open a channel: %w", err)
	}
	defer ch.Close()
	args := amqp.Table{"x-expires": int32(calibrationExpiry / time.Millisecond)}
	durable := false
	if queueType == "quorum" {
		args["x-queue-type"] = "quorum"
		durable = true // quorum queues are always durable
	}
	if _, err := ch.QueueDeclare(name, durable, false, false, false, args); err != nil {
		return rabbit.DeclareError("queue "+name, err)
	}
	k.declared = append(k.declared, name)
	return nil
}

// cleanup deletes the scratch queues, even after ctx was cancelled.
func (k *calibrator) cleanup() {
	if len(k.declared) == 0 {
		return
	}
	conn := k.conn
	if conn == nil || conn.IsClosed() {
		var err error
		if conn, err = k.dialer.Dial("cleanup", nil); err != nil {
			return
		}
		defer conn.Close()
	}
	ch, err := conn.Channel()
	if err != nil {
		return
	}
	defer ch.Close()
	for _, name := range k.declared {
		if _, err := ch.QueueDelete(name, false, false, false); err != nil {
			// A failed delete closes the channel; try the rest on a new one.
			if ch, err = conn.Channel(); err != nil {
				return
			}
		}
	}
	k.declared = nil
}

func (k *calibrator) probeName(p Probe) string {
	return fmt.Sprintf("%s%s-%dB", k.o.QueuePrefix, p.QueueType, p.BodyBytes)
}

// queues fills a scratch queue per probe, with an empty control queue per
// queue type, and measures each probe's memory per message against it.
func (k *calibrator) queues(ctx context.Context, cal *results.Calibration) error {
	want := map[string]int64{}
	controls := map[string]string{}
	for _, p := range k.o.Probes {
		if _, ok := controls[p.QueueType]; !ok {
			name := k.o.QueuePrefix + p.QueueType + "-empty"
			if err := k.declare(name, p.QueueType); err != nil {
				return err
			}
			controls[p.QueueType] = name
			want[name] = 0
		}
	}
	names := make([]string, len(k.o.Probes))
	for i, p := range k.o.Probes {
		names[i] = k.probeName(p)
		if _, dup := want[names[i]]; dup {
			names[i] += fmt.Sprintf("-%d", i)
		}
		if err := k.declare(names[i], p.QueueType); err != nil {
			return err
		}
		want[names[i]] = p.Messages
	}
	fills := make([]float64, len(k.o.Probes))
	bodies := map[int64][]byte{}
	for i, p := range k.o.Probes {
		body, ok := bodies[p.BodyBytes]
		if !ok {
			body = make([]byte, p.BodyBytes)
			for j := range body {
				body[j] = byte('a' + j%26)
			}
			bodies[p.BodyBytes] = body
		}
		k.progress(fmt.Sprintf("filling a %s queue with %d messages of %d B", p.QueueType, p.Messages, p.BodyBytes))
		start := time.Now()
		if err := k.fill(ctx, names[i], body, p.Messages); err != nil {
			return err
		}
		fills[i] = time.Since(start).Seconds()
	}
	k.progress(fmt.Sprintf("waiting for the management API to report every queue's messages, and their memory to hold still for %s", k.o.Settle))
	mem, err := k.settle(ctx, want)
	if err != nil {
		return err
	}
	for i, p := range k.o.Probes {
		empty, full := mem[controls[p.QueueType]], mem[names[i]]
		if full-empty < 2*empty {
			cal.Warnings = append(cal.Warnings, fmt.Sprintf("%s queue, %d messages of %d B: the messages took %d B against %d B of an empty queue, within the noise of the queue's own memory; give more messages (--messages)",
				p.QueueType, p.Messages, p.BodyBytes, full-empty, empty))
		}
		cal.Queues = append(cal.Queues, results.QueueCalibration{
			Type:        p.QueueType,
			BodyBytes:   p.BodyBytes,
			Messages:    p.Messages,
			EmptyMemory: empty,
			FullMemory:  full,
			PerMessage:  float64(full-empty) / float64(p.Messages),
			FillSeconds: fills[i],
		})
	}
	return nil
}

// fill publishes n messages with confirms, at most calibrationWindow
// outstanding, and fails if the broker refuses any.
func (k *calibrator) fill(ctx context.Context, queue string, body []byte, n int64) error {
	ch, err := k.conn.Channel()
	if err != nil {
		return fmt.Errorf("open a channel: %w", err)
	}
	defer ch.Close()
	if err := ch.Confirm(false); err != nil {
		return fmt.Errorf("confirm mode: %w", err)
	}
	confirms := ch.NotifyPublish(make(chan amqp.Confirmation, calibrationWindow+1))
	var outstanding, nacked int64
	wait := func() error {
		select {
		case c, ok := <-confirms:
			if !ok {
				return fmt.Errorf("filling %s: the channel closed", queue)
			}
			outstanding--
			if !c.Ack {
				nacked++
			}
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(confirmWait):
			return fmt.Errorf("filling %s: no publisher confirm for %s (is a memory or disk alarm blocking publishers?)", queue, confirmWait)
		}
	}
	for range n {
		for outstanding >= calibrationWindow {
			if err := wait(); err != nil {
				return err
			}
		}
		if err := ch.PublishWithContext(ctx, "", queue, false, false, amqp.Publishing{Body: body}); err != nil {
			return fmt.Errorf("filling %s: %w", queue, err)
		}
		outstanding++
	}
	for outstanding > 0 {
		if err := wait(); err != nil {
			return err
		}
	}
	if nacked > 0 {
		return fmt.Errorf("filling %s: the broker refused %d of %d messages", queue, nacked, n)
	}
	return nil
}

// settle polls the management API until every queue reports the messages
// it should hold and its memory has held still for o.Settle (longer than
// the 5 s statistics interval, so at least two reports agree), and returns
// each queue's lowest memory seen since it reported its messages: the
// figure after the queue process went idle and collected its garbage (a
// queue filled under load reports its memory before that at first).
func (k *calibrator) settle(ctx context.Context, want map[string]int64) (map[string]int64, error) {
	type watch struct {
		lowest, last int64
		since        time.Time // when last was first seen
	}
	seen := map[string]*watch{}
	counts := map[string]int64{}
	deadline := time.Now().Add(countTimeout)
	for {
		now := time.Now()
		for name, n := range want {
			q, err := k.queueStats(name)
			if err != nil {
				continue
			}
			counts[name] = q.Messages
			if q.Messages != n || q.Memory <= 0 {
				continue
			}
			// From the first message paged out, the queue's memory is no
			// longer what its messages take in RAM, and waiting cannot
			// bring them back.
			if paged := q.pagedOut(); paged > 0 {
				return nil, k.pagedError(name, paged, q)
			}
			w := seen[name]
			switch {
			case w == nil:
				seen[name] = &watch{lowest: q.Memory, last: q.Memory, since: now}
			case q.Memory != w.last:
				w.last, w.since = q.Memory, now
				w.lowest = min(w.lowest, q.Memory)
			}
		}
		still := len(seen) == len(want)
		for _, w := range seen {
			still = still && now.Sub(w.since) >= k.o.Settle
		}
		if still {
			break
		}
		if now.After(deadline) {
			for name, n := range want {
				if seen[name] == nil {
					return nil, fmt.Errorf("queue %s: the management API reports %d messages after %s, want %d (statistics disabled, or another client consuming?)", name, counts[name], countTimeout, n)
				}
			}
			k.progress(fmt.Sprintf("queue memory still moving after %s: keeping the lowest seen", countTimeout))
			break
		}
		sleep(ctx, 500*time.Millisecond)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	lowest := map[string]int64{}
	for name, w := range seen {
		lowest[name] = w.lowest
	}
	return lowest, nil
}

// pagedError is the error for a classic queue that paged messages to disk
// while calibration measured it: a lazy queue (a policy set queue-mode),
// or a node past its paging threshold, with its memory against the limit
// when the management API tells them.
func (k *calibrator) pagedError(queue string, paged int64, q queueStats) error {
	if q.Backing.Mode == "lazy" {
		return fmt.Errorf("queue %s is lazy (a policy sets queue-mode: lazy), so %d of its %d messages are on disk and its memory is not what they take in RAM; calibrate on a vhost (--uri) or broker without that policy",
			queue, paged, q.Messages)
	}
	node := ""
	if n, err := k.mgmt.GetNode(k.node); err == nil && n.MemLimit > 0 {
		node = fmt.Sprintf(" (node memory %s of its %s limit)", textfmt.Bytes(int64(n.MemUsed)), textfmt.Bytes(int64(n.MemLimit)))
	}
	return fmt.Errorf("queue %s: the broker paged %d of its %d messages to disk, so its memory is no longer what they take in RAM%s: the node passed its paging threshold (vm_memory_high_watermark_paging_ratio); calibrate on a broker with memory to spare, or with fewer messages (--messages)",
		queue, paged, q.Messages, node)
}

// Wire measurement: a publisher and a consumer, each on a counting socket.
const (
	wireConsumerTag = "warren-calibrate"
	wirePrefetch    = 100
	wireMaxBytes    = 20 << 20
	wireMessages    = 2000
)

// wire publishes messages of one size through a counting socket, then
// consumes and acknowledges them through another, and returns the bytes
// per message each way.
func (k *calibrator) wire(ctx context.Context, size int64) (results.WireCalibration, error) {
	m := int64(wireMessages)
	if size > 0 {
		m = min(m, max(wireMaxBytes/size, 50))
	}
	queue := fmt.Sprintf("%swire-%dB", k.o.QueuePrefix, size)
	w := results.WireCalibration{BodyBytes: size, Messages: int(m), RoutingKey: queue, ConsumerTag: wireConsumerTag}
	k.progress(fmt.Sprintf("counting bytes on the wire for %d messages of %d B", m, size))
	if err := k.declare(queue, "classic"); err != nil {
		return w, err
	}
	body := make([]byte, size)

	var pub byteCounter
	pconn, err := k.dialer.Dial("wire-publisher", pub.wrap)
	if err != nil {
		return w, err
	}
	defer pconn.Close()
	pch, err := pconn.Channel()
	if err != nil {
		return w, fmt.Errorf("open a channel: %w", err)
	}
	if err := pch.Confirm(false); err != nil {
		return w, fmt.Errorf("confirm mode: %w", err)
	}
	confirms := pch.NotifyPublish(make(chan amqp.Confirmation, m+1))
	written := pub.written.Load()
	for range m {
		if err := pch.PublishWithContext(ctx, "", queue, false, false, amqp.Publishing{Body: body}); err != nil {
			return w, fmt.Errorf("publish to %s: %w", queue, err)
		}
	}
	w.PublishBytes = float64(pub.written.Load()-written) / float64(m)
	for range m {
		select {
		case c := <-confirms:
			if !c.Ack {
				return w, fmt.Errorf("publish to %s: the broker refused a message", queue)
			}
		case <-ctx.Done():
			return w, ctx.Err()
		case <-time.After(confirmWait):
			return w, fmt.Errorf("publish to %s: no confirm for %s", queue, confirmWait)
		}
	}

	var sub byteCounter
	sconn, err := k.dialer.Dial("wire-consumer", sub.wrap)
	if err != nil {
		return w, err
	}
	defer sconn.Close()
	sch, err := sconn.Channel()
	if err != nil {
		return w, fmt.Errorf("open a channel: %w", err)
	}
	if err := sch.Qos(wirePrefetch, 0, false); err != nil {
		return w, fmt.Errorf("qos: %w", err)
	}
	read, written := sub.read.Load(), sub.written.Load()
	deliveries, err := sch.Consume(queue, wireConsumerTag, false, false, false, false, nil)
	if err != nil {
		return w, fmt.Errorf("consume from %s: %w", queue, err)
	}
	for i := range m {
		select {
		case d, ok := <-deliveries:
			if !ok {
				return w, fmt.Errorf("consume from %s: the channel closed after %d deliveries", queue, i)
			}
			if err := d.Ack(false); err != nil {
				return w, fmt.Errorf("ack: %w", err)
			}
		case <-ctx.Done():
			return w, ctx.Err()
		case <-time.After(confirmWait):
			return w, fmt.Errorf("consume from %s: no delivery for %s after %d", queue, confirmWait, i)
		}
	}
	// Take out the frames of basic.consume (written) and basic.consume-ok
	// (read) around the deliveries and acks: their sizes follow from the
	// specification like every other frame's (see sizing's framing).
	consume := int64(8 + 2 + 2 + 2 + 1 + len(queue) + 1 + len(wireConsumerTag) + 1 + 4)
	consumeOK := int64(8 + 2 + 2 + 1 + len(wireConsumerTag))
	w.DeliverBytes = float64(sub.read.Load()-read-consumeOK) / float64(m)
	w.AckBytes = float64(sub.written.Load()-written-consume) / float64(m)
	return w, nil
}
