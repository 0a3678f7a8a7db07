package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/warrenmq/warren/internal/rabbit"
	"github.com/warrenmq/warren/internal/stats"
	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// BenchSchema names the format of the file `warren bench` writes.
const BenchSchema = "warren.bench/v1"

// benchBodyNote says how the small cases carry warren's stamp.
const benchBodyNote = "(a), (b) and (d) send 12-byte bodies, as the reference tool did; warren's 40-byte stamp " +
	"(publisher, sequence number, intended and actual send time), which makes exact accounting and open-loop latency possible, " +
	"travels in an x-warren-stamp header for bodies shorter than it: about 64 bytes more per message on the wire"

// benchSmallBody is the body size of cases (a), (b) and (d), the reference's.
const benchSmallBody = 12

// benchCase is one case of the self-benchmark: a small scenario
// against the local broker whose figures compare with the reference tool's.
type benchCase struct {
	name        string
	description string
	publishers  int
	consumers   int
	size        scenarios.ByteSize
	durable     bool    // durable queue and persistent messages
	rate        float64 // total msg/s; 0 is unlimited
	ref         BenchReference
	target      BenchTarget
}

// Settings every case shares.
const (
	benchConfirmWindow = 1000
	benchPrefetch      = 1000
)

// BenchReference is what the reference tool (RabbitMQ's own Go load tool)
// reached on this machine: medians of 5 runs, 2 cores
// shared with the broker, RabbitMQ 3.10.8.
type BenchReference struct {
	Rate          float64 `json:"rate"`
	CPUPerMessage float64 `json:"cpu_us_per_msg"`
	// AllocsPerMessage is heap objects allocated per message published, by
	// the whole process (its consuming included). warren's own per-message
	// code allocates none (make bench's first part), so this is the client
	// library's.
	AllocsPerMessage float64 `json:"allocs_per_msg"`
	// SendDelay is how late the publishers were against their schedule.
	SendDelay BenchLatency `json:"send_delay"`
	// End-to-end latency percentiles in µs, where the issue gives them.
	EndToEndP50  int64 `json:"e2e_p50_us,omitempty"`
	EndToEndP99  int64 `json:"e2e_p99_us,omitempty"`
	EndToEndP999 int64 `json:"e2e_p99_9_us,omitempty"`
}

// BenchTarget is what the project asks of warren in a case: at most half the
// reference's CPU per message, and (at unlimited rate) more throughput.
type BenchTarget struct {
	MaxCPUPerMessage float64 `json:"max_cpu_us_per_msg"`
	// MinRate is the publish rate to beat (exclusive); 0 when the case
	// runs at a fixed rate and has no throughput target.
	MinRate float64 `json:"min_rate,omitempty"`
}

func benchCases() []benchCase {
	return []benchCase{
		{
			name: "a", description: "1 publisher, 1 consumer, 12 B, unlimited, non-durable queue",
			publishers: 1, consumers: 1, size: benchSmallBody,
			ref:    BenchReference{Rate: 16800, CPUPerMessage: 41.5},
			target: BenchTarget{MaxCPUPerMessage: 20, MinRate: 16800},
		},
		{
			name: "b", description: "as (a), durable queue, persistent messages",
			publishers: 1, consumers: 1, size: benchSmallBody, durable: true,
			ref:    BenchReference{Rate: 12800, CPUPerMessage: 45.5},
			target: BenchTarget{MaxCPUPerMessage: 22.75, MinRate: 12800},
		},
		{
			name: "c", description: "2 publishers, 2 consumers, 1 KiB, one shared non-durable queue",
			publishers: 2, consumers: 2, size: 1024,
			ref:    BenchReference{Rate: 9100, CPUPerMessage: 72.9},
			target: BenchTarget{MaxCPUPerMessage: 36.45, MinRate: 9100},
		},
		{
			name: "d", description: "as (a) at a fixed 1,000 msg/s",
			publishers: 1, consumers: 1, size: benchSmallBody, rate: 1000,
			ref:    BenchReference{Rate: 977, CPUPerMessage: 335, EndToEndP50: 330, EndToEndP99: 2300, EndToEndP999: 5700},
			target: BenchTarget{MaxCPUPerMessage: 165},
		},
	}
}

