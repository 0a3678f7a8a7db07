package results

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// HlogWriter writes latency.hlog: HdrHistogram's standard interval log,
// readable by HdrHistogram's own tools (HistogramLogProcessor, the Go
// HistogramLogReader), with one tag per metric.
//
// Values are microseconds, as in every warren histogram (HistogramLogProcessor
// -outputValueUnitRatio 1000 prints them in milliseconds). Interval start
// times are seconds since the base time in the header, which is the run's
// start rounded down to the second: the log format writes the base time in
// whole seconds, and a base time carrying milliseconds the header cannot show
// would shift every interval on reading. The Interval_Max column is in
// seconds (µs/1e6): the library fixes that ratio, and readers ignore the
// column (they take the maximum from the histogram).
//
// An HlogWriter is not safe for concurrent use.
type HlogWriter struct {
	lw     *hdrhistogram.HistogramLogWriter
	baseMs int64
}

// NewHlogWriter writes the log's header to w: format version, start time,
// base time and column legend.
func NewHlogWriter(w io.Writer, start time.Time) (*HlogWriter, error) {
	baseMs := start.Unix() * 1000 // whole seconds; see HlogWriter
	lw := hdrhistogram.NewHistogramLogWriter(w)
	lw.SetBaseTime(baseMs)
	for _, write := range []func() error{
		func() error { return lw.OutputComment("[Logged with warren: values in microseconds]") },
		lw.OutputLogFormatVersion,
		func() error { return lw.OutputStartTime(baseMs) },
		func() error { return lw.OutputBaseTime(baseMs) },
		lw.OutputLegend,
	} {
		if err := write(); err != nil {
			return nil, fmt.Errorf("hlog header: %w", err)
		}
	}
	return &HlogWriter{lw: lw, baseMs: baseMs}, nil
}

// WriteInterval writes one interval line: hist's values recorded between
// start and end, under tag (a metric name; no commas, spaces or line breaks;
// empty for none). It sets hist's tag and start/end times for the library's
// writer and puts them back afterwards, so hist must not be in use elsewhere
// during the call.
func (h *HlogWriter) WriteInterval(tag string, start, end time.Time, hist *hdrhistogram.Histogram) error {
	if strings.ContainsAny(tag, ", \r\n") {
		return fmt.Errorf("hlog: tag %q has a comma, space or line break", tag)
	}
	if end.Before(start) {
		return fmt.Errorf("hlog: interval %s ends before it starts", tag)
	}
	if start.UnixMilli() < h.baseMs {
		// The line would carry a negative offset, which readers misparse.
		return fmt.Errorf("hlog: interval %s starts before the log's start time", tag)
	}
	oldTag, oldStart, oldEnd := hist.Tag(), hist.StartTimeMs(), hist.EndTimeMs()
	defer func() {
		hist.SetTag(oldTag)
		hist.SetStartTimeMs(oldStart)
		hist.SetEndTimeMs(oldEnd)
	}()
	hist.SetTag(tag)
	hist.SetStartTimeMs(start.UnixMilli())
	hist.SetEndTimeMs(end.UnixMilli())
	if err := h.lw.OutputIntervalHistogram(hist); err != nil {
		return fmt.Errorf("hlog interval %s: %w", tag, err)
	}
	return nil
}
