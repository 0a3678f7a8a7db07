package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// Exit statuses.
const (
	exitOK       = 0
	exitFailure  = 1 // the command ran and the answer is "no" (or the run failed)
	exitBadInput = 2 // the command could not run: bad flags, files or URIs
)

// cli is what a subcommand may touch of the outside world. Tests fill it
// with buffers and a fake environment.
type cli struct {
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// stopNow is closed on a second interrupt: stop draining at once.
	stopNow <-chan struct{}
	// setProcs sets GOMAXPROCS; nil where the process is not the cli's own
	// (the tests).
	setProcs func(int) int
}

// command is one subcommand. Each lives in its own file.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, c *cli, args []string) int
}

// commands is the dispatch table, in the order help lists them.
func commands() []command {
	return []command{
		{"size", "plan broker RAM, queue limits, consumers, disk and network from rate, size and backlog", sizeCmd},
		{"run", "run a scenario against a broker and write a report; exit 1 when a threshold fails", runCmd},
		{"report", "re-render a run directory's report.md and charts from its result.json", reportCmd},
		{"compare", "compare runs with a baseline; exit 1 when a threshold is crossed", compareCmd},
		{"merge", "join the runs of several instances of one shared run into one result and report", mergeCmd},
		{"sweep", "run a scenario once per variant (prefetch, say) and recommend one", sweepCmd},
		{"capacity", "find the highest publish rate the broker sustains within a p99 objective", capacityCmd},
		{"verify-durability", "publish, restart the broker, consume: prove what survives", verifyDurabilityCmd},
		{"health", "is the live broker healthy? findings by severity; exit 0/1/2 like a Nagios check", healthCmd},
		{"lint", "check definitions, a scenario or the live broker against the production checklist", lintCmd},
		{"validate", "check a scenario file (every problem, with its line) without a broker", validateCmd},
		{"route", "tell which queues a message reaches under a scenario's topology, and why", routeCmd},
		{"scenarios", "list the built-in scenarios, or show one", scenariosCmd},
		{"bench", "benchmark warren itself against the local broker: its rates, latency and CPU per message", benchCmd},
		{"version", "print warren's version", versionCmd},
	}
}

// run dispatches args to a subcommand and returns the exit status.
func run(ctx context.Context, args []string, c *cli) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(c.stdout)
		if len(args) == 0 {
			return exitBadInput
		}
		return exitOK
	}
	for _, cmd := range commands() {
		if cmd.name == args[0] {
			return cmd.run(ctx, c, args[1:])
		}
	}
	fmt.Fprintf(c.stderr, "warren: unknown command %q: run 'warren help' for the list\n", args[0])
	return exitBadInput
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "warren load-tests RabbitMQ and plans its capacity.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: warren COMMAND [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, cmd := range commands() {
		fmt.Fprintf(w, "  %-18s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'warren COMMAND --help' for a command's flags and an example.")
}

// newFlags makes a subcommand's flag set; usage text goes to stdout when
// asked for with --help, to stderr otherwise.
func newFlags(c *cli, name, synopsis, example string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SortFlags = false
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(c.stdout, "Usage: warren %s\n\n", synopsis)
		fmt.Fprintln(c.stdout, "Flags:")
		fmt.Fprint(c.stdout, fs.FlagUsages())
		fmt.Fprintf(c.stdout, "\nExample:\n  %s\n", strings.ReplaceAll(example, "\n", "\n  "))
	}
	return fs
}

// parseFlags parses args; it returns done=true with the exit status when the
// command should stop (help was shown, or the flags were bad).
func parseFlags(c *cli, fs *pflag.FlagSet, args []string) (done bool, code int) {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, pflag.ErrHelp):
		// pflag has shown fs.Usage already.
		return true, exitOK
	case err != nil:
		fmt.Fprintf(c.stderr, "warren %s: %v: see 'warren %s --help'\n", fs.Name(), err, fs.Name())
		return true, exitBadInput
	}
	return false, exitOK
}

// fail prints a one-line error for a subcommand and returns the status.
func fail(c *cli, cmd string, code int, format string, args ...any) int {
	fmt.Fprintf(c.stderr, "warren %s: %s\n", cmd, fmt.Sprintf(format, args...))
	return code
}
