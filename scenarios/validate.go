package scenarios

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
)

// Defaults that a scenario file may leave out.
const (
	DefaultHeartbeat     = 60 * time.Second
	DefaultConfirmWindow = 256
	DefaultPrefetch      = 100
	DefaultDrain         = 5 * time.Second
	DefaultSize          = 1 << 10
	DefaultPollInterval  = 10 * time.Millisecond
	// MaxMessageSize is RabbitMQ's default max_message_size.
	MaxMessageSize = 128 << 20
)

// ApplyDefaults fills in what the file left out. Load calls it; call it
// again after changing a scenario in code (flag overrides do). It is safe to
// call more than once.
func (s *Scenario) ApplyDefaults() {
	if s.Broker.Heartbeat == 0 {
		s.Broker.Heartbeat = Duration(DefaultHeartbeat)
	}
	if s.Broker.ConnectionName == "" {
		s.Broker.ConnectionName = "warren"
	}
	if s.Topology.Declare == "" {
		s.Topology.Declare = DeclareAll
	}
	for i := range s.Topology.Queues {
		q := &s.Topology.Queues[i]
		if q.Type == "" {
			q.Type = QueueClassic
		}
	}
	for i := range s.Topology.Bindings {
		b := &s.Topology.Bindings[i]
		// x-match written among the headers, as the broker's own API has
		// it, moves to match.
		if m, ok := b.Headers["x-match"]; ok && (b.Match == "" || b.Match == m) {
			b.Match = m
			delete(b.Headers, "x-match")
		}
		if len(b.Headers) > 0 && b.Match == "" {
			b.Match = HeadersAll
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
		if len(p.RoutingKeys) == 0 || p.derived&derivedKeys != 0 {
			p.RoutingKeys = p.derivedKeys()
			p.derived &^= derivedKeys
			if p.RoutingKeys != nil {
				p.derived |= derivedKeys
			}
		}
		p.RoutingKeys = expandKeyList(p.RoutingKeys)
		if p.Size == 0 || p.derived&derivedSize != 0 {
			if p.SizeDistribution != nil {
				p.Size = p.SizeDistribution.Largest()
			} else {
				p.Size = DefaultSize
			}
			p.derived |= derivedSize
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
		if c.BasicGet && c.PollInterval == 0 {
			c.PollInterval = Duration(DefaultPollInterval)
		}
	}
	if s.Run.Drain == 0 {
		s.Run.Drain = Duration(DefaultDrain)
	}
}

// Validate checks the whole scenario, and every variant of its sweep, and
// returns every problem at once, as an errors.Join of *Problem, each naming
// the field, where it is in the file, and the fix.
func (s *Scenario) Validate() error {
	v := &validator{src: s.source}
	s.validate(v)
	if s.Sweep != nil {
		s.validateSweep(v)
	}
	return v.err()
}

type validator struct {
	src      *source
	problems []error
	seen     map[string]bool
}

func (v *validator) add(path, format string, args ...any) {
	p := &Problem{Path: path, Msg: fmt.Sprintf(format, args...)}
	if v.seen == nil {
		v.seen = map[string]bool{}
	}
	if v.seen[path+"\x00"+p.Msg] {
		return
	}
	v.seen[path+"\x00"+p.Msg] = true
	if v.src != nil {
		p.File = v.src.name
		p.Line, p.Column = v.src.position(path)
	}
	v.problems = append(v.problems, p)
}

func (v *validator) err() error { return errors.Join(v.problems...) }

// Problems splits an error from Load, Validate or Expand into its problems,
// for callers that print one per line.
func Problems(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, Problems(e)...)
		}
		return out
	}
	return []error{err}
}

// predeclaredType is the type of an amq.* exchange every vhost has.
func predeclaredType(name string) (string, bool) {
	for _, e := range predeclared() {
		if e.Name == name && name != "" {
			return e.Type, true
		}
	}
	return "", false
}

