package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/warrenmq/warren/internal/rabbit"
	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

func verifyDurabilityCmd(ctx context.Context, c *cli, args []string) int {
	fs := newFlags(c, "verify-durability", "verify-durability NAME|FILE --restart-cmd CMD [flags]",
		`warren verify-durability durability --restart-cmd "rabbitmqctl stop_app && rabbitmqctl start_app"`)
	fs.String("uri", "", "broker AMQP URI (env WARREN_URI; default "+loadgen.DefaultURI+")")
	restartCmd := fs.String("restart-cmd", "", "shell command that restarts the broker (run with sh -c); required")
	restartTimeout := fs.Duration("restart-timeout", 5*time.Minute, "give up when the restart command has not exited after this long")
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
	if *restartTimeout <= 0 {
		return fail(c, "verify-durability", exitBadInput, "--restart-timeout must be > 0, got %s", *restartTimeout)
	}
	s, err := scenarios.Resolve(fs.Arg(0))
	if err != nil {
		return fail(c, "verify-durability", exitBadInput, "%v", err)
	}
	s.Sweep = nil
	s.PrefixNames(*prefix)
	s.ApplyDefaults()
	target := brokerAddresses(c, fs, rabbit.Addresses{URI: s.Broker.URI}).URI
	restart := func(ctx context.Context) error { return runRestart(ctx, *restartCmd, *restartTimeout) }
	res, err := loadgen.VerifyDurability(ctx, s, restart, loadgen.WithURI(target), loadgen.WithVersion(warrenVersion()))
	if err != nil {
		return fail(c, "verify-durability", exitFailure, "%v", err)
	}
	printDurability(c.stdout, res, s.Run.Drain)
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

// runRestart runs the restart command with sh -c and waits for it to exit,
// for at most limit. Its output goes to a file, not a pipe: a command that
// starts the broker in the background leaves the broker holding the
// command's output, and waiting for a pipe means waiting for every holder of
// it to close it (minutes, or for ever), where a file lets the wait end when
// the command exits. Cutting such a pipe instead would end a broker that
// writes to it with SIGPIPE.
func runRestart(ctx context.Context, command string, limit time.Duration) error {
	out, err := os.CreateTemp("", "warren-restart-*.log")
	if err != nil {
		return err
	}
	defer os.Remove(out.Name())
	defer out.Close()
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	cmd.Stdout, cmd.Stderr = out, out
	err = cmd.Run()
	if err == nil {
		return nil
	}
	tail := ""
	if b, rerr := os.ReadFile(out.Name()); rerr == nil && len(bytes.TrimSpace(b)) > 0 {
		tail = ": " + lastLine(string(b))
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("the restart command %q had not exited after %s (--restart-timeout), and was killed%s", command, limit, tail)
	}
	return fmt.Errorf("the restart command %q failed: %v%s", command, err, tail)
}

func printDurability(w io.Writer, r *loadgen.DurabilityResult, drain scenarios.Duration) {
	fmt.Fprintf(w, "%s: broker restarted (the command took %s)\n\n", r.Scenario, r.RestartTook)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "QUEUE\tDURABLE\tPERSISTENT\tCONFIRMED\tEXPECTED\tHELD\tRECOVERED\tSTILL QUEUED\tLOST\t")
	for _, q := range r.Queues {
		fmt.Fprintf(tw, "%s\t%v\t%v\t%v\t%d\t%d\t%d\t%d\t%d\t\n", q.Queue, q.Durable, q.Persistent, q.Confirmed, q.Expected, q.Held, q.Recovered, q.StillQueued, q.Lost)
	}
	tw.Flush()
	fmt.Fprintln(w)
	var queued int64
	for _, q := range r.Queues {
		queued += q.StillQueued
		switch {
		case q.Guaranteed() && q.Lost > 0:
			fmt.Fprintf(w, "%s: LOST %d of %d durable, persistent, confirmed messages: the broker did not keep its promise.\n", q.Queue, q.Lost, q.Expected)
		case q.Guaranteed() && q.StillQueued > 0:
			fmt.Fprintf(w, "%s: durable queue, persistent and confirmed messages: none lost; %d of %d consumed back, %d still queued.\n", q.Queue, q.Recovered, q.Expected, q.StillQueued)
		case q.Guaranteed():
			fmt.Fprintf(w, "%s: durable queue, persistent and confirmed messages: all %d survived.\n", q.Queue, q.Expected)
		case q.Gone:
			fmt.Fprintf(w, "%s: the queue did not survive the restart: %d of %d lost, as expected without %s.\n", q.Queue, q.Lost, q.Expected, missingGuarantee(q))
		case q.Lost > 0:
			fmt.Fprintf(w, "%s: %d of %d lost, as expected without %s.\n", q.Queue, q.Lost, q.Expected, missingGuarantee(q))
		default:
			fmt.Fprintf(w, "%s: all %d survived, although without %s nothing promised it.\n", q.Queue, q.Expected, missingGuarantee(q))
		}
	}
	if queued > 0 {
		fmt.Fprintf(w, "%s still queued: warren stopped consuming when no delivery came for the drain time (%s); they survived the restart and are not lost. Consume or purge them.\n",
			textfmt.Plural(queued, "message"), drain)
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
