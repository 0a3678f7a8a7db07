package results

import (
	"encoding/json"
	"io"
	"time"

	"github.com/warrenmq/warren/scenarios"
)

// ResultSchema names the format of result.json; it changes when a field
// changes meaning.
const ResultSchema = "warren.result/v1"

// Names of the latency metrics, used as keys of Result.Latency and
// Result.Histograms and as tags in latency.hlog.
const (
	// MetricEndToEnd is publish-to-delivery latency measured from the time
	// the pacer's schedule intended the message to be sent: the honest
	// figure at a fixed rate, free of coordinated omission.
	MetricEndToEnd = "end_to_end"
	// MetricEndToEndActual is the same latency from the moment the message
	// was actually handed to the client library.
	MetricEndToEndActual = "end_to_end_actual"
	// MetricConfirm is the time from the actual send to the broker's confirm.
	MetricConfirm = "confirm"
	// MetricSendDelay is how late the publisher was: actual minus intended
	// send time.
	MetricSendDelay = "send_delay"
)

// Metrics lists the latency metrics in the order reports show them.
func Metrics() []string {
	return []string{MetricEndToEnd, MetricEndToEndActual, MetricConfirm, MetricSendDelay}
}

// Result is what a run measured: the scenario as run, where, and the figures.
// It is the content of result.json.
type Result struct {
	Schema      string              `json:"schema"`
	ID          string              `json:"id"`
	Scenario    *scenarios.Scenario `json:"scenario"`
	Environment Environment         `json:"environment"`
	StartedAt   time.Time           `json:"started_at"`
	EndedAt     time.Time           `json:"ended_at"`
	// Duration is how long publishing ran (the drain comes on top).
	Duration scenarios.Duration `json:"duration"`
	Summary  Summary            `json:"summary"`
	// Latency summarises each metric over the whole run (warm-up excluded).
	Latency map[string]LatencySummary `json:"latency"`
	// Series has one entry per second of the run.
	Series []Second `json:"series"`
	// Histograms holds each metric's whole-run histogram (values in µs,
	// warm-up excluded) in HdrHistogram's compressed encoding (base64), so a
	// report can redraw its percentiles.
	Histograms map[string]string `json:"histograms"`
	Integrity  Integrity         `json:"integrity"`
	// Broker is the broker's own view, sampled once a second.
	Broker BrokerView `json:"broker"`
	// Generator is what the run cost warren itself.
	Generator Generator `json:"generator"`
	Events    []Event   `json:"events,omitempty"`
	// Outages are the times a connection was down.
	Outages []Outage `json:"outages,omitempty"`
	// Consumers counts what each consumer took: how evenly the consumers
	// of a queue shared its messages (a large prefetch lets the first to
	// ask take more than their share).
	Consumers []ConsumerDeliveries `json:"consumers,omitempty"`
	Warnings  []string             `json:"warnings,omitempty"`
	// Verdicts judge the run by its thresholds (Evaluate): the default
	// integrity threshold and the scenario's own, which include those
	// given on the command line. Absent in results written before
	// thresholds existed.
	Verdicts []Verdict `json:"verdicts,omitempty"`
	// Incomplete is set on a result rebuilt from a run that was killed
	// ("stopped at 06:41:12 after 6h52m0s"); empty for a finished run.
	Incomplete string `json:"incomplete,omitempty"`
	// Accounting is the raw accounting behind Integrity, written beside the
	// result as accounting.json so that instances of a shared run can be
	// merged; nil for a result read back from disk.
	Accounting *Accounting `json:"-"`
}

// ConsumerDeliveries counts the deliveries one consumer took over the run,
// the drain included: redeliveries, rejected messages and messages of
// other runs too, as each was work handed to it.
type ConsumerDeliveries struct {
	// Tag is the consumer tag, unique to the instance and the consumer.
	Tag       string `json:"tag"`
	Group     string `json:"group"`
	Queue     string `json:"queue"`
	Delivered int64  `json:"delivered"`
}

// Environment says what produced the result.
type Environment struct {
	WarrenVersion string `json:"warren_version"`
	GoVersion     string `json:"go_version"`
	OS            string `json:"os"`
	Arch          string `json:"arch"`
	CPUs          int    `json:"cpus"`
	InstanceID    string `json:"instance_id"`
	// BrokerURI is the URI the run used, password masked.
	BrokerURI     string `json:"broker_uri"`
	BrokerProduct string `json:"broker_product,omitempty"`
	BrokerVersion string `json:"broker_version,omitempty"`
	BrokerNode    string `json:"broker_node,omitempty"`
}

// Summary holds the run's totals and rates.
type Summary struct {
	// TargetRate is the total publish rate the scenario asked for (msg/s);
	// 0 when every publisher ran unlimited.
	TargetRate float64 `json:"target_rate"`
	Published  int64   `json:"published"`
	Confirmed  int64   `json:"confirmed"`
	Nacked     int64   `json:"nacked"`
	Returned   int64   `json:"returned"`
	// Republished counts sends made again after a lost channel
	// (republish_unconfirmed); Published counts each message once.
	Republished int64 `json:"republished,omitempty"`
	Consumed    int64 `json:"consumed"`
	// Unsent counts messages the rate schedule had due before publishing
	// ended that were never sent: the publishers fell behind (a block, an
	// outage, a full confirm window) and the run ended first. Each enters
	// the end-to-end latency from the intended send as a lower bound: the
	// end of publishing minus its intended send time.
	Unsent int64 `json:"unsent,omitempty"`
	// Rates are over the publishing period, in msg/s.
	PublishRate float64 `json:"publish_rate"`
	ConfirmRate float64 `json:"confirm_rate"`
	ConsumeRate float64 `json:"consume_rate"`
	// BytesPublished counts message bodies.
	BytesPublished int64 `json:"bytes_published"`
}

