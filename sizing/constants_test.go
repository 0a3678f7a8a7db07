package sizing

import (
	"strings"
	"testing"
)

func TestDefaultConstantsByVersion(t *testing.T) {
	tests := []struct {
		version           string
		watermark, paging float64
	}{
		{"", 0.4, 0.5},
		{"3.10.8", 0.4, 0.5},
		{"3.11", 0.4, 0.5},
		{"3.12.1", 0.4, 0},
		{"3.13", 0.4, 0},
		{"4", 0.6, 0},
		{"v4.1.2", 0.6, 0},
		{"banana", 0.4, 0.5},
	}
	for _, tt := range tests {
		c := DefaultConstants(tt.version)
		if c.HighWatermark.Value != tt.watermark || c.PagingRatio.Value != tt.paging {
			t.Errorf("%q: watermark %v paging %v, want %v %v", tt.version, c.HighWatermark.Value, c.PagingRatio.Value, tt.watermark, tt.paging)
		}
		for _, k := range c.List() {
			if k.Source == "" || k.Calibrated {
				t.Errorf("%q: %s has no source or claims calibration", tt.version, k.Name)
			}
		}
	}
}

func TestCalibrate(t *testing.T) {
	m := Measurements{
		Broker: "RabbitMQ 3.10.8 on rabbit@test",
		Queues: []QueueMeasurement{
			{Type: Classic, BodyBytes: 1024, Messages: 1000, EmptyBytes: 11600, PerMessageBytes: 632},
			{Type: Classic, BodyBytes: 16, Messages: 1000, EmptyBytes: 11400, PerMessageBytes: 616},
			{Type: Classic, BodyBytes: 65536, Messages: 100, EmptyBytes: 11500, PerMessageBytes: 700},
			{Type: Quorum, BodyBytes: 1024, Messages: 1000, EmptyBytes: 5000, PerMessageBytes: 150},
		},
		ConnectionBytes: 65000,
		FrameMax:        4096,
		QueueRates: []QueueRateMeasurement{
			{Type: Classic, BodyBytes: 16, Rate: 40000, How: "16 B"},
			{Type: Classic, BodyBytes: 4096, Rate: 15000, How: "4 KiB"},
			{Type: Quorum, BodyBytes: 1024, Rate: 0, How: "nothing passed"},
		},
	}
	tests := []struct {
		body    int64
		classic float64
		how     string
	}{
		{10, 616, "measured 616 B/message at 16 B bodies"}, // below the smallest: held flat
		{16, 616, "measured 616 B/message"},
		{520, 624, "interpolated between 616 B/message"}, // 616 + (504 ÷ 1,008) × 16
		{1024, 632, "measured 632 B/message at 1.0 KiB"},
		{33280, 666, "interpolated between 632 B/message"},   // 632 + (32,256 ÷ 64,512) × 68
		{1 << 20, 700, "measured 700 B/message at 64.0 KiB"}, // above the largest: held flat
	}
	d := DefaultConstants("3.10.8")
	for _, tt := range tests {
		c := d.Calibrate(m, tt.body)
		if !closeTo(c.ClassicMessageRAM.Value, tt.classic) || !c.ClassicMessageRAM.Calibrated || !strings.Contains(c.ClassicMessageRAM.Source, tt.how) {
			t.Errorf("body %d: classic %+v, want %v (%s)", tt.body, c.ClassicMessageRAM, tt.classic, tt.how)
		}
	}
	c := d.Calibrate(m, 1024)
	if !closeTo(c.ClassicQueueRAM.Value, 11500) { // mean of 11,600, 11,400, 11,500
		t.Errorf("empty classic queue %v, want 11500", c.ClassicQueueRAM.Value)
	}
	if c.QuorumMessageRAM.Value != 150 || c.QuorumQueueRAM.Value != 5000 || !c.QuorumMessageRAM.Calibrated {
		t.Errorf("quorum %+v %+v", c.QuorumMessageRAM, c.QuorumQueueRAM)
	}
	if c.ConnectionRAM.Value != 65000 || !c.ConnectionRAM.Calibrated || c.FrameMax.Value != 4096 {
		t.Errorf("connection %+v frame_max %+v", c.ConnectionRAM, c.FrameMax)
	}
	// The nearest size by ratio: 1 KiB is 4× from 4 KiB, 64× from 16 B.
	if c.ClassicQueueRate.Value != 15000 || !c.ClassicQueueRate.Calibrated || !strings.HasSuffix(c.ClassicQueueRate.Source, ": 4 KiB") {
		t.Errorf("classic queue rate %+v", c.ClassicQueueRate)
	}
	if c := d.Calibrate(m, 100); c.ClassicQueueRate.Value != 40000 {
		t.Errorf("classic queue rate at 100 B %+v, want the 16 B measurement", c.ClassicQueueRate)
	}
	if c.QuorumQueueRate != d.QuorumQueueRate || c.StreamQueueRate != d.StreamQueueRate {
		t.Errorf("a zero rate or none replaced the default: %+v %+v", c.QuorumQueueRate, c.StreamQueueRate)
	}
	// Not measured: the defaults stay, marked as such.
	if c.ChannelRAM != d.ChannelRAM || c.StreamMessageRAM != d.StreamMessageRAM || c.IdleBaseline.Calibrated {
		t.Errorf("unmeasured constants changed: %+v %+v %+v", c.ChannelRAM, c.StreamMessageRAM, c.IdleBaseline)
	}
	if !strings.HasPrefix(c.ConnectionRAM.Source, "calibrated on RabbitMQ 3.10.8 on rabbit@test") {
		t.Errorf("source %q", c.ConnectionRAM.Source)
	}
}
