package main

import (
	"context"
	"encoding"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/warrenmq/warren/internal/rabbit"
	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/reports"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// runFlags are the flags that override a scenario. Later commands (sweep)
// reuse them so that the same names mean the same things everywhere.
type runFlags struct {
	uri, mgmtURI  string
	duration      scenarios.Duration
	rate          scenarios.Rate
	publishers    int
	consumers     int
	prefetch      int
	size          scenarios.ByteSize
	confirmWindow int
	instanceID    string
	runID         string
	startAt       string
	startTime     time.Time // startAt, parsed by apply
	prefix        string
	// prefixLater leaves --prefix to the caller: a sweep renames each
	// variant after its overrides are laid over the base, so that the
	// names in the overrides are renamed too.
	prefixLater bool
	cleanup     bool
	metricsAddr string
	procs       int
	stopNow     <-chan struct{} // from the cli: a second interrupt
}

func (f *runFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.uri, "uri", "", "broker AMQP URI (env WARREN_URI; default "+loadgen.DefaultURI+")")
	fs.StringVar(&f.mgmtURI, "management-uri", "", "management API URI, e.g. http://guest:guest@127.0.0.1:15672/ (env WARREN_MANAGEMENT_URI)")
	scenarioFlag(fs, &f.duration, "duration", "how long to publish, a `duration` such as 30s or 5m (overrides the scenario)")
	scenarioFlag(fs, &f.rate, "rate", "msg/s for each publisher group, the total across its publishers, a `rate` such as 2000 or 500/s; 0 or unlimited for no limit")
	fs.IntVar(&f.publishers, "publishers", 0, "publishers in each publisher group")
	fs.IntVar(&f.consumers, "consumers", 0, "consumers in each consumer group")
	fs.IntVar(&f.prefetch, "prefetch", -1, "prefetch (basic.qos) of every consumer; 0 means unlimited")
	scenarioFlag(fs, &f.size, "size", "message body `size` of every publisher group, e.g. 1KiB")
	fs.IntVar(&f.confirmWindow, "confirm-window", -1, "outstanding publisher confirms per publisher (turns confirms on; 0 turns them off)")
	fs.StringVar(&f.instanceID, "instance-id", "", "name of this generator instance, stamped in every message (default host-pid)")
	fs.StringVar(&f.runID, "run-id", "", "name a run shared by several instances (the same on each): they accept each other's messages, and 'warren merge' reconciles them")
	fs.StringVar(&f.startAt, "start-at", "", "hold publishing until this time (RFC 3339, e.g. 2026-12-02T10:00:00Z), so that instances on several machines begin together")
	fs.StringVar(&f.metricsAddr, "metrics-addr", "", "serve Prometheus metrics at http://ADDR/metrics while running, e.g. 127.0.0.1:9464")
	fs.IntVar(&f.procs, "procs", 0, "threads running warren's Go code at once (GOMAXPROCS); default half the CPUs when the broker is on this machine, else all")
	fs.BoolVar(&f.cleanup, "cleanup", false, "delete the exchanges and queues the scenario declared when the run ends")
	fs.StringVar(&f.prefix, "prefix", "", "put this in front of every exchange and queue name the scenario declares, e.g. team-a.")
}

// scenarioFlag registers a flag of one of the scenario format's types
// (scenarios.Duration, Rate, ByteSize), which read the same text as the
// scenario file does. It has no default to show: unset, the scenario's
// value stands.
func scenarioFlag[T any, P interface {
	*T
	encoding.TextMarshaler
	encoding.TextUnmarshaler
}](fs *pflag.FlagSet, p P, name, usage string) {
	var zero T
	fs.TextVar(p, name, P(&zero), usage)
	fs.Lookup(name).DefValue = ""
}

