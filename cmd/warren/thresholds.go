package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/spf13/pflag"

	"github.com/warrenmq/warren/reports"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// registerThresholds adds --threshold, repeatable, to a command's flags.
func registerThresholds(fs *pflag.FlagSet) *[]string {
	return fs.StringArray("threshold", nil, "pass/fail threshold `EXPR`, METRIC OP VALUE such as 'e2e_p99<50ms', 'lost==0' or 'publish_rate>=99%', added to the scenario's; repeatable (exit 1 when one fails or cannot be judged; see scenarios/README.md)")
}

// parseThresholds reads --threshold values. A bad one is bad input.
func parseThresholds(values []string) ([]scenarios.Threshold, error) {
	var out []scenarios.Threshold
	for _, text := range values {
		t, err := scenarios.ParseThreshold(text)
		if err != nil {
			return nil, fmt.Errorf("--threshold: %v", err)
		}
		out = append(out, t)
	}
	return out, nil
}

// addThresholds adds thresholds from the command line to the scenario's,
// once each. One that the scenario could never judge is bad input.
func addThresholds(s *scenarios.Scenario, ts []scenarios.Threshold) error {
	for _, t := range ts {
		if err := s.CheckThreshold(t); err != nil {
			return fmt.Errorf("--threshold %s: %v", t, err)
		}
		same := func(o scenarios.Threshold) bool { return o.String() == t.String() }
		if !slices.ContainsFunc(s.Thresholds, same) {
			s.Thresholds = append(s.Thresholds, t)
		}
	}
	return nil
}

// printVerdicts writes the verdicts under the run's summary, and each one
// that fails the run on stderr too, where a pipeline's log shows it even
// when stdout is kept as an artefact. It returns whether the run failed.
func printVerdicts(c *cli, cmd string, vs []results.Verdict) bool {
	if len(vs) == 0 {
		return false
	}
	fmt.Fprintf(c.stdout, "thresholds: %s\n", reports.VerdictHeadline(vs))
	width := 0
	for _, v := range vs {
		width = max(width, len(v.Threshold.String()))
	}
	for _, v := range vs {
		fmt.Fprintf(c.stdout, "  %-8s %-*s  %s\n", v.Status, width, v.Threshold, reports.VerdictFigure(v))
	}
	failed := results.Failed(vs)
	if failed {
		printFailedVerdicts(c.stderr, cmd, vs)
	}
	return failed
}

func printFailedVerdicts(w io.Writer, cmd string, vs []results.Verdict) {
	for _, v := range vs {
		switch v.Status {
		case results.StatusFail:
			fmt.Fprintf(w, "warren %s: threshold %s failed: %s\n", cmd, v.Threshold, reports.VerdictFigure(v))
		case results.StatusUnknown:
			fmt.Fprintf(w, "warren %s: threshold %s could not be judged, which fails the run: %s\n", cmd, v.Threshold, v.Note)
		}
	}
}
