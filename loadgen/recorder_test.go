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
	for m := metricID(0); m < numMetrics; m++ {
		if m.Name() != want[m] {
			t.Errorf("metricID(%d).Name() = %q, want %q", m, m.Name(), want[m])
		}
	}
	if got := numMetrics.Name(); got != "metric4" {
		t.Errorf("unknown metric named %q", got)
	}
	seen := map[string]bool{}
	for c := counterID(0); c < numCounters; c++ {
		name := c.Name()
		if seen[name] || strings.HasPrefix(name, "counter") {
			t.Errorf("counterID(%d) has name %q: missing or repeated", c, name)
		}
		seen[name] = true
	}
}

func TestRecorderRecordAndSwap(t *testing.T) {
	r := newRecorder()
	for i := 1; i <= 100; i++ {
		r.Record(metricConfirm, time.Duration(i)*time.Millisecond)
	}
	r.Record(metricSendDelay, 1500*time.Nanosecond) // truncated to 1 µs
	r.Add(counterPublished, 100)
	r.Add(counterBytesPublished, 100*1024)
	r.Add(counterConfirmed, 99)
	r.Add(counterConfirmed, 1)

	iv := newInterval()
	r.Swap(iv)
	h := iv.Histograms[metricConfirm]
	if h.TotalCount() != 100 {
		t.Fatalf("confirm count %d, want 100", h.TotalCount())
	}
	if p50 := h.ValueAtQuantile(50); !h.ValuesAreEquivalent(p50, 50_000) {
		t.Errorf("confirm p50 = %d µs, want 50000", p50)
	}
	if max := h.Max(); !h.ValuesAreEquivalent(max, 100_000) {
		t.Errorf("confirm max = %d µs, want 100000", max)
	}
	if sd := iv.Histograms[metricSendDelay]; sd.TotalCount() != 1 || sd.Max() != 1 {
		t.Errorf("send delay: count %d max %d, want 1 value of 1 µs", sd.TotalCount(), sd.Max())
	}
	if n := iv.Histograms[metricEndToEnd].TotalCount(); n != 0 {
		t.Errorf("end-to-end count %d, want 0", n)
	}
	want := [numCounters]int64{counterPublished: 100, counterBytesPublished: 102400, counterConfirmed: 100}
	if iv.Counters != want {
		t.Errorf("counters %v, want %v", iv.Counters, want)
	}

	// Swap emptied the recorder: a second Swap adds nothing.
	r.Swap(iv)
	if h.TotalCount() != 100 || iv.Counters != want {
		t.Errorf("second Swap added data: count %d, counters %v", h.TotalCount(), iv.Counters)
	}
	// And the recorder records again after a Swap.
	r.Record(metricConfirm, time.Millisecond)
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
			r := newRecorder()
			r.Record(metricEndToEnd, tt.d)
			var iv interval // the zero interval works too
			r.Swap(&iv)
			h := iv.Histograms[metricEndToEnd]
			if h.TotalCount() != 1 || !h.ValuesAreEquivalent(h.Max(), tt.want) {
				t.Errorf("recorded count %d max %d, want one value of %d", h.TotalCount(), h.Max(), tt.want)
			}
			if iv.Clamped[metricEndToEnd] != tt.clamped || iv.Negative[metricEndToEnd] != tt.negs {
				t.Errorf("clamped %d negative %d, want %d, %d", iv.Clamped[metricEndToEnd], iv.Negative[metricEndToEnd], tt.clamped, tt.negs)
			}
		})
	}
}

// A recorder allocates a histogram only for the metrics it records.
func TestRecorderLazyHistograms(t *testing.T) {
	r := newRecorder()
	r.Record(metricConfirm, time.Millisecond)
	for m, h := range r.cur.Histograms {
		if (h != nil) != (metricID(m) == metricConfirm) {
			t.Errorf("histogram %s allocated: %v", metricID(m).Name(), h != nil)
		}
	}
	var iv interval
	r.Swap(&iv)
	for m, h := range iv.Histograms {
		if (h != nil) != (metricID(m) == metricConfirm) {
			t.Errorf("merged histogram %s allocated: %v", metricID(m).Name(), h != nil)
		}
	}
}

func TestRecorderIntervalMergeReset(t *testing.T) {
	a, b := newInterval(), newInterval()
	a.Histograms[metricEndToEnd].RecordValue(10)
	b.Histograms[metricEndToEnd].RecordValue(20)
	b.Histograms[metricConfirm].RecordValue(30)
	a.Counters[counterConsumed] = 1
	b.Counters[counterConsumed] = 2
	b.Clamped[metricConfirm] = 3
	b.Negative[metricEndToEnd] = 4
	a.Merge(b)
	if n := a.Histograms[metricEndToEnd].TotalCount(); n != 2 {
		t.Errorf("end-to-end count %d, want 2", n)
	}
	if n := a.Histograms[metricConfirm].TotalCount(); n != 1 {
		t.Errorf("confirm count %d, want 1", n)
	}
	if a.Counters[counterConsumed] != 3 || a.Clamped[metricConfirm] != 3 || a.Negative[metricEndToEnd] != 4 {
		t.Errorf("counts after merge: %v %v %v", a.Counters, a.Clamped, a.Negative)
	}
	if b.Histograms[metricEndToEnd].TotalCount() != 1 || b.Counters[counterConsumed] != 2 {
		t.Error("Merge changed its argument")
	}
	a.Histograms[metricSendDelay].SetTag("stale")
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
	recs := make([]*recorder, owners)
	for i := range recs {
		recs[i] = newRecorder()
	}
	value := func(owner, i int) time.Duration {
		return time.Duration((owner*7919+i*31)%200_000) * time.Microsecond
	}

	total := newInterval()
	interval := newInterval()
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
				r.Record(metricEndToEnd, value(o, i))
				r.Add(counterConsumed, 1)
				r.Add(counterBytesConsumed, 3)
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
	if got := total.Histograms[metricEndToEnd].TotalCount(); got != want {
		t.Fatalf("recorded %d values, want %d", got, want)
	}
	if c := total.Counters; c[counterConsumed] != want || c[counterBytesConsumed] != 3*want {
		t.Fatalf("counters %v, want consumed %d, bytes %d", c, want, 3*want)
	}
	if !serial.Equals(total.Histograms[metricEndToEnd]) {
		t.Error("merged histogram differs from one recorded serially")
	}
	t.Logf("%d values, %d collector passes", want, swaps.Load())
}

func TestRecorderRecordDoesNotAllocate(t *testing.T) {
	r := newRecorder()
	r.Record(metricEndToEnd, time.Millisecond) // allocates the histogram
	iv := newInterval()
	allocs := testing.AllocsPerRun(1000, func() {
		r.Record(metricEndToEnd, 3*time.Millisecond)
		r.Record(metricEndToEnd, 2*time.Hour) // clamped: must not allocate an error
		r.Record(metricEndToEnd, -time.Second)
		r.Add(counterConsumed, 1)
	})
	if allocs != 0 {
		t.Errorf("Record/Add allocate %v times per run", allocs)
	}
	allocs = testing.AllocsPerRun(10, func() {
		r.Record(metricEndToEnd, time.Millisecond)
		r.Swap(iv)
	})
	if allocs != 0 {
		t.Errorf("Swap into an allocated interval allocates %v times", allocs)
	}
}
