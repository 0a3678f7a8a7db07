package reports

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/warrenmq/warren/results"
)

// Render writes the human view of r into dir, which must exist:
// report.md, latency.png, throughput.png and latency-over-time.png, and
// queue-depth.png and broker-memory.png when the broker was sampled.
//
// Everything is drawn in memory first, so a result that cannot be drawn
// writes nothing. Each file is then written to a temporary file and renamed
// into place, the charts before report.md: report.md appears (or changes)
// only once every chart it links is whole. A chart with nothing to show (a
// run without consumers has no end-to-end latency) is still written, saying
// so, so the report's links never break and no stale chart survives. The
// broker charts are the exception: a run has no broker samples only when
// the monitor did not exist or could not reach the broker, so they are left
// out, with their links, and a stale one from an earlier render removed.
func Render(dir string, r *results.Result) error {
	if r == nil {
		return errors.New("reports: render: no result")
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("reports: render into %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("reports: render into %s: not a directory", dir)
	}
	files, absent, err := build(r)
	if err != nil {
		return fmt.Errorf("reports: render %s: %w", scenarioName(r), err)
	}
	return writeFiles(dir, files, absent)
}

// RenderDir renders the run directory dir from the result it holds: its
// result.json or, for a run that was killed, what it streamed (see
// results.ReadRun).
func RenderDir(dir string) error {
	r, err := results.ReadRun(dir)
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	return Render(dir, r)
}

// build draws every file in memory, report.md last. It also returns the
// optional charts the result has no data for, which must not survive from
// an earlier render.
func build(r *results.Result) (files []results.File, absent []string, err error) {
	charts := []struct {
		name string
		// draw returns a nil chart, for the optional charts only, when
		// the result has nothing for it.
		draw func(*results.Result) (*chart, error)
	}{
		{LatencyChartFile, latencyChart},
		{ThroughputChartFile, throughputChart},
		{LatencyOverTimeFile, latencyOverTimeChart},
		{QueueDepthChartFile, queueDepthChart},
		{ConsumerLagChartFile, consumerLagChart},
		{BrokerMemoryChartFile, brokerMemoryChart},
	}
	for _, c := range charts {
		ch, err := c.draw(r)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", c.name, err)
		}
		if ch == nil {
			absent = append(absent, c.name)
			continue
		}
		data, err := ch.png()
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", c.name, err)
		}
		files = append(files, results.File{Name: c.name, Data: data})
	}
	return append(files, results.File{Name: results.ReportFile, Data: markdown(r)}), absent, nil
}

// writeFiles writes every file atomically, in order (see
// results.WriteFiles). Once the new files are in place it removes the stale
// ones, which the new report.md no longer links.
func writeFiles(dir string, files []results.File, stale []string) error {
	if err := results.WriteFiles(dir, files...); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	for _, name := range stale {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("reports: remove stale %s: %w", name, err)
		}
	}
	return nil
}
