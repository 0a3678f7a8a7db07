package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/warrenmq/warren/health"
	"github.com/warrenmq/warren/internal/rabbit"
	"github.com/warrenmq/warren/scenarios"
)

// exitUnknown is the status of health and lint when they cannot give a
// verdict: the API did not answer, or the flags or files were bad. Like a
// Nagios check they keep 2 for "critical", so monitoring never mistakes a
// typo for an outage (or an outage for a typo).
const exitUnknown = 3

// healthExitHelp is the exit-status paragraph of health's and lint's help.
const healthExitHelp = "Exit status, as a Nagios-style check: 0 healthy (info findings do not count),\n" +
	"1 warning, 2 critical, 3 unknown: the management API did not answer, or a\n" +
	"flag or file was bad. (Unlike warren's other commands, bad input is 3, not 2,\n" +
	"so that a monitoring system never reads a typo as a critical broker.)"

// healthManagementURI picks the management API: --management-uri when
// the user set it, else $WARREN_MANAGEMENT_URI, else port 15672 of
// $WARREN_URI's host with its credentials, else the local default.
func healthManagementURI(c *cli, flags rabbit.Override) string {
	if uri := rabbit.Resolve(rabbit.Addresses{}, c.getenv, flags).Management(); uri != "" {
		return uri
	}
	return rabbit.DefaultManagementURI
}

// healthDisabled reads --disable (repeatable, comma-separated) and checks
// each id against the rules.
func healthDisabled(values []string, rules []health.Rule) (map[string]bool, error) {
	known := map[string]bool{}
	var ids []string
	for _, r := range rules {
		known[r.ID] = true
		ids = append(ids, r.ID)
	}
	out := map[string]bool{}
	for _, v := range values {
		for _, id := range strings.Split(v, ",") {
			id = strings.TrimSpace(id)
			if id == "" {
				continue
			}
			if !known[id] {
				sort.Strings(ids)
				return nil, fmt.Errorf("--disable %s: no such rule; the rules are %s", id, strings.Join(ids, ", "))
			}
			out[id] = true
		}
	}
	return out, nil
}

// healthPrintRules prints one rule a line.
func healthPrintRules(c *cli, rules []health.Rule) {
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	for _, r := range rules {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Severity, r.Summary)
	}
	tw.Flush()
}

// healthParseFlags is parseFlags with bad flags reported as unknown (3).
func healthParseFlags(c *cli, fs *pflag.FlagSet, args []string) (bool, int) {
	done, code := parseFlags(c, fs, args)
	if done && code == exitBadInput {
		code = exitUnknown
	}
	return done, code
}