// scenario builds the case's scenario on a queue of its own.
func (bc benchCase) scenario(queue string, d time.Duration) *scenarios.Scenario {
	rate := scenarios.Rate{Unlimited: true}
	if bc.rate > 0 {
		rate = scenarios.Rate{PerSecond: bc.rate}
	}
	s := &scenarios.Scenario{
		Name:        "bench-" + bc.name,
		Description: bc.description,
		Topology: scenarios.Topology{
			Queues:  []scenarios.Queue{{Name: queue, Durable: bc.durable}},
			Cleanup: true,
		},
		Publishers: []scenarios.PublisherGroup{{
			Name: "pub", Count: bc.publishers, Exchange: "", RoutingKey: queue,
			Size: bc.size, Persistent: bc.durable,
			Confirm: true, ConfirmWindow: benchConfirmWindow, Rate: rate,
		}},
		Consumers: []scenarios.ConsumerGroup{{
			Name: "cons", Count: bc.consumers, Queue: queue,
			Prefetch: benchPrefetch, AckMode: scenarios.AckManual,
		}},
		Run: scenarios.RunSettings{Duration: scenarios.Duration(d), WarmUp: scenarios.Duration(benchWarmUp(d))},
	}
	s.ApplyDefaults()
	return s
}

// benchWarmUp leaves the first tenth of a case (at most 2 s) out of the
// latency figures: connections and the broker's queue process settle. Rates
// and CPU count the whole case.
func benchWarmUp(d time.Duration) time.Duration {
	return min(d/10, 2*time.Second)
}

// BenchFile is what `warren bench` writes to --out, and reads with
// --baseline.
type BenchFile struct {
	Schema        string             `json:"schema"`
	StartedAt     time.Time          `json:"started_at"`
	Elapsed       scenarios.Duration `json:"elapsed"`
	WarrenVersion string             `json:"warren_version"`
	GoVersion     string             `json:"go_version"`
	OS            string             `json:"os"`
	Arch          string             `json:"arch"`
	CPUs          int                `json:"cpus"`
	// GoMaxProcs is how many threads ran warren's Go code at once.
	GoMaxProcs int `json:"gomaxprocs,omitempty"`
	// QuietSysmon is whether the runtime's monitor was kept out of its deep
	// sleep (see sysmon.go).
	QuietSysmon bool   `json:"quiet_sysmon"`
	BrokerURI   string `json:"broker_uri"`
	Broker      string `json:"broker,omitempty"`
	// Duration is each case's publishing time; Repeat how many times each
	// case ran (the figures of a case are the medians).
	Duration scenarios.Duration `json:"duration"`
	Repeat   int                `json:"repeat"`
	// Load averages (1, 5, 15 min) of the machine before and after, from
	// /proc/loadavg: other work on the machine takes cores from the broker
	// and from warren.
	LoadBefore []float64 `json:"load_average_before,omitempty"`
	LoadAfter  []float64 `json:"load_average_after,omitempty"`
	// CPUProbe is how long this machine took, in ns, for one turn of a
	// fixed loop of warren's own work (write a stamp, read it back), best
	// of several tries: two bench files from different machines compare
	// only after allowing for the ratio of their probes.
	CPUProbe float64           `json:"cpu_probe_ns,omitempty"`
	Note     string            `json:"note"`
	Cases    []BenchCaseResult `json:"cases"`
}

