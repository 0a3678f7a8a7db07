package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"text/tabwriter"

	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

func verifyDurabilityCmd(ctx context.Context, c *cli, args []string) int {
	fs := newFlags(c, "verify-durability", "verify-durability NAME|FILE --restart-cmd CMD [flags]",
		`warren verify-durability durability --restart-cmd "rabbitmqctl stop_app && rabbitmqctl start_app"`)
	uri := fs.String("uri", "", "broker AMQP URI (env WARREN_URI; default "+loadgen.DefaultURI+")")
	restartCmd := fs.String("restart-cmd", "", "shell command that restarts the broker (run with sh -c); required")
	out := fs.String("out", "", "also write durability.json to this directory")
	prefix := fs.String("prefix", "", "put this in front of every exchange and queue name the scenario declares")
	if done, code := parseFlags(c, fs, args); done {
		return code
	}
	if fs.NArg() != 1 {
		return fail(c, "verify-durability", exitBadInput, "expected one scenario (a built-in name or a YAML file), got %d: try 'warren verify-durability durability --restart-cmd ...'", fs.NArg())
	}
	if *restartCmd == "" {
		return fail(c, "verify-durability", exitBadInput, "--restart-cmd is required: the command that restarts your broker, e.g. \"rabbitmqctl stop_app && rabbitmqctl start_app\"")
	}
	s, err := scenarios.Resolve(fs.Arg(0))
	if err != nil {
		return fail(c, "verify-durability", exitBadInput, "%v", err)
	}
	s.Sweep = nil
	s.PrefixNames(*prefix)
	s.ApplyDefaults()
	target := firstSet(*uri, c.getenv("WARREN_URI"), s.Broker.URI)
	restart := func(ctx context.Context) error {
		cmd := exec.CommandContext(ctx, "sh", "-c", *restartCmd)
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%q: %v: %s", *restartCmd, err, lastLine(string(b)))
		}
		return nil
	}
	res, err := loadgen.VerifyDurability(ctx, s, restart, loadgen.WithURI(target), loadgen.WithVersion(warrenVersion()))
	if err != nil {
		return fail(c, "verify-durability", exitFailure, "%v", err)
	}
	printDurability(c.stdout, res)
	if *out != "" {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return fail(c, "verify-durability", exitFailure, "%v", err)
		}
		if err := results.WriteJSONFile(filepath.Join(*out, "durability.json"), res); err != nil {
			return fail(c, "verify-durability", exitFailure, "%v", err)
		}
	}
	if !res.Safe {
		return exitFailure
	}
	return exitOK
}

func printDurability(w io.Writer, r *loadgen.DurabilityResult) {
	fmt.Fprintf(w, "%s: broker restarted (the command took %s)\n\n", r.Scenario, r.RestartTook)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "QUEUE\tDURABLE\tPERSISTENT\tCONFIRMED\tEXPECTED\tRECOVERED\tLOST\t")
	for _, q := range r.Queues {
		fmt.Fprintf(tw, "%s\t%v\t%v\t%v\t%d\t%d\t%d\t\n", q.Queue, q.Durable, q.Persistent, q.Confirmed, q.Expected, q.Recovered, q.Lost)
	}
	tw.Flush()
	fmt.Fprintln(w)
	for _, q := range r.Queues {
		switch {
		case q.Guaranteed() && q.Lost == 0:
			fmt.Fprintf(w, "%s: durable queue, persistent and confirmed messages: all %d survived.\n", q.Queue, q.Expected)
		case q.Guaranteed():
			fmt.Fprintf(w, "%s: LOST %d of %d durable, persistent, confirmed messages: the broker did not keep its promise.\n", q.Queue, q.Lost, q.Expected)
		case q.Lost > 0:
			fmt.Fprintf(w, "%s: %d of %d lost, as expected without %s.\n", q.Queue, q.Lost, q.Expected, missingGuarantee(q))
		default:
			fmt.Fprintf(w, "%s: all %d survived, although without %s nothing promised it.\n", q.Queue, q.Expected, missingGuarantee(q))
		}
	}
	if r.Safe {
		fmt.Fprintln(w, "verdict: no confirmed persistent message in a durable queue was lost")
	} else {
		fmt.Fprintln(w, "verdict: confirmed persistent messages in durable queues were lost")
	}
}

func missingGuarantee(q loadgen.DurableQueue) string {
	switch {
	case !q.Durable:
		return "a durable queue"
	case !q.Persistent:
		return "persistent messages"
	}
	return "publisher confirms"
}

func firstSet(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
