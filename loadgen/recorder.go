package loadgen

import (
	"strconv"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/warrenmq/warren/results"
)

// metricID names a latency that a recorder measures.
type metricID uint8

const (
	// metricEndToEnd is publish-to-delivery latency from the intended
	// send time (results.MetricEndToEnd).
	metricEndToEnd metricID = iota
	// metricEndToEndActual is publish-to-delivery latency from the actual
	// send (results.MetricEndToEndActual).
	metricEndToEndActual
	// metricConfirm is actual send to confirm (results.MetricConfirm).
	metricConfirm
	// metricSendDelay is actual minus intended send time (results.MetricSendDelay).
	metricSendDelay

	numMetrics
)

// Name returns the metric's name as used in result.json and latency.hlog.
func (m metricID) Name() string {
	switch m {
	case metricEndToEnd:
		return results.MetricEndToEnd
	case metricEndToEndActual:
		return results.MetricEndToEndActual
	case metricConfirm:
		return results.MetricConfirm
	case metricSendDelay:
		return results.MetricSendDelay
	}
	return "metric" + strconv.Itoa(int(m))
}

// counterID names a per-interval count that a recorder keeps.
type counterID uint8

const (
	// counterPublished counts messages handed to the client library.
	counterPublished counterID = iota
	// counterConfirmed counts positive publisher confirms (basic.ack).
	counterConfirmed
	// counterNacked counts negative confirms (basic.nack).
	counterNacked
	// counterReturned counts mandatory messages the broker returned
	// unroutable (basic.return).
	counterReturned
	// counterBytesPublished counts body bytes published.
	counterBytesPublished
	// counterConsumed counts deliveries, redeliveries included.
	counterConsumed
	// counterRedelivered counts deliveries with the redelivered flag.
	counterRedelivered
	// counterRejected counts deliveries the consumer nacked or rejected.
	counterRejected
	// counterForeign counts deliveries without a stamp of this run.
	counterForeign
	// counterBytesConsumed counts body bytes delivered.
	counterBytesConsumed
	// counterRepublished counts messages sent again on a new channel after
	// their first channel went without confirming them.
	counterRepublished

	numCounters
)

// Name returns a short name for the counter, for logs and tests.
func (c counterID) Name() string {
	switch c {
	case counterPublished:
		return "published"
	case counterConfirmed:
		return "confirmed"
	case counterNacked:
		return "nacked"
	case counterReturned:
		return "returned"
	case counterBytesPublished:
		return "bytes_published"
	case counterConsumed:
		return "consumed"
	case counterRedelivered:
		return "redelivered"
	case counterRejected:
		return "rejected"
	case counterForeign:
		return "foreign"
	case counterBytesConsumed:
		return "bytes_consumed"
	case counterRepublished:
		return "republished"
	}
	return "counter" + strconv.Itoa(int(c))
}

// interval holds what was recorded during a period: one histogram per metric
// and the counters. It has no lock; a collector owns it.
type interval struct {
	// Histograms holds values in µs. In an interval from newInterval none is
	// nil; in the zero interval they are allocated on first Merge.
	Histograms [numMetrics]*hdrhistogram.Histogram
	Counters   [numCounters]int64
	// Clamped counts values above results.HistogramMax, recorded as that.
	Clamped [numMetrics]int64
	// Negative counts negative durations, recorded as 0: a consumer's clock
	// behind the publisher's (another host), or a clock step.
	Negative [numMetrics]int64
}

// newInterval returns an empty interval with every histogram allocated.
func newInterval() *interval {
	iv := &interval{}
	for m := range iv.Histograms {
		iv.Histograms[m] = results.NewLatencyHistogram()
	}
	return iv
}

// Reset empties the interval, keeping its histograms' memory.
func (iv *interval) Reset() {
	for _, h := range iv.Histograms {
		switch {
		case h == nil:
		case h.TotalCount() == 0:
			// Its counts are all zero already: skip clearing ~190 KB, which
			// a recorder would otherwise do for every unused metric while its
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
func (iv *interval) Merge(other *interval) {
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

// recorder collects one goroutine's latencies and counts. The goroutine that
// owns it calls Record and Add; a collector calls Swap once an interval.
//
// A mutex guards the data: the owner takes it once per Record or Add, where
// it is uncontended except during a Swap (about 15 ns for Record). A double
// buffer would spare the owner the wait during Swap (about 0.1 ms per metric
// with values, once an interval), but would double the memory, and each
// histogram is already ~190 KB, times the number of goroutines.
type recorder struct {
	mu  sync.Mutex
	cur interval // histograms allocated on first use of each metric
}

// newRecorder returns an empty recorder. It allocates a metric's histogram
// the first time that metric is recorded, so a publisher pays only for the
// metrics it records.
func newRecorder() *recorder {
	return &recorder{}
}

// Record adds one latency for metric, in whole microseconds (truncated).
// A negative d is recorded as 0 and counted in interval.Negative; one above
// results.HistogramMax as that, counted in interval.Clamped. It never fails
// and does not allocate once the metric's histogram exists.
func (r *recorder) Record(metric metricID, d time.Duration) {
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
func (r *recorder) Add(counter counterID, n int64) {
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
// A collector, each interval: Swap every recorder into one scratch interval,
// merge that into the run's totals, write it out, Reset it.
func (r *recorder) Swap(into *interval) {
	r.mu.Lock()
	into.Merge(&r.cur)
	r.cur.Reset()
	r.mu.Unlock()
}
