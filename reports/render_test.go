package reports_test

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/warrenmq/warren/reports"
	"github.com/warrenmq/warren/results"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ (and testdata/result.json)")

// Rendering is the slow part (several seconds under -race), so each
// fixture is rendered once into a shared directory and the tests that only
// read the output share it.
var (
	sharedDir string
	fixtures  = map[string]func(testing.TB) *results.Result{
		"greenhouse": greenhouseResult,
		"lossy":      lossyResult,
		"empty":      func(testing.TB) *results.Result { return &results.Result{} },
	}
	shared = map[string]*sharedRun{"greenhouse": {}, "lossy": {}, "empty": {}}
)

type sharedRun struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "warren-reports-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sharedDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// rendered returns the directory holding the fixture's rendered report.
// Callers must not change it.
func rendered(t *testing.T, fixture string) string {
	t.Helper()
	run := shared[fixture]
	run.once.Do(func() {
		run.dir = filepath.Join(sharedDir, fixture)
		if run.err = os.Mkdir(run.dir, 0o755); run.err == nil {
			run.err = reports.Render(run.dir, fixtures[fixture](t))
		}
	})
	if run.err != nil {
		t.Fatalf("Render %s: %v", fixture, run.err)
	}
	return run.dir
}

var allFiles = []string{
	results.ReportFile,
	reports.LatencyChartFile,
	reports.ThroughputChartFile,
	reports.LatencyOverTimeFile,
	reports.QueueDepthChartFile,
	reports.BrokerMemoryChartFile,
	reports.ConsumerLagChartFile,
}

// charts lists the charts each fixture has data for: the broker charts
// only when the broker was sampled (memory only through the management
// API).
func charts(fixture string) []string {
	switch fixture {
	case "greenhouse":
		return allFiles[1:]
	case "lossy":
		return allFiles[1:5]
	}
	return allFiles[1:4]
}

func checkGolden(t *testing.T, golden string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", golden)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./reports -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("report.md differs from %s (run go test ./reports -update and review the diff):\n%s",
			path, firstDifference(string(want), string(got)))
	}
}

// firstDifference shows the first line where two texts differ.
func firstDifference(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return "(same lines, different bytes)"
}

func TestReportGolden(t *testing.T) {
	t.Parallel()
	for _, fixture := range []string{"greenhouse", "lossy"} {
		t.Run(fixture, func(t *testing.T) {
			t.Parallel()
			dir := rendered(t, fixture)
			got, err := os.ReadFile(filepath.Join(dir, results.ReportFile))
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, fixture+".md", got)
		})
	}
}

