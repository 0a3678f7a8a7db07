package calibrate

import (
	"testing"

	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/sizing"
)

// A calibration's figures reach the model, and the constants they replace
// say which broker they were measured on.
func TestMeasurements(t *testing.T) {
	cal := &results.Calibration{
		Broker:   results.CalibrationBroker{Product: "RabbitMQ", Version: "4.1.0", Node: "rabbit@a"},
		FrameMax: 131072,
		Queues: []results.QueueCalibration{
			{Type: "quorum", BodyBytes: 1024, Messages: 2000, EmptyMemory: 52480, FullMemory: 3652480, PerMessage: 1800},
		},
		ConnectionBytes: 98304, ChannelBytes: 30500, NodeMemoryBefore: 146800640, FDUsedBefore: 37,
	}
	m := Measurements(cal)
	if m.Broker != "RabbitMQ 4.1.0 on rabbit@a" {
		t.Errorf("Broker = %q", m.Broker)
	}
	if m.ConnectionBytes != 98304 || m.ChannelBytes != 30500 || m.IdleBaselineBytes != 146800640 || m.FDBaseline != 37 || m.FrameMax != 131072 {
		t.Errorf("measurements %+v", m)
	}
	if len(m.Queues) != 1 || m.Queues[0] != (sizing.QueueMeasurement{Type: sizing.Quorum, BodyBytes: 1024, Messages: 2000, EmptyBytes: 52480, PerMessageBytes: 1800}) {
		t.Errorf("queues %+v", m.Queues)
	}
	k := sizing.DefaultConstants("4.1.0").Calibrate(m, 1024)
	if !k.QuorumMessageRAM.Calibrated || k.QuorumMessageRAM.Value != 1800 {
		t.Errorf("quorum message RAM %+v, want the calibrated 1800", k.QuorumMessageRAM)
	}
	if m := Measurements(&results.Calibration{Broker: results.CalibrationBroker{Product: "RabbitMQ", Version: "3.13.7"}}); m.Broker != "RabbitMQ 3.13.7" {
		t.Errorf("without a node: Broker = %q", m.Broker)
	}
}