// typedArgument names the field that sets a queue argument, if any.
func typedArgument(arg string) (field string, ok bool) {
	switch arg {
	case "x-queue-type":
		return "type", true
	case "x-message-ttl":
		return "message_ttl", true
	case "x-max-length":
		return "max_length", true
	case "x-max-length-bytes":
		return "max_length_bytes", true
	case "x-overflow":
		return "overflow", true
	case "x-dead-letter-exchange":
		return "dead_letter_exchange", true
	case "x-dead-letter-routing-key":
		return "dead_letter_routing_key", true
	case "x-single-active-consumer":
		return "single_active_consumer", true
	case "x-delivery-limit":
		return "delivery_limit", true
	}
	return "", false
}

// argumentTypes lists the queue types that accept an argument; nil when
// every type does (or warren does not know).
func argumentTypes(arg string) []string {
	switch arg {
	case "x-queue-mode", "x-queue-master-locator", "x-queue-version":
		return []string{QueueClassic}
	case "x-quorum-initial-group-size", "x-quorum-target-group-size", "x-dead-letter-strategy":
		return []string{QueueQuorum}
	case "x-max-age", "x-stream-max-segment-size-bytes", "x-stream-filter-size-bytes", "x-initial-cluster-size":
		return []string{QueueStream}
	case "x-queue-leader-locator":
		return []string{QueueQuorum, QueueStream}
	}
	return nil
}

func checkName(v *validator, path, kind, name string) {
	switch {
	case name == "":
		v.add(path, "is missing: give the %s a name", kind)
	case len(name) > 255:
		v.add(path, "is %d bytes long: AMQP names are at most 255 bytes", len(name))
	}
}

func (s *Scenario) validate(v *validator) {
	switch {
	case s.Name == "":
		v.add("name", "is missing: give the scenario a short name (it names the run directory)")
	case strings.ContainsAny(s.Name, `/\:*?"<>| `):
		v.add("name", "%q: use letters, digits, dots, dashes and underscores (it names the run directory)", s.Name)
	}
	s.validateBroker(v)
	exchanges, queues := s.validateTopology(v)
	declared := s.Topology.Declare == DeclareAll
	s.validatePublishers(v, exchanges, queues, declared)
	s.validateConsumers(v, queues, declared)
	s.validateRun(v)
	s.validateSizing(v)
	s.validateThresholds(v)
}

func (s *Scenario) validateBroker(v *validator) {
	b := s.Broker
	if b.Heartbeat < 0 {
		v.add("broker.heartbeat", "must be ≥ 0 (0 turns heartbeats off), got %s", b.Heartbeat)
	}
	scheme := ""
	if b.URI != "" {
		u, err := url.Parse(b.URI)
		switch {
		case err != nil:
			v.add("broker.uri", "is not a URI: use amqp://user:password@host:5672/vhost")
		case u.Scheme != "amqp" && u.Scheme != "amqps":
			v.add("broker.uri", "scheme %q: use amqp:// or amqps://", u.Scheme)
		default:
			scheme = u.Scheme
		}
	}
	if b.ManagementURI != "" {
		u, err := url.Parse(b.ManagementURI)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			v.add("broker.management_uri", "use an http:// or https:// URI such as http://localhost:15672/")
		}
	}
	if t := b.TLS; t != nil {
		if (t.CertFile == "") != (t.KeyFile == "") {
			v.add("broker.tls", "cert_file and key_file go together: give both for a client certificate, or neither")
		}
		if scheme == "amqp" {
			v.add("broker.tls", "is set but broker.uri is amqp://: use amqps:// to connect over TLS")
		}
	}
}