// LatencySummary gives a latency metric's percentiles in microseconds.
type LatencySummary struct {
	Count int64   `json:"count"`
	Min   int64   `json:"min_us"`
	Mean  float64 `json:"mean_us"`
	P50   int64   `json:"p50_us"`
	P90   int64   `json:"p90_us"`
	P99   int64   `json:"p99_us"`
	P999  int64   `json:"p99_9_us"`
	P9999 int64   `json:"p99_99_us"`
	Max   int64   `json:"max_us"`
}

// Second is one second of the run.
type Second struct {
	// T is the second's end, in seconds since the run started.
	T         int   `json:"t"`
	Published int64 `json:"published"`
	Confirmed int64 `json:"confirmed"`
	Consumed  int64 `json:"consumed"`
	// End-to-end latency (from the intended send) in this second, µs.
	EndToEndP50 int64 `json:"e2e_p50_us"`
	EndToEndP99 int64 `json:"e2e_p99_us"`
	EndToEndMax int64 `json:"e2e_max_us"`
}

// Integrity is the message accounting: every message published with a
// confirm is expected at every queue its routing key reaches.
type Integrity struct {
	// Expected counts confirmed copies: a message routed to three queues
	// counts three times.
	Expected int64 `json:"expected"`
	Received int64 `json:"received"`
	Lost     int64 `json:"lost"`
	// Unconsumed counts expected copies still in their queue when the run
	// ended: consumers were too slow for the drain time. They are late,
	// not lost.
	Unconsumed int64 `json:"unconsumed"`
	// Unknown counts expected copies neither received nor seen to be
	// gone: at the end the broker could not be asked whether their queue
	// still held them (it was down or unreachable). They are not lost, and
	// not unconsumed; QueueIntegrity.UnknownWhy says why.
	Unknown     int64 `json:"unknown,omitempty"`
	Duplicated  int64 `json:"duplicated"`
	Reordered   int64 `json:"reordered"`
	Redelivered int64 `json:"redelivered"`
	// Unconfirmed counts messages sent whose confirm never came.
	Unconfirmed int64 `json:"unconfirmed"`
	// Republished counts messages sent again after their channel went
	// without confirming them (republish_unconfirmed). Each may have
	// reached its queues the first time too, so up to that many
	// duplicates are the at-least-once promise kept, not a fault.
	Republished int64 `json:"republished,omitempty"`
	// DeadLettered counts copies that reached a dead-letter queue although
	// no publisher's routing sent them there; they are not lost.
	DeadLettered int64 `json:"dead_lettered"`
	// Rejected counts deliveries the scenario's consumers rejected or
	// nacked without requeue.
	Rejected int64 `json:"rejected"`
	// Foreign counts deliveries that carried no warren stamp of this run.
	Foreign int64 `json:"foreign"`
	// Partial is set on one instance of a shared run: its consumers may
	// have taken messages that other instances published and confirmed,
	// and the other way round, so its counts do not balance on their own.
	// The merged result of all the instances ('warren merge') has the
	// verdict.
	Partial bool `json:"partial,omitempty"`
	// Queues breaks the counts down per queue.
	Queues []QueueIntegrity `json:"queues,omitempty"`
}

// QueueIntegrity is the accounting of one queue.
type QueueIntegrity struct {
	Queue      string `json:"queue"`
	Expected   int64  `json:"expected"`
	Received   int64  `json:"received"`
	Lost       int64  `json:"lost"`
	Unconsumed int64  `json:"unconsumed"`
	// Unknown counts the copies whose fate nobody saw, and UnknownWhy
	// says why the broker could not be asked about the queue.
	Unknown    int64  `json:"unknown,omitempty"`
	UnknownWhy string `json:"unknown_why,omitempty"`
	// Gone is set when the queue no longer existed at the end: it was
	// deleted during the run.
	Gone       bool  `json:"gone,omitempty"`
	Duplicated int64 `json:"duplicated"`
	Reordered  int64 `json:"reordered"`
}

// Kinds of events.
const (
	EventBlocked      = "blocked"      // the broker blocked a publishing connection (an alarm)
	EventUnblocked    = "unblocked"    // and lifted the block
	EventDisconnected = "disconnected" // a connection was lost
	EventReconnected  = "reconnected"  // and came back
	EventError        = "error"        // something failed that the run survived
	EventCancelled    = "cancelled"    // the broker cancelled a consumer
	EventFlow         = "flow"         // the broker put a connection into flow control
	EventFlowEnded    = "flow_ended"   // and let it go
)

// Event is something that happened at a point in the run (a blocked
// connection, a closed channel).
type Event struct {
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"`
	Message string    `json:"message"`
}

// WriteJSON writes the result as indented JSON.
func (r *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteFile writes the result to path atomically: a reader sees the old file
// or the whole new one, never half of it.
func (r *Result) WriteFile(path string) error { return WriteJSONFile(path, r) }

// ReadResult reads a result.json.
func ReadResult(path string) (*Result, error) {
	var r Result
	if err := readJSONFile(path, "result", ResultSchema, &r, &r.Schema); err != nil {
		return nil, err
	}
	return &r, nil
}
