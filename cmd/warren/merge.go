package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/warrenmq/warren/reports"
	"github.com/warrenmq/warren/results"
)

// mergeCmd joins the run directories of the instances of one shared run
// (warren run --run-id NAME --instance-id ID on each machine) into one
// result and report.
func mergeCmd(_ context.Context, c *cli, args []string) int {
	fs := newFlags(c, "merge", "merge RUN_DIR RUN_DIR [RUN_DIR...] --out DIR",
		"warren merge runs/pod-0 runs/pod-1 runs/pod-2 --out runs/merged")
	out := fs.String("out", "", "directory to write the merged result.json, accounting.json, latency.hlog and report to; must not exist")
	noReport := fs.Bool("no-report", false, "write result.json, accounting.json and latency.hlog only, no report.md or charts")
	if done, code := parseFlags(c, fs, args); done {
		return code
	}
	if fs.NArg() < 2 {
		return fail(c, "merge", exitBadInput, "expected the run directories of two or more instances, got %d", fs.NArg())
	}
	if *out == "" {
		return fail(c, "merge", exitBadInput, "--out is required: the directory to write the merged run to")
	}
	if _, err := os.Stat(*out); err == nil {
		return fail(c, "merge", exitBadInput, "%s exists already: choose another --out, or remove it", *out)
	}
	for _, dir := range fs.Args() {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return fail(c, "merge", exitBadInput, "%s is not a run directory: give the directories that 'warren run --out' wrote", dir)
		}
	}
	res, err := results.Merge(fs.Args()...)
	if err != nil {
		return fail(c, "merge", exitBadInput, "%v", err)
	}

	// Everything is written into a hidden directory first and renamed at
	// the end, so a failure leaves nothing half-written.
	rd, err := results.CreateRunDir(*out)
	if err != nil {
		return fail(c, "merge", exitBadInput, "%v", err)
	}
	defer rd.Discard()
	if err := rd.WriteResult(res); err != nil {
		return fail(c, "merge", exitFailure, "%v", err)
	}
	if code := writeMergedHlog(c, rd, res.StartedAt, fs.Args()); code != exitOK {
		return code
	}
	if !*noReport {
		if err := reports.Render(rd.Path(), res); err != nil {
			return fail(c, "merge", exitFailure, "write report: %v", err)
		}
	}
	if err := rd.Commit(); err != nil {
		return fail(c, "merge", exitFailure, "move the merged run into %s: %v", *out, err)
	}
	fmt.Fprintf(c.stdout, "merged %d instances (%s)\n", fs.NArg(), res.Environment.InstanceID)
	printSummary(c.stdout, res)
	if *noReport {
		fmt.Fprintf(c.stdout, "result: %s\n", filepath.Join(*out, results.ResultFile))
	} else {
		fmt.Fprintf(c.stdout, "report: %s\n", filepath.Join(*out, results.ReportFile))
	}
	return exitOK
}

// writeMergedHlog writes the merged run's latency.hlog into rd, when any
// instance left one.
func writeMergedHlog(c *cli, rd *results.RunDir, base time.Time, runs []string) int {
	f, err := rd.Create(results.HlogFile)
	if err != nil {
		return fail(c, "merge", exitFailure, "write %s: %v", results.HlogFile, err)
	}
	wrote, err := results.MergeHlogs(f, base, runs...)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fail(c, "merge", exitBadInput, "merge %s: %v", results.HlogFile, err)
	}
	if !wrote {
		os.Remove(f.Name())
	}
	return exitOK
}