// validateTopology checks exchanges, queues and bindings, and returns the
// exchanges and queues it knows of (the declared ones, the default exchange
// and the amq.* exchanges).
func (s *Scenario) validateTopology(v *validator) (map[string]Exchange, map[string]Queue) {
	t := s.Topology
	switch t.Declare {
	case DeclareAll, DeclareNone, DeclarePassive:
	default:
		v.add("topology.declare", "is true, false or passive, got %q", t.Declare)
	}
	declared := t.Declare == DeclareAll || t.Declare == ""

	exchanges := map[string]Exchange{}
	for _, e := range predeclared() {
		exchanges[e.Name] = e
	}
	seen := map[string]bool{}
	for i, e := range t.Exchanges {
		path := fmt.Sprintf("topology.exchanges[%d]", i)
		checkName(v, path+".name", "exchange (the default exchange needs no declaration)", e.Name)
		if seen[e.Name] && e.Name != "" {
			v.add(path+".name", "exchange %q is declared twice", e.Name)
		}
		seen[e.Name] = true
		switch e.Type {
		case ExchangeDirect, ExchangeFanout, ExchangeTopic, ExchangeHeaders:
		case "":
			v.add(path+".type", "is missing: use direct, fanout, topic or headers")
		default:
			v.add(path+".type", "unknown exchange type %q: use direct, fanout, topic or headers", e.Type)
		}
		if typ, ok := predeclaredType(e.Name); ok {
			if declared && typ != e.Type {
				v.add(path+".type", "%s is a built-in %s exchange: declare it with type %s, or use a name of your own", e.Name, typ, typ)
			}
		} else if declared && strings.HasPrefix(e.Name, "amq.") {
			v.add(path+".name", "names starting with amq. are reserved by the broker (403 ACCESS_REFUSED): choose another name")
		}
		if e.Name != "" {
			exchanges[e.Name] = e
		}
	}
	for i, e := range t.Exchanges {
		if e.AlternateExchange == "" {
			continue
		}
		path := fmt.Sprintf("topology.exchanges[%d].alternate_exchange", i)
		if e.AlternateExchange == e.Name {
			v.add(path, "is the exchange itself: name another exchange")
		} else if _, ok := exchanges[e.AlternateExchange]; !ok && declared {
			v.add(path, "exchange %q is not declared in topology.exchanges", e.AlternateExchange)
		}
	}

	queues := map[string]Queue{}
	for i, q := range t.Queues {
		path := fmt.Sprintf("topology.queues[%d]", i)
		checkName(v, path+".name", "queue (warren names every queue so it can account for it)", q.Name)
		if _, dup := queues[q.Name]; dup {
			v.add(path+".name", "queue %q is declared twice", q.Name)
		}
		if declared && strings.HasPrefix(q.Name, "amq.") {
			v.add(path+".name", "names starting with amq. are reserved by the broker (403 ACCESS_REFUSED): choose another name")
		}
		queues[q.Name] = q
		validateQueue(v, path, q, exchanges, declared)
	}

	for i, b := range t.Bindings {
		path := fmt.Sprintf("topology.bindings[%d]", i)
		e, ok := exchanges[b.Exchange]
		switch {
		case b.Exchange == "":
			v.add(path+".exchange", "is missing: every queue is already bound to the default exchange by its name")
		case !ok && declared:
			v.add(path+".exchange", "exchange %q is not declared in topology.exchanges", b.Exchange)
		}
		switch {
		case b.Queue == "" && b.ToExchange == "":
			v.add(path, "needs a queue or a to_exchange")
		case b.Queue != "" && b.ToExchange != "":
			v.add(path, "has both queue and to_exchange: a binding has one destination")
		case b.Queue != "":
			if _, ok := queues[b.Queue]; !ok && declared {
				v.add(path+".queue", "queue %q is not declared in topology.queues", b.Queue)
			}
		default:
			if _, ok := exchanges[b.ToExchange]; !ok && declared {
				v.add(path+".to_exchange", "exchange %q is not declared in topology.exchanges", b.ToExchange)
			}
		}
		if len(b.Key) > 255 {
			v.add(path+".key", "is %d bytes long: routing keys are at most 255 bytes", len(b.Key))
		}
		if ok && e.Type == ExchangeTopic {
			if err := CheckTopicPattern(b.Key); err != nil {
				v.add(path+".key", "%v", err)
			}
		}
		if ok && e.Type != ExchangeHeaders {
			if len(b.Headers) > 0 {
				v.add(path+".headers", "exchange %q is %s, not headers: header tables only route on headers exchanges", b.Exchange, e.Type)
			} else if b.Match != "" {
				v.add(path+".match", "exchange %q is %s, not headers: x-match only applies to headers exchanges", b.Exchange, e.Type)
			}
		}
		switch b.Match {
		case "", HeadersAll, HeadersAny, HeadersAllWithX, HeadersAnyWithX:
		default:
			v.add(path+".match", "unknown x-match %q: use all or any (or all-with-x, any-with-x)", b.Match)
		}
		if m, ok := b.Headers["x-match"]; ok && m != b.Match {
			v.add(path+".headers.x-match", "is %q but match is %q: keep one of them", m, b.Match)
		}
	}
	return exchanges, queues
}

