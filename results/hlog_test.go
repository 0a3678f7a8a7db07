package results

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

func TestHlogRoundTrip(t *testing.T) {
	start := time.Date(2025, 3, 1, 12, 0, 0, 250_000_000, time.UTC) // not on a whole second
	var buf bytes.Buffer
	w, err := NewHlogWriter(&buf, start)
	if err != nil {
		t.Fatal(err)
	}

	type interval struct {
		tag        string
		start, end time.Time
		values     []int64 // µs
	}
	sec := func(s float64) time.Time { return start.Add(time.Duration(s * float64(time.Second))) }
	intervals := []interval{
		{MetricEndToEnd, sec(0), sec(1), []int64{100, 200, 300}},
		{MetricConfirm, sec(0), sec(1), []int64{50}},
		{MetricEndToEnd, sec(1), sec(2), []int64{1000, 2000}},
		{MetricSendDelay, sec(1), sec(2.5), []int64{0, HistogramMax}},
		{"", sec(2.5), sec(3), []int64{7}}, // untagged
	}
	for _, iv := range intervals {
		h := NewLatencyHistogram()
		h.SetTag("keep")
		h.SetStartTimeMs(42)
		for _, v := range iv.values {
			if err := h.RecordValue(v); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.WriteInterval(iv.tag, iv.start, iv.end, h); err != nil {
			t.Fatal(err)
		}
		if h.Tag() != "keep" || h.StartTimeMs() != 42 || h.EndTimeMs() != 0 {
			t.Errorf("WriteInterval left metadata tag=%q start=%d end=%d", h.Tag(), h.StartTimeMs(), h.EndTimeMs())
		}
	}

	log := buf.String()
	for _, want := range []string{
		"#[Histogram log format version 1.3]\n",
		"#[StartTime: 1740830400 (seconds since epoch), 2025-03-01T12:00:00Z]\n",
		"#[BaseTime: 1740830400 (seconds since epoch)]\n",
		"\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n",
		"Tag=end_to_end,0.250000,1.000000,",
		"Tag=send_delay,1.250000,1.500000,",
		"\n2.750000,0.500000,",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}

	r := hdrhistogram.NewHistogramLogReader(strings.NewReader(log))
	for i, want := range intervals {
		h, err := r.NextIntervalHistogram()
		if err != nil || h == nil {
			t.Fatalf("interval %d: %v, %v", i, h, err)
		}
		if h.Tag() != want.tag {
			t.Errorf("interval %d: tag %q, want %q", i, h.Tag(), want.tag)
		}
		if h.TotalCount() != int64(len(want.values)) {
			t.Errorf("interval %d: count %d, want %d", i, h.TotalCount(), len(want.values))
		}
		if max := want.values[len(want.values)-1]; !h.ValuesAreEquivalent(h.Max(), max) {
			t.Errorf("interval %d: max %d, want %d", i, h.Max(), max)
		}
		// The reader rebuilds absolute times from the base time; float
		// seconds may lose a millisecond.
		if d := h.StartTimeMs() - want.start.UnixMilli(); d < -1 || d > 1 {
			t.Errorf("interval %d: start %d ms, want %d", i, h.StartTimeMs(), want.start.UnixMilli())
		}
		if d := h.EndTimeMs() - want.end.UnixMilli(); d < -1 || d > 1 {
			t.Errorf("interval %d: end %d ms, want %d", i, h.EndTimeMs(), want.end.UnixMilli())
		}
	}
	if h, err := r.NextIntervalHistogram(); h != nil || err != nil {
		t.Errorf("after the last interval: %v, %v", h, err)
	}
}

func TestHlogRejects(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	var buf bytes.Buffer
	w, err := NewHlogWriter(&buf, start)
	if err != nil {
		t.Fatal(err)
	}
	n := buf.Len()
	h := NewLatencyHistogram()
	tests := []struct {
		name       string
		tag        string
		start, end time.Time
	}{
		{"comma in tag", "a,b", start, start.Add(time.Second)},
		{"space in tag", "a b", start, start.Add(time.Second)},
		{"leading space in tag", " a", start, start.Add(time.Second)},
		{"newline in tag", "a\n", start, start.Add(time.Second)},
		{"ends before start", "a", start.Add(time.Second), start},
		{"before the log's start", "a", start.Add(-time.Second), start},
	}
	for _, tt := range tests {
		if err := w.WriteInterval(tt.tag, tt.start, tt.end, h); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
	if buf.Len() != n {
		t.Errorf("rejected intervals wrote %q", buf.String()[n:])
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestHlogWriteErrors(t *testing.T) {
	if _, err := NewHlogWriter(failingWriter{}, time.Now()); err == nil {
		t.Error("NewHlogWriter: no error from a failing writer")
	}
}