// BenchCaseResult is one case: every run and their medians.
type BenchCaseResult struct {
	Case          string         `json:"case"`
	Description   string         `json:"description"`
	Publishers    int            `json:"publishers"`
	Consumers     int            `json:"consumers"`
	BodyBytes     int64          `json:"body_bytes"`
	Durable       bool           `json:"durable"`
	Rate          float64        `json:"rate"` // msg/s asked for; 0 unlimited
	ConfirmWindow int            `json:"confirm_window"`
	Prefetch      int            `json:"prefetch"`
	Median        BenchFigures   `json:"median"`
	Runs          []BenchFigures `json:"runs"`
	Reference     BenchReference `json:"reference"`
	Target        BenchTarget    `json:"target"`
	// CPUTargetMet and RateTargetMet judge the medians against Target
	// (RateTargetMet is absent without a throughput target).
	CPUTargetMet  bool  `json:"cpu_target_met"`
	RateTargetMet *bool `json:"rate_target_met,omitempty"`
}

// BenchLatency holds percentiles in µs.
type BenchLatency struct {
	P50  int64 `json:"p50_us"`
	P99  int64 `json:"p99_us"`
	P999 int64 `json:"p99_9_us"`
}

// BenchFigures is what one run of a case measured (or the medians of
// several runs).
type BenchFigures struct {
	RunID       string  `json:"run_id,omitempty"`
	Published   int64   `json:"published"`
	Consumed    int64   `json:"consumed"`
	PublishRate float64 `json:"publish_rate"`
	ConsumeRate float64 `json:"consume_rate"`
	// EndToEnd is from the intended send time (at unlimited rate that is
	// the actual send).
	EndToEnd         BenchLatency `json:"end_to_end"`
	Confirm          BenchLatency `json:"confirm"`
	CPUUserSeconds   float64      `json:"cpu_user_s"`
	CPUSystemSeconds float64      `json:"cpu_system_s"`
	// CPUPerMessage is warren's user+system CPU µs per message published
	// (its consuming included): the figure the reference tool reports.
	CPUPerMessage float64 `json:"cpu_us_per_msg"`
	// AllocsPerMessage is heap objects allocated per message published, by
	// the whole process (its consuming included). warren's own per-message
	// code allocates none (make bench's first part), so this is the client
	// library's.
	AllocsPerMessage float64 `json:"allocs_per_msg"`
	// SendDelay is how late the publishers were against their schedule.
	SendDelay BenchLatency `json:"send_delay"`
	// CoreShare is CPU time over wall time (1.0 is one whole core).
	CoreShare   float64  `json:"core_share"`
	MaxRSSBytes int64    `json:"max_rss_bytes"`
	Lost        int64    `json:"lost"`
	Duplicated  int64    `json:"duplicated"`
	Warnings    []string `json:"warnings,omitempty"`
}

