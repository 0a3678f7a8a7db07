package sizing

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/warrenmq/warren/internal/textfmt"
)

// QueueType is a RabbitMQ queue type.
type QueueType string

// Queue types.
const (
	Classic QueueType = "classic"
	Quorum  QueueType = "quorum"
	Stream  QueueType = "stream"
)

// Defaults of the inputs a user may leave out. Compute lists every input
// it defaulted in Plan.Assumed.
const (
	DefaultUtilisation    = 0.8
	DefaultHeadroom       = 1.5
	DefaultProcessingTime = 10 * time.Millisecond
	DefaultRTT            = time.Millisecond
	DefaultReplicas       = 3
	// DefaultConsumerTagBytes is the length of a tag the broker generates:
	// "amq.ctag-" and 22 characters of base64url (16 random bytes).
	DefaultConsumerTagBytes = 31
	// DefaultPrefetchCap bounds the prefetch the round trip suggests: the
	// RabbitMQ consumer acknowledgements guide says values from 100 to 300
	// usually give the best throughput and higher ones see diminishing
	// returns.
	DefaultPrefetchCap = 300
)

// Input describes the workload to plan for. Zero values of the optional
// fields take the defaults above; Plan.Assumed says which did.
type Input struct {
	// Rate is the peak publish rate, messages per second, all publishers
	// together. Required, > 0.
	Rate float64 `json:"rate"`
	// BodyBytes is the message body size.
	BodyBytes int64 `json:"body_bytes"`
	// PropertiesBytes is the encoded size of the message properties
	// (content type, headers, message id, ...) other than delivery-mode,
	// which Compute adds (1 byte) when Persistent.
	PropertiesBytes int64 `json:"properties_bytes,omitempty"`
	// Backlog is the backlog target as a time of peak traffic that the
	// queues must hold (consumers down or slow for this long). Zero is a
	// valid target: no backlog.
	Backlog time.Duration `json:"backlog,omitempty"`
	// BacklogMessages is the backlog target as messages per queue; it wins
	// over Backlog when > 0.
	BacklogMessages int64 `json:"backlog_messages,omitempty"`
	// Queues is the number of queues (default 1); FanOut the queues each
	// message is routed to (default 1). Traffic spreads evenly, so each
	// queue receives Rate × FanOut ÷ Queues messages per second.
	Queues int `json:"queues,omitempty"`
	FanOut int `json:"fan_out,omitempty"`
	// QueueType is classic (the default), quorum or stream; Replicas the
	// replica count of a quorum queue or stream (default 3).
	QueueType QueueType `json:"queue_type,omitempty"`
	Replicas  int       `json:"replicas,omitempty"`
	// Persistent messages (delivery-mode 2) are written to disk by classic
	// queues; quorum queues and streams write every message.
	Persistent bool `json:"persistent,omitempty"`
	// Confirms: publishers use publisher confirms.
	Confirms bool `json:"confirms,omitempty"`
	// ProcessingTime is a consumer's time per message (default 10ms); RTT
	// the network round trip between consumer and broker (default 1ms).
	ProcessingTime time.Duration `json:"processing_time,omitempty"`
	RTT            time.Duration `json:"rtt,omitempty"`
	// Utilisation is the fraction of time consumers should be busy at
	// peak (default 0.8).
	Utilisation float64 `json:"utilisation,omitempty"`
	// Connections and Channels expected on the node (default: one per
	// consumer plus one for the publishers).
	Connections int `json:"connections,omitempty"`
	Channels    int `json:"channels,omitempty"`
	// Headroom multiplies the RAM and disk to provision (default 1.5).
	Headroom float64 `json:"headroom,omitempty"`
	// BrokerRAM is the node's RAM in bytes, when known: the plan then
	// warns when the backlog would trip the memory alarm.
	BrokerRAM int64 `json:"broker_ram,omitempty"`
	// Version is the RabbitMQ version ("3.13", "4.1"): it picks the
	// default constants (3.x: watermark 0.4; 4.x: 0.6).
	Version string `json:"version,omitempty"`
	// Exchange and RoutingKey are what publishers publish to; only their
	// lengths matter (network bytes). ConsumerTagBytes is the length of
	// consumer tags (default 31, a broker-generated tag).
	Exchange         string `json:"exchange,omitempty"`
	RoutingKey       string `json:"routing_key,omitempty"`
	ConsumerTagBytes int    `json:"consumer_tag_bytes,omitempty"`
	// PrefetchCap bounds the suggested prefetch (default 300).
	PrefetchCap int `json:"prefetch_cap,omitempty"`
	// Constants replace DefaultConstants(Version) when set (calibrated
	// ones, say).
	Constants *Constants `json:"-"`
}

