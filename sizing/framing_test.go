package sizing

import "testing"

func TestBodyFrames(t *testing.T) {
	tests := []struct {
		body     int64
		frameMax int
		frames   int64
		wire     int64
	}{
		{0, 131072, 0, 0}, // an empty body sends no body frame
		{1, 131072, 1, 9},
		{131064, 131072, 1, 131072},   // exactly frame_max − 8: one full frame
		{131065, 131072, 2, 131081},   // one byte more: a second frame
		{262128, 131072, 2, 262144},   // two full frames
		{300000, 131072, 3, 300024},   // 131,064 + 131,064 + 37,872
		{10000, 4096, 3, 10024},       // 4,088 per frame at the AMQP minimum frame_max
		{1 << 20, 131072, 9, 1048648}, // 1 MiB: ⌈1,048,576 ÷ 131,064⌉ = 9
	}
	for _, tt := range tests {
		if got := BodyFrames(tt.body, tt.frameMax); got != tt.frames {
			t.Errorf("BodyFrames(%d, %d) = %d, want %d", tt.body, tt.frameMax, got, tt.frames)
		}
		if got := BodyWireBytes(tt.body, tt.frameMax); got != tt.wire {
			t.Errorf("BodyWireBytes(%d, %d) = %d, want %d", tt.body, tt.frameMax, got, tt.wire)
		}
	}
}

func TestWireBytes(t *testing.T) {
	// basic.publish: 8 + 2 + 2 + 2 + (1 + 6) + (1 + 3) + 1 = 26 for
	// exchange "orders" and routing key "new"; content header with one
	// property octet: 8 + 2 + 2 + 8 + 2 + 1 = 23; body 100 in one frame:
	// 108. Total 157.
	if got := PublishWireBytes(6, 3, 1, 100, 131072); got != 157 {
		t.Errorf("PublishWireBytes = %d, want 157", got)
	}
	// basic.deliver: 8 + 2 + 2 + (1 + 4) + 8 + 1 + (1 + 6) + (1 + 3) = 37
	// for tag "ctag"; then 23 + 108 as above. Total 168.
	if got := DeliverWireBytes(4, 6, 3, 1, 100, 131072); got != 168 {
		t.Errorf("DeliverWireBytes = %d, want 168", got)
	}
	// basic.ack: 8 + 2 + 2 + 8 + 1.
	if AckFrameBytes != 21 {
		t.Errorf("AckFrameBytes = %d, want 21", AckFrameBytes)
	}
	// An empty message to the default exchange: 17 + 22.
	if got := PublishWireBytes(0, 0, 0, 0, 131072); got != 39 {
		t.Errorf("empty publish = %d, want 39", got)
	}
}
