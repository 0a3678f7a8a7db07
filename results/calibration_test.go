package results

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCalibrationFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "calibration.json")
	in := &Calibration{
		Schema:     CalibrationSchema,
		MeasuredAt: time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC),
		Broker:     CalibrationBroker{Product: "RabbitMQ", Version: "3.10.8", Erlang: "25.2.3", Node: "rabbit@a"},
		FrameMax:   131072,
		Queues:     []QueueCalibration{{Type: "classic", BodyBytes: 1024, Messages: 10, EmptyMemory: 100, FullMemory: 6420, PerMessage: 632}},
		Wire:       []WireCalibration{{BodyBytes: 16, Messages: 10, RoutingKey: "q", ConsumerTag: "t", PublishBytes: 64, DeliverBytes: 83, AckBytes: 21}},
	}
	if err := in.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	out, err := ReadCalibration(path)
	if err != nil {
		t.Fatal(err)
	}
	if out.Broker != in.Broker || !out.MeasuredAt.Equal(in.MeasuredAt) || !slices.Equal(out.Queues, in.Queues) || !slices.Equal(out.Wire, in.Wire) {
		t.Errorf("round trip:\n got %+v\nwant %+v", out, in)
	}
	for name, content := range map[string]string{
		"not-json.json":     "schema: yaml",
		"wrong-schema.json": `{"schema": "warren.result/v1"}`,
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadCalibration(p); err == nil || !strings.Contains(err.Error(), "calibration") {
			t.Errorf("%s: error %v", name, err)
		}
	}
	if _, err := ReadCalibration(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing file: %v", err)
	}
}
