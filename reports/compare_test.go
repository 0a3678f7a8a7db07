package reports_test

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/warrenmq/warren/reports"
	"github.com/warrenmq/warren/results"
)

// baseResult is the greenhouse fixture without its warning, built once:
// building it records some 150,000 latencies.
var baseResult = sync.OnceValue(func() *results.Result {
	r := greenhouseResult(&testing.T{})
	r.Warnings = nil
	return r
})

func side(label string, runs ...*results.Result) reports.Side {
	return reports.Side{Label: label, Runs: runs}
}

func row(t *testing.T, c *reports.Comparison, figure string) reports.Row {
	t.Helper()
	for _, r := range c.Rows {
		if r.Figure == figure {
			return r
		}
	}
	t.Fatalf("no row %q", figure)
	return reports.Row{}
}

func TestCompareGate(t *testing.T) {
	t.Parallel()
	base := baseResult()
	lossy := scaled(t, base, 1, 1)
	lossy.Integrity.Lost = 3
	slower := scaled(t, base, 2, 0.5)
	for _, tc := range []struct {
		name      string
		candidate *results.Result
		gate      reports.Gate
		failing   []string // figures, in order
	}{
		{"itself, every gate", base, reports.Gate{MaxP99Regression: new(0.1), MaxThroughputDrop: new(0.05), FailOnLoss: true}, nil},
		{"2x slower, p99 gate", slower, reports.Gate{MaxP99Regression: new(0.1)},
			[]string{reports.FigureE2EP99, reports.FigureConfirmP99}},
		{"2x slower, throughput gate", slower, reports.Gate{MaxThroughputDrop: new(0.05)},
			[]string{reports.FigurePublishRate, reports.FigureConsumeRate}},
		{"2x slower, generous gates", slower, reports.Gate{MaxP99Regression: new(1.5), MaxThroughputDrop: new(0.6)}, nil},
		{"2x slower, no gate", slower, reports.Gate{}, nil},
		{"9% slower at a 10% limit passes", scaled(t, base, 1.09, 1), reports.Gate{MaxP99Regression: new(0.1)}, nil},
		{"lost, fail on loss", lossy, reports.Gate{FailOnLoss: true}, []string{reports.FigureLost}},
		{"lost, loss not gated", lossy, reports.Gate{MaxP99Regression: new(0.1)}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := reports.Compare(side("base", base), []reports.Side{side("cand", tc.candidate)}, tc.gate)
			var got []string
			for _, f := range c.Failures {
				got = append(got, f.Figure)
				if !strings.Contains(f.Text, f.Figure) {
					t.Errorf("failure %q does not name its figure", f.Text)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.failing, ",") {
				t.Errorf("failing figures %v, want %v", got, tc.failing)
			}
			if c.Failed() != (len(tc.failing) > 0) {
				t.Errorf("Failed() = %v", c.Failed())
			}
		})
	}
}

func TestCompareChanges(t *testing.T) {
	t.Parallel()
	base := baseResult()
	c := reports.Compare(side("base", base), []reports.Side{side("cand", scaled(t, base, 2, 0.5))}, reports.Gate{})
	for _, tc := range []struct {
		figure string
		change float64
	}{
		{reports.FigurePublishRate, -0.5},
		{reports.FigureConsumeRate, -0.5},
		{reports.FigureE2EP50, 1},
		{reports.FigureE2EP99, 1},
		{reports.FigureConfirmP99, 1},
		{reports.FigureLost, math.NaN()}, // 0 → 0 is no change, but…
	} {
		got := row(t, c, tc.figure).Cells[1].Change
		if tc.figure == reports.FigureLost {
			if got != 0 {
				t.Errorf("%s: change %v, want 0", tc.figure, got)
			}
			continue
		}
		if math.Abs(got-tc.change) > 0.002 {
			t.Errorf("%s: change %v, want %v", tc.figure, got, tc.change)
		}
	}
}

