package results

import (
	"fmt"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// The latency histograms' geometry. Every histogram warren makes has this
// one, so histograms from goroutines, intervals, runs and generator
// instances merge without losing a value.
const (
	// HistogramUnit is the unit of recorded values: histograms count
	// microseconds.
	HistogramUnit = time.Microsecond
	// HistogramMin is the lowest discernible value, 1 µs.
	HistogramMin = 1
	// HistogramMax is the highest trackable value, one hour in µs. Longer
	// latencies are recorded as HistogramMax (and counted as clamped).
	HistogramMax = int64(time.Hour / HistogramUnit)
	// HistogramSigFigs is the precision: 3 significant digits, so a value is
	// known to within 0.1%.
	HistogramSigFigs = 3
)

// NewLatencyHistogram returns an empty histogram with warren's geometry. It
// holds about 190 KB of counts.
func NewLatencyHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(HistogramMin, HistogramMax, HistogramSigFigs)
}

// Histogram decodes a metric's whole-run histogram. It returns nil when the
// result has none for that metric.
func (r *Result) Histogram(metric string) (*hdrhistogram.Histogram, error) {
	enc, ok := r.Histograms[metric]
	if !ok || enc == "" {
		return nil, nil
	}
	h, err := decodeHistogram(enc)
	if err != nil {
		return nil, fmt.Errorf("result histogram %s: %w", metric, err)
	}
	return h, nil
}

// SetHistogram makes h metric's whole-run histogram: its percentiles go into
// Latency, its encoding into Histograms. When h cannot be encoded, the
// percentiles are set all the same and the error says why the histogram is
// missing.
func (r *Result) SetHistogram(metric string, h *hdrhistogram.Histogram) error {
	if r.Latency == nil {
		r.Latency = map[string]LatencySummary{}
	}
	if r.Histograms == nil {
		r.Histograms = map[string]string{}
	}
	r.Latency[metric] = summarise(h)
	enc, err := encodeHistogram(h)
	if err != nil {
		return fmt.Errorf("result histogram %s: %w", metric, err)
	}
	r.Histograms[metric] = enc
	return nil
}

func encodeHistogram(h *hdrhistogram.Histogram) (string, error) {
	b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return "", err
	}
	// Encode already yields base64 text.
	return string(b), nil
}

func decodeHistogram(s string) (*hdrhistogram.Histogram, error) {
	// Decode takes the base64 text itself.
	return hdrhistogram.Decode([]byte(s))
}

// summarise reads a histogram's percentiles (values in µs).
func summarise(h *hdrhistogram.Histogram) LatencySummary {
	if h == nil || h.TotalCount() == 0 {
		return LatencySummary{}
	}
	return LatencySummary{
		Count: h.TotalCount(),
		Min:   h.Min(),
		Mean:  h.Mean(),
		P50:   h.ValueAtQuantile(50),
		P90:   h.ValueAtQuantile(90),
		P99:   h.ValueAtQuantile(99),
		P999:  h.ValueAtQuantile(99.9),
		P9999: h.ValueAtQuantile(99.99),
		Max:   h.Max(),
	}
}
