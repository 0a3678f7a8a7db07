package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/reports"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// sweepCmd runs a scenario several times per variant of its sweep (or of
// the sweep given by flags), round by round (round 1 runs every variant
// once, then round 2 …) so that drift on the machine hits every variant
// alike, each run into its own directory under the variant's, and writes
// sweep.md comparing the variants with a recommendation that only counts
// significant differences.
func sweepCmd(ctx context.Context, c *cli, args []string) int {
	fs := newFlags(c, "sweep", "sweep NAME|FILE [--prefetch 1,10,100 | --set FIELD=V1,V2,...] [flags]",
		"warren sweep prefetch-sweep\n"+
			"warren sweep greenhouse --prefetch 1,10,50,100,500 --p99-objective 50ms --duration 30s\n"+
			"warren sweep greenhouse --prefetch 10,100 --repeat 5\n"+
			"warren sweep my.yaml --set publishers.rate=500/s,1000/s,2000/s --set queues.type=classic,quorum")
	prefetch := fs.String("prefetch", "", "sweep every consumer's prefetch over these values, e.g. 1,10,50,100,500 (short for --set consumers.prefetch=...)")
	sets := fs.StringArray("set", nil, "sweep a scenario field over values, FIELD=V1,V2,... (repeatable: the variants are the cross product); replaces the scenario's own sweep")
	objective := fs.String("p99-objective", "", "end-to-end p99 the recommended variant must stay within, e.g. 50ms (default: 2× the best p99 of the sweep)")
	repeat := fs.Int("repeat", 3, "runs of each variant, interleaved round by round; the recommendation compares their per-second figures")
	settle := fs.Duration("settle", 2*time.Second, "pause between runs, so the broker settles (memory freed, queues deleted) before the next")
	out := fs.String("out", "", "sweep directory to write (default runs/<timestamp>-<scenario>-sweep); must not exist")
	quiet := fs.Bool("quiet", false, "no progress lines")
	noReport := fs.Bool("no-report", false, "write each run's result.json and latency.hlog only, no report.md or charts per run (sweep.md is written all the same)")
	// The run flags, but for --prefetch, which a sweep sweeps.
	rf := runFlags{stopNow: c.stopNow}
	runFS := pflag.NewFlagSet("run", pflag.ContinueOnError)
	runFS.SortFlags = false
	rf.register(runFS)
	runFS.VisitAll(func(f *pflag.Flag) {
		if fs.Lookup(f.Name) == nil {
			fs.AddFlag(f)
		}
	})
	if done, code := parseFlags(c, fs, args); done {
		return code
	}
	if fs.NArg() != 1 {
		return fail(c, "sweep", exitBadInput, "expected one scenario (a built-in name or a YAML file), got %d: see 'warren scenarios'", fs.NArg())
	}
	var obj time.Duration
	if *objective != "" {
		d, err := time.ParseDuration(*objective)
		if err != nil || d <= 0 {
			return fail(c, "sweep", exitBadInput, "--p99-objective %q: give a positive duration such as 50ms", *objective)
		}
		obj = d
	}
	if *settle < 0 {
		return fail(c, "sweep", exitBadInput, "--settle must be ≥ 0, got %s", *settle)
	}
	if *repeat < 1 {
		return fail(c, "sweep", exitBadInput, "--repeat must be at least 1, got %d", *repeat)
	}

	s, err := scenarios.Resolve(fs.Arg(0))
	if err != nil {
		return fail(c, "sweep", exitBadInput, "%v", err)
	}
	params, err := sweepParameters(*prefetch, *sets)
	if err != nil {
		return fail(c, "sweep", exitBadInput, "%v", err)
	}
	if len(params) > 0 {
		if s.Sweep != nil {
			fmt.Fprintf(c.stderr, "warren sweep: the sweep flags replace the sweep section of %s\n", s.Name)
		}
		s.Sweep = &scenarios.Sweep{Parameters: params}
	}
	if s.Sweep == nil {
		return fail(c, "sweep", exitBadInput, "%s has no sweep section: say what to sweep with --prefetch 1,10,100 or --set FIELD=V1,V2", s.Name)
	}
	// The run flags apply to every variant. (runFS shares its flags with
	// fs, so it knows which ones the user set.)
	rf.prefixLater = true
	if err := rf.apply(c, runFS, s); err != nil {
		return fail(c, "sweep", exitBadInput, "%v", err)
	}
	variants, err := s.Expand()
	if err != nil {
		return failLines(c, "sweep", err)
	}
	for _, v := range variants {
		if runFS.Changed("prefix") {
			v.Scenario.PrefixNames(rf.prefix)
		}
		if err := v.Scenario.Validate(); err != nil {
			return failLines(c, "sweep", fmt.Errorf("variant %s: %w", v.Name, err))
		}
	}

	dir := *out
	if dir == "" {
		dir = filepath.Join("runs", time.Now().UTC().Format("20060102-150405")+"-"+s.Name+"-sweep")
	}
	if _, err := os.Stat(dir); err == nil {
		return fail(c, "sweep", exitBadInput, "sweep directory %s exists already: choose another --out, or remove it", dir)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fail(c, "sweep", exitBadInput, "%v", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(c, "sweep", exitBadInput, "cannot create %s: %v", dir, err)
	}

	sweepID, err := randomID()
	if err != nil {
		return fail(c, "sweep", exitFailure, "%v", err)
	}
	done := make([]reports.SweepVariant, len(variants))
	for i, v := range variants {
		done[i] = reports.SweepVariant{Name: variantName(v), Params: v.Params}
	}
	failed, total, ran := 0, len(variants)*(*repeat), 0
rounds:
	for round := 1; round <= *repeat; round++ {
		for i, v := range variants {
			if ran > 0 && *settle > 0 {
				select {
				case <-ctx.Done():
				case <-time.After(*settle):
				}
			}
			if ctx.Err() != nil {
				break rounds
			}
			sr, code := runOnce(ctx, c, &rf, v, sweepRun{variant: i, variants: len(variants), round: round, rounds: *repeat}, sweepID, dir, runOutput{quiet: *quiet, noReport: *noReport})
			if code == exitBadInput {
				// Such as a run directory in the way: the others would
				// fail alike.
				return code
			}
			ran++
			if sr.Result == nil {
				if ctx.Err() != nil {
					// Cut short by the interrupt: no run to count.
					break rounds
				}
				failed++
			}
			done[i].Runs = append(done[i].Runs, sr)
		}
	}
	if ran == 0 {
		fmt.Fprintf(c.stderr, "warren sweep: interrupted before the first run finished\n")
		return exitInterrupted
	}
	// A variant that never got a run (the sweep was interrupted) has
	// nothing to show.
	done = slices.DeleteFunc(done, func(v reports.SweepVariant) bool { return len(v.Runs) == 0 })
	if err := reports.RenderSweep(dir, done, reports.WithP99Objective(obj)); err != nil {
		return fail(c, "sweep", exitFailure, "write sweep.md: %v", err)
	}
	rec := reports.Recommend(done, obj)
	if rec.Best >= 0 {
		fmt.Fprintf(c.stdout, "recommended: %s. %s\n", done[rec.Best].Name, strings.ReplaceAll(rec.Reason, "`", ""))
	} else {
		fmt.Fprintf(c.stdout, "no recommendation: %s\n", strings.ReplaceAll(rec.Reason, "`", ""))
	}
	fmt.Fprintf(c.stdout, "sweep: %s\n", filepath.Join(dir, reports.SweepFile))
	switch {
	case ctx.Err() != nil:
		fmt.Fprintf(c.stderr, "warren sweep: interrupted after %d of %d runs\n", ran, total)
		return exitInterrupted
	case failed > 0:
		fmt.Fprintf(c.stderr, "warren sweep: %d of %d runs failed\n", failed, total)
		return exitFailure
	}
	return exitOK
}

// sweepRun places one run in the sweep: which variant of how many, in
// which round of how many.
type sweepRun struct {
	variant, variants int
	round, rounds     int
}

// variantName is what a variant is called in the sweep: its name, or
// "base" for a sweep without parameters.
func variantName(v scenarios.Variant) string {
	if v.Name == "" {
		return "base"
	}
	return v.Name
}

// runOnce runs a variant once, into DIR/VARIANT/ROUND, on queues of its
// own (a prefix unique to the sweep, the variant and the round) that are
// deleted when it ends, so no run inherits another's backlog.
func runOnce(ctx context.Context, c *cli, rf *runFlags, v scenarios.Variant, at sweepRun, sweepID, dir string, out runOutput) (reports.SweepRun, int) {
	name := variantName(v)
	quiet := out.quiet
	sr := reports.SweepRun{Dir: path.Join(variantDir(name), strconv.Itoa(at.round)), NoReport: out.noReport}
	sc := v.Scenario.Clone()
	switch sc.Topology.Declare {
	case scenarios.DeclarePassive, scenarios.DeclareNone:
		// The topology exists already and is not ours to rename or delete.
		if at.round == 1 && at.variant == 0 {
			fmt.Fprintf(c.stderr, "warren sweep: %s does not declare its topology, so the runs share its queues: a backlog one leaves is the next one's\n", sc.Name)
		}
	default:
		sc.PrefixNames(fmt.Sprintf("sweep-%s-%d-%d.", sweepID, at.variant+1, at.round))
		sc.Topology.Cleanup = true
	}
	if !quiet {
		if at.rounds > 1 {
			fmt.Fprintf(c.stderr, "round %d/%d, variant %d/%d: %s\n", at.round, at.rounds, at.variant+1, at.variants, name)
		} else {
			fmt.Fprintf(c.stderr, "variant %d/%d: %s\n", at.variant+1, at.variants, name)
		}
	}
	opts := rf.options(sc)
	if rf.metricsAddr != "" {
		// A registry per run: a run's collectors are registered once.
		opt, stop, err := serveMetrics(rf.metricsAddr)
		if err != nil {
			return sr, fail(c, "sweep", exitBadInput, "%v", err)
		}
		defer stop()
		opts = append(opts, opt)
	}
	// Keep executeRun's error line for the sweep's report as well as
	// showing it; but not on a terminal with progress, which executeRun
	// refreshes in place only when it writes to the terminal itself.
	var errs bytes.Buffer
	vc := c
	if f, ok := c.stderr.(*os.File); quiet || !ok || !term.IsTerminal(int(f.Fd())) {
		vc = &cli{stdout: c.stdout, stderr: io.MultiWriter(c.stderr, &errs), getenv: c.getenv}
	}
	res, code := executeRun(ctx, vc, sc, opts, filepath.Join(dir, filepath.FromSlash(sr.Dir)), out)
	if res == nil {
		sr.Error = "the run failed (its error is printed above)"
		if line := lastLine(errs.String()); line != "" {
			sr.Error = strings.TrimPrefix(line, "warren run: ")
		}
		return sr, code
	}
	sr.Result = res
	if !quiet {
		fmt.Fprintln(c.stderr, variantLine(res))
	}
	return sr, exitOK
}

// variantLine sums a finished variant up in one line.
func variantLine(r *results.Result) string {
	line := fmt.Sprintf("  published %.0f msg/s, consumed %.0f msg/s", r.Summary.PublishRate, r.Summary.ConsumeRate)
	if l, ok := r.Latency[results.MetricEndToEnd]; ok {
		line += fmt.Sprintf(", end-to-end p50 %s p99 %s", textfmt.Micros(l.P50), textfmt.Micros(l.P99))
	}
	if r.Integrity.Lost > 0 {
		line += fmt.Sprintf(", %d lost", r.Integrity.Lost)
	}
	return line
}

// sweepParameters turns --prefetch and --set into sweep parameters.
func sweepParameters(prefetch string, sets []string) ([]scenarios.SweepParameter, error) {
	var params []scenarios.SweepParameter
	if prefetch != "" {
		var values []any
		for _, v := range splitList(prefetch) {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 65535 {
				return nil, fmt.Errorf("--prefetch %q: give whole numbers from 0 (unlimited) to 65535, such as 1,10,100", prefetch)
			}
			values = append(values, n)
		}
		if len(values) == 0 {
			return nil, fmt.Errorf("--prefetch is empty: give the values to sweep, such as 1,10,100")
		}
		params = append(params, scenarios.SweepParameter{Field: "consumers.prefetch", Values: values})
	}
	for _, set := range sets {
		field, list, ok := strings.Cut(set, "=")
		field = strings.TrimSpace(field)
		if !ok || field == "" {
			return nil, fmt.Errorf("--set %q: write FIELD=V1,V2,..., such as consumers.prefetch=1,10,100", set)
		}
		if prefetch != "" && field == "consumers.prefetch" {
			return nil, fmt.Errorf("--set consumers.prefetch and --prefetch sweep the same field: give one")
		}
		var values []any
		for _, v := range splitList(list) {
			values = append(values, scalar(v))
		}
		if len(values) == 0 {
			return nil, fmt.Errorf("--set %q: no values: write FIELD=V1,V2,...", set)
		}
		params = append(params, scenarios.SweepParameter{Field: field, Values: values})
	}
	return params, nil
}

// splitList splits a comma-separated list, dropping empty entries.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// scalar reads a value as YAML would read it bare: a number or a boolean
// when it is one, text otherwise ("500/s", "4KiB", "quorum").
func scalar(s string) any {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f
	}
	if b, err := strconv.ParseBool(s); err == nil && (s == "true" || s == "false") {
		return b
	}
	return s
}

// variantDir names a variant's run directory after it, with what a file
// name cannot hold replaced.
func variantDir(name string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '/', '\\', ':', '*', '?', '"', '<', '>', '|':
			return '_'
		case ' ':
			return -1
		}
		return r
	}, name)
}

// randomID is a short random hex string, unique enough to keep two sweeps
// on one broker apart.
func randomID() (string, error) {
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// failLines prints an error that may hold several lines (validation
// problems), each as its own line, and returns exitBadInput.
func failLines(c *cli, cmd string, err error) int {
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintf(c.stderr, "warren %s: %s\n", cmd, line)
	}
	return exitBadInput
}
