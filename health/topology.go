package health

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/warrenmq/warren/scenarios"
)

// QueueDef is a queue as declared, in the definitions format's fields.
type QueueDef struct {
	Vhost string `json:"vhost"`
	Name  string `json:"name"`
	// Type is classic, quorum or stream. Exports before RabbitMQ 3.13 leave
	// it out and carry x-queue-type in Arguments; QueueType reads both.
	Type       string         `json:"type,omitempty"`
	Durable    bool           `json:"durable"`
	AutoDelete bool           `json:"auto_delete"`
	Exclusive  bool           `json:"exclusive,omitempty"`
	Arguments  map[string]any `json:"arguments,omitempty"`
	// Policy is the policy the broker says applies (live brokers only);
	// without it the policy is worked out from Topology.Policies.
	Policy string `json:"policy,omitempty"`
}

// QueueType returns the queue's type: Type, else its x-queue-type argument,
// else classic.
func (q QueueDef) QueueType() string {
	if q.Type != "" {
		return q.Type
	}
	if t, ok := q.Arguments["x-queue-type"].(string); ok && t != "" {
		return t
	}
	return scenarios.QueueClassic
}

// Exchange is an exchange as declared.
type Exchange struct {
	Vhost      string         `json:"vhost"`
	Name       string         `json:"name"`
	Type       string         `json:"type"`
	Durable    bool           `json:"durable"`
	AutoDelete bool           `json:"auto_delete"`
	Internal   bool           `json:"internal"`
	Arguments  map[string]any `json:"arguments,omitempty"`
}

// Binding routes from an exchange to a queue or another exchange.
type Binding struct {
	Vhost           string         `json:"vhost"`
	Source          string         `json:"source"`
	Destination     string         `json:"destination"`
	DestinationType string         `json:"destination_type"`
	RoutingKey      string         `json:"routing_key"`
	Arguments       map[string]any `json:"arguments,omitempty"`
}

// Policy is a policy: a definition applied to the queues or exchanges whose
// names match Pattern.
type Policy struct {
	Vhost      string         `json:"vhost"`
	Name       string         `json:"name"`
	Pattern    string         `json:"pattern"`
	ApplyTo    string         `json:"apply-to"`
	Priority   int            `json:"priority"`
	Definition map[string]any `json:"definition"`
}

// Topology is what the rules need to know about the broker's objects.
type Topology struct {
	Queues    []QueueDef `json:"queues"`
	Exchanges []Exchange `json:"exchanges"`
	Bindings  []Binding  `json:"bindings"`
	Policies  []Policy   `json:"policies"`
}

// vkey names an object within its virtual host.
type vkey struct{ vhost, name string }

// index answers questions about a topology: effective settings, routes and
// dead-letter queues.
type index struct {
	t         *Topology
	exchanges map[vkey]*Exchange
	queues    map[vkey]*QueueDef
	bySource  map[vkey][]int
	patterns  []*regexp.Regexp // compiled Policies[i].Pattern; nil when invalid
	dlq       map[vkey][]vkey  // dead-letter queue → queues whose dead letters reach it
}

// predeclaredExchanges are the exchanges every virtual host has; exports of
// definitions leave them out.
func predeclaredExchanges() []Exchange {
	return []Exchange{
		{Name: "", Type: scenarios.ExchangeDirect, Durable: true},
		{Name: "amq.direct", Type: scenarios.ExchangeDirect, Durable: true},
		{Name: "amq.fanout", Type: scenarios.ExchangeFanout, Durable: true},
		{Name: "amq.topic", Type: scenarios.ExchangeTopic, Durable: true},
		{Name: "amq.headers", Type: scenarios.ExchangeHeaders, Durable: true},
		{Name: "amq.match", Type: scenarios.ExchangeHeaders, Durable: true},
		{Name: "amq.rabbitmq.trace", Type: scenarios.ExchangeTopic, Durable: true, Internal: true},
	}
}

// isPredeclared reports whether an exchange is one the broker declares in
// every virtual host.
func isPredeclared(name string) bool {
	return name == "" || strings.HasPrefix(name, "amq.")
}

