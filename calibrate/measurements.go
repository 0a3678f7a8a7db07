package calibrate

import (
	"strings"

	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/sizing"
)

// Measurements turns what a calibration measured into the sizing model's
// measurements, which sizing.Constants.Calibrate applies to the defaults.
// Their Broker names the broker measured: "RabbitMQ 4.1.0 on rabbit@a".
func Measurements(cal *results.Calibration) sizing.Measurements {
	b := cal.Broker
	on := strings.TrimSpace(b.Product + " " + b.Version)
	if b.Node != "" {
		on += " on " + b.Node
	}
	m := sizing.Measurements{
		Broker:            on,
		ConnectionBytes:   cal.ConnectionBytes,
		ChannelBytes:      cal.ChannelBytes,
		IdleBaselineBytes: float64(cal.NodeMemoryBefore),
		FDBaseline:        float64(cal.FDUsedBefore),
		FrameMax:          cal.FrameMax,
	}
	for _, q := range cal.Queues {
		m.Queues = append(m.Queues, sizing.QueueMeasurement{
			Type:            sizing.QueueType(q.Type),
			BodyBytes:       q.BodyBytes,
			Messages:        q.Messages,
			EmptyBytes:      float64(q.EmptyMemory),
			PerMessageBytes: q.PerMessage,
		})
	}
	return m
}