func benchCmd(ctx context.Context, c *cli, args []string) int {
	fs := newFlags(c, "bench", "bench [flags]",
		"warren bench                                  # cases a-d, 20 s each, results in bench/last.json\n"+
			"warren bench --cases a,d --repeat 3 --baseline bench/baseline.json")
	duration := fs.String("duration", "20s", "how long each case publishes")
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
	pd, err := scenarios.ParseDuration(*duration)
	if err != nil || pd <= 0 {
		return fail(c, "bench", exitBadInput, "--duration %q: use a positive Go duration such as 20s", *duration)
	}
	d := pd.Std()
	if *repeat < 1 {
		return fail(c, "bench", exitBadInput, "--repeat must be ≥ 1, got %d", *repeat)
	}
	cases, err := selectBenchCases(*casesFlag)
	if err != nil {
		return fail(c, "bench", exitBadInput, "--cases: %v", err)
	}
	var base *BenchFile
	if *baseline != "" {
		if base, err = ReadBenchFile(*baseline); err != nil {
			return fail(c, "bench", exitBadInput, "--baseline: %v", err)
		}
	}
	broker := brokerAddresses(c, fs, rabbit.Addresses{URI: loadgen.DefaultURI})
	brokerURI := broker.URI
	if *out == "" {
		return fail(c, "bench", exitBadInput, "--out must name a file")
	}
	if *procs < 0 {
		return fail(c, "bench", exitBadInput, "--procs must be ≥ 1 (or 0 for the default), got %d", *procs)
	}
	applyProcs(c, *procs, brokerURI)
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

	bf := &BenchFile{
		Schema:        BenchSchema,
		StartedAt:     time.Now().UTC().Truncate(time.Second),
		WarrenVersion: warrenVersion(),
		GoVersion:     runtime.Version(),
		OS:            runtime.GOOS,
		Arch:          runtime.GOARCH,
		CPUs:          runtime.NumCPU(),
		GoMaxProcs:    runtime.GOMAXPROCS(0),
		QuietSysmon:   quietSysmonOn(c.getenv("GODEBUG")),
		BrokerURI:     scenarios.RedactURI(brokerURI),
		Duration:      scenarios.Duration(d),
		Repeat:        *repeat,
		LoadBefore:    benchLoadAverage(),
		CPUProbe:      benchCPUProbe(),
		Note:          benchBodyNote,
	}
	opts := []loadgen.Option{
		loadgen.WithURI(brokerURI),
		loadgen.WithVersion(warrenVersion()),
		loadgen.WithStopNow(c.stopNow),
	}
	if broker.ManagementURI != "" {
		opts = append(opts, loadgen.WithManagementURI(broker.ManagementURI))
	}
	began := time.Now()
	interrupted := false
cases:
	for _, bc := range cases {
		cr := BenchCaseResult{
			Case: bc.name, Description: bc.description,
			Publishers: bc.publishers, Consumers: bc.consumers, BodyBytes: int64(bc.size),
			Durable: bc.durable, Rate: bc.rate, ConfirmWindow: benchConfirmWindow, Prefetch: benchPrefetch,
			Reference: bc.ref, Target: bc.target,
		}
		for i := range *repeat {
			if ctx.Err() != nil {
				interrupted = true
				break cases
			}
			fmt.Fprintf(c.stderr, "bench: case %s (%s), run %d of %d, %s...\n", bc.name, bc.description, i+1, *repeat, d)
			res, err := runBenchCase(ctx, bc, d, opts)
			if err != nil {
				return fail(c, "bench", exitFailure, "case %s: %v", bc.name, err)
			}
			if bf.Broker == "" && res.Environment.BrokerProduct != "" {
				bf.Broker = strings.TrimSpace(res.Environment.BrokerProduct + " " + res.Environment.BrokerVersion)
			}
			f := benchFigures(res)
			cr.Runs = append(cr.Runs, f)
			fmt.Fprintf(c.stderr, "bench: case %s: %.0f msg/s published, %.0f consumed, %.1f µs CPU per message, e2e p99 %s\n",
				bc.name, f.PublishRate, f.ConsumeRate, f.CPUPerMessage, textfmt.Micros(f.EndToEnd.P99))
		}
		if len(cr.Runs) == 0 {
			break
		}
		cr.Median = medianFigures(cr.Runs)
		cr.CPUTargetMet = cr.Median.CPUPerMessage <= bc.target.MaxCPUPerMessage
		if bc.target.MinRate > 0 {
			met := cr.Median.PublishRate > bc.target.MinRate
			cr.RateTargetMet = &met
		}
		bf.Cases = append(bf.Cases, cr)
		if ctx.Err() != nil {
			interrupted = true
			break
		}
	}
	bf.Elapsed = scenarios.Duration(time.Since(began).Round(time.Second))
	bf.LoadAfter = benchLoadAverage()

	printBench(c.stdout, bf)
	if base != nil {
		printBenchChange(c.stdout, base, *baseline, bf)
	}
	if err := bf.WriteFile(*out); err != nil {
		return fail(c, "bench", exitFailure, "write %s: %v", *out, err)
	}
	fmt.Fprintf(c.stdout, "results: %s\n", *out)
	if interrupted {
		return exitInterrupted
	}
	return exitOK
}

