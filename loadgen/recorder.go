package loadgen

import (
	"strconv"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/warrenmq/warren/results"
)

// Metric names a latency that a Recorder measures.
type Metric uint8

const (
	// MetricIDEndToEnd is publish-to-delivery latency from the intended
	// send time (MetricEndToEnd).
	MetricIDEndToEnd Metric = iota
	// MetricIDEndToEndActual is publish-to-delivery latency from the actual
	// send (MetricEndToEndActual).
	MetricIDEndToEndActual
	// MetricIDConfirm is actual send to confirm (MetricConfirm).
	MetricIDConfirm
	// MetricIDSendDelay is actual minus intended send time (MetricSendDelay).
	MetricIDSendDelay

	numMetrics
)

// Name returns the metric's name as used in result.json and latency.hlog.
func (m Metric) Name() string {
	switch m {
	case MetricIDEndToEnd:
		return results.MetricEndToEnd
	case MetricIDEndToEndActual:
		return results.MetricEndToEndActual
	case MetricIDConfirm:
		return results.MetricConfirm
	case MetricIDSendDelay:
		return results.MetricSendDelay
	}
	return "metric" + strconv.Itoa(int(m))
}

// Counter names a per-interval count that a Recorder keeps.
type Counter uint8

const (
	// CounterPublished counts messages handed to the client library.
	CounterPublished Counter = iota
	// CounterConfirmed counts positive publisher confirms (basic.ack).
	CounterConfirmed
	// CounterNacked counts negative confirms (basic.nack).
	CounterNacked
	// CounterReturned counts mandatory messages the broker returned
	// unroutable (basic.return).
	CounterReturned
	// CounterBytesPublished counts body bytes published.
	CounterBytesPublished
	// CounterConsumed counts deliveries, redeliveries included.
	CounterConsumed
	// CounterRedelivered counts deliveries with the redelivered flag.
	CounterRedelivered
	// CounterRejected counts deliveries the consumer nacked or rejected.
	CounterRejected
	// CounterForeign counts deliveries without a stamp of this run.
	CounterForeign
	// CounterBytesConsumed counts body bytes delivered.
	CounterBytesConsumed
	// CounterRepublished counts messages sent again on a new channel after
	// their first channel went without confirming them.
	CounterRepublished

	numCounters
)

// Name returns a short name for the counter, for logs and tests.
func (c Counter) Name() string {
	switch c {
	case CounterPublished:
		return "published"
	case CounterConfirmed:
		return "confirmed"
	case CounterNacked:
		return "nacked"
	case CounterReturned:
		return "returned"
	case CounterBytesPublished:
		return "bytes_published"
	case CounterConsumed:
		return "consumed"
	case CounterRedelivered:
		return "redelivered"
	case CounterRejected:
		return "rejected"
	case CounterForeign:
		return "foreign"
	case CounterBytesConsumed:
		return "bytes_consumed"
	case CounterRepublished:
		return "republished"
	}
	return "counter" + strconv.Itoa(int(c))
}

// Interval holds what was recorded during a period: one histogram per metric
// and the counters. It has no lock; a collector owns it.
type Interval struct {
	// Histograms holds values in µs. In an Interval from NewInterval none is
	// nil; in the zero Interval they are allocated on first Merge.
	Histograms [numMetrics]*hdrhistogram.Histogram
	Counters   [numCounters]int64
	// Clamped counts values above HistogramMax, recorded as HistogramMax.
	Clamped [numMetrics]int64
	// Negative counts negative durations, recorded as 0: a consumer's clock
	// behind the publisher's (another host), or a clock step.
	Negative [numMetrics]int64
}

// NewInterval returns an empty Interval with every histogram allocated.
func NewInterval() *Interval {
	iv := &Interval{}
	for m := range iv.Histograms {
		iv.Histograms[m] = results.NewLatencyHistogram()
	}
	return iv
}

