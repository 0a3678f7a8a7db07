package sizing

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/warrenmq/warren/internal/textfmt"
)

// Constant is a number the broker decides, with where it came from.
type Constant struct {
	Value float64 `json:"value"`
	// Source says where the value comes from: a document, a measurement
	// (with the broker it was measured on) or an estimate.
	Source string `json:"source"`
	// Calibrated is true when the value was measured on the user's broker
	// by a calibration run rather than taken from the defaults.
	Calibrated bool `json:"calibrated,omitempty"`
}

// Constants are the broker's numbers the model uses. Replace any of them
// with a calibrated one; Compute takes them as they are.
type Constants struct {
	// HighWatermark is vm_memory_high_watermark.relative: the fraction of
	// the node's RAM at which the memory alarm blocks every publisher.
	HighWatermark Constant `json:"high_watermark"`
	// PagingRatio is vm_memory_high_watermark_paging_ratio: the fraction
	// of the memory limit at which classic queues (before 3.12) start
	// paging messages to disk. 0 where it does not apply.
	PagingRatio Constant `json:"paging_ratio"`
	// ClassicMessageRAM is bytes of the classic queue process's memory per
	// message it holds (the management API's queue "memory" grows by this
	// much per message). Message bodies are not in it: Erlang keeps
	// binaries larger than 64 bytes outside the process, in the node's
	// binary heap, so the model adds the body and properties separately.
	ClassicMessageRAM Constant `json:"classic_message_ram"`
	// ClassicQueueRAM is the memory of an empty classic queue process.
	ClassicQueueRAM Constant `json:"classic_queue_ram"`
	// QuorumMessageRAM is bytes of a quorum queue replica's memory per
	// message (its in-memory index); bodies go to the write-ahead log.
	QuorumMessageRAM Constant `json:"quorum_message_ram"`
	// QuorumQueueRAM is the memory of an empty quorum queue replica.
	QuorumQueueRAM Constant `json:"quorum_queue_ram"`
	// QuorumWALMax is raft.wal_max_size_bytes: the write-ahead log's
	// in-memory tables grow to about this much on every node that hosts
	// quorum replicas before they are flushed to segment files.
	QuorumWALMax Constant `json:"quorum_wal_max"`
	// StreamMessageRAM is bytes of memory per message in a stream.
	StreamMessageRAM Constant `json:"stream_message_ram"`
	// ConnectionRAM and ChannelRAM are the broker's memory per client
	// connection and per channel.
	ConnectionRAM Constant `json:"connection_ram"`
	ChannelRAM    Constant `json:"channel_ram"`
	// IdleBaseline is the node's memory with no messages, connections or
	// load: the runtime, the plugins, the metadata.
	IdleBaseline Constant `json:"idle_baseline"`
	// DiskMessageOverhead is bytes on disk per persisted message beyond its
	// body and properties (record headers, index entries).
	DiskMessageOverhead Constant `json:"disk_message_overhead"`
	// FDBaseline is the file descriptors an idle node holds.
	FDBaseline Constant `json:"fd_baseline"`
	// FrameMax is the negotiated AMQP frame_max in bytes.
	FrameMax Constant `json:"frame_max"`
	// ClassicQueueRate, QuorumQueueRate and StreamQueueRate are the
	// message rate one queue of the type sustains, msg/s. A queue is one
	// Erlang process (a quorum queue's leader, a stream's writer), so it
	// runs on one core at a time however many the node has; above this
	// rate the traffic must spread over more queues.
	ClassicQueueRate Constant `json:"classic_queue_rate"`
	QuorumQueueRate  Constant `json:"quorum_queue_rate"`
	StreamQueueRate  Constant `json:"stream_queue_rate"`
}

// Sources of the defaults. Measurements were taken by warren size
// calibrate (and the probes it grew from) on RabbitMQ 3.10.8, Erlang
// 25.2.3, Linux x86-64, with the management plugin enabled.
const (
	srcMeasured3108  = "measured by warren on RabbitMQ 3.10.8 / Erlang 25.2.3"
	srcCalibrate3108 = "measured by warren size calibrate on RabbitMQ 3.10.8 / Erlang 25.2.3"
	srcMemoryGuide   = "RabbitMQ memory guide (rabbitmq.com/docs/memory)"
	srcQuorumGuide   = "RabbitMQ quorum queue guide, Resource Use (rabbitmq.com/docs/quorum-queues)"
	srcQueueRate     = "planning estimate, not measured on your broker: one queue is one Erlang process and uses one core at most; " +
		"RabbitMQ's published single-queue benchmarks reach tens of thousands of small messages a second on server hardware, " +
		"fewer with persistence, confirms and large bodies; measure yours with 'warren capacity' on one queue and give " +
		"its capacity.json to --calibration"
)

