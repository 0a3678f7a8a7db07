package loadgen

import (
	"sync"
	"testing"
	"time"
)

// Hot paths, run per message: each must stay at 0 allocs/op.

func BenchmarkStampPut(b *testing.B) {
	b.ReportAllocs()
	body := make([]byte, 1024)
	s := Stamp{Run: 1, Publisher: PublisherID(InstanceHash("bench"), 3), Intended: time.Now().UnixNano()}
	for b.Loop() {
		s.Seq++
		s.Sent = s.Intended + 1000
		s.Put(body)
	}
}

func BenchmarkReadStamp(b *testing.B) {
	b.ReportAllocs()
	body := make([]byte, 1024)
	(&Stamp{Run: 1, Publisher: 7, Seq: 42}).Put(body)
	var sum uint64
	for b.Loop() {
		s, ok := ReadStamp(body)
		if ok {
			sum += s.Seq
		}
	}
	if sum == 0 {
		b.Fatal("no stamp read")
	}
}

func BenchmarkRecorderRecord(b *testing.B) {
	b.ReportAllocs()
	r := newRecorder()
	r.Record(metricEndToEnd, 0) // allocate the histogram outside the loop
	var d time.Duration
	for b.Loop() {
		d = (d + 7919*time.Microsecond) % (10 * time.Second) // spread over buckets
		r.Record(metricEndToEnd, d)
	}
}

func BenchmarkRecorderAdd(b *testing.B) {
	b.ReportAllocs()
	r := newRecorder()
	for b.Loop() {
		r.Add(counterPublished, 1)
	}
}

// BenchmarkRecorderRecordWhileSwapping records with a collector swapping the
// recorder every millisecond, as in a run (where it is once a second).
func BenchmarkRecorderRecordWhileSwapping(b *testing.B) {
	b.ReportAllocs()
	r := newRecorder()
	r.Record(metricEndToEnd, 0)
	iv := newInterval()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				r.Swap(iv)
				iv.Reset()
			}
		}
	}()
	var d time.Duration
	for b.Loop() {
		d = (d + 7919*time.Microsecond) % (10 * time.Second)
		r.Record(metricEndToEnd, d)
	}
	close(stop)
	wg.Wait()
}

// BenchmarkRecorderSwap is the collector's cost per recorder and interval
// (one metric with values spread over 10 s), which the owner waits out.
func BenchmarkRecorderSwap(b *testing.B) {
	b.ReportAllocs()
	r := newRecorder()
	iv := newInterval()
	for b.Loop() {
		b.StopTimer()
		for i := range 1000 {
			r.Record(metricEndToEnd, time.Duration(i)*10*time.Millisecond)
		}
		b.StartTimer()
		r.Swap(iv)
	}
}

func BenchmarkPacerDue(b *testing.B) {
	pacers := []struct {
		name string
		p    Pacer
	}{
		{"constant", NewConstantPacer(10_000)},
		{"constant-fractional", NewConstantPacer(333.3)},
		{"ramp", NewRampPacer(100, 10_000, time.Hour)},
		{"steps", NewStepsPacer([]float64{100, 200, 400, 800, 1600, 3200, 6400, 12800}, time.Minute)},
		{"limited", NewLimitedPacer(NewConstantPacer(10_000), 1<<62)},
	}
	for _, pc := range pacers {
		b.Run(pc.name, func(b *testing.B) {
			b.ReportAllocs()
			var n uint64
			var last time.Duration
			for b.Loop() {
				at, ok := pc.p.Due(n)
				if ok {
					last = at
				}
				n += 97 // cover the schedule, ramp and steps included
			}
			if n > 97 && last == 0 {
				b.Fatal("nothing due")
			}
		})
	}
}
