package loadgen

import (
	"io"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/warrenmq/warren/results"
)

// Option configures a Run.
type Option func(*config)

type config struct {
	uri        string
	mgmtURI    string
	version    string
	instanceID string
	runName    string
	startAt    time.Time
	progress   func(Progress)
	hlog       io.Writer
	metrics    prometheus.Registerer
	stopNow    <-chan struct{}
	started    func(results.StartInfo) error
	series     io.Writer
}

// WithURI sets the broker URI (it overrides the scenario's).
func WithURI(uri string) Option { return func(c *config) { c.uri = uri } }

// WithManagementURI sets the management API URI used to sample the broker.
func WithManagementURI(uri string) Option { return func(c *config) { c.mgmtURI = uri } }

// WithVersion records the version of the program that runs the load in the
// result and in the connections' client properties.
func WithVersion(v string) Option { return func(c *config) { c.version = v } }

// WithInstanceID names this generator instance; results of several instances
// can be merged because every message stamp carries it. The default is the
// host name and process id.
func WithInstanceID(id string) Option { return func(c *config) { c.instanceID = id } }

// WithRunID makes the run part of a shared run named name: every instance
// started with the same name stamps its messages with the same run id, so
// each accepts the others' messages as its own (instead of counting them as
// foreign) and 'warren merge' can reconcile them. Each instance's own
// integrity figures are then partial, since its messages may be consumed by
// another instance; the merged result is the one to read. A shared run's
// drain ends when its queues are empty and deliveries have stopped, since no
// instance knows what the others had confirmed.
func WithRunID(name string) Option { return func(c *config) { c.runName = name } }

// WithStartAt holds publishing until t (after every consumer has attached),
// so that instances on several machines begin together. A t in the past
// starts at once, with a warning when it is more than a second late.
func WithStartAt(t time.Time) Option { return func(c *config) { c.startAt = t } }

// WithProgress calls f once a second with the figures so far. f runs on the
// collector goroutine and must return quickly.
func WithProgress(f func(Progress)) Option { return func(c *config) { c.progress = f } }

// WithHlog streams each second's latency histograms to w in HdrHistogram's
// interval log format, one tag per metric.
func WithHlog(w io.Writer) Option { return func(c *config) { c.hlog = w } }

// WithStopNow ends the wait for confirms and the drain as soon as stop is
// closed (a second Ctrl-C): the result then holds what was measured so far.
func WithStopNow(stop <-chan struct{}) Option { return func(c *config) { c.stopNow = stop } }

// Progress is a once-a-second view of a running load.
type Progress struct {
	Elapsed   time.Duration
	Total     time.Duration // planned publishing time; 0 when bounded by count only
	Draining  bool
	Published int64
	Confirmed int64
	Consumed  int64
	// Rates over the last second, msg/s.
	PublishRate float64
	ConsumeRate float64
	// P99 of end-to-end latency (from the intended send) so far.
	P99 time.Duration
}