// DefaultConstants returns the documented defaults for a RabbitMQ version
// ("3.10.8", "3.13", "4", "4.1.2"; empty means 3.x, the lower watermark
// and so the safer plan).
func DefaultConstants(version string) Constants {
	major, minor := parseVersion(version)
	c := Constants{
		HighWatermark: Constant{0.4, srcMemoryGuide + ": vm_memory_high_watermark.relative defaults to 0.4 in 3.x", false},
		PagingRatio:   Constant{0.5, srcMemoryGuide + ": vm_memory_high_watermark_paging_ratio defaults to 0.5 (classic queues before 3.12)", false},
		ClassicMessageRAM: Constant{656, srcCalibrate3108 + ": queue process memory per message, 100,000 transient messages " +
			"in a non-durable classic queue: 656 B with 1 KiB to 64 KiB bodies, 640 B with 16 B bodies; bodies excluded", false},
		ClassicQueueRAM: Constant{11664, srcCalibrate3108 + ": an empty non-durable classic queue", false},
		QuorumMessageRAM: Constant{115, srcCalibrate3108 + ": 115 B per message with 1 KiB and 4 KiB bodies, 187 B with 16 B " +
			"(25,000 messages; process heap, which grows in steps); the quorum queue guide gives \"at least 32 bytes\"", false},
		QuorumQueueRAM:   Constant{0, "left out: an empty quorum queue measured 41.0 KiB to 107.4 KiB on 3.10.8, varying with its heap", false},
		QuorumWALMax:     Constant{512 << 20, srcQuorumGuide + ": raft.wal_max_size_bytes defaults to 512 MiB", false},
		StreamMessageRAM: Constant{0, "RabbitMQ stream guide: a stream keeps its messages in segment files on disk, not in memory", false},
		ConnectionRAM: Constant{100e3, "planning figure of warren issue 5 (~100 KB a connection); " + srcCalibrate3108 +
			": 63.5 KiB to 69.3 KiB per idle connection in the node's connection memory categories (kernel socket buffers not included)", false},
		ChannelRAM:   Constant{22e3, srcMeasured3108 + ": 21.5 KiB per idle channel (14.6 KiB to 30.3 KiB over four runs on a busy shared node)", false},
		IdleBaseline: Constant{166e6, srcMeasured3108 + ": mem_used of a node with the management plugin, a few empty queues and no connections", false},
		DiskMessageOverhead: Constant{100, "estimate, not measured: a message store record's 25 B header (size, message id, end marker) " +
			"plus the queue index entry and the encoded message record", false},
		FDBaseline:       Constant{40, srcMeasured3108 + ": fd_used of a node with no client connections", false},
		FrameMax:         Constant{131072, "RabbitMQ's default frame_max (131,072 bytes), which clients accept unless they ask for less", false},
		ClassicQueueRate: Constant{20000, srcQueueRate + "; a classic queue stores and delivers each message in its one process", false},
		QuorumQueueRate: Constant{10000, srcQueueRate + "; a quorum queue's leader also replicates every message through Raft " +
			"and waits for a majority to write it to disk before it confirms", false},
		StreamQueueRate: Constant{30000, srcQueueRate + "; a stream appends to a log without per-message bookkeeping, but over " +
			"AMQP 0-9-1 each message still passes through a channel process (the stream protocol goes much faster)", false},
	}
	if major >= 4 {
		c.HighWatermark = Constant{0.6, srcMemoryGuide + ": vm_memory_high_watermark.relative defaults to 0.6 from RabbitMQ 4.0", false}
	}
	if major >= 4 || (major == 3 && minor >= 12) {
		c.PagingRatio = Constant{0, "classic queues stopped paging to disk under memory pressure in 3.12 (messages go to disk early instead)", false}
		c.ClassicMessageRAM.Source += "; 3.12 and later keep most classic queue messages on disk, so this overstates their memory: calibrate"
	}
	return c
}

// parseVersion reads "4.1.2" as 4, 1; anything unreadable is 3, 0.
func parseVersion(v string) (major, minor int) {
	parts := strings.Split(strings.TrimPrefix(strings.TrimSpace(v), "v"), ".")
	major, err := strconv.Atoi(parts[0])
	if err != nil || major < 1 {
		return 3, 0
	}
	if len(parts) > 1 {
		if m, err := strconv.Atoi(parts[1]); err == nil {
			minor = m
		}
	}
	return major, minor
}