func validateQueue(v *validator, path string, q Queue, exchanges map[string]Exchange, declared bool) {
	switch q.Type {
	case QueueClassic, QueueQuorum, QueueStream:
	default:
		v.add(path+".type", "unknown queue type %q: use classic, quorum or stream", q.Type)
	}
	if q.MaxLength < 0 {
		v.add(path+".max_length", "must be ≥ 0, got %d", q.MaxLength)
	}
	if q.MaxLengthBytes < 0 {
		v.add(path+".max_length_bytes", "must be ≥ 0, got %d", q.MaxLengthBytes)
	}
	if q.MessageTTL < 0 {
		v.add(path+".message_ttl", "must be ≥ 0, got %s", q.MessageTTL)
	}
	if q.DeliveryLimit < 0 {
		v.add(path+".delivery_limit", "must be ≥ 0, got %d", q.DeliveryLimit)
	}
	switch q.Type {
	case QueueQuorum, QueueStream:
		if !q.Durable {
			v.add(path+".durable", "%s queues are always durable: set durable: true", q.Type)
		}
		if q.Exclusive {
			v.add(path+".exclusive", "%s queues cannot be exclusive: use a classic queue, or remove exclusive", q.Type)
		}
		if q.AutoDelete {
			v.add(path+".auto_delete", "%s queues cannot be auto-delete: use a classic queue, or remove auto_delete", q.Type)
		}
	}
	if q.Type == QueueClassic && q.DeliveryLimit > 0 {
		v.add(path+".delivery_limit", "is for quorum queues only: remove it or set type: quorum")
	}
	if q.Type == QueueStream {
		for _, f := range []struct {
			set        bool
			field, fix string
		}{
			{q.MessageTTL > 0, "message_ttl", "streams keep messages by age: use arguments: {x-max-age: 1h}"},
			{q.MaxLength > 0, "max_length", "streams are bounded by size: use max_length_bytes"},
			{q.Overflow != "", "overflow", "streams discard old segments when full: remove it"},
			{q.DeadLetterExchange != "", "dead_letter_exchange", "streams do not dead-letter: remove it"},
			{q.DeadLetterRoutingKey != "", "dead_letter_routing_key", "streams do not dead-letter: remove it"},
			{q.DeliveryLimit > 0, "delivery_limit", "streams do not redeliver: remove it"},
		} {
			if f.set {
				v.add(path+"."+f.field, "is not supported by stream queues: %s", f.fix)
			}
		}
	}
	switch q.Overflow {
	case "":
	case "drop-head", "reject-publish", "reject-publish-dlx":
		if q.MaxLength == 0 && q.MaxLengthBytes == 0 && q.Arguments["x-max-length"] == nil && q.Arguments["x-max-length-bytes"] == nil {
			v.add(path+".overflow", "has no effect without max_length or max_length_bytes: set a limit or remove overflow")
		}
		if q.Overflow == "reject-publish-dlx" {
			if q.Type == QueueQuorum {
				v.add(path+".overflow", "reject-publish-dlx is not supported by quorum queues: use reject-publish or drop-head")
			} else if q.DeadLetterExchange == "" {
				v.add(path+".overflow", "reject-publish-dlx dead-letters rejected messages: set dead_letter_exchange, or use reject-publish")
			}
		}
	default:
		v.add(path+".overflow", "unknown overflow %q: use drop-head, reject-publish or reject-publish-dlx", q.Overflow)
	}
	if q.DeadLetterExchange != "" && declared {
		if _, ok := exchanges[q.DeadLetterExchange]; !ok {
			v.add(path+".dead_letter_exchange", "exchange %q is not declared in topology.exchanges", q.DeadLetterExchange)
		}
	}
	if q.DeadLetterRoutingKey != "" && q.DeadLetterExchange == "" {
		v.add(path+".dead_letter_routing_key", "has no effect without dead_letter_exchange: set one, or remove the key")
	}
	names := make([]string, 0, len(q.Arguments))
	for k := range q.Arguments {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		apath := path + ".arguments." + k
		if !strings.HasPrefix(k, "x-") {
			v.add(apath, "queue arguments start with x-: the broker ignores %q", k)
			continue
		}
		if field, ok := typedArgument(k); ok {
			v.add(apath, "is what %s sets: use %s instead (one place per setting)", field, field)
			continue
		}
		if types := argumentTypes(k); types != nil && !slices.Contains(types, q.Type) {
			v.add(apath, "is for %s queues only, and this queue is %s", strings.Join(types, " and "), q.Type)
		}
	}
}

