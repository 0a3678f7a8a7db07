package reports

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/warrenmq/warren/loadgen"
)

// ResultFile is the name of the result a run directory holds.
const ResultFile = "result.json"

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
func Render(dir string, r *loadgen.Result) error {
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

// RenderDir renders the run directory dir from the result.json it holds.
func RenderDir(dir string) error {
	path := filepath.Join(dir, ResultFile)
	var r *loadgen.Result
	var err error
	if _, statErr := os.Stat(path); statErr != nil && os.IsNotExist(statErr) {
		// A run that was killed never wrote result.json: rebuild what
		// it streamed, marked incomplete.
		if r, err = loadgen.Recover(dir); err != nil {
			return fmt.Errorf("reports: no %s, and %w", ResultFile, err)
		}
	} else if r, err = loadgen.ReadResult(path); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	return Render(dir, r)
}

type file struct {
	name string
	data []byte
}

// build draws every file in memory, report.md last. It also returns the
// optional charts the result has no data for, which must not survive from
// an earlier render.
func build(r *loadgen.Result) (files []file, absent []string, err error) {
	charts := []struct {
		name string
		// draw returns a nil chart, for the optional charts only, when
		// the result has nothing for it.
		draw func(*loadgen.Result) (*chart, error)
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
		files = append(files, file{c.name, data})
	}
	return append(files, file{ReportFile, markdown(r)}), absent, nil
}

// writeFiles writes every file to a temporary file in dir, then renames
// them into place in order. On error it removes its temporary files. Once
// the new files are in place it removes the stale ones, which the new
// report.md no longer links.
func writeFiles(dir string, files []file, stale []string) (err error) {
	temps := make([]string, 0, len(files))
	defer func() {
		if err != nil {
			for _, t := range temps {
				os.Remove(t)
			}
		}
	}()
	for _, f := range files {
		tmp, err := writeTemp(dir, f)
		if err != nil {
			return err
		}
		temps = append(temps, tmp)
	}
	for i, f := range files {
		if err := os.Rename(temps[i], filepath.Join(dir, f.name)); err != nil {
			temps = temps[i:]
			return fmt.Errorf("reports: write %s: %w", f.name, err)
		}
	}
	temps = nil
	for _, name := range stale {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("reports: remove stale %s: %w", name, err)
		}
	}
	return nil
}

func writeTemp(dir string, f file) (string, error) {
	tmp, err := os.CreateTemp(dir, "."+f.name+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("reports: write %s: %w", f.name, err)
	}
	name := tmp.Name()
	_, err = tmp.Write(f.data)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", fmt.Errorf("reports: write %s: %w", filepath.Join(dir, f.name), err)
	}
	return name, nil
}