// NamedConstant is one constant with its name, for reports.
type NamedConstant struct {
	Name string
	Unit Unit
	Constant
}

// List returns the constants in a fixed order, for reports.
func (c Constants) List() []NamedConstant {
	return []NamedConstant{
		{"Memory high watermark (vm_memory_high_watermark.relative)", UnitFraction, c.HighWatermark},
		{"Paging ratio (vm_memory_high_watermark_paging_ratio)", UnitFraction, c.PagingRatio},
		{"Classic queue memory per message (bodies excluded)", UnitBytes, c.ClassicMessageRAM},
		{"Empty classic queue", UnitBytes, c.ClassicQueueRAM},
		{"Quorum replica memory per message", UnitBytes, c.QuorumMessageRAM},
		{"Empty quorum replica", UnitBytes, c.QuorumQueueRAM},
		{"Quorum write-ahead log in memory (raft.wal_max_size_bytes)", UnitBytes, c.QuorumWALMax},
		{"Stream memory per message", UnitBytes, c.StreamMessageRAM},
		{"Memory per connection", UnitBytes, c.ConnectionRAM},
		{"Memory per channel", UnitBytes, c.ChannelRAM},
		{"Idle node baseline", UnitBytes, c.IdleBaseline},
		{"Disk overhead per persisted message", UnitBytes, c.DiskMessageOverhead},
		{"File descriptors of an idle node", UnitCount, c.FDBaseline},
		{"frame_max (bytes)", UnitCount, c.FrameMax},
		{"Rate one classic queue sustains", UnitMessagesPerSec, c.ClassicQueueRate},
		{"Rate one quorum queue sustains", UnitMessagesPerSec, c.QuorumQueueRate},
		{"Rate one stream sustains (AMQP 0-9-1)", UnitMessagesPerSec, c.StreamQueueRate},
	}
}

// Measurements are what a calibration run measured on a broker. Zero
// values mean "not measured" and leave the default in place.
type Measurements struct {
	// Broker names what was measured, e.g. "RabbitMQ 3.10.8 on rabbit@host".
	Broker string
	Queues []QueueMeasurement
	// Per connection and per channel, bytes.
	ConnectionBytes float64
	ChannelBytes    float64
	// The node's memory and file descriptors before the calibration
	// loaded it.
	IdleBaselineBytes float64
	FDBaseline        float64
	// FrameMax is the frame_max the broker negotiated.
	FrameMax int
	// QueueRates are rates one queue was measured to sustain.
	QueueRates []QueueRateMeasurement
}

// QueueRateMeasurement is the rate one queue of a type sustained with
// messages of one size ('warren capacity' on a scenario of one queue).
type QueueRateMeasurement struct {
	Type      QueueType
	BodyBytes int64
	Rate      float64
	// How says how it was measured, for the constant's source.
	How string
}

// QueueMeasurement is one queue filled with messages of one size.
type QueueMeasurement struct {
	Type      QueueType
	BodyBytes int64
	Messages  int64
	// EmptyBytes is the queue's memory before it was filled;
	// PerMessageBytes is (full − empty) ÷ messages.
	EmptyBytes      float64
	PerMessageBytes float64
}