func (s *Scenario) validatePublishers(v *validator, exchanges map[string]Exchange, queues map[string]Queue, declared bool) {
	for i := range s.Publishers {
		p := &s.Publishers[i]
		path := fmt.Sprintf("publishers[%d]", i)
		if p.Count < 1 {
			v.add(path+".count", "must be ≥ 1, got %d", p.Count)
		}
		if p.Connections < 0 {
			v.add(path+".connections", "must be ≥ 0, got %d", p.Connections)
		}
		e, known := exchanges[p.Exchange]
		switch {
		case !known && declared:
			v.add(path+".exchange", "exchange %q is not declared in topology.exchanges", p.Exchange)
		case known && e.Internal:
			v.add(path+".exchange", "exchange %q is internal: the broker refuses publishes to it; publish to an exchange bound to it", p.Exchange)
		}
		validateKeys(v, path, p, e, known)
		validateSize(v, path, p)
		if p.Confirm && p.ConfirmWindow < 1 {
			v.add(path+".confirm_window", "must be ≥ 1 with confirm: true, got %d", p.ConfirmWindow)
		}
		if !p.Confirm && p.ConfirmWindow != 0 {
			v.add(path+".confirm_window", "has no effect without confirm: true")
		}
		if !p.Confirm && p.Republish {
			v.add(path+".republish_unconfirmed", "needs confirm: true: without confirms nothing tells which messages to send again")
		}
		validateRate(v, path+".rate", p.Rate)
		if p.MaxMessages < 0 {
			v.add(path+".max_messages", "must be ≥ 0, got %d", p.MaxMessages)
		}
	}
}

func validateKeys(v *validator, path string, p *PublisherGroup, e Exchange, known bool) {
	explicitKeys := p.keysGiven()
	if p.RoutingKey != "" && len(p.WeightedKeys) == 0 && explicitKeys {
		v.add(path+".routing_key", "give routing_key or routing_keys, not both")
	}
	if len(p.WeightedKeys) > 0 {
		if explicitKeys {
			v.add(path+".weighted_routing_keys", "give routing_keys or weighted_routing_keys, not both")
		}
		if p.RoutingKey != "" {
			v.add(path+".weighted_routing_keys", "give routing_key or weighted_routing_keys, not both")
		}
		total := 0.0
		for j, w := range p.WeightedKeys {
			wpath := fmt.Sprintf("%s.weighted_routing_keys[%d]", path, j)
			if w.Weight < 0 || math.IsNaN(w.Weight) || math.IsInf(w.Weight, 0) {
				v.add(wpath+".weight", "must be a number > 0, got %v", w.Weight)
			} else if w.Weight == 0 {
				total++
			} else {
				total += w.Weight
			}
			if _, err := ExpandKeyTemplate(w.Key); err != nil {
				v.add(wpath+".key", "%v", err)
			}
			checkPublishKey(v, wpath+".key", w.Key, e, known)
		}
		if _, _, err := expandWeighted(p.WeightedKeys); errors.Is(err, errTooManyKeys) {
			v.add(path+".weighted_routing_keys", "%v", err)
		}
		if total <= 0 {
			v.add(path+".weighted_routing_keys", "weights must add up to more than 0")
		}
	}
	if len(p.RoutingKeys) > MaxKeys {
		v.add(path+".routing_keys", "has %d keys, more than %d: use fewer", len(p.RoutingKeys), MaxKeys)
		return
	}
	if len(p.WeightedKeys) == 0 {
		for j, k := range p.RoutingKeys {
			kpath := fmt.Sprintf("%s.routing_keys[%d]", path, j)
			if p.RoutingKey != "" {
				kpath = path + ".routing_key"
			}
			if strings.ContainsAny(k, "{}") {
				if _, err := ExpandKeyTemplate(k); err != nil {
					v.add(kpath, "%v", err)
					continue
				}
			}
			if len(k) > 255 {
				v.add(kpath, "is %d bytes long: routing keys are at most 255 bytes", len(k))
			}
			checkPublishKey(v, kpath, k, e, known)
		}
	}
}

