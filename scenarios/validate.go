package scenarios

import (
	"errors"
	"fmt"
	"time"
)

// Defaults that a scenario file may leave out.
const (
	DefaultHeartbeat     = 60 * time.Second
	DefaultConfirmWindow = 256
	DefaultPrefetch      = 100
	DefaultDrain         = 5 * time.Second
	DefaultSize          = 1 << 10
)

// ApplyDefaults fills in what the file left out. Load calls it; call it
// again after changing a scenario in code (flag overrides do).
func (s *Scenario) ApplyDefaults() {
	if s.Broker.Heartbeat == 0 {
		s.Broker.Heartbeat = Duration(DefaultHeartbeat)
	}
	if s.Broker.ConnectionName == "" {
		s.Broker.ConnectionName = "warren"
	}
	for i := range s.Topology.Queues {
		q := &s.Topology.Queues[i]
		if q.Type == "" {
			q.Type = QueueClassic
		}
	}
	for i := range s.Topology.Bindings {
		b := &s.Topology.Bindings[i]
		if len(b.Headers) > 0 && b.Match == "" {
			b.Match = "all"
		}
	}
	for i := range s.Publishers {
		p := &s.Publishers[i]
		if p.Name == "" {
			p.Name = fmt.Sprintf("publishers-%d", i)
		}
		if p.Count == 0 {
			p.Count = 1
		}
		if p.Size == 0 {
			p.Size = DefaultSize
		}
		if p.Confirm && p.ConfirmWindow == 0 {
			p.ConfirmWindow = DefaultConfirmWindow
		}
		if p.Rate.IsZero() {
			p.Rate = Rate{Unlimited: true}
		}
	}
	for i := range s.Consumers {
		c := &s.Consumers[i]
		if c.Name == "" {
			c.Name = fmt.Sprintf("consumers-%d", i)
		}
		if c.Count == 0 {
			c.Count = 1
		}
		if c.AckMode == "" {
			c.AckMode = AckManual
		}
		if c.AckMode == AckMultiple && c.AckEvery == 0 {
			c.AckEvery = 10
		}
	}
	if s.Run.Drain == 0 {
		s.Run.Drain = Duration(DefaultDrain)
	}
}

// Validate checks the whole scenario and returns every problem at once, as
// an errors.Join of *Problem, each naming the field and the fix.
func (s *Scenario) Validate() error {
	v := &validator{src: s.source}
	s.validate(v)
	return v.err()
}

type validator struct {
	src      *source
	problems []error
}

func (v *validator) add(path, format string, args ...any) {
	p := &Problem{Path: path, Msg: fmt.Sprintf(format, args...)}
	if v.src != nil {
		p.File = v.src.name
		p.Line, p.Column = v.src.position(path)
	}
	v.problems = append(v.problems, p)
}

func (v *validator) err() error { return errors.Join(v.problems...) }