// Calibrate returns c with the measured values in place of the defaults.
// Measurements of zero or less per message (noise) are left out. The
// per-message memory of each queue type is interpolated linearly in
// body size between the sizes measured (and held flat beyond them), for a
// message of bodyBytes.
func (c Constants) Calibrate(m Measurements, bodyBytes int64) Constants {
	where := "calibrated on " + cmp.Or(m.Broker, "the broker")
	set := func(k *Constant, v float64, what string) {
		if v > 0 {
			*k = Constant{Value: v, Source: where + ": " + what, Calibrated: true}
		}
	}
	for _, qt := range []QueueType{Classic, Quorum, Stream} {
		var pts []QueueMeasurement
		for _, q := range m.Queues {
			if q.Type == qt && q.Messages > 0 && q.PerMessageBytes > 0 {
				pts = append(pts, q)
			}
		}
		if len(pts) == 0 {
			continue
		}
		perMsg, how := interpolate(pts, bodyBytes)
		empty := 0.0
		for _, p := range pts {
			empty += p.EmptyBytes
		}
		empty /= float64(len(pts))
		msgK, queueK := c.messageRAM(qt), c.queueRAM(qt)
		*msgK = Constant{Value: perMsg, Source: where + ": " + how, Calibrated: true}
		if queueK != nil && empty > 0 {
			*queueK = Constant{Value: empty, Source: where + fmt.Sprintf(": an empty %s queue, mean of %d", qt, len(pts)), Calibrated: true}
		}
	}
	set(&c.ConnectionRAM, m.ConnectionBytes, "memory per idle connection (connection_readers + connection_writers + connection_other)")
	set(&c.ChannelRAM, m.ChannelBytes, "memory per idle channel (connection_channels + connection_writers + connection_other)")
	set(&c.IdleBaseline, m.IdleBaselineBytes, "node mem_used before the calibration loaded it (an upper bound of the idle baseline when other clients were connected)")
	set(&c.FDBaseline, m.FDBaseline, "fd_used before the calibration opened its connections")
	set(&c.FrameMax, float64(m.FrameMax), "frame_max the broker negotiated")
	for _, qt := range []QueueType{Classic, Quorum, Stream} {
		if r, ok := nearestRate(m.QueueRates, qt, bodyBytes); ok {
			*c.queueRate(qt) = Constant{Value: r.Rate, Source: where + ": " + r.How, Calibrated: true}
		}
	}
	return c
}

// nearestRate picks the measurement of a queue type whose body size is
// closest to bodyBytes (by ratio: 1 KiB is nearer 4 KiB than 16 B is).
// A rate does not interpolate the way memory does: it falls with size in
// steps of what the broker then does differently (paging, frames).
func nearestRate(ms []QueueRateMeasurement, qt QueueType, bodyBytes int64) (QueueRateMeasurement, bool) {
	var best QueueRateMeasurement
	found := false
	dist := func(b int64) float64 {
		return math.Abs(math.Log(float64(max(b, 1))) - math.Log(float64(max(bodyBytes, 1))))
	}
	for _, r := range ms {
		if r.Type != qt || !(r.Rate > 0) {
			continue
		}
		if !found || dist(r.BodyBytes) < dist(best.BodyBytes) {
			best, found = r, true
		}
	}
	return best, found
}

// queueRate is the rate constant of a queue type.
func (c *Constants) queueRate(qt QueueType) *Constant {
	switch qt {
	case Quorum:
		return &c.QuorumQueueRate
	case Stream:
		return &c.StreamQueueRate
	}
	return &c.ClassicQueueRate
}

func (c *Constants) messageRAM(qt QueueType) *Constant {
	switch qt {
	case Quorum:
		return &c.QuorumMessageRAM
	case Stream:
		return &c.StreamMessageRAM
	}
	return &c.ClassicMessageRAM
}

func (c *Constants) queueRAM(qt QueueType) *Constant {
	switch qt {
	case Quorum:
		return &c.QuorumQueueRAM
	case Stream:
		return nil
	}
	return &c.ClassicQueueRAM
}

// interpolate gives the per-message bytes at body size x from the
// measured points, and says how it got them.
func interpolate(pts []QueueMeasurement, x int64) (float64, string) {
	pts = slices.Clone(pts)
	slices.SortStableFunc(pts, func(a, b QueueMeasurement) int { return cmp.Compare(a.BodyBytes, b.BodyBytes) })
	at := func(p QueueMeasurement) string {
		return fmt.Sprintf("%s B/message at %s bodies (%s messages)", textfmt.Number(p.PerMessageBytes), formatBytes(float64(p.BodyBytes)), count(float64(p.Messages)))
	}
	first, last := pts[0], pts[len(pts)-1]
	switch {
	case x <= first.BodyBytes:
		return first.PerMessageBytes, "measured " + at(first)
	case x >= last.BodyBytes:
		return last.PerMessageBytes, "measured " + at(last)
	}
	for i := 1; i < len(pts); i++ {
		a, b := pts[i-1], pts[i]
		if x > b.BodyBytes {
			continue
		}
		if x == b.BodyBytes || b.BodyBytes == a.BodyBytes {
			return b.PerMessageBytes, "measured " + at(b)
		}
		f := float64(x-a.BodyBytes) / float64(b.BodyBytes-a.BodyBytes)
		v := a.PerMessageBytes + f*(b.PerMessageBytes-a.PerMessageBytes)
		return v, "interpolated between " + at(a) + " and " + at(b)
	}
	return last.PerMessageBytes, "measured " + at(last)
}