// checkPublishKey catches a binding pattern used as a routing key: the
// broker takes * and # literally in the keys messages carry.
func checkPublishKey(v *validator, path, key string, e Exchange, known bool) {
	if !known || e.Type != ExchangeTopic {
		return
	}
	for _, w := range splitWords(key) {
		if w == "*" || w == "#" {
			v.add(path, "%q has a %s word: patterns belong in bindings, messages carry plain keys such as a.b.c", key, w)
			return
		}
	}
}

func validateSize(v *validator, path string, p *PublisherGroup) {
	if p.Size < 0 {
		v.add(path+".size", "must be ≥ 0, got %d", p.Size)
	}
	if p.Size > MaxMessageSize {
		v.add(path+".size", "is %s, above RabbitMQ's default max_message_size of 128MiB", p.Size)
	}
	d := p.SizeDistribution
	if d == nil {
		return
	}
	dpath := path + ".size_distribution"
	if p.sizeGiven() {
		v.add(path+".size", "give size or size_distribution, not both")
	}
	if d.IsUniform() {
		switch {
		case d.Min < 0 || d.Max <= 0:
			v.add(dpath, "needs min ≥ 0 and max > 0, got min %s, max %s", d.Min, d.Max)
		case d.Min > d.Max:
			v.add(dpath+".min", "is larger than max (%s > %s): swap them", d.Min, d.Max)
		}
	} else {
		total := 0.0
		for j, c := range d.Choices {
			cpath := fmt.Sprintf("%s[%d]", dpath, j)
			if c.Size < 0 {
				v.add(cpath+".size", "must be ≥ 0, got %d", c.Size)
			}
			if c.Weight < 0 || math.IsNaN(c.Weight) || math.IsInf(c.Weight, 0) {
				v.add(cpath+".weight", "must be a number > 0, got %v", c.Weight)
			} else {
				total += c.weight()
			}
		}
		if total <= 0 {
			v.add(dpath, "weights must add up to more than 0")
		}
	}
	if d.Largest() > MaxMessageSize {
		v.add(dpath, "reaches %s, above RabbitMQ's default max_message_size of 128MiB", d.Largest())
	}
}

// validateRate checks a rate in any form; every rate must be > 0.
func validateRate(v *validator, path string, r Rate) {
	single := func(p string, x Rate, what string) {
		switch x.Kind() {
		case RateConstant:
			if !(x.PerSecond > 0) || math.IsInf(x.PerSecond, 0) {
				v.add(p, "must be greater than 0, got %s", x)
			}
		case RateUnlimited:
			v.add(p, "%s needs a rate such as 500/s, not unlimited", what)
		case RateNone:
			v.add(p, "is missing: give a rate such as 500/s")
		default:
			v.add(p, "%s needs a single rate such as 500/s", what)
		}
	}
	switch r.Kind() {
	case RateNone, RateUnlimited:
	case RateConstant:
		single(path, r, "a rate")
	case RateRamp:
		single(path+".ramp.from", r.Ramp.From, "a ramp")
		single(path+".ramp.to", r.Ramp.To, "a ramp")
		if r.Ramp.Over <= 0 {
			v.add(path+".ramp.over", "must be greater than 0, got %s: how long the ramp takes, such as 60s", r.Ramp.Over)
		}
	case RateSteps:
		if len(r.Steps.Rates) == 0 {
			v.add(path+".steps", "is empty: give the rates to step through, such as [100/s, 500/s]")
		}
		for j, s := range r.Steps.Rates {
			single(fmt.Sprintf("%s.steps[%d]", path, j), s, "a step")
		}
		if r.Steps.Every <= 0 {
			v.add(path+".every", "must be greater than 0, got %s: how long each step lasts, such as 30s", r.Steps.Every)
		}
	}
}

