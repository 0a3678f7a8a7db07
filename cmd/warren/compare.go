package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/warrenmq/warren/reports"
)

// compareCmd compares candidate runs with a baseline: a table on stdout
// and, with --out, compare.md and an overlay chart. With thresholds it is a
// gate for a deployment pipeline: exit 1 when a candidate crosses one.
func compareCmd(_ context.Context, c *cli, args []string) int {
	fs := newFlags(c, "compare", "compare BASELINE CANDIDATE [CANDIDATE...] [flags]",
		"warren compare runs/baseline runs/candidate --max-p99-regression 10% --max-throughput-drop 5% --fail-on-loss\n"+
			"warren compare runs/before runs/after --out runs/compare   # each a directory of repeated runs")
	maxP99 := fs.String("max-p99-regression", "", "fail when a candidate's p99 latency (end-to-end or confirm) is worse by more than this, e.g. 10%")
	maxDrop := fs.String("max-throughput-drop", "", "fail when a candidate's publish or consume rate is lower by more than this, e.g. 5%")
	failOnLoss := fs.Bool("fail-on-loss", false, "fail when a candidate lost any message")
	out := fs.String("out", "", "also write compare.md and compare-latency.png into this directory (created if missing)")
	if done, code := parseFlags(c, fs, args); done {
		return code
	}
	if fs.NArg() < 2 {
		return fail(c, "compare", exitBadInput, "expected a baseline and at least one candidate (run directories, or directories of repeated runs), got %d", fs.NArg())
	}
	gate := reports.Gate{FailOnLoss: *failOnLoss}
	if fs.Changed("max-p99-regression") {
		v, err := parsePercent(*maxP99)
		if err != nil {
			return fail(c, "compare", exitBadInput, "--max-p99-regression: %v", err)
		}
		gate.MaxP99Regression = &v
	}
	if fs.Changed("max-throughput-drop") {
		v, err := parsePercent(*maxDrop)
		if err != nil {
			return fail(c, "compare", exitBadInput, "--max-throughput-drop: %v", err)
		}
		gate.MaxThroughputDrop = &v
	}

	var sides []reports.Side
	for _, path := range fs.Args() {
		s, err := reports.LoadSide(path)
		if err != nil {
			return fail(c, "compare", exitBadInput, "%v", err)
		}
		sides = append(sides, s)
	}
	cmp := reports.Compare(sides[0], sides[1:], gate)
	if _, err := c.stdout.Write(cmp.Markdown("")); err != nil {
		return exitFailure
	}
	if *out != "" {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return fail(c, "compare", exitBadInput, "cannot create %s: %v", *out, err)
		}
		if err := reports.RenderCompare(*out, cmp); err != nil {
			return fail(c, "compare", exitFailure, "%v", err)
		}
		fmt.Fprintf(c.stdout, "comparison: %s\n", filepath.Join(*out, reports.CompareFile))
	}
	if cmp.Failed() {
		// The table is on stdout; the verdict goes to stderr too, where a
		// pipeline's log shows it even when stdout is kept as an artefact.
		for _, f := range cmp.Failures {
			fmt.Fprintf(c.stderr, "warren compare: %s: %s\n", f.Candidate, f.Text)
		}
		return exitFailure
	}
	return exitOK
}

// parsePercent reads a threshold such as "10%" or "10" (both ten per cent)
// as a fraction.
func parsePercent(s string) (float64, error) {
	t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("%q: give a percentage such as 10%%", s)
	}
	return v / 100, nil
}
