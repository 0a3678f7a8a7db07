// Package scenarios is warren's declarative language for a load test: the
// topology to declare, the publishers and consumers to run, how long and how
// fast. Scenario files are YAML; a library of built-in scenarios is embedded.
//
// The package does no I/O beyond reading what it is given and never talks to
// a broker: loadgen turns a Scenario into traffic.
package scenarios

// Scenario is one load test, as written in a scenario file.
type Scenario struct {
	Name        string           `yaml:"name" json:"name"`
	Description string           `yaml:"description,omitempty" json:"description,omitempty"`
	Broker      Broker           `yaml:"broker,omitempty" json:"broker"`
	Topology    Topology         `yaml:"topology" json:"topology"`
	Publishers  []PublisherGroup `yaml:"publishers" json:"publishers"`
	Consumers   []ConsumerGroup  `yaml:"consumers" json:"consumers"`
	Run         RunSettings      `yaml:"run" json:"run"`

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
}

// Topology is what the run declares before it starts.
type Topology struct {
	Exchanges []Exchange `yaml:"exchanges,omitempty" json:"exchanges,omitempty"`
	Queues    []Queue    `yaml:"queues,omitempty" json:"queues,omitempty"`
	Bindings  []Binding  `yaml:"bindings,omitempty" json:"bindings,omitempty"`
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
	Connections int      `yaml:"connections,omitempty" json:"connections,omitempty"`
	Exchange    string   `yaml:"exchange" json:"exchange"`
	RoutingKeys []string `yaml:"routing_keys,omitempty" json:"routing_keys,omitempty"`
	// Headers are set on every message (for headers exchanges).
	Headers       map[string]string `yaml:"headers,omitempty" json:"headers,omitempty"`
	Size          ByteSize          `yaml:"size" json:"size"`
	Persistent    bool              `yaml:"persistent,omitempty" json:"persistent,omitempty"`
	Mandatory     bool              `yaml:"mandatory,omitempty" json:"mandatory,omitempty"`
	Confirm       bool              `yaml:"confirm,omitempty" json:"confirm,omitempty"`
	ConfirmWindow int               `yaml:"confirm_window,omitempty" json:"confirm_window,omitempty"`
	// Rate is the group's total rate, shared evenly by its publishers.
	Rate Rate `yaml:"rate,omitempty" json:"rate"`
	// MaxMessages bounds what the whole group sends (0: no bound).
	MaxMessages int64 `yaml:"max_messages,omitempty" json:"max_messages,omitempty"`
}

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
	// AckEvery is, with ack mode "multiple", how many deliveries one ack covers.
	AckEvery       int      `yaml:"ack_every,omitempty" json:"ack_every,omitempty"`
	ProcessingTime Duration `yaml:"processing_time,omitempty" json:"processing_time,omitempty"`
}

// RunSettings bound the run in time and count.
type RunSettings struct {
	Duration Duration `yaml:"duration" json:"duration"`
	// WarmUp is left out of the latency totals.
	WarmUp Duration `yaml:"warm_up,omitempty" json:"warm_up,omitempty"`
	// Drain is how long consumers keep consuming after publishing stops.
	Drain       Duration `yaml:"drain,omitempty" json:"drain,omitempty"`
	MaxMessages int64    `yaml:"max_messages,omitempty" json:"max_messages,omitempty"`
}
