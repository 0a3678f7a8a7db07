package loadgen

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warrenmq/warren/results"
)

func TestRecorderMetricNames(t *testing.T) {
	want := results.Metrics()
	if len(want) != int(numMetrics) {
		t.Fatalf("result.go lists %d metrics, recorder.go %d", len(want), numMetrics)
	}
	for m := Metric(0); m < numMetrics; m++ {
		if m.Name() != want[m] {
			t.Errorf("Metric(%d).Name() = %q, want %q", m, m.Name(), want[m])
		}
	}
	if got := numMetrics.Name(); got != "metric4" {
		t.Errorf("unknown metric named %q", got)
	}
	seen := map[string]bool{}
	for c := Counter(0); c < numCounters; c++ {
		name := c.Name()
		if seen[name] || strings.HasPrefix(name, "counter") {
			t.Errorf("Counter(%d) has name %q: missing or repeated", c, name)
		}
		seen[name] = true
	}
}

func TestRecorderRecordAndSwap(t *testing.T) {
	r := NewRecorder()
	for i := 1; i <= 100; i++ {
		r.Record(MetricIDConfirm, time.Duration(i)*time.Millisecond)
	}
	r.Record(MetricIDSendDelay, 1500*time.Nanosecond) // truncated to 1 µs
	r.Add(CounterPublished, 100)
	r.Add(CounterBytesPublished, 100*1024)
	r.Add(CounterConfirmed, 99)
	r.Add(CounterConfirmed, 1)

	iv := NewInterval()
	r.Swap(iv)
	h := iv.Histograms[MetricIDConfirm]
	if h.TotalCount() != 100 {
		t.Fatalf("confirm count %d, want 100", h.TotalCount())
	}
	if p50 := h.ValueAtQuantile(50); !h.ValuesAreEquivalent(p50, 50_000) {
		t.Errorf("confirm p50 = %d µs, want 50000", p50)
	}
	if max := h.Max(); !h.ValuesAreEquivalent(max, 100_000) {
		t.Errorf("confirm max = %d µs, want 100000", max)
	}
	if sd := iv.Histograms[MetricIDSendDelay]; sd.TotalCount() != 1 || sd.Max() != 1 {
		t.Errorf("send delay: count %d max %d, want 1 value of 1 µs", sd.TotalCount(), sd.Max())
	}
	if n := iv.Histograms[MetricIDEndToEnd].TotalCount(); n != 0 {
		t.Errorf("end-to-end count %d, want 0", n)
	}
	want := [numCounters]int64{CounterPublished: 100, CounterBytesPublished: 102400, CounterConfirmed: 100}
	if iv.Counters != want {
		t.Errorf("counters %v, want %v", iv.Counters, want)
	}

	// Swap emptied the recorder: a second Swap adds nothing.
	r.Swap(iv)
	if h.TotalCount() != 100 || iv.Counters != want {
		t.Errorf("second Swap added data: count %d, counters %v", h.TotalCount(), iv.Counters)
	}
	// And the recorder records again after a Swap.
	r.Record(MetricIDConfirm, time.Millisecond)
	r.Swap(iv)
	if h.TotalCount() != 101 {
		t.Errorf("count after recording again %d, want 101", h.TotalCount())
	}
}

func TestRecorderClamps(t *testing.T) {
	tests := []struct {
		name          string
		d             time.Duration
		want          int64 // µs recorded
		clamped, negs int64
	}{
		{"zero", 0, 0, 0, 0},
		{"sub-microsecond truncates", 999 * time.Nanosecond, 0, 0, 0},
		{"one microsecond", time.Microsecond, 1, 0, 0},
		{"an hour is in range", time.Hour, results.HistogramMax, 0, 0},
		{"above an hour", time.Hour + time.Microsecond, results.HistogramMax, 1, 0},
		{"far above", 1000 * time.Hour, results.HistogramMax, 1, 0},
		{"negative (clock skew)", -5 * time.Millisecond, 0, 0, 1},
		{"most negative", time.Duration(-1 << 63), 0, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRecorder()
			r.Record(MetricIDEndToEnd, tt.d)
			var iv Interval // the zero Interval works too
			r.Swap(&iv)
			h := iv.Histograms[MetricIDEndToEnd]
			if h.TotalCount() != 1 || !h.ValuesAreEquivalent(h.Max(), tt.want) {
				t.Errorf("recorded count %d max %d, want one value of %d", h.TotalCount(), h.Max(), tt.want)
			}
			if iv.Clamped[MetricIDEndToEnd] != tt.clamped || iv.Negative[MetricIDEndToEnd] != tt.negs {
				t.Errorf("clamped %d negative %d, want %d, %d", iv.Clamped[MetricIDEndToEnd], iv.Negative[MetricIDEndToEnd], tt.clamped, tt.negs)
			}
		})
	}
}

// A recorder allocates a histogram only for the metrics it records.
func TestRecorderLazyHistograms(t *testing.T) {
	r := NewRecorder()
	r.Record(MetricIDConfirm, time.Millisecond)
	for m, h := range r.cur.Histograms {
		if (h != nil) != (Metric(m) == MetricIDConfirm) {
			t.Errorf("histogram %s allocated: %v", Metric(m).Name(), h != nil)
		}
	}
	var iv Interval
	r.Swap(&iv)
	for m, h := range iv.Histograms {
		if (h != nil) != (Metric(m) == MetricIDConfirm) {
			t.Errorf("merged histogram %s allocated: %v", Metric(m).Name(), h != nil)
		}
	}
}

