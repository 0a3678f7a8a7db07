package results

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/warrenmq/warren/scenarios"
)

// The files of a run directory.
const (
	ResultFile     = "result.json"     // the whole result, written at the end
	AccountingFile = "accounting.json" // the raw message accounting, written at the end
	RunFile        = "run.json"        // what is known at the start
	SeriesFile     = "series.jsonl"    // one line a second, streamed
	HlogFile       = "latency.hlog"    // HdrHistogram interval log, streamed
	ReportFile     = "report.md"       // the human view, with its charts beside it
)

// RunSchema names the format of run.json.
const RunSchema = "warren.run/v1"

// StartInfo is what is known when publishing starts. Written as run.json,
// it lets a run killed halfway still be reported.
type StartInfo struct {
	Schema      string              `json:"schema"`
	ID          string              `json:"id"`
	Scenario    *scenarios.Scenario `json:"scenario"`
	Environment Environment         `json:"environment"`
	StartedAt   time.Time           `json:"started_at"`
}

// RunDir is a run directory being written. Until Commit its files go into a
// hidden partial directory beside the final one, so a run that fails to
// start (bad input, an unreachable broker) or a merge that fails halfway
// leaves nothing behind; Commit gives the directory its name.
//
// A run commits once publishing starts, and keeps writing afterwards: what
// it streams (run.json, series.jsonl, latency.hlog) then survives even a
// killed process, for Recover.
type RunDir struct {
	dir       string // the final name
	partial   string
	committed bool
}

// CreateRunDir starts writing the run directory dir, which must not exist:
// it creates dir's parent when missing, and a hidden partial directory in
// it.
func CreateRunDir(dir string) (*RunDir, error) {
	if _, err := os.Lstat(dir); err == nil {
		return nil, fmt.Errorf("%s exists already: %w", dir, fs.ErrExist)
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create %s: %w", parent, err)
	}
	partial, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".partial-")
	if err != nil {
		return nil, fmt.Errorf("cannot write under %s: %w", parent, err)
	}
	return &RunDir{dir: dir, partial: partial}, nil
}

// Path is where the files are now: the partial directory before Commit,
// the run directory after.
func (d *RunDir) Path() string {
	if d.committed {
		return d.dir
	}
	return d.partial
}

// Create creates the file name in the run directory. A file created before
// Commit moves with the directory and stays open.
func (d *RunDir) Create(name string) (*os.File, error) {
	return os.Create(filepath.Join(d.Path(), name))
}

// WriteStart writes run.json.
func (d *RunDir) WriteStart(info StartInfo) error {
	return WriteJSONFile(filepath.Join(d.Path(), RunFile), info)
}

// WriteResult writes result.json and, when r has its accounting (a result
// from Run or Merge, not one read back), accounting.json.
func (d *RunDir) WriteResult(r *Result) error {
	if err := r.WriteFile(filepath.Join(d.Path(), ResultFile)); err != nil {
		return err
	}
	if r.Accounting != nil {
		return r.Accounting.WriteFile(filepath.Join(d.Path(), AccountingFile))
	}
	return nil
}

// Commit gives the run directory its name. Files open in it stay open and
// now write there. After Commit, Discard leaves the directory alone.
func (d *RunDir) Commit() error {
	if d.committed {
		return nil
	}
	if err := os.Rename(d.partial, d.dir); err != nil {
		return err
	}
	d.committed = true
	return nil
}

// Discard removes the partial directory and everything in it, unless Commit
// gave it its name: deferred right after CreateRunDir, it cleans up every
// way a run or merge can fail before its directory is worth keeping.
func (d *RunDir) Discard() {
	if !d.committed {
		os.RemoveAll(d.partial)
	}
}

// ReadRun reads the result of the run directory dir: its result.json, or,
// for a run that was killed before it wrote one, what the run streamed (see
// Recover). Its errors say in one line what is wrong with dir.
func ReadRun(dir string) (*Result, error) {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s does not exist", dir)
	case err != nil:
		return nil, err
	case !fi.IsDir():
		return nil, fmt.Errorf("%s is a file: give the run directory that holds %s", dir, ResultFile)
	}
	path := filepath.Join(dir, ResultFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(dir, RunFile)); err == nil {
			// A run that was killed: rebuild what it streamed.
			return Recover(dir)
		}
		return nil, fmt.Errorf("%s has no %s: is it a run directory? (warren run writes one per run)", dir, ResultFile)
	}
	return ReadResult(path)
}

// FindRuns lists the run directories at path, relative to it: "." when path
// is a run directory itself (it holds result.json), whatever else is under
// it; otherwise every directory under path that holds a result.json (the
// repeats of a run, say), sorted.
func FindRuns(path string) ([]string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s does not exist", path)
		}
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is a file: give a run directory, or a directory of repeated runs", path)
	}
	var dirs []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() == ResultFile {
			rel, err := filepath.Rel(path, filepath.Dir(p))
			if err != nil {
				return err
			}
			dirs = append(dirs, rel)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(dirs) == 0 {
		return nil, fmt.Errorf("%s holds no %s: give a run directory, or a directory of repeated runs", path, ResultFile)
	}
	if slices.Contains(dirs, ".") {
		// A run directory is one run, whatever else is under it.
		return []string{"."}, nil
	}
	sort.Strings(dirs)
	return dirs, nil
}
