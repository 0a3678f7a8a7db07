package scenarios

import (
	"fmt"
	"sort"
	"strings"
)

// Kinds of routing step, in RouteStep.Match.
const (
	MatchExact      = "exact"       // direct exchange: the key equals the binding key
	MatchPattern    = "pattern"     // topic exchange: the key matches the binding pattern
	MatchFanout     = "fanout"      // fanout exchange: every binding gets a copy
	MatchHeadersAll = "headers-all" // headers exchange, x-match all
	MatchHeadersAny = "headers-any" // headers exchange, x-match any
	MatchDefault    = "default"     // the default exchange: the key names a queue
	MatchAlternate  = "alternate"   // nothing matched: the alternate exchange takes the message
	MatchCycle      = "cycle"       // an exchange already visited is not visited again
	MatchMissing    = "missing"     // the exchange (or the queue of the default exchange) is not declared
	MatchUnknown    = "unknown"     // an exchange of a type warren does not know routes nothing
	MatchNone       = "none"        // nothing matched at an exchange and it has no alternate exchange
)

// Route is where one message goes under a scenario's topology, and why.
type Route struct {
	Exchange string
	Key      string
	Headers  map[string]string
	// Queues are the queues that receive a copy, sorted and distinct: the
	// broker delivers one copy per queue however many bindings match.
	Queues []string
	// Steps explain the decision, in the order the broker makes it: every
	// binding considered at every exchange visited, matched or not.
	Steps []RouteStep
	// Refused is set when the broker refuses the publish itself (an
	// undeclared or internal exchange) rather than dropping the message.
	Refused string
}

// Unroutable reports whether the message reaches no queue. Unroutable
// messages are dropped, or returned to the publisher with mandatory set.
func (r Route) Unroutable() bool { return len(r.Queues) == 0 }

// RouteStep is one decision while routing a message.
type RouteStep struct {
	// Depth is 0 at the exchange published to, and one more for each
	// exchange-to-exchange binding or alternate exchange followed.
	Depth int
	// Exchange is where the decision is made ("" is the default exchange).
	Exchange string
	// Binding is the index in topology.bindings, or -1 for steps that are
	// not about a binding (default exchange, alternate exchange, cycle).
	Binding int
	// Matched reports whether the message goes on to Queue or ToExchange.
	Matched    bool
	Queue      string
	ToExchange string
	// Match is one of the Match* kinds.
	Match string
	// Why says it in words: `pattern "a.*" matches "a.b" (* is exactly one word)`.
	Why string
}

// Router routes messages under one topology. Build it once (NewRouter) and
// call it many times; it does not change the topology and is safe for
// concurrent use.
type Router struct {
	exchanges  map[string]Exchange
	queues     map[string]bool
	bindings   []Binding
	byExchange map[string][]int
}

// predeclared returns the exchanges every RabbitMQ virtual host has.
func predeclared() []Exchange {
	return []Exchange{
		{Name: "", Type: ExchangeDirect, Durable: true},
		{Name: "amq.direct", Type: ExchangeDirect, Durable: true},
		{Name: "amq.fanout", Type: ExchangeFanout, Durable: true},
		{Name: "amq.topic", Type: ExchangeTopic, Durable: true},
		{Name: "amq.headers", Type: ExchangeHeaders, Durable: true},
		{Name: "amq.match", Type: ExchangeHeaders, Durable: true},
	}
}

// NewRouter indexes a topology for routing. The default exchange and the
// amq.* exchanges every virtual host has are known without declaring them.
func NewRouter(t Topology) *Router {
	r := &Router{
		exchanges:  make(map[string]Exchange, len(t.Exchanges)+6),
		queues:     make(map[string]bool, len(t.Queues)),
		bindings:   t.Bindings,
		byExchange: make(map[string][]int),
	}
	for _, e := range predeclared() {
		r.exchanges[e.Name] = e
	}
	for _, e := range t.Exchanges {
		if e.Name != "" {
			r.exchanges[e.Name] = e
		}
	}
	for _, q := range t.Queues {
		r.queues[q.Name] = true
	}
	for i, b := range t.Bindings {
		r.byExchange[b.Exchange] = append(r.byExchange[b.Exchange], i)
	}
	return r
}

// Router returns a router for the scenario's topology.
func (s *Scenario) Router() *Router { return NewRouter(s.Topology) }

