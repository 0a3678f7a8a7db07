package main

import (
	"bytes"
	"go/parser"
	"go/token"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warrenmq/warren/capacity"
	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/reports"
	"github.com/warrenmq/warren/results"
)

// The done-when: the napkin numbers, and next to them the RAM with
// overhead, the node RAM, queue limits, consumers and prefetch.
func TestSizeDoneWhen(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "size", "--rate", "500", "--size", "1KB", "--backlog", "10s")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{
		"Messages held per queue at the backlog target",
		"5,000 messages",
		"Payload per queue (the napkin number)",
		"4.8 MiB         messages × body = 5,000 × 1,000 B",
		"RAM for the backlog, with the broker's overhead",
		"7.9 MiB", // 11,664 + 5,000 × 656 + 5,000 × (1,000 + 1) = 8,296,664 B
		"Node RAM to provision",
		"x-max-length ",
		"x-max-length-bytes",
		"x-overflow",
		"reject-publish",
		"Consumers per queue (Little's law)",
		"Prefetch per consumer (basic.qos)",
		"not your broker: run 'warren size calibrate'",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The napkin lines come first, so a reader sees them before the rest.
	if i, j := strings.Index(out, "5,000 messages"), strings.Index(out, "Node RAM to provision"); i < 0 || j < i {
		t.Errorf("messages at %d, node RAM at %d", i, j)
	}
}

func TestSizeBadInput(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"size"}, "--rate is required; --size is required; --backlog is required"},
		{[]string{"size", "--rate", "fast", "--size", "1KB", "--backlog", "10s"}, `--rate "fast"`},
		{[]string{"size", "--rate", "500", "--size", "big", "--backlog", "10s"}, "--size: invalid size"},
		{[]string{"size", "--rate", "500", "--size", "1KB", "--backlog", "soon"}, `--backlog "soon"`},
		{[]string{"size", "--rate", "500", "--size", "1KB", "--backlog", "10s", "--queue-type", "lazy"}, "queue_type: must be classic, quorum or stream"},
		{[]string{"size", "--rate", "500", "--size", "1KB", "--backlog", "10s", "--queues", "2", "--fan-out", "3"}, "fan_out: a message cannot reach more queues"},
		{[]string{"size", "--rate", "500", "--size", "1KB", "--backlog", "10s", "--client", "cobol"}, `--client "cobol"`},
		{[]string{"size", "--rate", "500", "--size", "1KB", "--backlog", "10s", "--calibration", "/nonexistent/cal.json"}, "does not exist: write one with 'warren size calibrate"},
		{[]string{"size", "--rate", "500", "--size", "1KB", "--backlog", "10s", "extra"}, "unexpected arguments"},
	}
	for _, tt := range tests {
		code, _, errOut := runCLI(t, nil, tt.args...)
		if code != exitBadInput || !strings.Contains(errOut, tt.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("%q: exit %d, stderr %q, want one line with %q", tt.args, code, errOut, tt.want)
		}
	}
}

func TestSizeBacklogAsCount(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "size", "--rate", "500", "--size", "1KiB", "--backlog", "20000", "--queue-type", "quorum")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"backlog target 20,000 messages per queue", "1 quorum queue (3 replicas)", "Quorum write-ahead log in RAM",
		"19.5 MiB", "messages × body = 20,000 × 1,024 B"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestSizeOutWritesReportAndCharts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "plan")
	args := []string{"size", "--rate", "2000", "--size", "4KiB", "--backlog", "5m", "--queue-type", "quorum", "--broker-ram", "4GiB", "--out", dir}
	code, out, errOut := runCLI(t, nil, args...)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, "plan: "+filepath.Join(dir, reports.SizingFile)) {
		t.Errorf("stdout does not name the plan file:\n%s", out)
	}
	md, err := os.ReadFile(filepath.Join(dir, reports.SizingFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# Sizing plan", "## Inputs", "## Plan", "### Memory", "| Formula |", "## Constants", "| Calibrated |",
		"## Production settings", "### Go (github.com/rabbitmq/amqp091-go)", "### Python (Pika)", "### Java (com.rabbitmq:amqp-client)", "### Node.js (amqplib)",
		`"x-queue-type":`, "'x-queue-type': 'quorum'", `args.put("x-queue-type", "quorum");`,
		"](" + reports.SizingRAMChartFile + ")", "](" + reports.SizingConsumersChartFile + ")",
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("sizing.md lacks %q", want)
		}
	}
	// The same plan gives the same Markdown: no clock, no map order.
	again := filepath.Join(t.TempDir(), "again")
	args[len(args)-1] = again
	if code, _, errOut := runCLI(t, nil, args...); code != exitOK {
		t.Fatalf("second run: exit %d, stderr %q", code, errOut)
	}
	if md2, _ := os.ReadFile(filepath.Join(again, reports.SizingFile)); !bytes.Equal(md, md2) {
		t.Error("sizing.md differs between two runs with the same input")
	}
	for _, name := range []string{reports.SizingRAMChartFile, reports.SizingConsumersChartFile} {
		checkPNG(t, filepath.Join(dir, name))
	}
}