func newIndex(t *Topology) *index {
	ix := &index{
		t:         t,
		exchanges: map[vkey]*Exchange{},
		queues:    map[vkey]*QueueDef{},
		bySource:  map[vkey][]int{},
	}
	vhosts := map[string]bool{}
	for i := range t.Queues {
		q := &t.Queues[i]
		ix.queues[vkey{q.Vhost, q.Name}] = q
		vhosts[q.Vhost] = true
	}
	for i := range t.Exchanges {
		e := &t.Exchanges[i]
		ix.exchanges[vkey{e.Vhost, e.Name}] = e
		vhosts[e.Vhost] = true
	}
	for i, b := range t.Bindings {
		ix.bySource[vkey{b.Vhost, b.Source}] = append(ix.bySource[vkey{b.Vhost, b.Source}], i)
		vhosts[b.Vhost] = true
	}
	for v := range vhosts {
		for _, e := range predeclaredExchanges() {
			k := vkey{v, e.Name}
			if _, ok := ix.exchanges[k]; !ok {
				e.Vhost = v
				ix.exchanges[k] = &e
			}
		}
	}
	ix.patterns = make([]*regexp.Regexp, len(t.Policies))
	for i, p := range t.Policies {
		if re, err := regexp.Compile(p.Pattern); err == nil {
			ix.patterns[i] = re
		}
	}
	// Dead-letter edges: each queue to the queues its dead letters reach.
	edges := map[vkey][]vkey{}
	for i := range t.Queues {
		q := &t.Queues[i]
		targets, _, _ := ix.deadLetterTargets(q)
		edges[vkey{q.Vhost, q.Name}] = targets
	}
	ix.dlq = map[vkey][]vkey{}
	for src, targets := range edges {
		for _, d := range targets {
			// A queue whose own dead letters lead back to the source is
			// part of a retry loop (a delay queue with a TTL that
			// dead-letters back to the work queue), not a dead-letter
			// queue; nor is the work queue that loop feeds.
			if d == src || reaches(edges, d, src) {
				continue
			}
			ix.dlq[d] = append(ix.dlq[d], src)
		}
	}
	for _, srcs := range ix.dlq {
		sort.Slice(srcs, func(i, j int) bool { return srcs[i].name < srcs[j].name })
	}
	return ix
}

// reaches reports whether to is reachable from from along the edges.
func reaches(edges map[vkey][]vkey, from, to vkey) bool {
	seen := map[vkey]bool{from: true}
	stack := []vkey{from}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, m := range edges[n] {
			if m == to {
				return true
			}
			if !seen[m] {
				seen[m] = true
				stack = append(stack, m)
			}
		}
	}
	return false
}

// policyApplies reports whether a policy's apply-to covers a queue of the
// given type ("" for exchanges).
func policyApplies(applyTo, queueType string, exchange bool) bool {
	switch applyTo {
	case "", "all":
		return true
	case "exchanges":
		return exchange
	case "queues":
		return !exchange
	case "classic_queues":
		return !exchange && queueType == scenarios.QueueClassic
	case "quorum_queues":
		return !exchange && queueType == scenarios.QueueQuorum
	case "streams":
		return !exchange && queueType == scenarios.QueueStream
	}
	return false
}

// policyFor returns the policy that applies to an object: the one the
// broker named, else the highest-priority policy of the vhost whose pattern
// matches the name and whose apply-to covers the object (ties go to the
// first name in order, for a stable answer).
func (ix *index) policyFor(vhost, name, named, queueType string, exchange bool) *Policy {
	if named != "" {
		for i := range ix.t.Policies {
			p := &ix.t.Policies[i]
			if p.Vhost == vhost && p.Name == named {
				return p
			}
		}
	}
	var best *Policy
	for i := range ix.t.Policies {
		p := &ix.t.Policies[i]
		if p.Vhost != vhost || ix.patterns[i] == nil || !policyApplies(p.ApplyTo, queueType, exchange) || !ix.patterns[i].MatchString(name) {
			continue
		}
		if best == nil || p.Priority > best.Priority || (p.Priority == best.Priority && p.Name < best.Name) {
			best = p
		}
	}
	return best
}

// setting is an effective queue or exchange setting and where it comes
// from.
type setting struct {
	value  any
	source string // "argument x-…" or "policy NAME"
}

// queueSetting returns a queue's setting for key (without the x- prefix,
// as policies spell it: dead-letter-exchange, max-length…): the queue's
// x- argument, else its policy's key.
func (ix *index) queueSetting(q *QueueDef, key string) (setting, bool) {
	if v, ok := q.Arguments["x-"+key]; ok {
		return setting{v, "argument x-" + key}, true
	}
	if p := ix.policyFor(q.Vhost, q.Name, q.Policy, q.QueueType(), false); p != nil {
		if v, ok := p.Definition[key]; ok {
			return setting{v, "policy " + p.Name}, true
		}
	}
	return setting{}, false
}