// selectBenchCases reads --cases: names from a to d, in any order; they run
// in the order of the issue.
func selectBenchCases(list string) ([]benchCase, error) {
	want := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		want[name] = true
	}
	if len(want) == 0 {
		return nil, fmt.Errorf("name at least one case (a, b, c, d)")
	}
	var cases []benchCase
	for _, bc := range benchCases() {
		if want[bc.name] {
			cases = append(cases, bc)
			delete(want, bc.name)
		}
	}
	if len(want) > 0 {
		unknown := make([]string, 0, len(want))
		for name := range want {
			unknown = append(unknown, strconv.Quote(name))
		}
		sort.Strings(unknown)
		return nil, fmt.Errorf("unknown case %s: the cases are a, b, c and d", strings.Join(unknown, ", "))
	}
	return cases, nil
}

// runBenchCase runs a case once on a queue of its own, which the run
// deletes when it ends.
func runBenchCase(ctx context.Context, bc benchCase, d time.Duration, opts []loadgen.Option) (*results.Result, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	s := bc.scenario("warren-bench-"+bc.name+"-"+hex.EncodeToString(b[:]), d)
	// Start each case clean: no garbage of the one before to collect on its
	// time, and the peak RSS measured from here.
	debug.FreeOSMemory()
	benchResetPeakRSS()
	return loadgen.Run(ctx, s, opts...)
}

// benchFigures extracts a run's figures. CPU per message is per message
// published, as the reference tool reports it (Generator.CPUPerMessage
// divides by published and consumed).
func benchFigures(res *results.Result) BenchFigures {
	g := res.Generator
	f := BenchFigures{
		RunID:            res.ID,
		Published:        res.Summary.Published,
		Consumed:         res.Summary.Consumed,
		PublishRate:      res.Summary.PublishRate,
		ConsumeRate:      res.Summary.ConsumeRate,
		EndToEnd:         benchLatency(res.Latency[results.MetricEndToEnd]),
		Confirm:          benchLatency(res.Latency[results.MetricConfirm]),
		SendDelay:        benchLatency(res.Latency[results.MetricSendDelay]),
		CPUUserSeconds:   g.CPUUserSeconds,
		CPUSystemSeconds: g.CPUSystemSeconds,
		CoreShare:        g.CoreShare,
		MaxRSSBytes:      g.MaxRSSBytes,
		Lost:             res.Integrity.Lost,
		Duplicated:       res.Integrity.Duplicated,
		Warnings:         res.Warnings,
	}
	if res.Summary.Published > 0 {
		f.CPUPerMessage = (g.CPUUserSeconds + g.CPUSystemSeconds) * 1e6 / float64(res.Summary.Published)
		f.AllocsPerMessage = float64(g.Allocations) / float64(res.Summary.Published)
	}
	return f
}

func benchLatency(l results.LatencySummary) BenchLatency {
	return BenchLatency{P50: l.P50, P99: l.P99, P999: l.P999}
}