// Route tells where a message published to exchange with the routing key
// and headers goes, and why, under the scenario's topology.
func (s *Scenario) Route(exchange, key string, headers map[string]string) Route {
	return s.Router().Route(exchange, key, headers)
}

// RouteQueues returns the queues that receive a copy of a message published
// to exchange with key and headers: sorted, distinct, nil when unroutable.
// A message reaches each queue at most once, so the length is the number of
// copies the broker makes. It is cheap enough to call once per distinct key;
// callers that publish many keys should cache the answer per key.
func (s *Scenario) RouteQueues(exchange, key string, headers map[string]string) []string {
	return s.Router().Queues(exchange, key, headers)
}

// Route tells where a message goes and why.
func (r *Router) Route(exchange, key string, headers map[string]string) Route {
	w := walk{r: r, key: key, headers: headers, explain: true}
	out := Route{Exchange: exchange, Key: key, Headers: headers}
	out.Refused = w.start(exchange)
	out.Queues = w.queueList()
	out.Steps = w.steps
	return out
}

// Queues returns only the queues a message reaches (sorted, distinct), with
// none of the explanation Route builds.
func (r *Router) Queues(exchange, key string, headers map[string]string) []string {
	w := walk{r: r, key: key, headers: headers}
	w.start(exchange)
	return w.queueList()
}

// walk is one message's way through the exchanges.
type walk struct {
	r       *Router
	key     string
	headers map[string]string
	explain bool
	seen    map[string]bool
	queues  map[string]bool
	steps   []RouteStep
}

func (w *walk) step(s RouteStep) {
	if w.explain {
		w.steps = append(w.steps, s)
	}
}

// start routes from the exchange published to; it returns why the broker
// refuses the publish, or "".
func (w *walk) start(exchange string) string {
	e, ok := w.r.exchanges[exchange]
	switch {
	case !ok:
		why := fmt.Sprintf("exchange %q is not declared: the broker closes the channel (404 NOT_FOUND)", exchange)
		w.step(RouteStep{Exchange: exchange, Binding: -1, Match: MatchMissing, Why: why})
		return why
	case e.Internal:
		why := fmt.Sprintf("exchange %q is internal: clients may not publish to it (403 ACCESS_REFUSED); bind it from another exchange", exchange)
		w.step(RouteStep{Exchange: exchange, Binding: -1, Match: MatchMissing, Why: why})
		return why
	}
	w.visit(exchange, 0)
	return ""
}

func (w *walk) addQueue(q string) {
	if w.queues == nil {
		w.queues = make(map[string]bool, 4)
	}
	w.queues[q] = true
}

func (w *walk) queueList() []string {
	if len(w.queues) == 0 {
		return nil
	}
	out := make([]string, 0, len(w.queues))
	for q := range w.queues {
		out = append(out, q)
	}
	sort.Strings(out)
	return out
}

// visit routes the message through one exchange, following exchange-to-
// exchange bindings and the alternate exchange. Like the broker, it visits
// each exchange at most once, so cycles end.
func (w *walk) visit(name string, depth int) {
	if w.seen == nil {
		w.seen = make(map[string]bool, 4)
	}
	if w.seen[name] {
		w.step(RouteStep{Depth: depth, Exchange: name, Binding: -1, Match: MatchCycle,
			Why: fmt.Sprintf("exchange %q was already visited: the broker routes through each exchange once", name)})
		return
	}
	w.seen[name] = true
	e, ok := w.r.exchanges[name]
	if !ok {
		w.step(RouteStep{Depth: depth, Exchange: name, Binding: -1, Match: MatchMissing,
			Why: fmt.Sprintf("exchange %q is not declared in the topology", name)})
		return
	}
	routed := false
	if name == "" {
		if w.r.queues[w.key] {
			routed = true
			w.addQueue(w.key)
			w.step(RouteStep{Depth: depth, Binding: -1, Matched: true, Queue: w.key, Match: MatchDefault,
				Why: fmt.Sprintf("the default exchange delivers to the queue named by the key, %q", w.key)})
		} else {
			w.step(RouteStep{Depth: depth, Binding: -1, Match: MatchMissing,
				Why: fmt.Sprintf("the default exchange delivers to the queue named by the key, and no queue %q is declared", w.key)})
		}
	}
	for _, i := range w.r.byExchange[name] {
		b := w.r.bindings[i]
		ok, kind, why := w.match(e, b)
		w.step(RouteStep{Depth: depth, Exchange: name, Binding: i, Matched: ok, Queue: b.Queue, ToExchange: b.ToExchange, Match: kind, Why: why})
		if !ok {
			continue
		}
		routed = true
		switch {
		case b.Queue != "":
			w.addQueue(b.Queue)
		case b.ToExchange != "":
			w.visit(b.ToExchange, depth+1)
		}
	}
	if !routed && e.AlternateExchange != "" {
		w.step(RouteStep{Depth: depth, Exchange: name, Binding: -1, Matched: true, ToExchange: e.AlternateExchange, Match: MatchAlternate,
			Why: fmt.Sprintf("no binding of %q matched: its alternate exchange %q takes the message", displayExchange(name), e.AlternateExchange)})
		w.visit(e.AlternateExchange, depth+1)
	}
	if !routed && e.AlternateExchange == "" && name != "" {
		why := fmt.Sprintf("no binding of %q matched and it has no alternate exchange", name)
		if len(w.r.byExchange[name]) == 0 {
			why = fmt.Sprintf("exchange %q has no bindings and no alternate exchange", name)
		}
		w.step(RouteStep{Depth: depth, Exchange: name, Binding: -1, Match: MatchNone, Why: why})
	}
}