// apply lays the environment and the flags the user set over the scenario,
// in that order of precedence.
func (f *runFlags) apply(c *cli, fs *pflag.FlagSet, s *scenarios.Scenario) error {
	a := brokerAddresses(c, fs, rabbit.Addresses{URI: s.Broker.URI, ManagementURI: s.Broker.ManagementURI})
	s.Broker.URI, s.Broker.ManagementURI = a.URI, a.ManagementURI
	if fs.Changed("duration") {
		if f.duration <= 0 {
			return fmt.Errorf("--duration %q: use a positive Go duration such as 30s, 5m or 1h30m", f.duration.String())
		}
		s.Run.Duration = f.duration
	}
	if fs.Changed("rate") {
		for i := range s.Publishers {
			s.Publishers[i].Rate = f.rate
		}
	}
	if fs.Changed("publishers") {
		if f.publishers < 1 {
			return fmt.Errorf("--publishers must be ≥ 1, got %d", f.publishers)
		}
		for i := range s.Publishers {
			s.Publishers[i].Count = f.publishers
		}
	}
	if fs.Changed("consumers") {
		if f.consumers < 1 {
			return fmt.Errorf("--consumers must be ≥ 1, got %d", f.consumers)
		}
		for i := range s.Consumers {
			s.Consumers[i].Count = f.consumers
		}
	}
	if fs.Changed("prefetch") {
		if f.prefetch < 0 || f.prefetch > 65535 {
			return fmt.Errorf("--prefetch must be between 0 and 65535, got %d", f.prefetch)
		}
		for i := range s.Consumers {
			s.Consumers[i].Prefetch = f.prefetch
		}
	}
	if fs.Changed("size") {
		for i := range s.Publishers {
			s.Publishers[i].Size = f.size
		}
	}
	if fs.Changed("confirm-window") {
		if f.confirmWindow < 0 {
			return fmt.Errorf("--confirm-window must be ≥ 0, got %d", f.confirmWindow)
		}
		for i := range s.Publishers {
			s.Publishers[i].Confirm = f.confirmWindow > 0
			s.Publishers[i].ConfirmWindow = f.confirmWindow
		}
	}
	if f.cleanup {
		s.Topology.Cleanup = true
	}
	if fs.Changed("start-at") {
		t, err := time.Parse(time.RFC3339, f.startAt)
		if err != nil {
			return fmt.Errorf("--start-at %q: use an RFC 3339 time such as 2026-12-02T10:00:00Z", f.startAt)
		}
		if wait := time.Until(t); wait > 24*time.Hour {
			return fmt.Errorf("--start-at %s is %s away: give a time within the next 24 hours", f.startAt, wait.Round(time.Minute))
		}
		f.startTime = t
	}
	if fs.Changed("run-id") && strings.TrimSpace(f.runID) == "" {
		return fmt.Errorf("--run-id is empty: give every instance of the shared run the same name, e.g. --run-id nightly-42")
	}
	if s.Topology.Cleanup && (f.runID != "" || f.instanceID != "") {
		// The first instance to end would delete the queues under the
		// others: deletion waits until every instance has ended.
		what := "--cleanup"
		if !f.cleanup {
			what = "topology.cleanup"
		}
		shared := "--run-id"
		if f.runID == "" {
			shared = "--instance-id"
		}
		return fmt.Errorf("%s with %s would delete the queues under the other instances of the run while they still use them: leave it off, and once every instance has ended run 'warren merge RUN_DIR... --out DIR --cleanup'", what, shared)
	}
	if fs.Changed("prefix") && !f.prefixLater {
		s.PrefixNames(f.prefix)
	}
	if f.procs < 0 {
		return fmt.Errorf("--procs must be ≥ 1 (or 0 for the default), got %d", f.procs)
	}
	applyProcs(c, f.procs, s.Broker.URI)
	s.ApplyDefaults()
	return nil
}

func (f *runFlags) options(s *scenarios.Scenario) []loadgen.Option {
	return []loadgen.Option{
		loadgen.WithURI(s.Broker.URI),
		loadgen.WithManagementURI(s.Broker.ManagementURI),
		loadgen.WithVersion(warrenVersion()),
		loadgen.WithInstanceID(f.instanceID),
		loadgen.WithRunID(f.runID),
		loadgen.WithStartAt(f.startTime),
		loadgen.WithStopNow(f.stopNow),
	}
}