// Repeats compare medians; a difference inside the runs' ranges is marked.
func TestCompareRepeats(t *testing.T) {
	t.Parallel()
	base := baseResult()
	baseline := side("base", scaled(t, base, 1, 1), scaled(t, base, 1.2, 0.97), scaled(t, base, 0.9, 1.01))
	near := side("near", scaled(t, base, 1.05, 1), scaled(t, base, 1.15, 0.99), scaled(t, base, 1.1, 0.98))
	far := side("far", scaled(t, base, 1.5, 0.8), scaled(t, base, 1.6, 0.79), scaled(t, base, 1.7, 0.81))
	c := reports.Compare(baseline, []reports.Side{near, far}, reports.Gate{MaxP99Regression: new(0.2)})

	p99 := row(t, c, reports.FigureE2EP99)
	if med, want := p99.Cells[0].Median, float64(base.Latency[results.MetricEndToEnd].P99); math.Abs(med-want) > 1 {
		t.Errorf("baseline median p99 %v, want the middle run's %v", med, want)
	}
	if !p99.Cells[1].WithinSpread || p99.Cells[1].Failed {
		t.Errorf("near: %+v, want within spread and passing", p99.Cells[1])
	}
	if p99.Cells[2].WithinSpread || !p99.Cells[2].Failed {
		t.Errorf("far: %+v, want outside the spread and failing", p99.Cells[2])
	}
}

func TestLoadSide(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write := func(rel string) {
		dir := filepath.Join(root, rel)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join("testdata", "result.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, results.ResultFile), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("single")
	write("single/nested-leftover")
	write("repeats/r2")
	write("repeats/r1")
	write("repeats/deeper/r3")
	if err := os.MkdirAll(filepath.Join(root, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}

	s, err := reports.LoadSide(filepath.Join(root, "single"))
	if err != nil || len(s.Runs) != 1 {
		t.Errorf("single: %d runs, %v; want the run directory itself", len(s.Runs), err)
	}
	s, err = reports.LoadSide(filepath.Join(root, "repeats"))
	if err != nil || strings.Join(s.Dirs, ",") != "deeper/r3,r1,r2" {
		t.Errorf("repeats: dirs %v, %v", s.Dirs, err)
	}
	for _, bad := range []string{"empty", "missing", "single/result.json"} {
		if _, err := reports.LoadSide(filepath.Join(root, bad)); err == nil {
			t.Errorf("LoadSide(%s): no error", bad)
		}
	}
}

func TestCompareGolden(t *testing.T) {
	t.Parallel()
	base := baseResult()
	lost := scaled(t, base, 1.3, 0.97)
	lost.Integrity.Lost = 12
	warned := scaled(t, base, 1.04, 1)
	warned.Warnings = []string{"generator fell behind its target rate by 12%: results understate the broker"}
	baseline := reports.Side{Label: "runs/baseline", Dirs: []string{"r1", "r2", "r3"},
		Runs: []*results.Result{scaled(t, base, 1, 1), warned, scaled(t, base, 0.95, 1.01)}}
	candidate := reports.Side{Label: "runs/candidate", Dirs: []string{"r1", "r2", "r3"},
		Runs: []*results.Result{scaled(t, base, 1.25, 0.98), lost, scaled(t, base, 1.08, 1)}}
	c := reports.Compare(baseline, []reports.Side{candidate},
		reports.Gate{MaxP99Regression: new(0.1), MaxThroughputDrop: new(0.05), FailOnLoss: true})

	dir := t.TempDir()
	if err := reports.RenderCompare(dir, c); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, reports.CompareFile))
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "compare.md", got)
	checkPNG(t, filepath.Join(dir, reports.CompareChartFile))
	if look := os.Getenv("WARREN_REPORTS_LOOK"); look != "" {
		copyDir(t, dir, filepath.Join(look, "compare"))
	}

	// Two single runs: the plain layout, and a pass.
	single := reports.Compare(side("runs/a", base), []reports.Side{side("runs/b", scaled(t, base, 1.02, 1))},
		reports.Gate{MaxP99Regression: new(0.1)})
	checkGolden(t, "compare-single.md", single.Markdown(""))
}