func displayExchange(name string) string {
	if name == "" {
		return "(default exchange)"
	}
	return name
}

// match decides one binding. The explanation is only built when asked for.
func (w *walk) match(e Exchange, b Binding) (ok bool, kind, why string) {
	switch e.Type {
	case ExchangeDirect:
		ok = w.key == b.Key
		if w.explain {
			if ok {
				why = fmt.Sprintf("key %q equals the binding key", w.key)
			} else {
				why = fmt.Sprintf("key %q differs from the binding key %q", w.key, b.Key)
			}
		}
		return ok, MatchExact, why
	case ExchangeTopic:
		ok = TopicMatch(b.Key, w.key)
		if w.explain {
			verb := "matches"
			if !ok {
				verb = "does not match"
			}
			why = fmt.Sprintf("pattern %q %s key %q%s", b.Key, verb, w.key, topicHint(b.Key))
		}
		return ok, MatchPattern, why
	case ExchangeFanout:
		if w.explain {
			why = "a fanout exchange copies every message to every binding, whatever the key"
		}
		return true, MatchFanout, why
	case ExchangeHeaders:
		match := bindingMatch(b)
		kind = MatchHeadersAll
		if strings.HasPrefix(match, "any") {
			kind = MatchHeadersAny
		}
		ok, why = HeadersMatch(b.Headers, match, w.headers, w.explain)
		return ok, kind, why
	}
	if w.explain {
		why = fmt.Sprintf("exchange type %q is unknown: it routes nothing", e.Type)
	}
	return false, MatchUnknown, why
}

func topicHint(pattern string) string {
	var star, hash bool
	for _, w := range splitWords(pattern) {
		star = star || w == "*"
		hash = hash || w == "#"
	}
	switch {
	case star && hash:
		return " (* is exactly one word, # is zero or more words)"
	case star:
		return " (* is exactly one word)"
	case hash:
		return " (# is zero or more words)"
	}
	return ""
}

// bindingMatch is the binding's x-match: Match, else an x-match header in
// the binding's table, else "all" (the broker's default).
func bindingMatch(b Binding) string {
	if b.Match != "" {
		return b.Match
	}
	if m, ok := b.Headers["x-match"]; ok {
		return m
	}
	return "all"
}

// Header match modes (x-match). The -with-x modes (RabbitMQ 3.10 and
// later) also compare binding headers whose names start with "x-".
const (
	HeadersAll      = "all"
	HeadersAny      = "any"
	HeadersAllWithX = "all-with-x"
	HeadersAnyWithX = "any-with-x"
)