func healthCmd(ctx context.Context, c *cli, args []string) int {
	fs := newFlags(c, "health",
		"health [--management-uri URL] [--vhost V] [--thresholds FILE] [--watch 5s [--count N]] [--json]\n\n"+
			"Reads nodes, queues, connections and channels from the management API and\n"+
			"prints the findings that cross a warning or critical level, most severe first,\n"+
			"with the figure, the threshold and a one-line fix. Rates are averaged over the\n"+
			"thresholds' window (60 s by default): a queue must have been sampled for a\n"+
			"few seconds before its rates count. 'warren health --rules' lists the rules.\n\n"+healthExitHelp+"\n"+
			"With --watch the status is that of the last refresh.",
		"warren health --management-uri http://monitor:secret@rabbit-1:15672/\n"+
			"warren health --thresholds thresholds.yaml --json | jq '.findings[]'\n"+
			"warren health --print-thresholds > thresholds.yaml   # the defaults, to edit\n"+
			"warren health --watch 5s --vhost orders")
	fs.String("management-uri", "", "management API (env WARREN_MANAGEMENT_URI; default port 15672 of WARREN_URI's host, else "+scenarios.RedactURI(rabbit.DefaultManagementURI)+")")
	vhost := fs.String("vhost", "", "only this virtual host's queues, connections and channels (nodes are always checked)")
	thresholdsFile := fs.String("thresholds", "", "YAML file of warning and critical levels; what it leaves out keeps the default")
	printThresholds := fs.Bool("print-thresholds", false, "print the thresholds in use as a YAML file and exit")
	watch := fs.Duration("watch", 0, "refresh every interval (e.g. 5s) until interrupted")
	count := fs.Int("count", 0, "with --watch, stop after this many refreshes (0: until interrupted)")
	jsonOut := fs.Bool("json", false, "print the report as JSON (one object per line with --watch)")
	disable := fs.StringArray("disable", nil, "leave out a rule, e.g. --disable consumer-utilisation (repeatable, or comma-separated)")
	timeout := fs.Duration("timeout", 10*time.Second, "give up on a management API request after this long")
	listRules := fs.Bool("rules", false, "list the rules with the threshold each uses and exit")
	if done, code := healthParseFlags(c, fs, args); done {
		return code
	}
	if *listRules {
		healthPrintRules(c, health.HealthRules())
		return exitOK
	}
	if fs.NArg() > 0 {
		return fail(c, "health", exitUnknown, "unexpected argument %q: health takes only flags (see 'warren health --help')", fs.Arg(0))
	}
	if *watch < 0 || (*watch > 0 && *watch < time.Second) {
		return fail(c, "health", exitUnknown, "--watch %s: give an interval of at least 1s", *watch)
	}
	if *count < 0 || (*count > 0 && *watch == 0) {
		return fail(c, "health", exitUnknown, "--count %d: give a positive count, with --watch", *count)
	}
	if *timeout <= 0 {
		return fail(c, "health", exitUnknown, "--timeout %s: must be positive", *timeout)
	}
	th := health.Defaults()
	if *thresholdsFile != "" {
		f, err := os.Open(*thresholdsFile)
		if err != nil {
			return fail(c, "health", exitUnknown, "--thresholds: %v", err)
		}
		th, err = health.LoadThresholds(f)
		f.Close()
		if err != nil {
			return fail(c, "health", exitUnknown, "--thresholds %s: %s", *thresholdsFile, strings.ReplaceAll(err.Error(), "\n", "; "))
		}
	}
	if *printThresholds {
		if err := health.WriteThresholds(c.stdout, th); err != nil {
			return exitUnknown
		}
		return exitOK
	}
	disabled, err := healthDisabled(*disable, health.HealthRules())
	if err != nil {
		return fail(c, "health", exitUnknown, "%v", err)
	}
	uri := healthManagementURI(c, brokerFlags(fs))

	last := exitUnknown
	for i := 0; ; i++ {
		rep := healthOnce(ctx, uri, *vhost, th, disabled, *timeout)
		if rep.Status == health.StatusUnknown && ctx.Err() != nil {
			return last // interrupted mid-refresh: keep the last verdict
		}
		if i > 0 && !*jsonOut {
			fmt.Fprintln(c.stdout)
		}
		if *jsonOut {
			err = rep.WriteJSON(c.stdout)
		} else {
			err = rep.WriteHealthText(c.stdout)
		}
		if err != nil {
			return exitUnknown
		}
		last = rep.ExitCode
		if *watch == 0 || (*count > 0 && i+1 >= *count) {
			return last
		}
		t := time.NewTimer(*watch)
		select {
		case <-ctx.Done():
			t.Stop()
			return last
		case <-t.C:
		}
	}
}

// healthOnce reads one snapshot and checks it.
func healthOnce(ctx context.Context, uri, vhost string, th health.Thresholds, disabled map[string]bool, timeout time.Duration) *health.Report {
	source := scenarios.RedactURI(uri)
	client, err := health.Dial(ctx, uri, timeout)
	if err != nil {
		rep := health.UnknownReport(health.SchemaHealth, source, healthHint(err))
		rep.Vhost = vhost
		return rep
	}
	defer client.Close()
	snap, err := client.Snapshot(vhost, th.Window)
	if err != nil {
		rep := health.UnknownReport(health.SchemaHealth, source, err)
		rep.Vhost = vhost
		return rep
	}
	var findings []health.Finding
	for _, f := range health.Check(snap, th) {
		if !disabled[f.Rule] {
			findings = append(findings, f)
		}
	}
	rep := health.NewReport(health.SchemaHealth, client.URI(), findings)
	rep.Vhost, rep.Version = vhost, snap.Version
	now := time.Now().UTC().Truncate(time.Second)
	rep.Taken = &now
	rep.Counts = map[string]int{"nodes": len(snap.Nodes), "queues": len(snap.Queues),
		"connections": len(snap.Connections), "channels": len(snap.Channels)}
	return rep
}

// healthHint adds what to do to a connection failure.
func healthHint(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "401"):
		return errors.New(msg + ": check the user and password in --management-uri (the user needs the monitoring tag)")
	case strings.Contains(msg, "connection refused"), strings.Contains(msg, "no such host"), strings.Contains(msg, "timeout"):
		return errors.New(msg + ": is the management plugin enabled (rabbitmq-plugins enable rabbitmq_management) and the address right?")
	}
	return err
}
