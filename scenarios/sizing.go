package scenarios

import (
	"strconv"
	"strings"
)

// SizingTargets are the inputs of 'warren size' kept beside the load test
// they belong to, so that the capacity plan and the test of it come from one
// file. Every field is optional here; the ones 'warren size' requires (rate,
// size, backlog) must come from the file or from its flags, and its flags win.
type SizingTargets struct {
	// Rate is the peak publish rate of all publishers together: 500/s or
	// 30000/min.
	Rate string `yaml:"rate,omitempty" json:"rate,omitempty"`
	// Size is the message body size; PropertiesSize the encoded size of the
	// properties besides delivery-mode.
	Size           ByteSize `yaml:"size,omitempty" json:"size,omitempty"`
	PropertiesSize ByteSize `yaml:"properties_size,omitempty" json:"properties_size,omitempty"`
	// Backlog is what each queue must hold: a time of peak traffic (10s,
	// 5m) or a message count (5000).
	Backlog string `yaml:"backlog,omitempty" json:"backlog,omitempty"`
	// Queues the traffic spreads over and queues each message reaches.
	Queues int `yaml:"queues,omitempty" json:"queues,omitempty"`
	FanOut int `yaml:"fan_out,omitempty" json:"fan_out,omitempty"`
	// QueueType is classic, quorum or stream; Replicas those of a quorum
	// queue or stream.
	QueueType string `yaml:"queue_type,omitempty" json:"queue_type,omitempty"`
	Replicas  int    `yaml:"replicas,omitempty" json:"replicas,omitempty"`
	// Persistent and Confirms default to true in 'warren size'.
	Persistent *bool `yaml:"persistent,omitempty" json:"persistent,omitempty"`
	Confirms   *bool `yaml:"confirms,omitempty" json:"confirms,omitempty"`
	// ProcessingTime is a consumer's time per message; RTT the round trip
	// between consumers and the broker.
	ProcessingTime Duration `yaml:"processing_time,omitempty" json:"processing_time,omitempty"`
	RTT            Duration `yaml:"rtt,omitempty" json:"rtt,omitempty"`
	// Utilisation is the share of time consumers may be busy at peak.
	Utilisation float64 `yaml:"utilisation,omitempty" json:"utilisation,omitempty"`
	Connections int     `yaml:"connections,omitempty" json:"connections,omitempty"`
	Channels    int     `yaml:"channels,omitempty" json:"channels,omitempty"`
	// Headroom multiplies the RAM and disk to provision.
	Headroom float64 `yaml:"headroom,omitempty" json:"headroom,omitempty"`
	// BrokerRAM is the node's RAM, when known.
	BrokerRAM ByteSize `yaml:"broker_ram,omitempty" json:"broker_ram,omitempty"`
	// RabbitMQVersion picks the default constants (3.x or 4.x).
	RabbitMQVersion string `yaml:"rabbitmq_version,omitempty" json:"rabbitmq_version,omitempty"`
	PrefetchCap     int    `yaml:"prefetch_cap,omitempty" json:"prefetch_cap,omitempty"`
}

// SizingRate reads Rate as messages per second; ok is false when it is not
// a constant rate.
func (t *SizingTargets) SizingRate() (perSecond float64, ok bool) {
	r, err := ParseRate(t.Rate)
	if err != nil || r.Kind() != RateConstant {
		return 0, false
	}
	return r.Mean(0), true
}

func (s *Scenario) validateSizing(v *validator) {
	t := s.Sizing
	if t == nil {
		return
	}
	if t.Rate != "" {
		if r, ok := t.SizingRate(); !ok || !(r > 0) {
			v.add("sizing.rate", "%q: give the peak rate as 500/s or 30000/min", t.Rate)
		}
	}
	if b := strings.TrimSpace(t.Backlog); b != "" {
		if n, err := strconv.ParseInt(strings.ReplaceAll(b, ",", ""), 10, 64); err == nil {
			if n < 0 {
				v.add("sizing.backlog", "must be ≥ 0 messages, got %d", n)
			}
		} else if d, err := ParseDuration(b); err != nil || d < 0 {
			v.add("sizing.backlog", "%q: give a time of peak traffic (10s, 5m) or a message count (5000)", t.Backlog)
		}
	}
	switch t.QueueType {
	case "", QueueClassic, QueueQuorum, QueueStream:
	default:
		v.add("sizing.queue_type", "%q: use classic, quorum or stream", t.QueueType)
	}
	for _, f := range []struct {
		name string
		n    int
	}{{"queues", t.Queues}, {"fan_out", t.FanOut}, {"replicas", t.Replicas}, {"connections", t.Connections}, {"channels", t.Channels}, {"prefetch_cap", t.PrefetchCap}} {
		if f.n < 0 {
			v.add("sizing."+f.name, "must be ≥ 0, got %d", f.n)
		}
	}
	if t.Utilisation < 0 || t.Utilisation > 1 {
		v.add("sizing.utilisation", "must be between 0 and 1 (the share of time consumers are busy), got %g", t.Utilisation)
	}
	if t.Headroom < 0 {
		v.add("sizing.headroom", "must be ≥ 1 (a factor on RAM and disk), got %g", t.Headroom)
	}
	if t.ProcessingTime < 0 || t.RTT < 0 {
		v.add("sizing", "processing_time and rtt must be ≥ 0")
	}
}
