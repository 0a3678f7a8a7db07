package loadgen

import (
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/prometheus/client_golang/prometheus"
)

// WithMetrics registers the run's live figures with reg while it runs, for
// a Prometheus endpoint: counters of messages, latency histograms (buckets,
// so that several instances aggregate in Prometheus) and queue depth. The
// figures are read from the once-a-second merge, so a scrape costs the
// publishers and consumers nothing.
func WithMetrics(reg prometheus.Registerer) Option { return func(c *config) { c.metrics = reg } }

// latencyBuckets are the Prometheus buckets, in seconds, from 100 µs to a
// minute.
func latencyBuckets() []float64 {
	return []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}
}

// promCollector exposes a run's figures. Labels carry the scenario and the
// instance, never a URI (it could carry a password).
type promCollector struct {
	r        *runner
	col      *collector
	mon      *monitor
	counters map[counterID]*prometheus.Desc
	latency  *prometheus.Desc
	ready    *prometheus.Desc
	lag      *prometheus.Desc
}

func newPromCollector(r *runner, col *collector, mon *monitor) *promCollector {
	labels := prometheus.Labels{"scenario": r.s.Name, "instance": r.instanceID}
	counter := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("warren_"+name+"_total", help, nil, labels)
	}
	return &promCollector{
		r: r, col: col, mon: mon,
		counters: map[counterID]*prometheus.Desc{
			counterPublished:   counter("messages_published", "Messages published."),
			counterConfirmed:   counter("messages_confirmed", "Messages confirmed by the broker."),
			counterNacked:      counter("messages_nacked", "Messages nacked by the broker."),
			counterReturned:    counter("messages_returned", "Messages returned as unroutable."),
			counterRepublished: counter("messages_republished", "Messages sent again after their channel went without confirming them."),
			counterConsumed:    counter("messages_consumed", "Messages consumed."),
			counterRejected:    counter("messages_rejected", "Deliveries rejected or nacked by the consumers."),
		},
		latency: prometheus.NewDesc("warren_latency_seconds", "Latency by metric: end_to_end (from the intended send), end_to_end_actual, confirm, send_delay.", []string{"metric"}, labels),
		ready:   prometheus.NewDesc("warren_queue_ready_messages", "Messages ready in the queue at the last sample.", []string{"queue"}, labels),
		lag:     prometheus.NewDesc("warren_queue_lag_seconds", "Backlog divided by the consume rate at the last sample.", []string{"queue"}, labels),
	}
}

func (p *promCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range p.counters {
		ch <- d
	}
	ch <- p.latency
	ch <- p.ready
	ch <- p.lag
}

func (p *promCollector) Collect(ch chan<- prometheus.Metric) {
	counters, hists := p.col.snapshot()
	for c, d := range p.counters {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(counters[c]))
	}
	for m := metricID(0); m < numMetrics; m++ {
		h := hists[m]
		if h == nil || h.TotalCount() == 0 {
			continue
		}
		count, sum, buckets := promBuckets(h)
		ch <- prometheus.MustNewConstHistogram(p.latency, count, sum, buckets, m.Name())
	}
	if s, ok := p.mon.latest(); ok {
		for _, q := range s.Queues {
			ch <- prometheus.MustNewConstMetric(p.ready, prometheus.GaugeValue, float64(q.Ready), q.Queue)
			ch <- prometheus.MustNewConstMetric(p.lag, prometheus.GaugeValue, q.LagSeconds, q.Queue)
		}
	}
}

// promBuckets turns an HdrHistogram in µs into cumulative Prometheus bucket
// counts in seconds.
func promBuckets(h *hdrhistogram.Histogram) (count uint64, sum float64, buckets map[float64]uint64) {
	bounds := latencyBuckets()
	buckets = make(map[float64]uint64, len(bounds))
	for _, bar := range h.Distribution() {
		if bar.Count == 0 {
			continue
		}
		// The bar's upper edge: a value is never put in a bucket below it.
		v := float64(bar.To) * float64(time.Microsecond) / float64(time.Second)
		sum += v * float64(bar.Count)
		for _, b := range bounds {
			if v <= b {
				buckets[b] += uint64(bar.Count)
			}
		}
	}
	return uint64(h.TotalCount()), sum, buckets
}
