package health

import "time"

// Snapshot is the broker's state at one moment, as the management API
// reports it. Rates are averaged over Window.
type Snapshot struct {
	// Version is the RabbitMQ version ("3.10.8"), "" when unknown.
	Version string `json:"version,omitempty"`
	// Vhost is the virtual host the queues, connections and channels were
	// limited to ("" for all); nodes are always the whole cluster's.
	Vhost string `json:"vhost,omitempty"`
	// Window is the period the rates cover.
	Window      time.Duration `json:"window"`
	Nodes       []Node        `json:"nodes"`
	Queues      []Queue       `json:"queues"`
	Exchanges   []Exchange    `json:"exchanges"`
	Bindings    []Binding     `json:"bindings"`
	Policies    []Policy      `json:"policies"`
	Connections []Connection  `json:"connections"`
	Channels    []Channel     `json:"channels"`
}

// Node is one cluster node's resource use.
type Node struct {
	Name    string `json:"name"`
	Running bool   `json:"running"`
	// MemUsed against MemLimit, the high watermark: at it the memory
	// alarm blocks every publishing connection.
	MemUsed  int64 `json:"mem_used"`
	MemLimit int64 `json:"mem_limit"`
	MemAlarm bool  `json:"mem_alarm"`
	// DiskFree against DiskFreeLimit: below it the disk alarm blocks
	// every publishing connection.
	DiskFree      int64 `json:"disk_free"`
	DiskFreeLimit int64 `json:"disk_free_limit"`
	DiskAlarm     bool  `json:"disk_free_alarm"`
	FDUsed        int   `json:"fd_used"`
	FDTotal       int   `json:"fd_total"`
	SocketsUsed   int   `json:"sockets_used"`
	SocketsTotal  int   `json:"sockets_total"`
	ProcUsed      int   `json:"proc_used"`
	ProcTotal     int   `json:"proc_total"`
	// Partitions lists the nodes this one cannot see (a network partition).
	Partitions []string `json:"partitions,omitempty"`
}

// Queue is a queue's definition and its figures.
type Queue struct {
	QueueDef
	Ready     int64 `json:"messages_ready"`
	Unacked   int64 `json:"messages_unacknowledged"`
	Consumers int   `json:"consumers"`
	// Utilisation is the share of time the queue could deliver to a
	// consumer at once (0–1); meaningful only with consumers.
	Utilisation float64 `json:"consumer_utilisation"`
	// PublishRate and DeliverRate (deliveries and gets) are msg/s averaged
	// over the window; ReadyGrowth and UnackedGrowth are how fast those
	// counts grew, in msg/s (negative when they shrink).
	PublishRate   float64 `json:"publish_rate"`
	DeliverRate   float64 `json:"deliver_rate"`
	ReadyGrowth   float64 `json:"ready_growth"`
	UnackedGrowth float64 `json:"unacked_growth"`
	// RatesKnown is false when the management API has not sampled the
	// queue long enough to give rates (a queue declared a moment ago).
	RatesKnown bool `json:"rates_known"`
}

// Connection is a client connection.
type Connection struct {
	Name  string `json:"name"`
	Vhost string `json:"vhost"`
	User  string `json:"user"`
	// State is running, flow (throttled by credit flow), blocking or
	// blocked (by a resource alarm), or closing.
	State string `json:"state"`
	// Heartbeat is the negotiated heartbeat timeout in seconds; 0 turns
	// heartbeats off.
	Heartbeat int    `json:"timeout"`
	PeerHost  string `json:"peer_host,omitempty"`
}

// Channel is a channel on a connection.
type Channel struct {
	Name  string `json:"name"`
	Vhost string `json:"vhost"`
	// Prefetch is the per-consumer prefetch (basic.qos global=false),
	// GlobalPrefetch the channel-wide one; 0 is no limit.
	Prefetch       int `json:"prefetch_count"`
	GlobalPrefetch int `json:"global_prefetch_count"`
	Consumers      int `json:"consumer_count"`
	Unacked        int `json:"messages_unacknowledged"`
}

// Topology returns the snapshot's topology, for the rules that follow
// bindings and policies.
func (s *Snapshot) Topology() *Topology {
	t := &Topology{Exchanges: s.Exchanges, Bindings: s.Bindings, Policies: s.Policies}
	t.Queues = make([]QueueDef, len(s.Queues))
	for i, q := range s.Queues {
		t.Queues[i] = q.QueueDef
	}
	return t
}