// Reset empties the interval, keeping its histograms' memory.
func (iv *Interval) Reset() {
	for _, h := range iv.Histograms {
		switch {
		case h == nil:
		case h.TotalCount() == 0:
			// Its counts are all zero already: skip clearing ~190 KB, which
			// a Recorder would otherwise do for every unused metric while its
			// owner waits.
			h.SetTag("")
			h.SetStartTimeMs(0)
			h.SetEndTimeMs(0)
		default:
			h.Reset()
		}
	}
	iv.Counters = [numCounters]int64{}
	iv.Clamped = [numMetrics]int64{}
	iv.Negative = [numMetrics]int64{}
}

// Merge adds other's histograms and counters into iv. other is unchanged.
func (iv *Interval) Merge(other *Interval) {
	for m, h := range other.Histograms {
		// An empty histogram is skipped: merging walks every bucket, and most
		// goroutines record only some of the metrics.
		if h == nil || h.TotalCount() == 0 {
			continue
		}
		if iv.Histograms[m] == nil {
			iv.Histograms[m] = results.NewLatencyHistogram()
		}
		// Same geometry on both sides, so nothing can be dropped.
		iv.Histograms[m].Merge(h)
	}
	for c, n := range other.Counters {
		iv.Counters[c] += n
	}
	for m := range other.Clamped {
		iv.Clamped[m] += other.Clamped[m]
		iv.Negative[m] += other.Negative[m]
	}
}

// Recorder collects one goroutine's latencies and counts. The goroutine that
// owns it calls Record and Add; a collector calls Swap once an interval.
//
// A mutex guards the data: the owner takes it once per Record or Add, where
// it is uncontended except during a Swap (about 15 ns for Record). A double
// buffer would spare the owner the wait during Swap (about 0.1 ms per metric
// with values, once an interval), but would double the memory, and each
// histogram is already ~190 KB, times the number of goroutines.
type Recorder struct {
	mu  sync.Mutex
	cur Interval // histograms allocated on first use of each metric
}

// NewRecorder returns an empty Recorder. It allocates a metric's histogram
// the first time that metric is recorded, so a publisher pays only for the
// metrics it records.
func NewRecorder() *Recorder {
	return &Recorder{}
}

// Record adds one latency for metric, in whole microseconds (truncated).
// A negative d is recorded as 0 and counted in Interval.Negative; one above
// HistogramMax as HistogramMax, counted in Interval.Clamped. It never fails
// and does not allocate once the metric's histogram exists.
func (r *Recorder) Record(metric Metric, d time.Duration) {
	v := int64(d / results.HistogramUnit)
	r.mu.Lock()
	h := r.cur.Histograms[metric]
	if h == nil {
		h = results.NewLatencyHistogram()
		r.cur.Histograms[metric] = h
	}
	switch {
	case v < 0:
		v = 0
		r.cur.Negative[metric]++
	case v > results.HistogramMax:
		v = results.HistogramMax
		r.cur.Clamped[metric]++
	}
	// In range after the clamp, so RecordValue cannot fail (and never
	// reaches its fmt.Errorf, which would allocate).
	_ = h.RecordValue(v)
	r.mu.Unlock()
}

// Add adds n to a counter.
func (r *Recorder) Add(counter Counter, n int64) {
	r.mu.Lock()
	r.cur.Counters[counter] += n
	r.mu.Unlock()
}

// Swap adds everything recorded since the previous Swap into `into` and
// empties the recorder. It is safe to call concurrently with Record and Add
// (and with other Swaps); into must not be used by anyone else meanwhile.
// The owner's Record waits while Swap merges: about 0.1 ms for each metric
// that has values (a merge walks the histogram's buckets), nothing for the
// others.
//
// A collector, each interval: Swap every recorder into one scratch Interval,
// merge that into the run's totals, write it out, Reset it.
func (r *Recorder) Swap(into *Interval) {
	r.mu.Lock()
	into.Merge(&r.cur)
	r.cur.Reset()
	r.mu.Unlock()
}