// normalise checks the input, reporting every problem at once, and fills
// the defaults, naming each one it filled.
func (in Input) normalise() (Input, []string, error) {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	if !(in.Rate > 0) || !finite(in.Rate) {
		bad("rate", "must be a number of messages per second > 0, got %v", in.Rate)
	}
	if in.BodyBytes < 0 {
		bad("body_bytes", "must be ≥ 0, got %d", in.BodyBytes)
	}
	if in.PropertiesBytes < 0 {
		bad("properties_bytes", "must be ≥ 0, got %d", in.PropertiesBytes)
	}
	if in.Backlog < 0 {
		bad("backlog", "must be ≥ 0, got %s", in.Backlog)
	}
	if in.BacklogMessages < 0 {
		bad("backlog_messages", "must be ≥ 0, got %d", in.BacklogMessages)
	}
	if in.Queues < 0 {
		bad("queues", "must be ≥ 1, got %d", in.Queues)
	}
	if in.FanOut < 0 {
		bad("fan_out", "must be ≥ 1, got %d", in.FanOut)
	}
	if in.FanOut > max(in.Queues, 1) {
		bad("fan_out", "a message cannot reach more queues (%d) than there are (%d)", in.FanOut, max(in.Queues, 1))
	}
	switch in.QueueType {
	case "", Classic, Quorum, Stream:
	default:
		bad("queue_type", "must be classic, quorum or stream, got %q", in.QueueType)
	}
	if in.Replicas < 0 {
		bad("replicas", "must be ≥ 1, got %d", in.Replicas)
	}
	if (in.QueueType == "" || in.QueueType == Classic) && in.Replicas > 1 {
		bad("replicas", "a classic queue has no replicas (got %d): use a quorum queue or a stream", in.Replicas)
	}
	if in.ProcessingTime < 0 {
		bad("processing_time", "must be ≥ 0, got %s", in.ProcessingTime)
	}
	if in.RTT < 0 {
		bad("rtt", "must be ≥ 0, got %s", in.RTT)
	}
	if in.Utilisation < 0 || in.Utilisation > 1 || !finite(in.Utilisation) {
		bad("utilisation", "must be in (0, 1], got %v", in.Utilisation)
	}
	if in.Connections < 0 {
		bad("connections", "must be ≥ 0, got %d", in.Connections)
	}
	if in.Channels < 0 {
		bad("channels", "must be ≥ 0, got %d", in.Channels)
	}
	if in.Headroom != 0 && (in.Headroom < 1 || !finite(in.Headroom)) {
		bad("headroom", "must be ≥ 1 (1.5 provisions 50%% more than needed), got %v", in.Headroom)
	}
	if in.BrokerRAM < 0 {
		bad("broker_ram", "must be ≥ 0, got %d", in.BrokerRAM)
	}
	if in.ConsumerTagBytes < 0 || in.ConsumerTagBytes > 255 {
		bad("consumer_tag_bytes", "must be between 0 and 255, got %d", in.ConsumerTagBytes)
	}
	if len(in.Exchange) > 255 {
		bad("exchange", "an AMQP short string holds at most 255 bytes, got %d", len(in.Exchange))
	}
	if len(in.RoutingKey) > 255 {
		bad("routing_key", "an AMQP short string holds at most 255 bytes, got %d", len(in.RoutingKey))
	}
	if in.PrefetchCap < 0 || in.PrefetchCap > 65535 {
		bad("prefetch_cap", "must be between 1 and 65535, got %d", in.PrefetchCap)
	}
	if c := in.Constants; c != nil {
		if w := c.HighWatermark.Value; !(w > 0 && w <= 1) {
			bad("constants.high_watermark", "must be in (0, 1], got %v", w)
		}
		if c.FrameMax.Value < 4096 {
			bad("constants.frame_max", "AMQP 0-9-1 needs at least 4096, got %v", c.FrameMax.Value)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return in, nil, err
	}

	var assumed []string
	def := func(cond bool, set func(), what string) {
		if cond {
			set()
			assumed = append(assumed, what)
		}
	}
	def(in.Queues == 0, func() { in.Queues = 1 }, "1 queue")
	def(in.FanOut == 0, func() { in.FanOut = 1 }, "each message routed to 1 queue (fan-out 1)")
	def(in.QueueType == "", func() { in.QueueType = Classic }, "classic queues")
	if in.QueueType == Classic {
		in.Replicas = 1
	}
	def(in.Replicas == 0, func() { in.Replicas = DefaultReplicas }, fmt.Sprintf("%d replicas", DefaultReplicas))
	def(in.ProcessingTime == 0, func() { in.ProcessingTime = DefaultProcessingTime }, "consumer processing time "+textfmt.Duration(DefaultProcessingTime)+" per message")
	def(in.RTT == 0, func() { in.RTT = DefaultRTT }, "round trip "+textfmt.Duration(DefaultRTT)+" between consumers and broker")
	def(in.Utilisation == 0, func() { in.Utilisation = DefaultUtilisation }, fmt.Sprintf("consumer utilisation target %g", DefaultUtilisation))
	def(in.Headroom == 0, func() { in.Headroom = DefaultHeadroom }, fmt.Sprintf("headroom ×%g", DefaultHeadroom))
	def(in.ConsumerTagBytes == 0, func() { in.ConsumerTagBytes = DefaultConsumerTagBytes }, fmt.Sprintf("consumer tags of %d bytes (generated by the broker)", DefaultConsumerTagBytes))
	def(in.PrefetchCap == 0, func() { in.PrefetchCap = DefaultPrefetchCap }, fmt.Sprintf("prefetch capped at %d", DefaultPrefetchCap))
	def(in.Version == "", func() {}, "RabbitMQ 3.x defaults (memory high watermark 0.4)")
	return in, assumed, nil
}
