package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/warrenmq/warren/internal/rabbit"
	"github.com/warrenmq/warren/internal/selfbench"
	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/scenarios"
)

// benchCmd runs warren's benchmark of itself (internal/selfbench) and
// compares it with a baseline.
func benchCmd(ctx context.Context, c *cli, args []string) int {
	fs := newFlags(c, "bench", "bench [flags]",
		"warren bench                                  # cases a-d, 20 s each, results in bench/last.json\n"+
			"warren bench --cases a,d --repeat 3 --baseline bench/baseline.json")
	duration := scenarios.Duration(20 * time.Second)
	fs.TextVar(&duration, "duration", duration, "how long each case publishes, a `duration`")
	casesFlag := fs.String("cases", "a,b,c,d", "cases to run, comma-separated: a (1+1, 12 B), b (durable, persistent), c (2+2, 1 KiB), d (1,000 msg/s)")
	repeat := fs.Int("repeat", 1, "run each case this many times and report the medians")
	out := fs.String("out", filepath.Join("bench", "last.json"), "write the results as JSON here")
	baseline := fs.String("baseline", "", "a file an earlier bench wrote: print the change against it")
	fs.String("uri", "", "broker AMQP URI (env WARREN_URI; default "+loadgen.DefaultURI+")")
	procs := fs.Int("procs", 0, "threads running warren's Go code at once (GOMAXPROCS); default half the CPUs when the broker is on this machine, else all")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the runs to this file")
	_ = fs.MarkHidden("cpuprofile")
	memprofile := fs.String("memprofile", "", "write a heap profile (allocations by function) at the end to this file")
	_ = fs.MarkHidden("memprofile")
	if done, code := parseFlags(c, fs, args); done {
		return code
	}
	if fs.NArg() != 0 {
		return fail(c, "bench", exitBadInput, "takes no arguments, got %q", fs.Args())
	}
	if duration <= 0 {
		return fail(c, "bench", exitBadInput, "--duration %q: use a positive Go duration such as 20s", duration.String())
	}
	d := duration.Std()
	if *repeat < 1 {
		return fail(c, "bench", exitBadInput, "--repeat must be ≥ 1, got %d", *repeat)
	}
	cases, err := selfbench.SelectCases(*casesFlag)
	if err != nil {
		return fail(c, "bench", exitBadInput, "--cases: %v", err)
	}
	var base *selfbench.File
	if *baseline != "" {
		if base, err = selfbench.ReadFile(*baseline); err != nil {
			return fail(c, "bench", exitBadInput, "--baseline: %v", err)
		}
	}
	broker := brokerAddresses(c, fs, rabbit.Addresses{URI: loadgen.DefaultURI})
	if *out == "" {
		return fail(c, "bench", exitBadInput, "--out must name a file")
	}
	if *procs < 0 {
		return fail(c, "bench", exitBadInput, "--procs must be ≥ 1 (or 0 for the default), got %d", *procs)
	}
	applyProcs(c, *procs, broker.URI)
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		return fail(c, "bench", exitBadInput, "cannot create the directory of %s: %v", *out, err)
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return fail(c, "bench", exitBadInput, "--cpuprofile: %v", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fail(c, "bench", exitFailure, "--cpuprofile: %v", err)
		}
		defer pprof.StopCPUProfile()
	}
	if *memprofile != "" {
		defer func() {
			if f, err := os.Create(*memprofile); err == nil {
				_ = pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		}()
	}

	bf := &selfbench.File{
		WarrenVersion: warrenVersion(),
		QuietSysmon:   quietSysmonOn(c.getenv("GODEBUG")),
		BrokerURI:     scenarios.RedactURI(broker.URI),
	}
	o := selfbench.Options{
		Cases:    cases,
		Duration: d,
		Repeat:   *repeat,
		Loadgen: []loadgen.Option{
			loadgen.WithURI(broker.URI),
			loadgen.WithVersion(warrenVersion()),
			loadgen.WithStopNow(c.stopNow),
		},
		Progress: func(s string) { fmt.Fprintf(c.stderr, "bench: %s\n", s) },
	}
	if broker.ManagementURI != "" {
		o.Loadgen = append(o.Loadgen, loadgen.WithManagementURI(broker.ManagementURI))
	}
	if err := selfbench.Run(ctx, bf, o); err != nil {
		return fail(c, "bench", exitFailure, "%v", err)
	}
	selfbench.WriteTable(c.stdout, bf)
	if base != nil {
		selfbench.WriteChange(c.stdout, base, *baseline, bf)
	}
	if err := bf.WriteFile(*out); err != nil {
		return fail(c, "bench", exitFailure, "write %s: %v", *out, err)
	}
	fmt.Fprintf(c.stdout, "results: %s\n", *out)
	if ctx.Err() != nil {
		return exitInterrupted
	}
	return exitOK
}