func (s *Scenario) validateConsumers(v *validator, queues map[string]Queue, declared bool) {
	for i := range s.Consumers {
		c := &s.Consumers[i]
		path := fmt.Sprintf("consumers[%d]", i)
		if c.Count < 1 {
			v.add(path+".count", "must be ≥ 1, got %d", c.Count)
		}
		if c.Connections < 0 {
			v.add(path+".connections", "must be ≥ 0, got %d", c.Connections)
		}
		q, known := queues[c.Queue]
		switch {
		case c.Queue == "":
			v.add(path+".queue", "is missing: name the queue to consume from")
		case !known && declared:
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
		} else if c.AckEvery > 0 && c.AckMode != AckMultiple {
			v.add(path+".ack_every", "has no effect unless ack_mode is multiple")
		}
		if c.AckMode == AckMultiple && c.Prefetch > 0 && c.AckEvery > c.Prefetch {
			v.add(path+".ack_every", "is %d, more than prefetch %d: the consumer would stall waiting for deliveries the broker holds back", c.AckEvery, c.Prefetch)
		}
		if c.ProcessingTime < 0 {
			v.add(path+".processing_time", "must be ≥ 0, got %s", c.ProcessingTime)
		}
		if c.ProcessingTimeMax != 0 && c.ProcessingTimeMax < c.ProcessingTime {
			v.add(path+".processing_time_max", "is shorter than processing_time (%s < %s)", c.ProcessingTimeMax, c.ProcessingTime)
		}
		for _, r := range []struct {
			field string
			val   float64
		}{{"reject_rate", c.RejectRate}, {"nack_rate", c.NackRate}} {
			if !(r.val >= 0 && r.val <= 1) {
				v.add(path+"."+r.field, "must be between 0 and 1 (a share of deliveries), got %v", r.val)
			}
		}
		if c.RejectRate+c.NackRate > 1 {
			v.add(path+".nack_rate", "reject_rate and nack_rate add up to %v, more than 1", c.RejectRate+c.NackRate)
		}
		if c.AckMode == AckAuto && (c.RejectRate > 0 || c.NackRate > 0) {
			v.add(path+".ack_mode", "auto ack cannot reject or nack: use manual to answer deliveries")
		}
		if c.Requeue && c.RejectRate == 0 && c.NackRate == 0 {
			v.add(path+".requeue", "has no effect without reject_rate or nack_rate")
		}
		if !c.Rate.IsZero() {
			validateRate(v, path+".rate", c.Rate)
		}
		if c.PollInterval < 0 {
			v.add(path+".poll_interval", "must be ≥ 0, got %s", c.PollInterval)
		}
		if c.PollInterval != 0 && !c.BasicGet {
			v.add(path+".poll_interval", "has no effect without basic_get: true")
		}
		if known {
			switch q.Type {
			case QueueQuorum, QueueStream:
				if c.GlobalPrefetch {
					v.add(path+".global_prefetch", "%s queues do not support global prefetch: remove it", q.Type)
				}
			}
			if q.Type == QueueStream {
				if c.AckMode == AckAuto {
					v.add(path+".ack_mode", "stream consumers must acknowledge: use manual or multiple")
				}
				if c.Prefetch == 0 {
					v.add(path+".prefetch", "stream consumers need a prefetch greater than 0")
				}
				if c.BasicGet {
					v.add(path+".basic_get", "streams cannot be polled with basic.get: remove it")
				}
			}
		}
	}
}