// The report of a result read back from result.json is the report of the
// result that was written: nothing the report needs is lost in JSON.
func TestReportFromResultFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join("testdata", "result.json")
	if *update {
		if err := greenhouseResult(t).WriteFile(path); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, results.ResultFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := reports.RenderDir(dir); err != nil {
		t.Fatalf("RenderDir: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(dir, results.ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "greenhouse.md", got)
	for _, name := range allFiles {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
}

func TestReportContent(t *testing.T) {
	t.Parallel()
	dir := rendered(t, "greenhouse")
	data, err := os.ReadFile(filepath.Join(dir, results.ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	md := string(data)
	for _, want := range []string{
		"# warren run: greenhouse\n",
		"> **Warning:** generator fell behind",
		"2025-03-14T09:26:53Z",
		"amqp://warren:xxxxx@rabbit.example:5672/load",
		"No message lost, none duplicated.",
		"| End-to-end (from intended send) |",
		"![Latency percentiles](latency.png)",
		"![Throughput](throughput.png)",
		"![End-to-end latency over time](latency-over-time.png)",
		"- **Key settings:** topic exchange; 2 classic queues and 1 quorum queue; prefetch 20, 50, 100; confirm window 128; 256B messages; persistent\n",
		"- **Generator:** 0.32 of a CPU core",
		"## Broker\n",
		"| `greenhouse.all` | 2 | 1,650 at +12s | 0 | 200 | 1.65 s at +12s |",
		"**Publishers were blocked** by the broker (connection.blocked) for 0.5 s in all: +11.6s to +12.1s.",
		"**The memory alarm was on** in the samples at +12s.",
		"of the high watermark (409.6 MiB)",
		"![Queue depth](queue-depth.png)",
		"![Broker memory](broker-memory.png)",
		"| p99.99 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	if strings.Contains(md, "s3cret") {
		t.Error("report.md shows the broker password")
	}
	// Latency rows follow results.Metrics() order.
	last := -1
	for _, label := range []string{"End-to-end (from intended send)", "End-to-end (from actual send)", "Publisher confirm", "Send delay"} {
		i := strings.Index(md, "| "+label+" |")
		if i < 0 || i < last {
			t.Errorf("latency row %q missing or out of order", label)
		}
		last = i
	}
	// Events are listed in time order even though the result lists them
	// otherwise.
	if b, u := strings.Index(md, "sensors-1 blocked"), strings.Index(md, "sensors-1 unblocked"); b < 0 || u < b {
		t.Error("events not in time order")
	}
}

// TestCharts checks every chart of every fixture. Set WARREN_REPORTS_LOOK
// to a directory to keep the charts there and look at them.
func TestCharts(t *testing.T) {
	t.Parallel()
	for name := range fixtures {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := rendered(t, name)
			if look := os.Getenv("WARREN_REPORTS_LOOK"); look != "" {
				copyDir(t, dir, filepath.Join(look, name))
			}
			want := charts(name)
			for _, file := range allFiles[1:] {
				path := filepath.Join(dir, file)
				if slices.Contains(want, file) {
					checkPNG(t, path)
				} else if _, err := os.Stat(path); !os.IsNotExist(err) {
					t.Errorf("%s written although the result has no data for it", file)
				}
			}
		})
	}
}

// checkPNG decodes a chart and checks its size and that it shows something:
// enough ink, and more than a couple of colours (anti-aliased text and
// coloured lines).
func checkPNG(t *testing.T, path string) {
	t.Helper()
	checkPNGSize(t, path, image.Point{X: 1200, Y: 675})
}

// checkPNGSize is checkPNG for a chart of another size.
func checkPNGSize(t *testing.T, path string, size image.Point) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if got := img.Bounds().Size(); got != size {
		t.Errorf("%s: size %v, want %v", path, got, size)
	}
	b := img.Bounds()
	colours := map[color.RGBA]bool{}
	ink := 0
	pixel := func(c color.RGBA) {
		colours[c] = true
		if c.R < 0xF0 || c.G < 0xF0 || c.B < 0xF0 {
			ink++
		}
	}
	switch m := img.(type) {
	case *image.RGBA:
		for i := 0; i+3 < len(m.Pix); i += 4 {
			pixel(color.RGBA{m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3]})
		}
	case *image.NRGBA:
		for i := 0; i+3 < len(m.Pix); i += 4 {
			pixel(color.RGBA{m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3]})
		}
	default:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				pixel(color.RGBAModel.Convert(img.At(x, y)).(color.RGBA))
			}
		}
	}
	if len(colours) < 20 {
		t.Errorf("%s: only %d distinct colours: blank?", path, len(colours))
	}
	if frac := float64(ink) / float64(b.Dx()*b.Dy()); frac < 0.01 {
		t.Errorf("%s: only %.2f%% of pixels are not white: blank?", path, 100*frac)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// A run whose management API was unreachable says so, and links only the
// chart it has data for.
func TestReportPassiveBroker(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(rendered(t, "lossy"), results.ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	md := string(data)
	for _, want := range []string{
		"**the management API was unreachable**",
		"| `orders\\|eu` | 0 | 25,100 at +5s | 25,100 | no consumers |",
		"![Queue depth](queue-depth.png)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	for _, unwanted := range []string{reports.BrokerMemoryChartFile, "Max unacked"} {
		if strings.Contains(md, unwanted) {
			t.Errorf("report.md mentions %q, which a passive-declare run does not have", unwanted)
		}
	}
}

func TestRenderErrors(t *testing.T) {
	t.Parallel()
	r := greenhouseResult(t)

	t.Run("missing directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "nope")
		err := reports.Render(dir, r)
		if err == nil || !strings.Contains(err.Error(), dir) {
			t.Fatalf("Render into a missing directory: got %v, want an error naming it", err)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Error("Render created the missing directory")
		}
	})

	t.Run("file, not directory", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "run")
		if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := reports.Render(path, r); err == nil {
			t.Fatal("Render into a file: no error")
		}
		if data, _ := os.ReadFile(path); string(data) != "x" {
			t.Error("Render changed the file")
		}
	})

	t.Run("a chart cannot be written", func(t *testing.T) {
		dir := t.TempDir()
		// A directory where a chart should go makes its rename fail after
		// other files were already written.
		if err := os.Mkdir(filepath.Join(dir, reports.LatencyOverTimeFile), 0o755); err != nil {
			t.Fatal(err)
		}
		err := reports.Render(dir, r)
		if err == nil || !strings.Contains(err.Error(), reports.LatencyOverTimeFile) {
			t.Fatalf("got %v, want an error naming %s", err, reports.LatencyOverTimeFile)
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".tmp") {
				t.Errorf("temporary file %s left behind", e.Name())
			}
			if e.Name() == results.ReportFile {
				t.Error("report.md written although a chart it links failed")
			}
		}
	})

	t.Run("nil result", func(t *testing.T) {
		if err := reports.Render(t.TempDir(), nil); err == nil {
			t.Fatal("Render(nil): no error")
		}
	})

	t.Run("corrupt histogram", func(t *testing.T) {
		bad := greenhouseResult(t)
		bad.Histograms[results.MetricConfirm] = "not a histogram!"
		dir := t.TempDir()
		err := reports.Render(dir, bad)
		if err == nil || !strings.Contains(err.Error(), "confirm") {
			t.Fatalf("got %v, want an error naming the metric", err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("Render wrote %d files for a result it could not draw", len(entries))
		}
	})
}

func TestRenderReplacesPreviousReport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	copyDir(t, rendered(t, "lossy"), dir)
	if err := reports.Render(dir, greenhouseResult(t)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, results.ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "# warren run: greenhouse\n") {
		t.Error("second render did not replace report.md")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(allFiles) {
		t.Errorf("%d files in the run directory, want %d", len(entries), len(allFiles))
	}

	// A result without broker memory removes the memory chart an earlier
	// render left, which its report.md no longer links.
	if err := reports.Render(dir, lossyResult(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, reports.BrokerMemoryChartFile)); !os.IsNotExist(err) {
		t.Errorf("stale %s survived a render without memory samples", reports.BrokerMemoryChartFile)
	}
	checkPNG(t, filepath.Join(dir, reports.QueueDepthChartFile))
}
