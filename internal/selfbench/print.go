package selfbench

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/warrenmq/warren/internal/textfmt"
)

// WriteTable prints the figures, then the reference and the targets.
func WriteTable(w io.Writer, bf *File) {
	fmt.Fprintf(w, "warren bench: %d case(s) × %s, %s, against %s at %s; %d CPUs, load average %s before, %s after\n",
		len(bf.Cases), bf.Duration, repeatText(bf.Repeat), cmp.Or(bf.Broker, "the broker"), bf.BrokerURI, bf.CPUs,
		loadText(bf.LoadBefore), loadText(bf.LoadAfter))
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
			thousands(m.PublishRate), thousands(m.ConsumeRate),
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
		cpu := verdict(cr.CPUTargetMet)
		rateTarget, rate := "-", "(fixed rate)"
		if cr.RateTargetMet != nil {
			rateTarget = "> " + thousands(cr.Target.MinRate)
			rate = verdict(*cr.RateTargetMet)
		}
		refLat := "-"
		if r := cr.Reference; r.EndToEndP50 > 0 {
			refLat = fmt.Sprintf("e2e p50 %s, p99 %s, p99.9 %s", textfmt.Micros(r.EndToEndP50), textfmt.Micros(r.EndToEndP99), textfmt.Micros(r.EndToEndP999))
		}
		fmt.Fprintf(tw, "%s\t%s\t%.1f\t≤ %g\t%.1f %s\t%s\t%s %s\t%s\n", cr.Case,
			thousands(cr.Reference.Rate), cr.Reference.CPUPerMessage, cr.Target.MaxCPUPerMessage,
			cr.Median.CPUPerMessage, cpu, rateTarget, thousands(cr.Median.PublishRate), rate, refLat)
	}
	tw.Flush()
	if bf.Repeat > 1 {
		fmt.Fprintln(w, "\neach run (publish/s, CPU µs/msg, e2e p99), for the spread behind the medians:")
		for _, cr := range bf.Cases {
			runs := make([]string, len(cr.Runs))
			for i, r := range cr.Runs {
				runs[i] = fmt.Sprintf("%s, %.1f, %s", thousands(r.PublishRate), r.CPUPerMessage, textfmt.Micros(r.EndToEnd.P99))
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

// WriteChange prints each case's change against a baseline file.
func WriteChange(w io.Writer, base *File, path string, bf *File) {
	fmt.Fprintf(w, "\nchange against %s (%s, load average %s before):\n", path, base.StartedAt.Format(time.RFC3339), loadText(base.LoadBefore))
	if base.CPUProbe > 0 && bf.CPUProbe > 0 {
		if r := bf.CPUProbe / base.CPUProbe; r > 1.15 || r < 1/1.15 {
			fmt.Fprintf(w, "note: the CPU probe took %.1f ns here and %.1f ns for the baseline: this machine runs warren's code %.2f× as fast, and rates and CPU per message move with it, so the change below is mostly the machine's\n",
				bf.CPUProbe, base.CPUProbe, 1/r)
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "case\tpublish/s\tCPU µs/msg\te2e p50\te2e p99\tconfirm p99\tpeak RSS")
	for _, cr := range bf.Cases {
		var old *CaseResult
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
			thousands(o.PublishRate), thousands(n.PublishRate), change(o.PublishRate, n.PublishRate),
			o.CPUPerMessage, n.CPUPerMessage, change(o.CPUPerMessage, n.CPUPerMessage),
			textfmt.Micros(o.EndToEnd.P50), textfmt.Micros(n.EndToEnd.P50), change(float64(o.EndToEnd.P50), float64(n.EndToEnd.P50)),
			textfmt.Micros(o.EndToEnd.P99), textfmt.Micros(n.EndToEnd.P99), change(float64(o.EndToEnd.P99), float64(n.EndToEnd.P99)),
			textfmt.Micros(o.Confirm.P99), textfmt.Micros(n.Confirm.P99), change(float64(o.Confirm.P99), float64(n.Confirm.P99)),
			textfmt.Bytes(o.MaxRSSBytes), textfmt.Bytes(n.MaxRSSBytes), change(float64(o.MaxRSSBytes), float64(n.MaxRSSBytes)))
	}
	tw.Flush()
}

// change is the relative change from old to new, signed.
func change(old, new float64) string {
	if old == 0 {
		if new == 0 {
			return "±0%"
		}
		return "new"
	}
	return fmt.Sprintf("%+.1f%%", 100*(new-old)/old)
}

func verdict(met bool) string {
	if met {
		return "met"
	}
	return "missed"
}

func repeatText(n int) string {
	if n == 1 {
		return "one run each"
	}
	return fmt.Sprintf("medians of %d runs each", n)
}

// thousands formats a rate as a whole number with thousands separators.
func thousands(v float64) string { return textfmt.Number(math.Round(v)) }

func loadText(l []float64) string {
	if len(l) < 3 {
		return "unknown"
	}
	return fmt.Sprintf("%.2f/%.2f/%.2f", l[0], l[1], l[2])
}
