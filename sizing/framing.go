package sizing

// AMQP 0-9-1 framing, as the specification lays it out (section 4.2.3 and
// the basic class's method definitions). Every frame is
//
//	type (1 octet) + channel (2) + payload size (4) + payload + frame-end (1)
//
// so it costs FrameOverhead = 8 bytes beyond its payload.
//
// basic.publish's payload is class id (2) + method id (2) + reserved short
// (2) + exchange as a short string (1 + len) + routing key as a short string
// (1 + len) + one octet for the mandatory and immediate bits:
// 9 + len(exchange) + len(routing key); with the frame, 17 + exchange +
// routing key.
//
// basic.deliver's payload is class id (2) + method id (2) + consumer tag
// (1 + len) + delivery tag (8) + one octet for the redelivered bit +
// exchange (1 + len) + routing key (1 + len): 16 + tag + exchange + routing
// key; with the frame, 24 + tag + exchange + routing key.
//
// basic.ack's payload (a consumer's ack, or the broker's publisher confirm)
// is class id (2) + method id (2) + delivery tag (8) + one octet for the
// multiple bit: 13; with the frame, 21.
//
// The content header's payload is class id (2) + weight (2) + body size
// (8) + property flags (2: the basic class has 14 properties, which fit in
// one flags word) + the property list: 14 + properties; with the frame,
// 22 + properties.
//
// The body goes in frames of at most frame_max − 8 bytes of payload; a
// zero-length body sends no body frame.
const (
	FrameOverhead       = 8
	PublishMethodBase   = FrameOverhead + 9  // + exchange + routing key
	DeliverMethodBase   = FrameOverhead + 16 // + consumer tag + exchange + routing key
	AckFrameBytes       = FrameOverhead + 13
	ContentHeaderBase   = FrameOverhead + 14 // + properties
	DeliveryModeBytes   = 1                  // the delivery-mode property, an octet
	DefaultFrameMaxSize = 131072
)

// BodyFrames is the number of body frames a body of n bytes takes with the
// given frame_max.
func BodyFrames(n int64, frameMax int) int64 {
	if n <= 0 {
		return 0
	}
	per := int64(frameMax - FrameOverhead)
	return (n + per - 1) / per
}

// BodyWireBytes is the bytes on the wire of a body's frames.
func BodyWireBytes(n int64, frameMax int) int64 {
	return n + FrameOverhead*BodyFrames(n, frameMax)
}

// PublishWireBytes is the bytes a publisher writes per message: the
// basic.publish method frame, the content header and the body frames.
// properties is the encoded property list (delivery-mode included).
func PublishWireBytes(exchange, routingKey int, properties, body int64, frameMax int) int64 {
	return int64(PublishMethodBase+exchange+routingKey) + ContentHeaderBase + properties + BodyWireBytes(body, frameMax)
}

// DeliverWireBytes is the bytes the broker writes per delivery to a
// consumer: basic.deliver, the content header and the body frames.
func DeliverWireBytes(consumerTag, exchange, routingKey int, properties, body int64, frameMax int) int64 {
	return int64(DeliverMethodBase+consumerTag+exchange+routingKey) + ContentHeaderBase + properties + BodyWireBytes(body, frameMax)
}
