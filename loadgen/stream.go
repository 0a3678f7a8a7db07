package loadgen

import (
	"io"

	"github.com/warrenmq/warren/results"
)

// WithStarted calls f once the broker answered and the topology is
// declared, just before publishing starts. An error from f stops the run.
func WithStarted(f func(results.StartInfo) error) Option { return func(c *config) { c.started = f } }

// WithSeries streams each second of the run to w as it ends, in the format
// of a run directory's series.jsonl (see results.SeriesWriter). What was
// streamed survives the process being killed.
func WithSeries(w io.Writer) Option { return func(c *config) { c.series = w } }
