package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// CalibrationSchema names the format of a calibration file.
const CalibrationSchema = "warren.calibration/v1"

// Calibration is what a calibration run measured on a broker: the memory a
// queue takes per message, by queue type and message size; the memory of
// a connection and of a channel; the node's memory and file descriptors
// before the run; and the bytes on the wire per message. warren size
// --calibration reads it.
type Calibration struct {
	Schema     string            `json:"schema"`
	MeasuredAt time.Time         `json:"measured_at"`
	Broker     CalibrationBroker `json:"broker"`
	// FrameMax is the frame_max the broker negotiated.
	FrameMax int                `json:"frame_max"`
	Queues   []QueueCalibration `json:"queues"`
	// ConnectionBytes and ChannelBytes are the node's memory per idle
	// connection and per idle channel (0 when not measured).
	ConnectionBytes float64 `json:"connection_bytes,omitempty"`
	ChannelBytes    float64 `json:"channel_bytes,omitempty"`
	// NodeMemoryBefore and FDUsedBefore are the node's mem_used and
	// fd_used before the calibration loaded it.
	NodeMemoryBefore int64             `json:"node_memory_before,omitempty"`
	NodeMemoryLimit  int64             `json:"node_memory_limit,omitempty"`
	FDUsedBefore     int               `json:"fd_used_before,omitempty"`
	Wire             []WireCalibration `json:"wire,omitempty"`
	Warnings         []string          `json:"warnings,omitempty"`
}

// CalibrationBroker names the broker that was measured.
type CalibrationBroker struct {
	Product string `json:"product"`
	Version string `json:"version"`
	Erlang  string `json:"erlang,omitempty"`
	Node    string `json:"node,omitempty"`
}

// QueueCalibration is one scratch queue filled with messages of one size.
type QueueCalibration struct {
	Type      string `json:"type"` // classic or quorum
	BodyBytes int64  `json:"body_bytes"`
	Messages  int64  `json:"messages"`
	// EmptyMemory and FullMemory are the queue's "memory" from the
	// management API before and after it was filled, each the lowest value
	// seen over a few statistics refreshes (after a garbage collection).
	EmptyMemory int64 `json:"empty_memory"`
	FullMemory  int64 `json:"full_memory"`
	// PerMessage is (FullMemory − EmptyMemory) ÷ Messages.
	PerMessage  float64 `json:"per_message_bytes"`
	FillSeconds float64 `json:"fill_seconds"`
}

// WireCalibration is the bytes counted on the client's sockets per
// message: published, delivered, acknowledged.
type WireCalibration struct {
	BodyBytes   int64  `json:"body_bytes"`
	Messages    int    `json:"messages"`
	Exchange    string `json:"exchange"`
	RoutingKey  string `json:"routing_key"`
	ConsumerTag string `json:"consumer_tag"`
	// PublishBytes is what the publisher wrote per message; DeliverBytes
	// what the consumer read per message; AckBytes what it wrote per ack.
	PublishBytes float64 `json:"publish_bytes"`
	DeliverBytes float64 `json:"deliver_bytes"`
	AckBytes     float64 `json:"ack_bytes"`
}

// ReadCalibration reads a calibration file, with one-line errors.
func ReadCalibration(path string) (*Calibration, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s does not exist: write one with 'warren size calibrate --out %s'", path, path)
	}
	if err != nil {
		return nil, err
	}
	var c Calibration
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("%s is not a calibration file: %v", path, err)
	}
	if c.Schema != CalibrationSchema {
		return nil, fmt.Errorf("%s has schema %q, want %q: write a new one with 'warren size calibrate'", path, c.Schema, CalibrationSchema)
	}
	return &c, nil
}

// WriteFile writes the calibration to path as indented JSON, atomically.
func (c *Calibration) WriteFile(path string) error { return WriteJSONFile(path, c) }