func (s *Scenario) validateRun(v *validator) {
	r := s.Run
	if len(s.Publishers) == 0 && len(s.Consumers) == 0 {
		v.add("publishers", "no publishers and no consumers: add at least one group of either")
	}
	if r.Duration < 0 {
		v.add("run.duration", "must be greater than 0, got %s", r.Duration)
	}
	if r.WarmUp < 0 || (r.Duration > 0 && r.WarmUp >= r.Duration) {
		v.add("run.warm_up", "must be ≥ 0 and shorter than run.duration, got %s", r.WarmUp)
	}
	if r.Drain < 0 {
		v.add("run.drain", "must be ≥ 0, got %s", r.Drain)
	}
	if r.MaxMessages < 0 {
		v.add("run.max_messages", "must be ≥ 0, got %d", r.MaxMessages)
	}
	if r.Duration == 0 {
		// A run must stop by itself: a duration, or a message bound on
		// every publisher group, is required. Consumers alone never stop.
		bounded := r.MaxMessages > 0
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

// validateSweep expands the sweep and validates every variant, reporting
// problems a variant has and the base has not at the sweep entry that
// causes them.
func (s *Scenario) validateSweep(v *validator) {
	variants, err := s.Expand()
	if err != nil {
		v.problems = append(v.problems, Problems(err)...)
		return
	}
	base := map[string]bool{}
	bv := &validator{}
	s.validate(bv)
	for _, p := range bv.problems {
		if pr, ok := p.(*Problem); ok {
			base[pr.Path+": "+pr.Msg] = true
		}
	}
	reported := map[string]bool{}
	for _, vr := range variants {
		vv := &validator{}
		vr.Scenario.validate(vv)
		for _, p := range vv.problems {
			pr, ok := p.(*Problem)
			if !ok || base[pr.Path+": "+pr.Msg] {
				continue
			}
			at := s.sweepSource(vr, pr.Path)
			key := at + pr.Path + pr.Msg
			if reported[key] {
				continue
			}
			reported[key] = true
			out := &Problem{Path: pr.Path, Msg: fmt.Sprintf("%s (in sweep variant %s)", pr.Msg, vr.Name)}
			if v.src != nil {
				out.File = v.src.name
				out.Line, out.Column = v.src.position(at)
			}
			v.problems = append(v.problems, out)
		}
	}
}

// sweepSource finds the sweep entry that most likely set the field at path
// in a variant: a parameter over that field, else the named variant.
func (s *Scenario) sweepSource(vr Variant, path string) string {
	norm := normaliseField(path)
	at := func(i int) string {
		p := s.Sweep.Parameters[i]
		for j, val := range p.Values {
			if vr.Params[p.Field] == valueText(val) {
				return fmt.Sprintf("sweep.parameters[%d].values[%d]", i, j)
			}
		}
		return fmt.Sprintf("sweep.parameters[%d]", i)
	}
	// The parameter over that very field, else one over a field of the
	// same group or section (queues.type makes queues[0].durable wrong).
	for i, p := range s.Sweep.Parameters {
		if f := normaliseField(p.Field); f == norm || strings.HasPrefix(norm, f+".") {
			return at(i)
		}
	}
	for i, p := range s.Sweep.Parameters {
		if parent := parentPath(normaliseField(p.Field)); parent != "" && strings.HasPrefix(norm, parent+".") {
			return at(i)
		}
	}
	for i, sv := range s.Sweep.Variants {
		if vr.Params["variant"] == sv.Name {
			return fmt.Sprintf("sweep.variants[%d]", i)
		}
	}
	return "sweep"
}

// normaliseField drops list selectors and spells out topology, so that
// consumers[0].prefetch and consumers[workers].prefetch both read
// consumers.prefetch.
func normaliseField(f string) string {
	var b strings.Builder
	depth := 0
	for _, r := range f {
		switch {
		case r == '[':
			depth++
		case r == ']':
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	out := b.String()
	for _, t := range []string{"exchanges", "queues", "bindings"} {
		if out == t || strings.HasPrefix(out, t+".") {
			return "topology." + out
		}
	}
	return out
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