func runCmd(ctx context.Context, c *cli, args []string) int {
	fs := newFlags(c, "run", "run NAME|FILE [flags]",
		"warren run greenhouse --duration 30s --rate 2000 --prefetch 50\nwarren run my-service.yaml --uri amqp://user:pass@127.0.0.1:5672/vhost --out runs/baseline\nwarren run my-service.yaml --threshold 'e2e_p99<50ms' --threshold 'publish_rate>=99%'   # exit 1 when one fails")
	rf := runFlags{stopNow: c.stopNow}
	rf.register(fs)
	out := fs.String("out", "", "run directory to write (default runs/<timestamp>-<scenario>); must not exist")
	noReport := fs.Bool("no-report", false, "write result.json and latency.hlog only, no report.md or charts")
	quiet := fs.Bool("quiet", false, "no progress line")
	repeat := fs.Int("repeat", 1, "run the scenario N times, into DIR/1 … DIR/N, so that 'warren compare' can judge the run-to-run spread")
	thresholds := registerThresholds(fs)
	if done, code := parseFlags(c, fs, args); done {
		return code
	}
	if *repeat < 1 || *repeat > 100 {
		return fail(c, "run", exitBadInput, "--repeat must be between 1 and 100, got %d", *repeat)
	}
	extra, err := parseThresholds(*thresholds)
	if err != nil {
		return fail(c, "run", exitBadInput, "%v", err)
	}
	if fs.NArg() != 1 {
		return fail(c, "run", exitBadInput, "expected one scenario (a built-in name or a YAML file), got %d: see 'warren scenarios'", fs.NArg())
	}
	s, err := scenarios.Resolve(fs.Arg(0))
	if err != nil {
		return fail(c, "run", exitBadInput, "%v", err)
	}
	if s.Sweep != nil {
		// A run is one scenario; its sweep variants are for 'warren sweep'.
		fmt.Fprintf(c.stderr, "warren run: %s has a sweep: running the base scenario only ('warren sweep %s' runs every variant)\n", s.Name, fs.Arg(0))
		s.Sweep = nil
	}
	if err := rf.apply(c, fs, s); err != nil {
		return fail(c, "run", exitBadInput, "%v", err)
	}
	if err := s.Validate(); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(c.stderr, "warren run: %s\n", line)
		}
		return exitBadInput
	}
	// After the file's own are validated, so that a problem with one
	// given here is told as a flag's, not as the file's.
	if err := addThresholds(s, extra); err != nil {
		return fail(c, "run", exitBadInput, "%v", err)
	}

	dir := *out
	if dir == "" {
		dir = filepath.Join("runs", time.Now().UTC().Format("20060102-150405")+"-"+s.Name)
	}
	opts := rf.options(s)
	if rf.metricsAddr != "" {
		opt, stop, err := serveMetrics(rf.metricsAddr)
		if err != nil {
			return fail(c, "run", exitBadInput, "%v", err)
		}
		defer stop()
		opts = append(opts, opt)
	}
	if *repeat > 1 {
		if _, err := os.Stat(dir); err == nil {
			return fail(c, "run", exitBadInput, "run directory %s exists already: choose another --out, or remove it", dir)
		}
	}
	failed := false
	for i := 1; i <= *repeat; i++ {
		runDir := dir
		if *repeat > 1 {
			runDir = filepath.Join(dir, strconv.Itoa(i))
			if i > 1 {
				// Let the broker settle, as between sweep variants.
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
			}
		}
		if ctx.Err() != nil {
			return exitInterrupted
		}
		res, code := executeRun(ctx, c, s, opts, runDir, runOutput{noReport: *noReport, quiet: *quiet})
		if res == nil {
			return code
		}
		printSummary(c.stdout, res)
		if printVerdicts(c, "run", res.Verdicts) {
			failed = true
		}
		if *noReport {
			fmt.Fprintf(c.stdout, "result: %s\n", filepath.Join(runDir, results.ResultFile))
		} else {
			fmt.Fprintf(c.stdout, "report: %s\n", filepath.Join(runDir, results.ReportFile))
		}
	}
	switch {
	case ctx.Err() != nil:
		return exitInterrupted
	case failed:
		// A threshold failed or could not be judged (a lost confirmed
		// message among them): the answer is no.
		return exitFailure
	}
	return exitOK
}

// runOutput says what a run writes besides result.json and latency.hlog.
type runOutput struct {
	noReport bool
	quiet    bool
}

// executeRun runs a validated scenario and writes its run directory. Until
// the broker has answered and publishing starts, everything goes to a hidden
// partial directory, so bad input or an unreachable broker leaves nothing
// behind; then the directory takes its name, and what the run streams there
// (run.json, series.jsonl, latency.hlog) survives even a killed process for
// 'warren report' to rebuild. On failure it prints the error and returns a
// nil result with the exit status.
func executeRun(ctx context.Context, c *cli, s *scenarios.Scenario, opts []loadgen.Option, dir string, o runOutput) (*results.Result, int) {
	if _, err := os.Stat(dir); err == nil {
		return nil, fail(c, "run", exitBadInput, "run directory %s exists already: choose another --out, or remove it", dir)
	}
	rd, err := results.CreateRunDir(dir)
	if err != nil {
		return nil, fail(c, "run", exitBadInput, "%v", err)
	}
	defer rd.Discard()
	hlog, err := rd.Create(results.HlogFile)
	if err != nil {
		return nil, fail(c, "run", exitFailure, "%v", err)
	}
	defer hlog.Close()
	series, err := rd.Create(results.SeriesFile)
	if err != nil {
		return nil, fail(c, "run", exitFailure, "%v", err)
	}
	defer series.Close()

	started := func(info results.StartInfo) error {
		if err := rd.WriteStart(info); err != nil {
			return err
		}
		// The open files move with the directory. From here on it holds
		// what the run streams: a later failure (a full disk for
		// result.json, a chart that cannot be drawn) must not take hours
		// of a soak with it.
		if err := rd.Commit(); err != nil {
			return fmt.Errorf("move the run into %s: %w", dir, err)
		}
		return nil
	}
	opts = append(opts, loadgen.WithHlog(hlog), loadgen.WithSeries(series), loadgen.WithStarted(started))
	if !o.quiet {
		opts = append(opts, loadgen.WithProgress(progressPrinter(c.stderr)))
	}
	res, err := loadgen.Run(ctx, s, opts...)
	if !o.quiet {
		endProgress(c.stderr)
	}
	if err != nil {
		return nil, fail(c, "run", exitFailure, "%v", err)
	}
	for _, f := range []*os.File{hlog, series} {
		if err := f.Close(); err != nil {
			return nil, fail(c, "run", exitFailure, "write %s: %v", filepath.Base(f.Name()), err)
		}
	}
	if err := rd.WriteResult(res); err != nil {
		return nil, fail(c, "run", exitFailure, "%v", err)
	}
	if !o.noReport {
		if err := reports.Render(rd.Path(), res); err != nil {
			return nil, fail(c, "run", exitFailure, "write report: %v", err)
		}
	}
	// started committed the directory already; committing here too makes
	// sure a result is never left in the hidden partial directory.
	if err := rd.Commit(); err != nil {
		return nil, fail(c, "run", exitFailure, "move the run into %s: %v", dir, err)
	}
	return res, exitOK
}