// medianFigures takes each figure's median over the runs independently (as
// the reference's "medians of 5 runs" are).
func medianFigures(runs []BenchFigures) BenchFigures {
	if len(runs) == 1 {
		m := runs[0]
		m.RunID = ""
		return m
	}
	f := func(get func(BenchFigures) float64) float64 {
		v := make([]float64, len(runs))
		for i, r := range runs {
			v[i] = get(r)
		}
		return stats.Median(v)
	}
	i := func(get func(BenchFigures) int64) int64 {
		return int64(math.Round(f(func(r BenchFigures) float64 { return float64(get(r)) })))
	}
	lat := func(get func(BenchFigures) BenchLatency) BenchLatency {
		return BenchLatency{
			P50:  i(func(r BenchFigures) int64 { return get(r).P50 }),
			P99:  i(func(r BenchFigures) int64 { return get(r).P99 }),
			P999: i(func(r BenchFigures) int64 { return get(r).P999 }),
		}
	}
	return BenchFigures{
		Published:        i(func(r BenchFigures) int64 { return r.Published }),
		Consumed:         i(func(r BenchFigures) int64 { return r.Consumed }),
		PublishRate:      f(func(r BenchFigures) float64 { return r.PublishRate }),
		ConsumeRate:      f(func(r BenchFigures) float64 { return r.ConsumeRate }),
		EndToEnd:         lat(func(r BenchFigures) BenchLatency { return r.EndToEnd }),
		Confirm:          lat(func(r BenchFigures) BenchLatency { return r.Confirm }),
		SendDelay:        lat(func(r BenchFigures) BenchLatency { return r.SendDelay }),
		CPUUserSeconds:   f(func(r BenchFigures) float64 { return r.CPUUserSeconds }),
		CPUSystemSeconds: f(func(r BenchFigures) float64 { return r.CPUSystemSeconds }),
		CPUPerMessage:    f(func(r BenchFigures) float64 { return r.CPUPerMessage }),
		AllocsPerMessage: f(func(r BenchFigures) float64 { return r.AllocsPerMessage }),
		CoreShare:        f(func(r BenchFigures) float64 { return r.CoreShare }),
		MaxRSSBytes:      i(func(r BenchFigures) int64 { return r.MaxRSSBytes }),
		Lost:             i(func(r BenchFigures) int64 { return r.Lost }),
		Duplicated:       i(func(r BenchFigures) int64 { return r.Duplicated }),
	}
}

// printBench prints the figures, then the reference and the targets.
func printBench(w io.Writer, bf *BenchFile) {
	fmt.Fprintf(w, "warren bench: %d case(s) × %s, %s, against %s at %s; %d CPUs, load average %s before, %s after\n",
		len(bf.Cases), bf.Duration, benchRepeatText(bf.Repeat), cmp.Or(bf.Broker, "the broker"), bf.BrokerURI, bf.CPUs,
		benchLoadText(bf.LoadBefore), benchLoadText(bf.LoadAfter))
	monitor := "the runtime's default monitor"
	if bf.QuietSysmon {
		monitor = "the quiet runtime monitor"
	}
	fmt.Fprintf(w, "warren: %d thread(s) running Go code (GOMAXPROCS), %s; this machine's CPU probe: %.1f ns a turn (stamp written and read)\n", bf.GoMaxProcs, monitor, bf.CPUProbe)
	fmt.Fprintf(w, "note: %s.\n\n", bf.Note)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "case\tpublish/s\tconsume/s\te2e p50\te2e p99\te2e p99.9\tconfirm p50\tconfirm p99\tconfirm p99.9\tCPU µs/msg\tallocs/msg\tcore\tpeak RSS\t")
	for _, cr := range bf.Cases {
		m := cr.Median
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.1f\t%.1f\t%.2f\t%s\t\n", cr.Case,
			benchThousands(m.PublishRate), benchThousands(m.ConsumeRate),
			textfmt.Micros(m.EndToEnd.P50), textfmt.Micros(m.EndToEnd.P99), textfmt.Micros(m.EndToEnd.P999),
			textfmt.Micros(m.Confirm.P50), textfmt.Micros(m.Confirm.P99), textfmt.Micros(m.Confirm.P999),
			m.CPUPerMessage, m.AllocsPerMessage, m.CoreShare, textfmt.Bytes(m.MaxRSSBytes))
	}
	tw.Flush()

	fmt.Fprintln(w)
	fmt.Fprintln(w, "against the reference load tool (measured on this kind of machine, medians of 5 runs) and the targets:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "case\tref msg/s\tref µs/msg\ttarget µs/msg\tCPU µs/msg\ttarget msg/s\tpublish/s\treference latency")
	for _, cr := range bf.Cases {
		cpu := benchVerdict(cr.CPUTargetMet)
		rateTarget, rate := "-", "(fixed rate)"
		if cr.RateTargetMet != nil {
			rateTarget = "> " + benchThousands(cr.Target.MinRate)
			rate = benchVerdict(*cr.RateTargetMet)
		}
		refLat := "-"
		if r := cr.Reference; r.EndToEndP50 > 0 {
			refLat = fmt.Sprintf("e2e p50 %s, p99 %s, p99.9 %s", textfmt.Micros(r.EndToEndP50), textfmt.Micros(r.EndToEndP99), textfmt.Micros(r.EndToEndP999))
		}
		fmt.Fprintf(tw, "%s\t%s\t%.1f\t≤ %g\t%.1f %s\t%s\t%s %s\t%s\n", cr.Case,
			benchThousands(cr.Reference.Rate), cr.Reference.CPUPerMessage, cr.Target.MaxCPUPerMessage,
			cr.Median.CPUPerMessage, cpu, rateTarget, benchThousands(cr.Median.PublishRate), rate, refLat)
	}
	tw.Flush()
	if bf.Repeat > 1 {
		fmt.Fprintln(w, "\neach run (publish/s, CPU µs/msg, e2e p99), for the spread behind the medians:")
		for _, cr := range bf.Cases {
			runs := make([]string, len(cr.Runs))
			for i, r := range cr.Runs {
				runs[i] = fmt.Sprintf("%s, %.1f, %s", benchThousands(r.PublishRate), r.CPUPerMessage, textfmt.Micros(r.EndToEnd.P99))
			}
			fmt.Fprintf(w, "  %s: %s\n", cr.Case, strings.Join(runs, " | "))
		}
	}
	for _, cr := range bf.Cases {
		for i, r := range cr.Runs {
			if r.Lost > 0 || r.Duplicated > 0 {
				fmt.Fprintf(w, "warning: case %s run %d: %d lost, %d duplicated\n", cr.Case, i+1, r.Lost, r.Duplicated)
			}
			for _, warn := range r.Warnings {
				fmt.Fprintf(w, "warning: case %s run %d: %s\n", cr.Case, i+1, warn)
			}
		}
	}
}