// exchangeSetting returns an exchange's setting: its argument, else its
// policy's key.
func (ix *index) exchangeSetting(e *Exchange, key string) (setting, bool) {
	if v, ok := e.Arguments[key]; ok {
		return setting{v, "argument " + key}, true
	}
	if p := ix.policyFor(e.Vhost, e.Name, "", "", true); p != nil {
		if v, ok := p.Definition[key]; ok {
			return setting{v, "policy " + p.Name}, true
		}
	}
	return setting{}, false
}

func stringValue(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// deadLetterTargets returns the queues a queue's dead letters reach, its
// dead-letter exchange, and whether it has one. Only exchanges that do not
// exist drop every dead letter; see route for the rules.
func (ix *index) deadLetterTargets(q *QueueDef) (targets []vkey, dlx setting, ok bool) {
	dlx, ok = ix.queueSetting(q, "dead-letter-exchange")
	if !ok {
		return nil, dlx, false
	}
	key, keyKnown := "", false
	if s, has := ix.queueSetting(q, "dead-letter-routing-key"); has {
		key, keyKnown = stringValue(s.value), true
	}
	return ix.route(q.Vhost, stringValue(dlx.value), key, keyKnown), dlx, true
}

// route returns the queues that may receive a message published to exchange
// in vhost. With keyKnown it routes that key (direct: equal keys, topic:
// pattern match); without, dead letters keep the key they were published
// with, so any binding may match. Headers exchanges and exchange types warren
// does not know may match any binding. Exchange-to-exchange bindings and
// alternate exchanges are followed, each exchange once.
func (ix *index) route(vhost, exchange, key string, keyKnown bool) []vkey {
	seen := map[string]bool{}
	found := map[vkey]bool{}
	var visit func(name string)
	visit = func(name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		e, ok := ix.exchanges[vkey{vhost, name}]
		if !ok {
			return
		}
		if name == "" {
			// The default exchange delivers to the queue named by the key.
			if keyKnown {
				found[vkey{vhost, key}] = true
			}
			return
		}
		routed := false
		for _, i := range ix.bySource[vkey{vhost, name}] {
			b := ix.t.Bindings[i]
			if keyKnown {
				switch e.Type {
				case scenarios.ExchangeDirect:
					if b.RoutingKey != key {
						continue
					}
				case scenarios.ExchangeTopic:
					if !scenarios.TopicMatch(b.RoutingKey, key) {
						continue
					}
				}
			}
			routed = true
			if b.DestinationType == "exchange" {
				visit(b.Destination)
			} else {
				found[vkey{vhost, b.Destination}] = true
			}
		}
		// The alternate exchange takes what no binding matched: certainly
		// when nothing did, possibly when the key is not known.
		if ae, ok := ix.exchangeSetting(e, "alternate-exchange"); ok && (!routed || !keyKnown) {
			visit(stringValue(ae.value))
		}
	}
	visit(exchange)
	out := make([]vkey, 0, len(found))
	for k := range found {
		if _, ok := ix.queues[k]; ok {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].vhost != out[j].vhost {
			return out[i].vhost < out[j].vhost
		}
		return out[i].name < out[j].name
	})
	return out
}

// deadLetterSources returns the queues whose dead letters reach a queue.
func (ix *index) deadLetterSources(vhost, name string) []vkey {
	return ix.dlq[vkey{vhost, name}]
}

// exchangeExists reports whether an exchange is declared (or predeclared)
// in the vhost.
func (ix *index) exchangeExists(vhost, name string) bool {
	_, ok := ix.exchanges[vkey{vhost, name}]
	return ok || isPredeclared(name)
}

// DeadLetterQueue is a queue that receives other queues' dead letters.
type DeadLetterQueue struct {
	Vhost, Name string
	// Sources are the queues whose dead letters reach it, sorted.
	Sources []string
}

// DeadLetterQueues returns the topology's dead-letter queues, sorted by
// vhost and name.
func (t *Topology) DeadLetterQueues() []DeadLetterQueue {
	ix := newIndex(t)
	var out []DeadLetterQueue
	for k, srcs := range ix.dlq {
		d := DeadLetterQueue{Vhost: k.vhost, Name: k.name}
		for _, s := range srcs {
			d.Sources = append(d.Sources, s.name)
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Vhost != out[j].Vhost {
			return out[i].Vhost < out[j].Vhost
		}
		return out[i].Name < out[j].Name
	})
	return out
}