// checkPNG decodes a chart and checks its size and that it is not blank.
func checkPNG(t *testing.T, path string) {
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
	if b := img.Bounds(); b.Dx() != 1200 || b.Dy() != 675 {
		t.Errorf("%s is %dx%d, want 1200x675", path, b.Dx(), b.Dy())
	}
	if n := colours(img); n < 4 {
		t.Errorf("%s has %d colours: blank?", path, n)
	}
}

func colours(img image.Image) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
		}
	}
	return len(seen)
}

func TestSizeUsesCalibration(t *testing.T) {
	cal := &results.Calibration{
		Schema:   results.CalibrationSchema,
		Broker:   results.CalibrationBroker{Product: "RabbitMQ", Version: "4.1.0", Node: "rabbit@test"},
		FrameMax: 131072,
		Queues: []results.QueueCalibration{
			{Type: "classic", BodyBytes: 1024, Messages: 10000, EmptyMemory: 12000, FullMemory: 7_012_000, PerMessage: 700},
		},
		ChannelBytes: 30000,
	}
	path := filepath.Join(t.TempDir(), "calibration.json")
	if err := cal.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, nil, "size", "--rate", "500", "--size", "1KiB", "--backlog", "10s", "--calibration", path)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{
		"calibrated on RabbitMQ 4.1.0 on rabbit@test (" + path + "): 4 of 17 measured", // message, empty queue, channel, frame_max
		"11.7 KiB + 5,000 × 700 B", // the calibrated queue: 12,000 + 5,000 × 700
		"3.3 MiB",
		"÷ 0.6 × 1.5", // the calibrated broker's version picks the 4.x watermark
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// The Go settings parse as Go statements; each client's spelling carries
// the plan's prefetch and arguments.
func TestSizeClientSettings(t *testing.T) {
	for _, variant := range [][]string{nil, {"--confirms=false", "--persistent=false"}, {"--queue-type", "stream"}} {
		args := append([]string{"size", "--rate", "500", "--size", "1KB", "--backlog", "10s", "--client", "go"}, variant...)
		code, out, errOut := runCLI(t, nil, args...)
		if code != exitOK {
			t.Fatalf("%q: exit %d, stderr %q", args, code, errOut)
		}
		_, snippet, ok := strings.Cut(out, "Production settings, Go (github.com/rabbitmq/amqp091-go):\n")
		if !ok {
			t.Fatalf("%q: no Go settings:\n%s", args, out)
		}
		src := "package p\nfunc f() {\n" + snippet + "}\n"
		if _, err := parser.ParseFile(token.NewFileSet(), "snippet.go", src, 0); err != nil {
			t.Errorf("%q: the Go settings do not parse: %v\n%s", args, err, snippet)
		}
	}
	for client, want := range map[string]string{
		"go":     "err = ch.Qos(4, 0, false)",
		"python": "channel.basic_qos(prefetch_count=4)",
		"java":   `args.put("x-max-length", 5000);`,
		"node":   "await ch.prefetch(4);",
	} {
		code, out, _ := runCLI(t, nil, "size", "--rate", "500", "--size", "1KB", "--backlog", "10s", "--client", client)
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("--client %s: exit %d, output lacks %q", client, code, want)
		}
	}
}

func TestSizeAssumptionsFlag(t *testing.T) {
	_, out, _ := runCLI(t, nil, "size", "--rate", "500", "--size", "1KB", "--backlog", "10s", "-a")
	if !strings.Contains(out, "    · the napkin number") && !strings.Contains(out, "    · bodies only") {
		t.Errorf("-a does not print assumptions:\n%s", out)
	}
}

