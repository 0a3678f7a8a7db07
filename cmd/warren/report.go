package main

import (
	"context"
	"fmt"
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
		r, err := results.ReadRun(dir)
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