// exitInterrupted is the status of a run stopped by a signal: the result of
// what ran is written all the same.
const exitInterrupted = 130

func printSummary(w io.Writer, r *results.Result) {
	s := r.Summary
	fmt.Fprintf(w, "%s: published %d (%.0f msg/s), confirmed %d, consumed %d (%.0f msg/s) in %s\n",
		r.Scenario.Name, s.Published, s.PublishRate, s.Confirmed, s.Consumed, s.ConsumeRate, r.Duration)
	if l, ok := r.Latency[results.MetricEndToEnd]; ok {
		fmt.Fprintf(w, "end-to-end latency: p50 %s  p99 %s  p99.9 %s  max %s\n", textfmt.Micros(l.P50), textfmt.Micros(l.P99), textfmt.Micros(l.P999), textfmt.Micros(l.Max))
	}
	if l, ok := r.Latency[results.MetricConfirm]; ok {
		fmt.Fprintf(w, "confirm latency:    p50 %s  p99 %s  p99.9 %s  max %s\n", textfmt.Micros(l.P50), textfmt.Micros(l.P99), textfmt.Micros(l.P999), textfmt.Micros(l.Max))
	}
	in := r.Integrity
	if in.Partial {
		fmt.Fprintf(w, "integrity: partial, one instance of a shared run (%d copies expected, %d received here): 'warren merge' the instances for the verdict\n", in.Expected, in.Received)
	} else if in.Unknown > 0 {
		fmt.Fprintf(w, "integrity: %s lost, %s unknown (the broker could not be asked whether they were still queued), %s duplicated (%s copies expected, %s received)\n",
			textfmt.Count(in.Lost), textfmt.Count(in.Unknown), textfmt.Count(in.Duplicated), textfmt.Count(in.Expected), textfmt.Count(in.Received))
	} else if in.Lost == 0 && in.Duplicated == 0 {
		fmt.Fprintf(w, "integrity: no message lost, none duplicated (%d copies expected, %d received)\n", in.Expected, in.Received)
	} else {
		fmt.Fprintf(w, "integrity: %d lost, %d duplicated (%d copies expected, %d received)\n", in.Lost, in.Duplicated, in.Expected, in.Received)
	}
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
}

// progressPrinter shows one line a second: refreshed in place on a
// terminal, plain lines otherwise (CI logs, files).
func progressPrinter(w io.Writer) func(loadgen.Progress) {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return func(p loadgen.Progress) {
		phase := fmt.Sprintf("%s/%s", p.Elapsed.Round(time.Second), p.Total)
		if left := p.Total - p.Elapsed; p.Total >= 10*time.Minute && left > 0 {
			// On a long run, when it will end matters more than how long.
			phase += " (ends ~" + time.Now().Add(left).Format("15:04") + ")"
		}
		if p.Draining {
			phase = fmt.Sprintf("%s draining", p.Elapsed.Round(time.Second))
		}
		line := fmt.Sprintf("%s  pub %.0f msg/s  cons %.0f msg/s  published %d  consumed %d  p99 %s",
			phase, p.PublishRate, p.ConsumeRate, p.Published, p.Consumed, p.P99.Round(10*time.Microsecond))
		if tty {
			fmt.Fprintf(w, "\r\033[K%s", line)
		} else {
			fmt.Fprintln(w, line)
		}
	}
}

func endProgress(w io.Writer) {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintln(w)
	}
}