// warren size calibrate against the shared broker, small: it writes a file
// that warren size reads, and prints the wire bytes next to the formula.
func TestSizeCalibrateCommand(t *testing.T) {
	// A private node: on the shared broker other packages' tests load the
	// node at the same time, and a classic queue there was seen paged to
	// disk, which calibration rightly refuses to measure.
	node := testbroker.StartPrivate(t)
	path := filepath.Join(t.TempDir(), "calibration.json")
	env := map[string]string{"WARREN_URI": node.URI(), "WARREN_MANAGEMENT_URI": node.ManagementURI()}
	code, out, errOut := runCLI(t, env, "size", "calibrate", "--messages", "2000", "--sizes", "16B,1KiB", "--queue-types", "classic", "--out", path)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"Calibrated RabbitMQ", "classic", "2,000 msgs", "B/message", "Memory per idle connection", "(+0.00%)", "Wrote " + path} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "filling a classic queue with 2000 messages of 1024 B") {
		t.Errorf("no progress on stderr: %q", errOut)
	}
	cal, err := results.ReadCalibration(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(cal.Queues) != 2 || len(cal.Wire) != 3 {
		t.Errorf("calibration has %d queues and %d wire figures, want 2 and 3", len(cal.Queues), len(cal.Wire))
	}
	code, out, errOut = runCLI(t, nil, "size", "--rate", "500", "--size", "1KiB", "--backlog", "10s", "--calibration", path)
	if code != exitOK || !strings.Contains(out, "calibrated on RabbitMQ") {
		t.Errorf("size with the calibration: exit %d, stderr %q\n%s", code, errOut, out)
	}
}

func TestSizeCalibrateBadInput(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"size", "calibrate", "--queue-types", "stream"}, `--queue-types: "stream"`},
		{[]string{"size", "calibrate", "--sizes", "1KiB,huge"}, "--sizes: invalid size"},
		{[]string{"size", "calibrate", "--messages", "0"}, "--messages must be ≥ 1"},
		{[]string{"size", "calibrate", "--uri", "amqp://guest:guest@127.0.0.1:1/"}, "connection refused"},
	} {
		code, _, errOut := runCLI(t, nil, tt.args...)
		if code == exitOK || !strings.Contains(errOut, tt.want) {
			t.Errorf("%q: exit %d, stderr %q, want %q", tt.args, code, errOut, tt.want)
		}
	}
	code, out, _ := runCLI(t, nil, "size", "calibrate", "--help")
	if code != exitOK || !strings.Contains(out, "Usage: warren size calibrate") {
		t.Errorf("size calibrate --help: exit %d\n%s", code, out)
	}
}

// The sizing: block of a scenario gives the same plan as the same inputs
// as flags, and a flag given as well wins over the block.
func TestSizeFromScenario(t *testing.T) {
	code, fromFile, stderr := runCLI(t, nil, "size", "--scenario", "backlog-drain")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	_, fromFlags, _ := runCLI(t, nil, "size", "--rate", "2000", "--size", "1KiB", "--backlog", "8s", "--processing-time", "2ms")
	if fromFile != fromFlags {
		t.Errorf("the plan from the sizing: block differs from the one from flags:\n%s\nvs\n%s", fromFile, fromFlags)
	}
	_, overridden, _ := runCLI(t, nil, "size", "--scenario", "backlog-drain", "--backlog", "20s")
	if !strings.Contains(overridden, "⌈2,000 msg/s × 20 s⌉") {
		t.Errorf("--backlog 20s did not win over the block's 8s:\n%s", overridden)
	}

	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("name: bad\npublishers: []\nconsumers: []\nrun: {duration: 1s}\nsizing:\n  rate: fast\n  queue_type: mirrored\n"), 0o644)
	code, _, stderr = runCLI(t, nil, "size", "--scenario", bad)
	if code != exitBadInput {
		t.Fatalf("a bad sizing block: exit %d", code)
	}
	for _, want := range []string{"bad.yaml:6:", "sizing.rate", "sizing.queue_type", "mirrored"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("error %q lacks %q", stderr, want)
		}
	}
	code, _, stderr = runCLI(t, nil, "size", "--scenario", "greenhouse")
	if code != exitBadInput || !strings.Contains(stderr, "no sizing: block") {
		t.Errorf("a scenario without a sizing block: exit %d, %q", code, stderr)
	}
}

