package reports_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warrenmq/warren/reports"
	"github.com/warrenmq/warren/sizing"
)

func sizingPlan(t *testing.T, in sizing.Input) sizing.Plan {
	t.Helper()
	p, err := sizing.Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// RenderSizing writes sizing.md and the two charts it links; the same
// plan gives the same Markdown. (cmd/warren's golden files hold the whole
// of it for several plans.)
func TestRenderSizing(t *testing.T) {
	r := reports.SizingReport{Plan: sizingPlan(t, sizing.Input{
		Rate: 2000, BodyBytes: 4096, Backlog: 5 * time.Minute, QueueType: sizing.Quorum,
		Persistent: true, Confirms: true, BrokerRAM: 4 << 30,
	})}
	dir := t.TempDir()
	if err := reports.RenderSizing(dir, r); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, reports.SizingFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# Sizing plan", "## Plan", "### Memory", "## Constants", "## Production settings", "### Node.js (amqplib)",
		"](" + reports.SizingRAMChartFile + ")", "](" + reports.SizingConsumersChartFile + ")",
		"not your broker: run 'warren size calibrate'",
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("sizing.md lacks %q", want)
		}
	}
	for _, name := range []string{reports.SizingRAMChartFile, reports.SizingConsumersChartFile} {
		checkPNG(t, filepath.Join(dir, name))
	}
	again := t.TempDir()
	if err := reports.RenderSizing(again, r); err != nil {
		t.Fatal(err)
	}
	if md2, _ := os.ReadFile(filepath.Join(again, reports.SizingFile)); !bytes.Equal(md, md2) {
		t.Error("sizing.md differs between two renders of one plan")
	}
	if err := reports.RenderSizing(filepath.Join(dir, "missing"), r); err == nil {
		t.Error("RenderSizing into a missing directory succeeded")
	}
}

// The text names where the constants came from, and shows assumptions
// only when asked.
func TestWriteSizingText(t *testing.T) {
	p := sizingPlan(t, sizing.Input{Rate: 500, BodyBytes: 1000, Backlog: 10 * time.Second, Persistent: true, Confirms: true})
	var plain, full bytes.Buffer
	if err := reports.WriteSizingText(&plain, reports.SizingReport{Plan: p}, false); err != nil {
		t.Fatal(err)
	}
	if err := reports.WriteSizingText(&full, reports.SizingReport{Plan: p, CalibratedOn: "RabbitMQ 4.1.0 on rabbit@a", CalibrationFile: "cal.json"}, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plain.String(), "RabbitMQ defaults") || strings.Contains(plain.String(), "    · ") {
		t.Errorf("plain text:\n%s", plain.String())
	}
	if !strings.Contains(full.String(), "calibrated on RabbitMQ 4.1.0 on rabbit@a (cal.json): 0 of 17 measured") || !strings.Contains(full.String(), "    · the napkin number") && !strings.Contains(full.String(), "    · bodies only") {
		t.Errorf("text with assumptions:\n%s", full.String())
	}
}
