package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/warrenmq/warren/capacity"
	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/reports"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// capacityFixed tells the run flags a capacity search decides itself, step
// by step, or that make no sense for it; they are not offered.
func capacityFixed(name string) bool {
	switch name {
	case "duration", "rate", // each step's, from --warm-up, --hold, --min-messages and the search
		"run-id", "start-at", // a search runs from one machine
		"prefix", "cleanup", // each step gets queues of its own, deleted after it
		"metrics-addr":
		return true
	}
	return false
}

// capacityCmd searches for the highest publish rate the broker sustains for
// a scenario within a latency objective.
func capacityCmd(ctx context.Context, c *cli, args []string) int {
	fs := newFlags(c, "capacity", "capacity NAME|FILE --p99 50ms [flags]",
		"warren capacity greenhouse --p99 50ms\n"+
			"warren capacity my.yaml --p99 20ms --start 1000 --resolution 2% --out runs/capacity")
	p99 := fs.Duration("p99", 0, "objective: end-to-end p99 from the intended send (required), e.g. 50ms")
	start := fs.String("start", "", "first rate to try, msg/s (default the scenario's own rate, or 100/s when it has none)")
	factor := fs.Float64("factor", capacity.DefaultFactor, "multiply the rate by this after each pass until a rate fails")
	resolution := fs.String("resolution", "5%", "stop bisecting once the first fail is within this of the last pass")
	retries := fs.Int("retries", capacity.DefaultRetries, "run a failed rate this many more times before believing the fail")
	maxRate := fs.String("max-rate", "", "highest rate to try; the search stops when it passes (default none)")
	maxSteps := fs.Int("max-steps", capacity.DefaultMaxSteps, "stop after this many steps")
	maxTime := fs.Duration("max-time", capacity.DefaultMaxTime, "stop before a step would end beyond this")
	warmUp := fs.Duration("warm-up", capacity.DefaultWarmUp, "start of each step left out of every figure")
	hold := fs.Duration("hold", capacity.DefaultHold, "each step publishes at least this long after its warm-up")
	minMessages := fs.Int64("min-messages", capacity.DefaultMinMessages, "and at least this many messages after its warm-up")
	minAchieved := fs.String("min-achieved", "99%", "a step passes only when publishers reach this share of its rate")
	maxGrowth := fs.String("max-growth", "1%", "queue growth a step may show, as a share of its rate per second")
	headroom := fs.Float64("headroom", capacity.DefaultHeadroom, "plan for the sustainable rate divided by this: the printed 'warren size' command")
	drain := fs.Duration("drain", 2*time.Second, "how long each step's consumers drain after publishing (the queues are deleted after)")
	settle := fs.Duration("settle", time.Second, "pause between steps, so the broker settles")
	out := fs.String("out", "", "directory to write (default runs/<timestamp>-<scenario>-capacity); must not exist")
	quiet := fs.Bool("quiet", false, "no progress lines")
	rf := runFlags{stopNow: c.stopNow}
	runFS := pflag.NewFlagSet("run", pflag.ContinueOnError)
	runFS.SortFlags = false
	rf.register(runFS)
	runFS.VisitAll(func(f *pflag.Flag) {
		if !capacityFixed(f.Name) && fs.Lookup(f.Name) == nil {
			fs.AddFlag(f)
		}
	})
	if done, code := parseFlags(c, fs, args); done {
		return code
	}
	if fs.NArg() != 1 {
		return fail(c, "capacity", exitBadInput, "expected one scenario (a built-in name or a YAML file), got %d: see 'warren scenarios'", fs.NArg())
	}
	if *p99 <= 0 {
		return fail(c, "capacity", exitBadInput, "--p99 is required: the end-to-end p99 a rate must stay within, e.g. --p99 50ms")
	}
	obj := capacity.Objective{P99: *p99}
	cfg := capacity.Config{Factor: *factor, Retries: *retries, MaxSteps: *maxSteps, MaxTime: *maxTime,
		WarmUp: *warmUp, Hold: *hold, MinMessages: *minMessages}
	if *retries == 0 {
		cfg.Retries = -1 // Config reads 0 as the default
	}
	var err error
	if cfg.Resolution, err = share("resolution", *resolution); err != nil {
		return fail(c, "capacity", exitBadInput, "%v", err)
	}
	if obj.MinAchieved, err = share("min-achieved", *minAchieved); err != nil {
		return fail(c, "capacity", exitBadInput, "%v", err)
	}
	if obj.MaxGrowth, err = share("max-growth", *maxGrowth); err != nil {
		return fail(c, "capacity", exitBadInput, "%v", err)
	}
	if *maxRate != "" {
		if cfg.MaxRate, err = limitedRate("max-rate", *maxRate); err != nil {
			return fail(c, "capacity", exitBadInput, "%v", err)
		}
	}
	if *headroom < 1 {
		return fail(c, "capacity", exitBadInput, "--headroom must be ≥ 1 (1.25 plans for 80%% of the sustainable rate), got %v", *headroom)
	}
	if *drain < 0 || *settle < 0 || *warmUp < 0 || *hold < 0 {
		return fail(c, "capacity", exitBadInput, "--drain, --settle, --warm-up and --hold must be ≥ 0")
	}

	ref := fs.Arg(0)
	s, err := scenarios.Resolve(ref)
	if err != nil {
		return fail(c, "capacity", exitBadInput, "%v", err)
	}
	if s.Sweep != nil {
		fmt.Fprintf(c.stderr, "warren capacity: %s has a sweep: searching the base scenario only\n", s.Name)
		s.Sweep = nil
	}
	if err := rf.apply(c, runFS, s); err != nil {
		return fail(c, "capacity", exitBadInput, "%v", err)
	}
	if err := s.Validate(); err != nil {
		return failLines(c, "capacity", err)
	}
	if len(s.Publishers) == 0 {
		return fail(c, "capacity", exitBadInput, "%s has no publishers: there is no rate to search", s.Name)
	}
	if len(s.Consumers) == 0 {
		fmt.Fprintf(c.stderr, "warren capacity: %s has no consumers: no end-to-end latency can be measured, so every step will fail\n", s.Name)
	}
	if !capacity.FreshQueues(s) {
		fmt.Fprintf(c.stderr, "warren capacity: %s does not declare its topology, so every step shares its queues: a backlog one step leaves is the next one's\n", s.Name)
	}
	cfg.Start = scenarioRate(s)
	if *start != "" {
		if cfg.Start, err = limitedRate("start", *start); err != nil {
			return fail(c, "capacity", exitBadInput, "%v", err)
		}
	}
	if err := errors.Join(cfg.Validate(), obj.Validate()); err != nil {
		return failLines(c, "capacity", err)
	}

	dir := *out
	if dir == "" {
		dir = filepath.Join("runs", time.Now().UTC().Format("20060102-150405")+"-"+s.Name+"-capacity")
	}
	if _, err := os.Stat(dir); err == nil {
		return fail(c, "capacity", exitBadInput, "directory %s exists already: choose another --out, or remove it", dir)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fail(c, "capacity", exitBadInput, "%v", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(c, "capacity", exitBadInput, "cannot create %s: %v", dir, err)
	}
	id, err := randomID()
	if err != nil {
		return fail(c, "capacity", exitFailure, "%v", err)
	}

	step := func(ctx context.Context, rate float64, n int) (capacity.Measurement, error) {
		if n > 1 && *settle > 0 {
			select {
			case <-ctx.Done():
				return capacity.Measurement{}, ctx.Err()
			case <-time.After(*settle):
			}
		}
		sc := capacity.StepScenario(s, rate, cfg, fmt.Sprintf("capacity-%s-%d.", id, n), *drain)
		if err := sc.Validate(); err != nil {
			return capacity.Measurement{}, err
		}
		rel := filepath.Join("steps", fmt.Sprintf("%02d-%s", n, strconv.FormatFloat(rate, 'f', -1, 64)))
		if !*quiet {
			fmt.Fprintf(c.stderr, "step %d: %s msg/s for %s\n", n, textfmt.Number(rate), cfg.StepLength(rate))
		}
		began := time.Now()
		res, code := executeRun(ctx, c, sc, rf.options(sc), filepath.Join(dir, rel), runOutput{noReport: true, quiet: *quiet})
		if res == nil {
			if ctx.Err() != nil {
				return capacity.Measurement{}, ctx.Err()
			}
			return capacity.Measurement{}, fmt.Errorf("the run failed (exit %d; its error is printed above)", code)
		}
		m := capacity.FromResult(res, rate)
		m.Took, m.Dir = time.Since(began), filepath.ToSlash(rel)
		if !*quiet && ctx.Err() == nil {
			fmt.Fprintln(c.stderr, stepLine(m, capacity.Judge(m, obj)))
		}
		return m, nil
	}
	rep, searchErr := capacity.Search(ctx, cfg, obj, step)
	if rep == nil {
		return fail(c, "capacity", exitBadInput, "%v", searchErr)
	}
	rep.Scenario = s.Name
	uri := s.Broker.URI
	if uri == "" {
		uri = loadgen.DefaultURI
	}
	rep.Broker = scenarios.RedactURI(uri)
	if rep.SustainableRate > 0 {
		rep.Plan = capacity.NewPlan(s, ref, rep.SustainableRate, *headroom)
	}
	rep.Queue, _ = capacity.QueueRateOf(s, rep)
	if err := results.WriteJSONFile(filepath.Join(dir, capacity.File), rep); err != nil {
		return fail(c, "capacity", exitFailure, "write %s: %v", capacity.File, err)
	}
	if err := reports.RenderCapacity(dir, rep); err != nil {
		return fail(c, "capacity", exitFailure, "write %s: %v", reports.CapacityFile, err)
	}
	printCapacity(c, rep, obj, dir)
	fmt.Fprintf(c.stdout, "capacity: %s\n", filepath.Join(dir, reports.CapacityFile))
	switch {
	case ctx.Err() != nil:
		fmt.Fprintf(c.stderr, "warren capacity: interrupted after %d steps\n", len(rep.Steps))
		return exitInterrupted
	case searchErr != nil:
		fmt.Fprintf(c.stderr, "warren capacity: %v\n", searchErr)
		return exitFailure
	case rep.SustainableRate == 0:
		return exitFailure
	}
	return exitOK
}

// printCapacity sums the search up on stdout.
func printCapacity(c *cli, rep *capacity.Report, obj capacity.Objective, dir string) {
	if rep.SustainableRate == 0 {
		fmt.Fprintf(c.stdout, "no rate met p99 %s", obj.P99)
		if rep.FirstFailRate > 0 {
			fmt.Fprintf(c.stdout, ": even %s msg/s failed", textfmt.Number(rep.FirstFailRate))
		}
		fmt.Fprintf(c.stdout, " (%s)\n", rep.Stopped)
		return
	}
	fmt.Fprintf(c.stdout, "sustainable: %s msg/s within p99 %s", textfmt.Number(rep.SustainableRate), obj.P99)
	if rep.FirstFailRate > 0 {
		fmt.Fprintf(c.stdout, "; %s msg/s failed", textfmt.Number(rep.FirstFailRate))
	}
	fmt.Fprintf(c.stdout, " (%s after %d steps)\n", rep.Stopped, len(rep.Steps))
	if rep.LimitedBy == capacity.LimitGenerator {
		fmt.Fprintln(c.stdout, "the limit found is warren's, not the broker's: warren fell behind at the first failing rate, so the broker may sustain more."+
			" Run the load from more machines (the same --run-id, a distinct --instance-id on each; see the README, \"Load from several machines\") or give warren more cores (--procs)")
	}
	if rep.Plan != nil {
		fmt.Fprintf(c.stdout, "plan for %s msg/s (the sustainable rate ÷ %s headroom):\n  %s\n",
			textfmt.Number(rep.Plan.Rate), strconv.FormatFloat(rep.Plan.Headroom, 'f', -1, 64), rep.Plan.Command)
	}
	if q := rep.Queue; q != nil {
		bound := ""
		if q.AtLeast {
			bound = "at least "
		}
		fmt.Fprintf(c.stdout, "one %s queue sustained %s%s: 'warren size --calibration %s' plans with it\n",
			q.Type, bound, textfmt.Rate(q.Rate), filepath.Join(dir, capacity.File))
	}
}

// stepLine sums a judged step up in one line.
func stepLine(m capacity.Measurement, v capacity.Verdict) string {
	line := fmt.Sprintf("  achieved %s msg/s, p99 %s, backlog growth %.2f msg/s: ", textfmt.Number(m.Achieved), m.P99.Round(10*time.Microsecond), v.MaxSlope())
	if v.Pass {
		return line + "pass"
	}
	line += "fail: " + strings.Join(v.Reasons, "; ")
	if v.GeneratorLimited {
		line += " (" + v.GeneratorWhy + ")"
	}
	return line
}

// scenarioRate is the scenario's total constant publish rate, or 100 msg/s
// when a group has none: where a search starts by default.
func scenarioRate(s *scenarios.Scenario) float64 {
	var total float64
	for _, p := range s.Publishers {
		if p.Rate.Kind() != scenarios.RateConstant {
			return 100
		}
		total += p.Rate.PerSecond
	}
	return total
}

// share reads a flag given as a percentage ("5%") or a fraction ("0.05").
func share(flag, v string) (float64, error) {
	t := strings.TrimSpace(v)
	if strings.HasSuffix(t, "%") {
		p, err := parsePercent(t)
		if err != nil {
			return 0, fmt.Errorf("--%s %v", flag, err)
		}
		return p, nil
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("--%s %q: give a percentage such as 5%%", flag, v)
	}
	return f, nil
}

// limitedRate reads a rate flag that must be a positive rate.
func limitedRate(flag, v string) (float64, error) {
	r, err := scenarios.ParseRate(v)
	if err != nil || r.Kind() != scenarios.RateConstant {
		return 0, fmt.Errorf("--%s %q: give a rate such as 500/s", flag, v)
	}
	return r.PerSecond, nil
}