// HeadersMatch decides a headers-exchange binding as RabbitMQ does: with
// x-match all, every binding header must be present in the message with the
// same value (a binding with no headers matches everything); with any, at
// least one must (a binding with no headers matches nothing). Binding headers
// whose names start with "x-" are left out unless the mode ends in -with-x.
// why is built only when explain is set.
func HeadersMatch(binding map[string]string, match string, message map[string]string, explain bool) (ok bool, why string) {
	any := strings.HasPrefix(match, "any")
	withX := strings.HasSuffix(match, "-with-x")
	names := make([]string, 0, len(binding))
	for k := range binding {
		if k == "x-match" || (!withX && strings.HasPrefix(k, "x-")) {
			continue
		}
		names = append(names, k)
	}
	sort.Strings(names)
	var hit, miss string
	for _, k := range names {
		v, present := message[k]
		if present && v == binding[k] {
			if hit == "" {
				hit = k
			}
		} else if miss == "" {
			miss = k
		}
	}
	if any {
		ok = hit != ""
	} else {
		ok = miss == ""
	}
	if !explain {
		return ok, ""
	}
	mode := "x-match " + match
	switch {
	case len(names) == 0 && any:
		why = mode + ": the binding has no headers to compare, so nothing matches"
	case len(names) == 0:
		why = mode + ": the binding has no headers to compare, so everything matches"
	case any && ok:
		why = fmt.Sprintf("%s: header %s=%q matches", mode, hit, binding[hit])
	case any:
		why = fmt.Sprintf("%s: none of %s is in the message with that value", mode, formatHeaders(binding, names))
	case ok:
		why = fmt.Sprintf("%s: every header matches (%s)", mode, formatHeaders(binding, names))
	default:
		if v, present := message[miss]; present {
			why = fmt.Sprintf("%s: header %s is %q, the binding wants %q", mode, miss, v, binding[miss])
		} else {
			why = fmt.Sprintf("%s: header %s is missing, the binding wants %q", mode, miss, binding[miss])
		}
	}
	if !withX {
		for k := range binding {
			if k != "x-match" && strings.HasPrefix(k, "x-") {
				why += " (headers starting with x- are not compared)"
				break
			}
		}
	}
	return ok, why
}

func formatHeaders(h map[string]string, names []string) string {
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = k + "=" + h[k]
	}
	return strings.Join(parts, ", ")
}

// splitWords splits a topic key or pattern into words as RabbitMQ does: ""
// has no words, "a." has two ("a" and ""), "a..b" has three.
func splitWords(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ".")
}

// TopicMatch reports whether a topic exchange binding pattern matches a
// routing key, by the AMQP 0-9-1 rules RabbitMQ implements: words are
// separated by dots, "*" matches exactly one word, "#" matches zero or more
// words, and any other word matches only itself. An empty key has no words,
// so only "" and patterns made of "#" match it.
func TopicMatch(pattern, key string) bool {
	p := splitWords(pattern)
	k := splitWords(key)
	// prev[j] reports whether p[i+1:] matches k[j:]; computed from the end
	// of the pattern backwards, one row per pattern word.
	prev := make([]bool, len(k)+1)
	cur := make([]bool, len(k)+1)
	prev[len(k)] = true
	for i := len(p) - 1; i >= 0; i-- {
		for j := len(k); j >= 0; j-- {
			switch p[i] {
			case "#":
				cur[j] = prev[j] || (j < len(k) && cur[j+1])
			case "*":
				cur[j] = j < len(k) && prev[j+1]
			default:
				cur[j] = j < len(k) && p[i] == k[j] && prev[j+1]
			}
		}
		prev, cur = cur, prev
	}
	return prev[0]
}

// DeadLetterRoute tells where messages dead-lettered from queue (rejected
// without requeue, expired, or pushed out by a length limit) go: through
// the queue's dead-letter exchange, with its dead-letter routing key or else
// the message's own key. ok is false when the queue has no dead-letter
// exchange (or is not declared). The broker publishes dead letters itself,
// so an internal dead-letter exchange is fine; an undeclared one drops them.
func (s *Scenario) DeadLetterRoute(queue, key string, headers map[string]string) (r Route, ok bool) {
	var q *Queue
	for i := range s.Topology.Queues {
		if s.Topology.Queues[i].Name == queue {
			q = &s.Topology.Queues[i]
		}
	}
	if q == nil || q.DeadLetterExchange == "" {
		return Route{}, false
	}
	if q.DeadLetterRoutingKey != "" {
		key = q.DeadLetterRoutingKey
	}
	w := walk{r: s.Router(), key: key, headers: headers, explain: true}
	w.visit(q.DeadLetterExchange, 0)
	return Route{Exchange: q.DeadLetterExchange, Key: key, Headers: headers, Queues: w.queueList(), Steps: w.steps}, true
}
