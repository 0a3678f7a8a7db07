package scenarios

import (
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// Scenario is one load test, as written in a scenario file.
type Scenario struct {
	Name        string           `yaml:"name" json:"name"`
	Description string           `yaml:"description,omitempty" json:"description,omitempty"`
	Broker      Broker           `yaml:"broker,omitempty" json:"broker"`
	Topology    Topology         `yaml:"topology" json:"topology"`
	Publishers  []PublisherGroup `yaml:"publishers" json:"publishers"`
	Consumers   []ConsumerGroup  `yaml:"consumers" json:"consumers"`
	Run         RunSettings      `yaml:"run" json:"run"`
	// Sweep runs the scenario several times, once per variant (Expand).
	Sweep *Sweep `yaml:"sweep,omitempty" json:"sweep,omitempty"`
	// Sizing holds the inputs of 'warren size --scenario' for this workload.
	Sizing *SizingTargets `yaml:"sizing,omitempty" json:"sizing,omitempty"`
	// Thresholds judge the run pass or fail ('warren run' exits 1 when one
	// fails), besides the default ones (DefaultThresholds).
	Thresholds []Threshold `yaml:"thresholds,omitempty" json:"thresholds,omitempty"`

	source *source // where it was read from, for error positions
}

// Broker says where the broker is. URIs given on the command line or in the
// environment override these.
type Broker struct {
	URI           string   `yaml:"uri,omitempty" json:"uri,omitempty"`
	ManagementURI string   `yaml:"management_uri,omitempty" json:"management_uri,omitempty"`
	Heartbeat     Duration `yaml:"heartbeat,omitempty" json:"heartbeat,omitempty"`
	// ConnectionName prefixes the connection_name client property of every
	// connection, so the broker's UI shows which connections are warren's.
	ConnectionName string `yaml:"connection_name,omitempty" json:"connection_name,omitempty"`
	// TLS configures TLS for amqps:// URIs. Without it, amqps:// uses the
	// system's roots and verifies the server.
	TLS *TLS `yaml:"tls,omitempty" json:"tls,omitempty"`
}

// TLS are the TLS settings for the broker connection. File names are read
// by the load generator, not by this package.
type TLS struct {
	// CAFile is a PEM file of the CAs that sign the broker's certificate
	// (default: the system's roots).
	CAFile string `yaml:"ca_file,omitempty" json:"ca_file,omitempty"`
	// CertFile and KeyFile are a PEM client certificate and its key, for
	// brokers that authenticate clients by certificate (EXTERNAL).
	CertFile string `yaml:"cert_file,omitempty" json:"cert_file,omitempty"`
	KeyFile  string `yaml:"key_file,omitempty" json:"key_file,omitempty"`
	// ServerName is the name to verify the broker's certificate against
	// (default: the URI's host).
	ServerName string `yaml:"server_name,omitempty" json:"server_name,omitempty"`
	// InsecureSkipVerify turns verification of the broker's certificate
	// off. For test brokers with self-signed certificates only.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify,omitempty" json:"insecure_skip_verify,omitempty"`
}

// Topology is what the run declares before it starts.
type Topology struct {
	Exchanges []Exchange `yaml:"exchanges,omitempty" json:"exchanges,omitempty"`
	Queues    []Queue    `yaml:"queues,omitempty" json:"queues,omitempty"`
	Bindings  []Binding  `yaml:"bindings,omitempty" json:"bindings,omitempty"`
	// Declare says what the run does with the topology before it starts:
	// DeclareAll (the default) declares everything, DeclarePassive only
	// checks that the exchanges and queues exist, DeclareNone does neither
	// and trusts the broker to have them.
	Declare DeclareMode `yaml:"declare,omitempty" json:"declare,omitempty"`
	// Cleanup deletes, after the run, the exchanges and queues the run declared.
	Cleanup bool `yaml:"cleanup,omitempty" json:"cleanup,omitempty"`
}

// Exchange types.
const (
	ExchangeDirect  = "direct"
	ExchangeFanout  = "fanout"
	ExchangeTopic   = "topic"
	ExchangeHeaders = "headers"
)

// Exchange is an exchange to declare.
type Exchange struct {
	Name              string `yaml:"name" json:"name"`
	Type              string `yaml:"type" json:"type"`
	Durable           bool   `yaml:"durable,omitempty" json:"durable,omitempty"`
	AutoDelete        bool   `yaml:"auto_delete,omitempty" json:"auto_delete,omitempty"`
	Internal          bool   `yaml:"internal,omitempty" json:"internal,omitempty"`
	AlternateExchange string `yaml:"alternate_exchange,omitempty" json:"alternate_exchange,omitempty"`
}

// Queue types.
const (
	QueueClassic = "classic"
	QueueQuorum  = "quorum"
	QueueStream  = "stream"
)

// Queue is a queue to declare. The typed fields become the broker's x-
// arguments; Arguments carries any other x- argument verbatim.
type Queue struct {
	Name                 string         `yaml:"name" json:"name"`
	Type                 string         `yaml:"type,omitempty" json:"type,omitempty"`
	Durable              bool           `yaml:"durable,omitempty" json:"durable,omitempty"`
	Exclusive            bool           `yaml:"exclusive,omitempty" json:"exclusive,omitempty"`
	AutoDelete           bool           `yaml:"auto_delete,omitempty" json:"auto_delete,omitempty"`
	MessageTTL           Duration       `yaml:"message_ttl,omitempty" json:"message_ttl,omitempty"`
	MaxLength            int64          `yaml:"max_length,omitempty" json:"max_length,omitempty"`
	MaxLengthBytes       ByteSize       `yaml:"max_length_bytes,omitempty" json:"max_length_bytes,omitempty"`
	Overflow             string         `yaml:"overflow,omitempty" json:"overflow,omitempty"`
	DeadLetterExchange   string         `yaml:"dead_letter_exchange,omitempty" json:"dead_letter_exchange,omitempty"`
	DeadLetterRoutingKey string         `yaml:"dead_letter_routing_key,omitempty" json:"dead_letter_routing_key,omitempty"`
	SingleActiveConsumer bool           `yaml:"single_active_consumer,omitempty" json:"single_active_consumer,omitempty"`
	DeliveryLimit        int            `yaml:"delivery_limit,omitempty" json:"delivery_limit,omitempty"`
	Arguments            map[string]any `yaml:"arguments,omitempty" json:"arguments,omitempty"`
}

// Binding routes from an exchange to a queue (or to another exchange).
type Binding struct {
	Exchange string `yaml:"exchange" json:"exchange"`
	Queue    string `yaml:"queue,omitempty" json:"queue,omitempty"`
	// ToExchange makes this an exchange-to-exchange binding.
	ToExchange string `yaml:"to_exchange,omitempty" json:"to_exchange,omitempty"`
	// Key is the routing key, or the pattern on a topic exchange.
	Key string `yaml:"key,omitempty" json:"key,omitempty"`
	// Headers and Match ("all" or "any") are for headers exchanges.
	Headers map[string]string `yaml:"headers,omitempty" json:"headers,omitempty"`
	Match   string            `yaml:"match,omitempty" json:"match,omitempty"`
}

// PublisherGroup is Count publishers that behave alike.
type PublisherGroup struct {
	Name  string `yaml:"name,omitempty" json:"name,omitempty"`
	Count int    `yaml:"count" json:"count"`
	// Connections spreads the group's channels over this many connections
	// (default: one per publisher).
	Connections int    `yaml:"connections,omitempty" json:"connections,omitempty"`
	Exchange    string `yaml:"exchange" json:"exchange"`
	// RoutingKey is one fixed key; ApplyDefaults copies it to RoutingKeys.
	RoutingKey string `yaml:"routing_key,omitempty" json:"routing_key,omitempty"`
	// RoutingKeys are the keys messages are sent to, chosen uniformly; an
	// entry may be a template such as "zone{1..5}.{temperature,humidity}"
	// (ExpandKeyTemplate), which Load and ApplyDefaults expand in place. With
	// routing_key or weighted_routing_keys, ApplyDefaults fills it with the
	// distinct keys, so it always lists every key the group sends to.
	RoutingKeys []string `yaml:"routing_keys,omitempty" json:"routing_keys,omitempty"`
	// WeightedKeys choose keys in proportion to their weights. Use
	// KeyChoice to pick keys honouring them.
	WeightedKeys []WeightedKey `yaml:"weighted_routing_keys,omitempty" json:"weighted_routing_keys,omitempty"`
	// Headers are set on every message (for headers exchanges).
	Headers map[string]string `yaml:"headers,omitempty" json:"headers,omitempty"`
	// Size is every message's size, or with SizeDistribution the largest
	// size (ApplyDefaults sets it), big enough for any message's buffer.
	Size ByteSize `yaml:"size" json:"size"`
	// SizeDistribution spreads sizes over a range or a weighted list; use
	// MessageSize to pick one per message.
	SizeDistribution *SizeDistribution `yaml:"size_distribution,omitempty" json:"size_distribution,omitempty"`
	Persistent       bool              `yaml:"persistent,omitempty" json:"persistent,omitempty"`
	Mandatory        bool              `yaml:"mandatory,omitempty" json:"mandatory,omitempty"`
	Confirm          bool              `yaml:"confirm,omitempty" json:"confirm,omitempty"`
	ConfirmWindow    int               `yaml:"confirm_window,omitempty" json:"confirm_window,omitempty"`
	// Republish sends again, on the new channel, the messages that were
	// in flight without a confirm when a channel or connection was lost:
	// at-least-once publishing, which may deliver some twice. Without it
	// they are counted as unconfirmed. It needs Confirm.
	Republish bool `yaml:"republish_unconfirmed,omitempty" json:"republish_unconfirmed,omitempty"`
	// Rate is the group's total rate, shared evenly by its publishers
	// (Rate.Scale): unlimited, constant, a ramp or steps.
	Rate Rate `yaml:"rate,omitempty" json:"rate"`
	// MaxMessages bounds what the whole group sends (0: no bound).
	MaxMessages int64 `yaml:"max_messages,omitempty" json:"max_messages,omitempty"`

	// derived records which fields ApplyDefaults filled from others, so
	// that it can refill them and Validate can tell "both given" apart.
	derived derivedFields
}

type derivedFields uint8

const (
	derivedSize derivedFields = 1 << iota
	derivedKeys
)

// Ack modes.
const (
	AckManual   = "manual"
	AckAuto     = "auto"
	AckMultiple = "multiple"
)

// ConsumerGroup is Count consumers of one queue that behave alike.
type ConsumerGroup struct {
	Name        string `yaml:"name,omitempty" json:"name,omitempty"`
	Count       int    `yaml:"count" json:"count"`
	Queue       string `yaml:"queue" json:"queue"`
	Connections int    `yaml:"connections,omitempty" json:"connections,omitempty"`
	Prefetch    int    `yaml:"prefetch,omitempty" json:"prefetch,omitempty"`
	AckMode     string `yaml:"ack_mode,omitempty" json:"ack_mode,omitempty"`
	// GlobalPrefetch applies Prefetch to the whole channel rather than to
	// each consumer (basic.qos global). Quorum and stream queues refuse it.
	GlobalPrefetch bool `yaml:"global_prefetch,omitempty" json:"global_prefetch,omitempty"`
	// AckEvery is, with ack mode "multiple", how many deliveries one ack covers.
	AckEvery int `yaml:"ack_every,omitempty" json:"ack_every,omitempty"`
	// ProcessingTime is how long each delivery takes to handle. With
	// ProcessingTimeMax it is the lower bound of a uniform range.
	ProcessingTime    Duration `yaml:"processing_time,omitempty" json:"processing_time,omitempty"`
	ProcessingTimeMax Duration `yaml:"processing_time_max,omitempty" json:"processing_time_max,omitempty"`
	// RejectRate and NackRate are the shares (0 to 1) of deliveries
	// answered with basic.reject and basic.nack instead of an ack; Requeue
	// says whether those go back to the queue (otherwise they are
	// dead-lettered, or dropped). Use Outcome to decide per delivery.
	RejectRate float64 `yaml:"reject_rate,omitempty" json:"reject_rate,omitempty"`
	NackRate   float64 `yaml:"nack_rate,omitempty" json:"nack_rate,omitempty"`
	Requeue    bool    `yaml:"requeue,omitempty" json:"requeue,omitempty"`
	// Rate limits how fast the group consumes, in total (zero: no limit).
	Rate Rate `yaml:"rate,omitempty" json:"rate,omitzero"`
	// BasicGet polls with basic.get instead of subscribing with
	// basic.consume; when the queue is empty it waits PollInterval.
	BasicGet     bool     `yaml:"basic_get,omitempty" json:"basic_get,omitempty"`
	PollInterval Duration `yaml:"poll_interval,omitempty" json:"poll_interval,omitempty"`
}

// RunSettings bound the run in time and count.
type RunSettings struct {
	Duration Duration `yaml:"duration" json:"duration"`
	// WarmUp is left out of the latency totals.
	WarmUp Duration `yaml:"warm_up,omitempty" json:"warm_up,omitempty"`
	// Drain is how long consumers keep consuming after publishing stops.
	Drain       Duration `yaml:"drain,omitempty" json:"drain,omitempty"`
	MaxMessages int64    `yaml:"max_messages,omitempty" json:"max_messages,omitempty"`
	// Seed makes everything random in the run repeatable (key and size
	// choices, rejects). 0 means: pick one and record it in the result.
	Seed int64 `yaml:"seed,omitempty" json:"seed,omitempty"`
}

// DeclareMode is topology.declare: true, false or passive.
type DeclareMode string

// Declare modes.
const (
	// DeclareAll declares every exchange, queue and binding (the default).
	DeclareAll DeclareMode = "true"
	// DeclareNone declares nothing: the topology must exist already, and
	// serves only to explain routing.
	DeclareNone DeclareMode = "false"
	// DeclarePassive checks that the exchanges and queues exist (passive
	// declares) and declares nothing.
	DeclarePassive DeclareMode = "passive"
)

// UnmarshalYAML reads true, false or passive.
func (m *DeclareMode) UnmarshalYAML(node ast.Node) error {
	s, err := scalarText(node)
	if err != nil {
		return wrapNodeError(node, err)
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "on":
		*m = DeclareAll
	case "false", "no", "off":
		*m = DeclareNone
	case "passive":
		*m = DeclarePassive
	case "":
		*m = ""
	default:
		return nodeError(node, "declare is true, false or passive, got %q", s)
	}
	return nil
}

// MarshalYAML writes true and false as booleans, passive as a string.
func (m DeclareMode) MarshalYAML() (any, error) {
	switch m {
	case DeclareAll:
		return true, nil
	case DeclareNone:
		return false, nil
	}
	return string(m), nil
}
