package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/warrenmq/warren/reports"
	"github.com/warrenmq/warren/results"
)

// reportCmd re-renders run directories' report.md and charts from their
// result.json: after an upgrade of warren, or for a run made with
// --no-report.
func reportCmd(_ context.Context, c *cli, args []string) int {
	fs := newFlags(c, "report", "report RUN_DIR [RUN_DIR...]",
		"warren report runs/20250314-092653-greenhouse")
	if done, code := parseFlags(c, fs, args); done {
		return code
	}
	if fs.NArg() == 0 {
		return fail(c, "report", exitBadInput, "expected a run directory (one holding result.json)")
	}
	code := exitOK
	for _, dir := range fs.Args() {
		r, err := readRunDir(dir)
		if err != nil {
			code = fail(c, "report", exitBadInput, "%v", err)
			continue
		}
		if err := reports.Render(dir, r); err != nil {
			code = fail(c, "report", exitFailure, "%s: %v", dir, err)
			continue
		}
		fmt.Fprintf(c.stdout, "report: %s\n", filepath.Join(dir, results.ReportFile))
	}
	return code
}

// readRunDir reads the result.json of a run directory, with an error that
// says in one line what is wrong with it.
func readRunDir(dir string) (*results.Result, error) {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s does not exist", dir)
	case err != nil:
		return nil, err
	case !fi.IsDir():
		return nil, fmt.Errorf("%s is a file: give the run directory that holds result.json", dir)
	}
	path := filepath.Join(dir, results.ResultFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(dir, results.RunFile)); err == nil {
			// A run that was killed: rebuild what it streamed.
			return results.Recover(dir)
		}
		return nil, fmt.Errorf("%s has no %s: is it a run directory? (warren run writes one per run)", dir, results.ResultFile)
	}
	return results.ReadResult(path)
}
