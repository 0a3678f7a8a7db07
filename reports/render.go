package reports

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/warrenmq/warren/loadgen"
)

// ResultFile is the name of the result a run directory holds.
const ResultFile = "result.json"

// Render writes the human view of r into dir, which must exist:
// report.md, latency.png, throughput.png and latency-over-time.png.
//
// Everything is drawn in memory first, so a result that cannot be drawn
// writes nothing. Each file is then written to a temporary file and renamed
// into place, the charts before report.md: report.md appears (or changes)
// only once every chart it links is whole. A chart with nothing to show (a
// run without consumers has no end-to-end latency) is still written, saying
// so, so the report's links never break and no stale chart survives.
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
	files, err := build(r)
	if err != nil {
		return fmt.Errorf("reports: render %s: %w", scenarioName(r), err)
	}
	return writeFiles(dir, files)
}

// RenderDir renders the run directory dir from the result.json it holds.
func RenderDir(dir string) error {
	r, err := loadgen.ReadResult(filepath.Join(dir, ResultFile))
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	return Render(dir, r)
}

type file struct {
	name string
	data []byte
}

// build draws every file in memory, report.md last.
func build(r *loadgen.Result) ([]file, error) {
	charts := []struct {
		name string
		draw func(*loadgen.Result) (*chart, error)
	}{
		{LatencyChartFile, latencyChart},
		{ThroughputChartFile, throughputChart},
		{LatencyOverTimeFile, latencyOverTimeChart},
	}
	var files []file
	for _, c := range charts {
		ch, err := c.draw(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		data, err := ch.png()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		files = append(files, file{c.name, data})
	}
	return append(files, file{ReportFile, markdown(r)}), nil
}

// writeFiles writes every file to a temporary file in dir, then renames
// them into place in order. On error it removes its temporary files.
func writeFiles(dir string, files []file) (err error) {
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
