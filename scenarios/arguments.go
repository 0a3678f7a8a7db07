package scenarios

import "sort"

// XArguments spells the queue's typed settings as the broker's x-arguments
// (x-queue-type, x-message-ttl, x-max-length, …), with the raw Arguments
// from the file laid over them. Integers are int64, as AMQP tables and the
// definitions format carry them. It returns nil when there are none.
func (q Queue) XArguments() map[string]any {
	args := map[string]any{}
	if q.Type != "" && q.Type != QueueClassic {
		args["x-queue-type"] = q.Type
	}
	if q.MessageTTL > 0 {
		args["x-message-ttl"] = q.MessageTTL.Std().Milliseconds()
	}
	if q.MaxLength > 0 {
		args["x-max-length"] = q.MaxLength
	}
	if q.MaxLengthBytes > 0 {
		args["x-max-length-bytes"] = int64(q.MaxLengthBytes)
	}
	if q.Overflow != "" {
		args["x-overflow"] = q.Overflow
	}
	if q.DeadLetterExchange != "" {
		args["x-dead-letter-exchange"] = q.DeadLetterExchange
	}
	if q.DeadLetterRoutingKey != "" {
		args["x-dead-letter-routing-key"] = q.DeadLetterRoutingKey
	}
	if q.SingleActiveConsumer {
		args["x-single-active-consumer"] = true
	}
	if q.DeliveryLimit > 0 {
		args["x-delivery-limit"] = int64(q.DeliveryLimit)
	}
	keys := make([]string, 0, len(q.Arguments))
	for k := range q.Arguments {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args[k] = normaliseArg(q.Arguments[k])
	}
	if len(args) == 0 {
		return nil
	}
	return args
}

// normaliseArg converts YAML-decoded numbers to the int64 and float64 that
// AMQP tables carry (uint64 from YAML is not a valid field value).
func normaliseArg(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case uint64:
		return int64(x)
	case uint32:
		return int64(x)
	case int32:
		return int64(x)
	case float32:
		return float64(x)
	}
	return v
}