func (s *Scenario) validate(v *validator) {
	if s.Name == "" {
		v.add("name", "is missing: give the scenario a short name (it names the run directory)")
	}
	if s.Broker.Heartbeat < 0 {
		v.add("broker.heartbeat", "must be ≥ 0, got %s", s.Broker.Heartbeat)
	}

	exchanges := map[string]Exchange{"": {Name: "", Type: ExchangeDirect, Durable: true}}
	for i, e := range s.Topology.Exchanges {
		path := fmt.Sprintf("topology.exchanges[%d]", i)
		switch {
		case e.Name == "":
			v.add(path+".name", "is missing: the default exchange needs no declaration")
		case len(e.Name) > 255:
			v.add(path+".name", "is longer than 255 bytes")
		}
		if _, dup := exchanges[e.Name]; dup && e.Name != "" {
			v.add(path+".name", "exchange %q is declared twice", e.Name)
		}
		switch e.Type {
		case ExchangeDirect, ExchangeFanout, ExchangeTopic, ExchangeHeaders:
		default:
			v.add(path+".type", "unknown exchange type %q: use direct, fanout, topic or headers", e.Type)
		}
		exchanges[e.Name] = e
	}

	queues := map[string]Queue{}
	for i, q := range s.Topology.Queues {
		path := fmt.Sprintf("topology.queues[%d]", i)
		if q.Name == "" {
			v.add(path+".name", "is missing: warren names every queue so it can account for it")
		} else if len(q.Name) > 255 {
			v.add(path+".name", "is longer than 255 bytes")
		}
		if _, dup := queues[q.Name]; dup {
			v.add(path+".name", "queue %q is declared twice", q.Name)
		}
		queues[q.Name] = q
		switch q.Type {
		case QueueClassic, QueueQuorum, QueueStream:
		default:
			v.add(path+".type", "unknown queue type %q: use classic, quorum or stream", q.Type)
		}
		if q.MaxLength < 0 {
			v.add(path+".max_length", "must be ≥ 0, got %d", q.MaxLength)
		}
		if q.MessageTTL < 0 {
			v.add(path+".message_ttl", "must be ≥ 0, got %s", q.MessageTTL)
		}
		if q.DeliveryLimit < 0 {
			v.add(path+".delivery_limit", "must be ≥ 0, got %d", q.DeliveryLimit)
		}
		if q.Type != QueueClassic && !q.Durable && q.Type != "" {
			v.add(path+".durable", "%s queues are always durable: set durable: true", q.Type)
		}
		if q.Type == QueueClassic && q.DeliveryLimit > 0 {
			v.add(path+".delivery_limit", "is for quorum queues only: remove it or set type: quorum")
		}
		switch q.Overflow {
		case "":
		case "drop-head", "reject-publish", "reject-publish-dlx":
			if q.MaxLength == 0 && q.MaxLengthBytes == 0 {
				v.add(path+".overflow", "has no effect without max_length or max_length_bytes: set a limit or remove overflow")
			}
			if q.Overflow == "reject-publish-dlx" && q.Type == QueueQuorum {
				v.add(path+".overflow", "reject-publish-dlx is not supported by quorum queues: use reject-publish or drop-head")
			}
		default:
			v.add(path+".overflow", "unknown overflow %q: use drop-head, reject-publish or reject-publish-dlx", q.Overflow)
		}
		if q.DeadLetterExchange != "" {
			if _, ok := exchanges[q.DeadLetterExchange]; !ok {
				v.add(path+".dead_letter_exchange", "exchange %q is not declared in topology.exchanges", q.DeadLetterExchange)
			}
		}
	}

	for i, b := range s.Topology.Bindings {
		path := fmt.Sprintf("topology.bindings[%d]", i)
		e, ok := exchanges[b.Exchange]
		switch {
		case b.Exchange == "":
			v.add(path+".exchange", "is missing: every queue is already bound to the default exchange by its name")
		case !ok:
			v.add(path+".exchange", "exchange %q is not declared in topology.exchanges", b.Exchange)
		}
		switch {
		case b.Queue == "" && b.ToExchange == "":
			v.add(path, "needs a queue or a to_exchange")
		case b.Queue != "" && b.ToExchange != "":
			v.add(path, "has both queue and to_exchange: a binding has one destination")
		case b.Queue != "":
			if _, ok := queues[b.Queue]; !ok {
				v.add(path+".queue", "queue %q is not declared in topology.queues", b.Queue)
			}
		default:
			if _, ok := exchanges[b.ToExchange]; !ok {
				v.add(path+".to_exchange", "exchange %q is not declared in topology.exchanges", b.ToExchange)
			}
		}
		if ok && e.Type == ExchangeTopic {
			if err := CheckTopicPattern(b.Key); err != nil {
				v.add(path+".key", "%v", err)
			}
		}
		if ok && len(b.Headers) > 0 && e.Type != ExchangeHeaders {
			v.add(path+".headers", "exchange %q is %s, not headers: header tables only route on headers exchanges", b.Exchange, e.Type)
		}
		if b.Match != "" && b.Match != "all" && b.Match != "any" {
			v.add(path+".match", "unknown x-match %q: use all or any", b.Match)
		}
	}

	for i, p := range s.Publishers {
		path := fmt.Sprintf("publishers[%d]", i)
		if p.Count < 1 {
			v.add(path+".count", "must be ≥ 1, got %d", p.Count)
		}
		if p.Connections < 0 {
			v.add(path+".connections", "must be ≥ 0, got %d", p.Connections)
		}
		if _, ok := exchanges[p.Exchange]; !ok {
			v.add(path+".exchange", "exchange %q is not declared in topology.exchanges", p.Exchange)
		}
		if p.Size < 0 {
			v.add(path+".size", "must be ≥ 0, got %d", p.Size)
		}
		if p.Size > 128<<20 {
			v.add(path+".size", "is %s, above RabbitMQ's default max_message_size of 128MiB", p.Size)
		}
		if p.Confirm && p.ConfirmWindow < 1 {
			v.add(path+".confirm_window", "must be ≥ 1 with confirm: true, got %d", p.ConfirmWindow)
		}
		if !p.Rate.Unlimited && p.Rate.PerSecond <= 0 {
			v.add(path+".rate", "must be greater than 0, or unlimited")
		}
		if p.MaxMessages < 0 {
			v.add(path+".max_messages", "must be ≥ 0, got %d", p.MaxMessages)
		}
	}

	for i, c := range s.Consumers {
		path := fmt.Sprintf("consumers[%d]", i)
		if c.Count < 1 {
			v.add(path+".count", "must be ≥ 1, got %d", c.Count)
		}
		if c.Connections < 0 {
			v.add(path+".connections", "must be ≥ 0, got %d", c.Connections)
		}
		if _, ok := queues[c.Queue]; !ok {
			v.add(path+".queue", "queue %q is not declared in topology.queues", c.Queue)
		}
		if c.Prefetch < 0 || c.Prefetch > 65535 {
			v.add(path+".prefetch", "must be between 0 and 65535, got %d", c.Prefetch)
		}
		switch c.AckMode {
		case AckManual, AckAuto, AckMultiple:
		default:
			v.add(path+".ack_mode", "unknown ack mode %q: use manual, auto or multiple", c.AckMode)
		}
		if c.AckEvery < 0 {
			v.add(path+".ack_every", "must be ≥ 0, got %d", c.AckEvery)
		}
		if c.ProcessingTime < 0 {
			v.add(path+".processing_time", "must be ≥ 0, got %s", c.ProcessingTime)
		}
	}

	if len(s.Publishers) == 0 && len(s.Consumers) == 0 {
		v.add("publishers", "no publishers and no consumers: add at least one group of either")
	}
	if s.Run.Duration < 0 {
		v.add("run.duration", "must be greater than 0, got %s", s.Run.Duration)
	}
	if s.Run.WarmUp < 0 || (s.Run.Duration > 0 && s.Run.WarmUp >= s.Run.Duration) {
		v.add("run.warm_up", "must be ≥ 0 and shorter than run.duration, got %s", s.Run.WarmUp)
	}
	if s.Run.Drain < 0 {
		v.add("run.drain", "must be ≥ 0, got %s", s.Run.Drain)
	}
	if s.Run.MaxMessages < 0 {
		v.add("run.max_messages", "must be ≥ 0, got %d", s.Run.MaxMessages)
	}
	if s.Run.Duration == 0 {
		// A run must stop by itself: a duration, or a message bound on
		// every publisher group, is required.
		bounded := s.Run.MaxMessages > 0
		if !bounded && len(s.Publishers) > 0 {
			bounded = true
			for _, p := range s.Publishers {
				if p.MaxMessages == 0 {
					bounded = false
				}
			}
		}
		if !bounded {
			v.add("run.duration", "is missing: set run.duration (for example 30s) or a message bound (run.max_messages) so the run stops by itself")
		}
	}
}

// CheckTopicPattern reports a topic binding pattern with empty words
// ("a..b", a leading or trailing dot), which never match what was meant.
func CheckTopicPattern(p string) error {
	if p == "" {
		return nil
	}
	start := 0
	for i := 0; i <= len(p); i++ {
		if i == len(p) || p[i] == '.' {
			if i == start {
				return fmt.Errorf("topic pattern %q has an empty word: remove the extra dot", p)
			}
			start = i + 1
		}
	}
	return nil
}
