package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/warrenmq/warren/reports"
	"github.com/warrenmq/warren/results"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// sizeGoldens are warren size invocations whose whole output is kept in
// testdata: the text on stdout and, with --out, sizing.md. Together they
// reach every section of both: each queue type, a count and a time as the
// backlog, transient messages without confirms, fan-out, a node's RAM that
// trips the alarm, assumptions, a calibration and every client's settings.
var sizeGoldens = []struct {
	name string
	args []string
}{
	{"default", []string{"--rate", "500", "--size", "1KB", "--backlog", "10s"}},
	{"quorum", []string{"--rate", "2000", "--size", "4KiB", "--backlog", "5m", "--queue-type", "quorum",
		"--processing-time", "25ms", "--broker-ram", "4GiB", "-a", "--client", "java"}},
	{"stream", []string{"--rate", "300", "--size", "64KiB", "--backlog", "20000", "--queue-type", "stream",
		"--persistent=false", "--confirms=false", "--queues", "3", "--fan-out", "2", "--client", "node"}},
	{"calibrated", []string{"--rate", "500", "--size", "1KiB", "--backlog", "10s", "--properties-size", "200B",
		"--exchange", "orders", "--routing-key", "orders.created", "--calibration", "testdata/calibration.json", "--client", "go"}},
	{"scenario", []string{"--scenario", "backlog-drain", "--client", "python"}},
}

// TestSizeGolden compares warren size's text and sizing.md with the files
// in testdata (go test ./cmd/warren -run Golden -update rewrites them).
func TestSizeGolden(t *testing.T) {
	for _, g := range sizeGoldens {
		t.Run(g.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "plan")
			args := append(append([]string{"size"}, g.args...), "--out", dir)
			code, stdout, stderr := runCLI(t, nil, args...)
			if code != exitOK || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			// The directory is a temporary one: name it as a user would.
			stdout = strings.ReplaceAll(stdout, dir, "plan")
			checkGolden(t, "size-"+g.name+".txt", []byte(stdout))
			md, err := os.ReadFile(filepath.Join(dir, reports.SizingFile))
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "sizing-"+g.name+".md", md)
		})
	}
}

// TestSizeCalibrationGolden compares what 'warren size calibrate' prints
// about a calibration with testdata.
func TestSizeCalibrationGolden(t *testing.T) {
	cal, err := results.ReadCalibration(filepath.Join("testdata", "calibration.json"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	writeCalibration(&buf, cal)
	checkGolden(t, "calibration.txt", buf.Bytes())
}

// checkGolden compares got with testdata/name, or rewrites the file with
// -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/warren -run Golden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test ./cmd/warren -run Golden -update and review the diff):\n%s",
			path, firstLineDiff(string(want), string(got)))
	}
}

// firstLineDiff shows the first line where two texts differ.
func firstLineDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(wl), len(gl)) {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want " + w + "\n  got  " + g
		}
	}
	return "(same lines; different line endings?)"
}
