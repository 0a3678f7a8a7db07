package selfbench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// Options say what Run runs.
type Options struct {
	Cases []Case
	// Duration is each case's publishing time; Repeat how many times each
	// case runs (its figures are the medians).
	Duration time.Duration
	Repeat   int
	// Loadgen are the options of every run: the broker, warren's version,
	// how to stop.
	Loadgen []loadgen.Option
	// Progress, when set, gets a line before and after each run.
	Progress func(string)
}

// Run runs each case Repeat times against the broker and fills f: the
// machine, the cases with every run, their medians and whether they met
// their targets. The caller fills the rest of f's header (warren's
// version, the broker's address, the runtime monitor).
//
// When ctx ends, Run stops and returns nil: f keeps the cases that ran all
// their runs (the last perhaps cut short). A run that fails ends Run with
// its error.
func Run(ctx context.Context, f *File, o Options) error {
	progress := o.Progress
	if progress == nil {
		progress = func(string) {}
	}
	f.Schema, f.Note = Schema, BodyNote
	f.StartedAt = time.Now().UTC().Truncate(time.Second)
	f.GoVersion, f.OS, f.Arch = runtime.Version(), runtime.GOOS, runtime.GOARCH
	f.CPUs, f.GoMaxProcs = runtime.NumCPU(), runtime.GOMAXPROCS(0)
	f.Duration, f.Repeat = scenarios.Duration(o.Duration), o.Repeat
	f.LoadBefore = LoadAverage()
	f.CPUProbe = CPUProbe()
	began := time.Now()
	defer func() {
		f.Elapsed = scenarios.Duration(time.Since(began).Round(time.Second))
		f.LoadAfter = LoadAverage()
	}()
cases:
	for _, bc := range o.Cases {
		cr := CaseResult{
			Case: bc.Name, Description: bc.Description,
			Publishers: bc.Publishers, Consumers: bc.Consumers, BodyBytes: int64(bc.Size),
			Durable: bc.Durable, Rate: bc.Rate, ConfirmWindow: ConfirmWindow, Prefetch: Prefetch,
			Reference: bc.Reference, Target: bc.Target,
		}
		for i := range o.Repeat {
			if ctx.Err() != nil {
				break cases // a case is reported with all its runs or not at all
			}
			progress(fmt.Sprintf("case %s (%s), run %d of %d, %s...", bc.Name, bc.Description, i+1, o.Repeat, o.Duration))
			res, err := runCase(ctx, bc, o.Duration, o.Loadgen)
			if err != nil {
				return fmt.Errorf("case %s: %w", bc.Name, err)
			}
			if f.Broker == "" && res.Environment.BrokerProduct != "" {
				f.Broker = strings.TrimSpace(res.Environment.BrokerProduct + " " + res.Environment.BrokerVersion)
			}
			fig := figuresOf(res)
			cr.Runs = append(cr.Runs, fig)
			progress(fmt.Sprintf("case %s: %.0f msg/s published, %.0f consumed, %.1f µs CPU per message, e2e p99 %s",
				bc.Name, fig.PublishRate, fig.ConsumeRate, fig.CPUPerMessage, textfmt.Micros(fig.EndToEnd.P99)))
		}
		if len(cr.Runs) == 0 {
			break
		}
		cr.judge()
		f.Cases = append(f.Cases, cr)
		if ctx.Err() != nil {
			break
		}
	}
	return nil
}

// judge takes the medians of the runs and holds them against the target.
func (cr *CaseResult) judge() {
	cr.Median = medianFigures(cr.Runs)
	cr.CPUTargetMet = cr.Median.CPUPerMessage <= cr.Target.MaxCPUPerMessage
	if cr.Target.MinRate > 0 {
		met := cr.Median.PublishRate > cr.Target.MinRate
		cr.RateTargetMet = &met
	}
}

// runCase runs a case once on a queue of its own, which the run deletes
// when it ends.
func runCase(ctx context.Context, bc Case, d time.Duration, opts []loadgen.Option) (*results.Result, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	s := bc.Scenario("warren-bench-"+bc.Name+"-"+hex.EncodeToString(b[:]), d)
	// Start each case clean: no garbage of the one before to collect on its
	// time, and the peak RSS measured from here.
	debug.FreeOSMemory()
	resetPeakRSS()
	return loadgen.Run(ctx, s, opts...)
}
