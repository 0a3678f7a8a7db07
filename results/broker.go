package results

import "time"

// Sources of the broker-side samples.
const (
	SourceManagement = "management"      // management API plus passive declares
	SourcePassive    = "passive-declare" // ready count and consumers only
)

// BrokerView is what the broker said about itself during the run.
type BrokerView struct {
	Source        string         `json:"source"`
	ManagementURI string         `json:"management_uri,omitempty"`
	Samples       []BrokerSample `json:"samples,omitempty"`
}

// BrokerSample is one second's look at the broker.
type BrokerSample struct {
	T      int           `json:"t"`
	Queues []QueueSample `json:"queues"`
	// Node figures come from the management API; zero without it.
	MemoryUsed  int64 `json:"memory_used,omitempty"`
	MemoryLimit int64 `json:"memory_limit,omitempty"`
	MemoryAlarm bool  `json:"memory_alarm,omitempty"`
	DiskAlarm   bool  `json:"disk_alarm,omitempty"`
	FDUsed      int   `json:"fd_used,omitempty"`
	// FlowConnections counts this run's connections in flow control.
	FlowConnections int `json:"flow_connections,omitempty"`
	Sockets         int `json:"sockets_used,omitempty"`
}

// QueueSample is one queue at one second. Ready and Consumers come from a
// passive queue.declare and are exact at the moment of the sample; the rest
// come from the management API, whose statistics the broker refreshes only
// every few seconds (collect_statistics_interval, 5 s by default).
type QueueSample struct {
	Queue     string `json:"queue"`
	Ready     int64  `json:"ready"`
	Consumers int    `json:"consumers"`
	Unacked   int64  `json:"unacked,omitempty"`
	// LagSeconds is the backlog divided by the rate warren's consumers took
	// from this queue in the last second: how long a new message waits.
	LagSeconds  float64 `json:"lag_s,omitempty"`
	Utilisation float64 `json:"consumer_utilisation,omitempty"`
	Memory      int64   `json:"memory,omitempty"`
	PublishRate float64 `json:"publish_rate,omitempty"`
	DeliverRate float64 `json:"deliver_rate,omitempty"`
}

// Outage is a time a connection was down.
type Outage struct {
	Link  string    `json:"link"`
	Start time.Time `json:"start"`
	// End is zero when the connection never came back before the run ended.
	End   time.Time `json:"end,omitzero"`
	Cause string    `json:"cause"`
}
