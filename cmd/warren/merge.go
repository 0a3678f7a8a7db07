package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/warrenmq/warren/internal/rabbit"
	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/reports"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// mergeCmd joins the run directories of the instances of one shared run
// (warren run --run-id NAME --instance-id ID on each machine) into one
// result and report.
func mergeCmd(_ context.Context, c *cli, args []string) int {
	fs := newFlags(c, "merge", "merge RUN_DIR RUN_DIR [RUN_DIR...] --out DIR",
		"warren merge runs/pod-0 runs/pod-1 runs/pod-2 --out runs/merged --threshold 'e2e_p99<50ms'")
	out := fs.String("out", "", "directory to write the merged result.json, accounting.json, latency.hlog and report to; must not exist")
	noReport := fs.Bool("no-report", false, "write result.json, accounting.json and latency.hlog only, no report.md or charts")
	thresholds := registerThresholds(fs)
	cleanup := fs.Bool("cleanup", false, "then delete the exchanges and queues the run declared, on the broker at --uri (env WARREN_URI): a shared run's instances leave that to the merge")
	fs.String("uri", "", "broker AMQP URI for --cleanup (env WARREN_URI); result.json keeps the URI with its password masked")
	if done, code := parseFlags(c, fs, args); done {
		return code
	}
	if fs.NArg() < 2 {
		return fail(c, "merge", exitBadInput, "expected the run directories of two or more instances, got %d", fs.NArg())
	}
	extra, err := parseThresholds(*thresholds)
	if err != nil {
		return fail(c, "merge", exitBadInput, "%v", err)
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
	// The merged run is judged by the thresholds of the scenario as the
	// instances ran it, and those given here, which the merged result
	// records with its scenario.
	if len(extra) > 0 {
		sc := res.Scenario.Clone()
		if err := addThresholds(sc, extra); err != nil {
			return fail(c, "merge", exitBadInput, "%v", err)
		}
		res.Scenario = sc
		res.Verdicts = results.Evaluate(res)
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
	if *cleanup {
		if code := cleanupMerged(c, fs, res); code != exitOK {
			return code
		}
	}
	printSummary(c.stdout, res)
	failed := printVerdicts(c, "merge", res.Verdicts)
	if *noReport {
		fmt.Fprintf(c.stdout, "result: %s\n", filepath.Join(*out, results.ResultFile))
	} else {
		fmt.Fprintf(c.stdout, "report: %s\n", filepath.Join(*out, results.ReportFile))
	}
	if failed {
		// A threshold failed or could not be judged (a lost confirmed
		// message among them): the answer is no.
		return exitFailure
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

// cleanupMerged deletes the topology of a merged shared run, which its
// instances may not delete themselves (the first to end would pull the
// queues from under the others). result.json keeps the broker URI with its
// password masked, so the URI comes from --uri or WARREN_URI; only a URI
// without a password, or the masked default, is taken from the result.
func cleanupMerged(c *cli, fs *pflag.FlagSet, res *results.Result) int {
	uri := brokerAddresses(c, fs, rabbit.Addresses{}).URI
	if uri == "" {
		switch masked := res.Scenario.Broker.URI; {
		case masked == "" || masked == scenarios.RedactURI(rabbit.DefaultURI):
			uri = rabbit.DefaultURI
		case !strings.Contains(masked, ":xxxxx@"): // no password to unmask
			uri = masked
		default:
			return fail(c, "merge", exitBadInput, "--cleanup needs the broker's URI with its password: result.json keeps %s masked; give --uri or set WARREN_URI", masked)
		}
	}
	s := res.Scenario.Clone()
	if err := loadgen.Cleanup(s, loadgen.WithURI(uri), loadgen.WithVersion(warrenVersion())); err != nil {
		return fail(c, "merge", exitFailure, "cleanup: %v", err)
	}
	fmt.Fprintf(c.stdout, "deleted %s and %s on %s\n", textfmt.Plural(len(s.Topology.Queues), "queue"), textfmt.Plural(len(s.Topology.Exchanges), "exchange"), scenarios.RedactURI(uri))
	return exitOK
}
