package sizing

import "time"

// Settings are the queue arguments and client settings a plan implies,
// for a client library's spelling (warren size prints them for Go, Python,
// Java and Node.js).
type Settings struct {
	// QueueName and DeadLetterExchange are placeholders for the user's
	// names.
	QueueName          string    `json:"queue_name"`
	DeadLetterExchange string    `json:"dead_letter_exchange,omitempty"`
	QueueType          QueueType `json:"queue_type"`
	Durable            bool      `json:"durable"`
	// Arguments are the x-arguments of queue.declare, in a fixed order.
	Arguments []Argument `json:"arguments"`
	// Persistent asks for delivery-mode 2 on every publish.
	Persistent bool `json:"persistent"`
	Confirms   bool `json:"confirms"`
	// Consumers acknowledge manually with this prefetch.
	Prefetch int `json:"prefetch"`
	// Heartbeat is the connection heartbeat timeout to request.
	Heartbeat time.Duration `json:"heartbeat"`
}

// Argument is one x-argument: Value is an int64 or a string.
type Argument struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
}

// DefaultHeartbeat is the heartbeat to request: the RabbitMQ heartbeat
// guide finds values from 5 to 20 seconds best for most environments
// (the server's default of 60 s detects a dead peer late).
const DefaultHeartbeat = 20 * time.Second

func (p *planner) settings(M float64, timeBounded bool, prefetch float64) Settings {
	in := p.in
	s := Settings{
		QueueName:  "my-queue",
		QueueType:  in.QueueType,
		Durable:    in.Persistent || in.QueueType != Classic,
		Persistent: in.Persistent,
		Confirms:   in.Confirms,
		Prefetch:   int(prefetch),
		Heartbeat:  DefaultHeartbeat,
	}
	if in.QueueType != Classic {
		s.Arguments = append(s.Arguments, Argument{"x-queue-type", string(in.QueueType)})
	}
	if M == 0 {
		return s
	}
	body := int64(M) * in.BodyBytes
	if in.QueueType == Stream {
		s.Arguments = append(s.Arguments, Argument{"x-max-length-bytes", body})
		if timeBounded {
			s.Arguments = append(s.Arguments, Argument{"x-max-age", maxAge(in.Backlog)})
		}
		return s
	}
	s.DeadLetterExchange = s.QueueName + ".dlx"
	s.Arguments = append(s.Arguments,
		Argument{"x-max-length", int64(M)},
		Argument{"x-max-length-bytes", body},
		Argument{"x-overflow", overflow(in)},
	)
	if timeBounded {
		s.Arguments = append(s.Arguments, Argument{"x-message-ttl", in.Backlog.Milliseconds()})
	}
	s.Arguments = append(s.Arguments, Argument{"x-dead-letter-exchange", s.DeadLetterExchange})
	return s
}