func TestRecorderIntervalMergeReset(t *testing.T) {
	a, b := NewInterval(), NewInterval()
	a.Histograms[MetricIDEndToEnd].RecordValue(10)
	b.Histograms[MetricIDEndToEnd].RecordValue(20)
	b.Histograms[MetricIDConfirm].RecordValue(30)
	a.Counters[CounterConsumed] = 1
	b.Counters[CounterConsumed] = 2
	b.Clamped[MetricIDConfirm] = 3
	b.Negative[MetricIDEndToEnd] = 4
	a.Merge(b)
	if n := a.Histograms[MetricIDEndToEnd].TotalCount(); n != 2 {
		t.Errorf("end-to-end count %d, want 2", n)
	}
	if n := a.Histograms[MetricIDConfirm].TotalCount(); n != 1 {
		t.Errorf("confirm count %d, want 1", n)
	}
	if a.Counters[CounterConsumed] != 3 || a.Clamped[MetricIDConfirm] != 3 || a.Negative[MetricIDEndToEnd] != 4 {
		t.Errorf("counts after merge: %v %v %v", a.Counters, a.Clamped, a.Negative)
	}
	if b.Histograms[MetricIDEndToEnd].TotalCount() != 1 || b.Counters[CounterConsumed] != 2 {
		t.Error("Merge changed its argument")
	}
	a.Histograms[MetricIDSendDelay].SetTag("stale")
	a.Reset()
	for m, h := range a.Histograms {
		if h == nil || h.TotalCount() != 0 || h.Tag() != "" {
			t.Errorf("histogram %d after Reset: %v", m, h)
		}
	}
	if a.Counters != ([numCounters]int64{}) || a.Clamped != ([numMetrics]int64{}) || a.Negative != ([numMetrics]int64{}) {
		t.Error("counts survive Reset")
	}
}

// Owners record while a collector swaps, under -race: nothing is lost or
// counted twice, and the merged histogram equals one recorded serially.
func TestRecorderConcurrentSwap(t *testing.T) {
	const (
		owners   = 8
		atLeast  = 20_000 // values per owner
		minSwaps = 5      // collector passes while the owners record
	)
	recs := make([]*Recorder, owners)
	for i := range recs {
		recs[i] = NewRecorder()
	}
	value := func(owner, i int) time.Duration {
		return time.Duration((owner*7919+i*31)%200_000) * time.Microsecond
	}

	total := NewInterval()
	interval := NewInterval()
	collect := func() {
		for _, r := range recs {
			r.Swap(interval)
		}
		total.Merge(interval)
		interval.Reset()
	}

	var swaps atomic.Int64
	done := make(chan struct{})
	collectorDone := make(chan struct{})
	go func() {
		defer close(collectorDone)
		for {
			select {
			case <-done:
				return
			default:
				collect()
				swaps.Add(1)
			}
		}
	}()
	// Owners keep recording until the collector has made several passes,
	// so that Swap certainly overlaps Record.
	var wg sync.WaitGroup
	counts := make([]int, owners)
	for o := range owners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := recs[o]
			i := 0
			for ; i < atLeast || swaps.Load() < minSwaps; i++ {
				r.Record(MetricIDEndToEnd, value(o, i))
				r.Add(CounterConsumed, 1)
				r.Add(CounterBytesConsumed, 3)
			}
			counts[o] = i
		}()
	}
	wg.Wait()
	close(done)
	<-collectorDone
	collect() // whatever came after the collector's last pass

	var want int64
	serial := results.NewLatencyHistogram()
	for o, n := range counts {
		want += int64(n)
		for i := range n {
			serial.RecordValue(int64(value(o, i) / time.Microsecond))
		}
	}
	if got := total.Histograms[MetricIDEndToEnd].TotalCount(); got != want {
		t.Fatalf("recorded %d values, want %d", got, want)
	}
	if c := total.Counters; c[CounterConsumed] != want || c[CounterBytesConsumed] != 3*want {
		t.Fatalf("counters %v, want consumed %d, bytes %d", c, want, 3*want)
	}
	if !serial.Equals(total.Histograms[MetricIDEndToEnd]) {
		t.Error("merged histogram differs from one recorded serially")
	}
	t.Logf("%d values, %d collector passes", want, swaps.Load())
}

func TestRecorderRecordDoesNotAllocate(t *testing.T) {
	r := NewRecorder()
	r.Record(MetricIDEndToEnd, time.Millisecond) // allocates the histogram
	iv := NewInterval()
	allocs := testing.AllocsPerRun(1000, func() {
		r.Record(MetricIDEndToEnd, 3*time.Millisecond)
		r.Record(MetricIDEndToEnd, 2*time.Hour) // clamped: must not allocate an error
		r.Record(MetricIDEndToEnd, -time.Second)
		r.Add(CounterConsumed, 1)
	})
	if allocs != 0 {
		t.Errorf("Record/Add allocate %v times per run", allocs)
	}
	allocs = testing.AllocsPerRun(10, func() {
		r.Record(MetricIDEndToEnd, time.Millisecond)
		r.Swap(iv)
	})
	if allocs != 0 {
		t.Errorf("Swap into an allocated Interval allocates %v times", allocs)
	}
}