// One queue is one Erlang process: a plan that asks one queue for more
// than it sustains warns and proposes a queue count and the routing.
func TestSizeWarnsAboutOneQueue(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "size", "--rate", "100000", "--size", "1KiB", "--backlog", "10s")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{
		"QUEUE THROUGHPUT",
		"Rate one classic queue sustains 20,000 msg/s",
		"Queues the rate needs 7 ", // ⌈100,000 ÷ (20,000 × 0.8)⌉
		"! the queue would take 100,000 msg/s, more than one classic queue sustains (20,000 msg/s, a planning figure",
		"spread the traffic over 7 queues, then plan again with --queues 7",
		"consistent-hash exchange", "or publish to 7 routing keys",
	} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Planned again as it says, the warning goes.
	code, out, _ = runCLI(t, nil, "size", "--rate", "100000", "--size", "1KiB", "--backlog", "10s", "--queues", "7")
	if code != exitOK || strings.Contains(out, "more than one classic queue sustains") {
		t.Errorf("exit %d; with 7 queues the plan still warns:\n%s", code, out)
	}
}

// A capacity search of one queue measures what the queue sustains; warren
// size takes it from the capacity.json given to --calibration, alone or
// beside a calibration.json.
func TestSizeUsesAQueueRateFromCapacity(t *testing.T) {
	dir := t.TempDir()
	capPath := filepath.Join(dir, "capacity.json")
	rep := &capacity.Report{Schema: capacity.Schema, Scenario: "one-queue", Broker: "amqp://guest:xxxxx@127.0.0.1:5672/",
		Objective:       capacity.ObjectiveRecord{P99Micros: 50_000, MinAchieved: 0.99, MaxGrowth: 0.01},
		SustainableRate: 50000, FirstFailRate: 52000, LimitedBy: capacity.LimitBroker,
		Queue: &capacity.QueueRate{Queue: "q", Type: "classic", BodyBytes: 1024, Persistent: true, Confirms: true, Rate: 50000}}
	if err := results.WriteJSONFile(capPath, rep); err != nil {
		t.Fatal(err)
	}
	calPath := filepath.Join(dir, "calibration.json")
	cal := &results.Calibration{Schema: results.CalibrationSchema, Broker: results.CalibrationBroker{Product: "RabbitMQ", Version: "4.1.0", Node: "rabbit@test"},
		FrameMax: 131072, ChannelBytes: 30000}
	if err := cal.WriteFile(calPath); err != nil {
		t.Fatal(err)
	}
	for _, files := range [][]string{{capPath}, {calPath, capPath}} {
		args := []string{"size", "--rate", "100000", "--size", "1KiB", "--backlog", "10s"}
		for _, f := range files {
			args = append(args, "--calibration", f)
		}
		code, out, errOut := runCLI(t, nil, args...)
		if code != exitOK {
			t.Fatalf("%v: exit %d, stderr %q", files, code, errOut)
		}
		for _, want := range []string{
			"Rate one classic queue sustains 50,000 msg/s measured on your broker",
			"(50,000 msg/s, as measured): spread the traffic over 3 queues", // ⌈100,000 ÷ 40,000⌉
		} {
			out := strings.Join(strings.Fields(out), " ")
			if !strings.Contains(out, want) {
				t.Errorf("%v: output lacks %q:\n%s", files, want, out)
			}
		}
		if len(files) == 1 && !strings.Contains(out, "calibrated on the broker at amqp://guest:xxxxx@127.0.0.1:5672/ ("+capPath+"): 1 of 17 measured") {
			t.Errorf("the constants line does not name the capacity file:\n%s", out)
		}
		if len(files) == 2 && !strings.Contains(out, "calibrated on RabbitMQ 4.1.0 on rabbit@test ("+calPath+", "+capPath+"): 3 of 17 measured") {
			t.Errorf("the constants line does not count both files:\n%s", out)
		}
	}
	// A search that did not measure one queue has nothing to give.
	rep.Queue = nil
	if err := results.WriteJSONFile(capPath, rep); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, nil, "size", "--rate", "500", "--size", "1KiB", "--backlog", "10s", "--calibration", capPath)
	if code != exitBadInput || !strings.Contains(errOut, "did not measure one queue") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