// printBenchChange prints each case's change against a baseline file.
func printBenchChange(w io.Writer, base *BenchFile, path string, bf *BenchFile) {
	fmt.Fprintf(w, "\nchange against %s (%s, load average %s before):\n", path, base.StartedAt.Format(time.RFC3339), benchLoadText(base.LoadBefore))
	if base.CPUProbe > 0 && bf.CPUProbe > 0 {
		if r := bf.CPUProbe / base.CPUProbe; r > 1.15 || r < 1/1.15 {
			fmt.Fprintf(w, "note: the CPU probe took %.1f ns here and %.1f ns for the baseline: this machine runs warren's code %.2f× as fast, and rates and CPU per message move with it, so the change below is mostly the machine's\n",
				bf.CPUProbe, base.CPUProbe, 1/r)
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "case\tpublish/s\tCPU µs/msg\te2e p50\te2e p99\tconfirm p99\tpeak RSS")
	for _, cr := range bf.Cases {
		var old *BenchCaseResult
		for i := range base.Cases {
			if base.Cases[i].Case == cr.Case {
				old = &base.Cases[i]
			}
		}
		if old == nil {
			fmt.Fprintf(tw, "%s\tnot in the baseline\n", cr.Case)
			continue
		}
		o, n := old.Median, cr.Median
		fmt.Fprintf(tw, "%s\t%s → %s (%s)\t%.1f → %.1f (%s)\t%s → %s (%s)\t%s → %s (%s)\t%s → %s (%s)\t%s → %s (%s)\n", cr.Case,
			benchThousands(o.PublishRate), benchThousands(n.PublishRate), benchChange(o.PublishRate, n.PublishRate),
			o.CPUPerMessage, n.CPUPerMessage, benchChange(o.CPUPerMessage, n.CPUPerMessage),
			textfmt.Micros(o.EndToEnd.P50), textfmt.Micros(n.EndToEnd.P50), benchChange(float64(o.EndToEnd.P50), float64(n.EndToEnd.P50)),
			textfmt.Micros(o.EndToEnd.P99), textfmt.Micros(n.EndToEnd.P99), benchChange(float64(o.EndToEnd.P99), float64(n.EndToEnd.P99)),
			textfmt.Micros(o.Confirm.P99), textfmt.Micros(n.Confirm.P99), benchChange(float64(o.Confirm.P99), float64(n.Confirm.P99)),
			textfmt.Bytes(o.MaxRSSBytes), textfmt.Bytes(n.MaxRSSBytes), benchChange(float64(o.MaxRSSBytes), float64(n.MaxRSSBytes)))
	}
	tw.Flush()
}

// benchChange is the relative change from old to new, signed.
func benchChange(old, new float64) string {
	if old == 0 {
		if new == 0 {
			return "±0%"
		}
		return "new"
	}
	return fmt.Sprintf("%+.1f%%", 100*(new-old)/old)
}

func benchVerdict(met bool) string {
	if met {
		return "met"
	}
	return "missed"
}

func benchRepeatText(n int) string {
	if n == 1 {
		return "one run each"
	}
	return fmt.Sprintf("medians of %d runs each", n)
}

// benchThousands formats a rate as a whole number with thousands separators.
func benchThousands(v float64) string { return textfmt.Number(math.Round(v)) }

func benchLoadText(l []float64) string {
	if len(l) < 3 {
		return "unknown"
	}
	return fmt.Sprintf("%.2f/%.2f/%.2f", l[0], l[1], l[2])
}

// benchCPUProbe times a fixed loop of warren's own per-message work,
// writing a stamp and reading it back, and returns the best of five tries
// in ns per turn: the best, because other work on the machine can only
// make a try slower.
func benchCPUProbe() float64 {
	const turns = 1 << 20
	buf := make([]byte, loadgen.StampSize)
	best := math.Inf(1)
	var sink uint64 // each turn's input depends on the last's output
	for range 5 {
		start := time.Now()
		for i := range uint64(turns) {
			st := loadgen.Stamp{Publisher: i, Seq: i ^ sink, Intended: int64(i), Sent: int64(i) + 1}
			st.Put(buf)
			if got, ok := loadgen.ReadStamp(buf); ok {
				sink += got.Seq
			}
		}
		best = min(best, float64(time.Since(start).Nanoseconds())/turns)
	}
	return best
}

// benchLoadAverage reads the 1, 5 and 15 minute load averages; nil where
// /proc/loadavg does not exist.
func benchLoadAverage() []float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return nil
	}
	fields := strings.Fields(string(data))
	if len(fields) < 3 {
		return nil
	}
	var l []float64
	for _, f := range fields[:3] {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil
		}
		l = append(l, v)
	}
	return l
}

// benchResetPeakRSS sets the process's peak resident set size back to its
// current size (Linux 4.0 and later), so that the peak a run reports is its
// own, not an earlier case's. Elsewhere it does nothing and the peak is the
// process's.
func benchResetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// WriteFile writes the results atomically.
func (bf *BenchFile) WriteFile(path string) error { return results.WriteJSONFile(path, bf) }

// ReadBenchFile reads a file `warren bench` wrote.
func ReadBenchFile(path string) (*BenchFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var bf BenchFile
	if err := json.Unmarshal(data, &bf); err != nil {
		return nil, fmt.Errorf("%s: not a warren bench file: %w", path, err)
	}
	if bf.Schema != BenchSchema {
		return nil, fmt.Errorf("%s: schema %q, want %q: not a file warren bench wrote", path, bf.Schema, BenchSchema)
	}
	return &bf, nil
}
