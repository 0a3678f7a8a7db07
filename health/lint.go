package health

import (
	"fmt"
	"net"
	"regexp"
	"sort"
	"strings"

	"github.com/warrenmq/warren/scenarios"
)

// Lint rule ids.
const (
	RuleQueueDurable        = "queue-durable"
	RuleQueueAutoDelete     = "queue-auto-delete"
	RuleExchangeDurable     = "exchange-durable"
	RuleExchangeAutoDelete  = "exchange-auto-delete"
	RuleDLXMissing          = "dlx-missing"
	RuleDLXUndeclared       = "dlx-undeclared"
	RuleDLXUnbound          = "dlx-unbound"
	RuleQueueUnbounded      = "queue-unbounded"
	RuleOverflowDefault     = "overflow-default"
	RuleQuorumQueue         = "quorum-queue"
	RuleQuorumDeliveryLimit = "quorum-delivery-limit"
	RuleClassicMirroring    = "classic-mirroring"
	RuleAlternateExchange   = "alternate-exchange"
	RuleGuestRemote         = "guest-remote"
	RuleGuestUser           = "guest-user"
	RuleHeartbeatDisabled   = "heartbeat-disabled"
)

// LintRules lists the rules Lint applies.
func LintRules() []Rule {
	return []Rule{
		{RuleQueueDurable, Critical, "queue not durable: it and its messages vanish when the node restarts"},
		{RuleQueueAutoDelete, Warning, "queue auto-delete: it vanishes with its last consumer, messages and all"},
		{RuleExchangeDurable, Critical, "exchange not durable: it and its bindings vanish when the node restarts"},
		{RuleExchangeAutoDelete, Warning, "exchange auto-delete: it vanishes with its last binding"},
		{RuleDLXMissing, Warning, "queue without a dead-letter exchange: rejected and expired messages are dropped"},
		{RuleDLXUndeclared, Critical, "dead-letter exchange not declared: every dead letter is dropped"},
		{RuleDLXUnbound, Critical, "dead-letter exchange routes to no queue: every dead letter is dropped"},
		{RuleQueueUnbounded, Warning, "queue with no length limit or TTL: it can grow until the memory or disk alarm"},
		{RuleOverflowDefault, Warning, "length limit without an overflow behaviour chosen: the oldest messages are dropped"},
		{RuleQuorumQueue, Warning, "durable classic queue: its messages live on one node (use quorum, or disable with a reason)"},
		{RuleQuorumDeliveryLimit, Warning, "quorum queue without a delivery limit (before 4.0): a poison message is redelivered forever"},
		{RuleClassicMirroring, Critical, "classic mirrored queue policy (ha-mode): no effect from RabbitMQ 4.0 (critical), deprecated in 3.x (warning)"},
		{RuleAlternateExchange, Warning, "exchange where routing can miss, without an alternate exchange or mandatory publishing"},
		{RuleGuestRemote, Critical, "the default guest user can log in from remote hosts"},
		{RuleGuestUser, Info, "the default guest user exists (local connections only, unless loopback_users changes)"},
		{RuleHeartbeatDisabled, Warning, "heartbeats disabled: dead TCP connections go unnoticed for hours"},
	}
}

// LintInput is what Lint reads. Only Definitions is required; the other
// fields add rules that definitions cannot show.
type LintInput struct {
	Definitions Definitions
	// Version is the RabbitMQ version; "" means Definitions.Version().
	Version string
	// Config is the broker's rabbitmq.conf (ParseConfig), nil when not
	// given: heartbeat and loopback_users come from it.
	Config map[string]string
	// Connections are the live connections, for their heartbeats.
	Connections []Connection
	// LoggedInAs and Host say that the management API let user LoggedInAs
	// in through Host: proof of remote access when the user is guest and
	// the host is not a loopback address.
	LoggedInAs string
	Host       string
	// Mandatory lists the exchanges (of vhost "") that every publisher
	// publishes to with the mandatory flag: a scenario's.
	Mandatory map[string]bool
}

// Lint checks the production checklist and returns the findings, sorted,
// without the rules in disabled.
func Lint(in *LintInput, disabled map[string]bool) []Finding {
	l := linter{in: in, ix: newIndex(in.Definitions.Topology()), version: in.Version}
	if l.version == "" {
		l.version = in.Definitions.Version()
	}
	for i := range in.Definitions.Exchanges {
		l.exchange(&in.Definitions.Exchanges[i])
	}
	for i := range in.Definitions.Queues {
		l.queue(&in.Definitions.Queues[i])
	}
	l.policies()
	l.guest()
	l.heartbeat()
	var out []Finding
	for _, f := range l.out {
		if !disabled[f.Rule] {
			out = append(out, f)
		}
	}
	Sort(out)
	return out
}

type linter struct {
	in      *LintInput
	ix      *index
	version string
	out     []Finding
}

func (l *linter) add(f Finding) { l.out = append(l.out, f) }

// policyFix spells a setting as a policy to apply: the queue's own policy
// when it has one (only one policy applies to a queue), else a new one.
func (l *linter) policyFix(q *QueueDef, def string) string {
	if p := l.ix.policyFor(q.Vhost, q.Name, q.Policy, q.QueueType(), false); p != nil {
		return fmt.Sprintf("add %s to the definition of policy %s (it applies to this queue, and only one policy does)", def, p.Name)
	}
	return fmt.Sprintf("rabbitmqctl set_policy%s --apply-to queues %s '^%s$' '{%s}'",
		vhostFlag(q.Vhost), policyName(q.Name), regexp.QuoteMeta(q.Name), def)
}

func vhostFlag(vhost string) string {
	if vhost == "" {
		return ""
	}
	return " -p " + shellQuote(vhost)
}

func policyName(queue string) string { return shellQuote(queue + "-policy") }

// shellQuote quotes a word for the shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@%+=", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func (l *linter) exchange(e *Exchange) {
	if isPredeclared(e.Name) {
		return
	}
	obj := Object{Kind: "exchange", Vhost: e.Vhost, Name: e.Name}
	if !e.Durable {
		l.add(Finding{Rule: RuleExchangeDurable, Severity: Critical, Object: obj,
			Why: "a transient exchange and its bindings are gone after a node restart: publishers get 404 NOT_FOUND and close their channel",
			Fix: fmt.Sprintf("declare it durable: exchange.declare %s type=%s durable=true (delete and declare again; durability cannot change in place)", e.Name, e.Type)})
	}
	if e.AutoDelete {
		l.add(Finding{Rule: RuleExchangeAutoDelete, Severity: Warning, Object: obj,
			Why: "an auto-delete exchange is deleted when its last binding goes, and publishing to it then fails",
			Fix: fmt.Sprintf("declare it with auto_delete=false: exchange.declare %s type=%s durable=true auto_delete=false", e.Name, e.Type)})
	}
	// Routing can miss anywhere but at a fanout exchange with bindings.
	bound := len(l.ix.bySource[vkey{e.Vhost, e.Name}]) > 0
	if e.Type == scenarios.ExchangeFanout && bound {
		return
	}
	if _, ok := l.ix.exchangeSetting(e, "alternate-exchange"); ok {
		return
	}
	if e.Vhost == "" && l.in.Mandatory[e.Name] {
		return
	}
	what := "a message whose key matches no binding"
	if !bound {
		what = "every message (the exchange has no bindings)"
	}
	l.add(Finding{Rule: RuleAlternateExchange, Severity: Warning, Object: obj,
		Why: fmt.Sprintf("%s is dropped without a trace unless the publisher sets mandatory and handles basic.return", what),
		Fix: fmt.Sprintf("set an alternate exchange: argument alternate-exchange=%s.unrouted (a fanout bound to a queue), or rabbitmqctl set_policy%s --apply-to exchanges %s '^%s$' '{\"alternate-exchange\":\"%s.unrouted\"}'; or publish with mandatory=true",
			e.Name, vhostFlag(e.Vhost), shellQuote(e.Name+"-ae"), regexp.QuoteMeta(e.Name), e.Name)})
}

func (l *linter) queue(q *QueueDef) {
	obj := Object{Kind: "queue", Vhost: q.Vhost, Name: q.Name}
	typ := q.QueueType()
	if !q.Durable && !q.Exclusive {
		l.add(Finding{Rule: RuleQueueDurable, Severity: Critical, Object: obj,
			Why: "a transient queue and every message in it are gone after a node restart, persistent or not; non-durable non-exclusive queues are deprecated and refused by default from RabbitMQ 4.3",
			Fix: fmt.Sprintf("declare it durable: queue.declare %s durable=true (delete and declare again; durability cannot change in place), or x-queue-type=quorum", q.Name)})
	}
	if q.AutoDelete && !q.Exclusive {
		l.add(Finding{Rule: RuleQueueAutoDelete, Severity: Warning, Object: obj,
			Why: "an auto-delete queue is deleted when its last consumer cancels, with the messages still in it; a consumer restart loses them",
			Fix: `declare it with auto_delete=false; to clean up idle queues use x-expires=86400000 (or policy {"expires":86400000}) instead`})
	}
	isDLQ := len(l.ix.deadLetterSources(q.Vhost, q.Name)) > 0
	_, hasTTL := l.ix.queueSetting(q, "message-ttl")
	_, hasMaxLen := l.ix.queueSetting(q, "max-length")
	_, hasMaxBytes := l.ix.queueSetting(q, "max-length-bytes")

	if typ == scenarios.QueueStream {
		if _, hasAge := l.ix.queueSetting(q, "max-age"); !hasAge && !hasMaxBytes {
			l.add(Finding{Rule: RuleQueueUnbounded, Severity: Warning, Object: obj,
				Why: "a stream keeps every message until retention removes it; without retention it fills the disk",
				Fix: "set retention: arguments x-max-age=7D and/or x-max-length-bytes=20000000000, or " + l.policyFix(q, `"max-age":"7D"`)})
		}
		return
	}

	targets, dlx, hasDLX := l.ix.deadLetterTargets(q)
	switch {
	case !hasDLX && !isDLQ && !q.Exclusive:
		l.add(Finding{Rule: RuleDLXMissing, Severity: Warning, Object: obj,
			Why: "messages rejected without requeue, expired or pushed out by a length limit are dropped without a trace",
			Fix: fmt.Sprintf("argument x-dead-letter-exchange=%s.dlx, or %s; then declare %s.dlx and bind a queue %s.dlq to it",
				q.Name, l.policyFix(q, fmt.Sprintf(`"dead-letter-exchange":%s`, jsonString(q.Name+".dlx"))), q.Name, q.Name)})
	case hasDLX:
		name := stringValue(dlx.value)
		switch {
		case !l.ix.exchangeExists(q.Vhost, name):
			l.add(Finding{Rule: RuleDLXUndeclared, Severity: Critical, Object: obj,
				Figure: fmt.Sprintf("dead-letter exchange %q (%s)", name, dlx.source),
				Why:    "the dead-letter exchange does not exist, so the broker drops every dead letter of this queue",
				Fix:    fmt.Sprintf("declare it: exchange.declare %s type=fanout durable=true, and bind a durable queue %s.dlq to it", name, q.Name)})
		case len(targets) == 0:
			key := "#"
			how := "routing key #, on a topic exchange"
			if s, ok := l.ix.queueSetting(q, "dead-letter-routing-key"); ok {
				key = stringValue(s.value)
				how = fmt.Sprintf("routing key %q (the queue's dead-letter routing key)", key)
			}
			if e := l.ix.exchanges[vkey{q.Vhost, name}]; e != nil && e.Type == scenarios.ExchangeFanout {
				how = "any routing key (fanout)"
			}
			l.add(Finding{Rule: RuleDLXUnbound, Severity: Critical, Object: obj,
				Figure: fmt.Sprintf("dead-letter exchange %q (%s) routes to no queue", displayName(name), dlx.source),
				Why:    "dead letters reach the exchange and go nowhere: dropped as if there were no dead-letter exchange",
				Fix:    fmt.Sprintf("declare a durable queue %s.dlq and bind it to %s with %s", q.Name, displayName(name), how)})
		}
	}

	if !hasTTL && !hasMaxLen && !hasMaxBytes {
		why := "with no length limit and no TTL, a queue whose consumers stop grows until the memory or disk alarm blocks every publisher"
		if isDLQ {
			why = "a dead-letter queue fills whenever processing fails; with no limit it can grow until the memory or disk alarm blocks every publisher"
		}
		l.add(Finding{Rule: RuleQueueUnbounded, Severity: Warning, Object: obj, Why: why,
			Fix: fmt.Sprintf("arguments x-max-length=100000 (or x-max-length-bytes) with x-overflow=reject-publish, or x-message-ttl=86400000; or %s",
				l.policyFix(q, `"max-length":100000,"overflow":"reject-publish"`))})
	}
	if hasMaxLen || hasMaxBytes {
		if _, ok := l.ix.queueSetting(q, "overflow"); !ok {
			l.add(Finding{Rule: RuleOverflowDefault, Severity: Warning, Object: obj,
				Why: "at the limit the broker drops the oldest messages (drop-head) unless told otherwise; publishers are not told",
				Fix: "choose on purpose: x-overflow=reject-publish (publishers with confirms get a nack and can slow down), or drop-head with a dead-letter exchange to keep what is pushed out; or " +
					l.policyFix(q, `"overflow":"reject-publish"`)})
		}
	}
	switch typ {
	case scenarios.QueueClassic:
		if q.Durable && !q.AutoDelete && !q.Exclusive {
			l.add(Finding{Rule: RuleQuorumQueue, Severity: Warning, Object: obj,
				Why: "a classic queue keeps its messages on one node: when that node is lost, so are they",
				Fix: fmt.Sprintf("declare it with x-queue-type=quorum (a new queue: move consumers, then publishers), or --disable %s with a reason if losing it is acceptable", RuleQuorumQueue)})
		}
	case scenarios.QueueQuorum:
		if majorVersion(l.version) < 4 {
			if _, ok := l.ix.queueSetting(q, "delivery-limit"); !ok {
				l.add(Finding{Rule: RuleQuorumDeliveryLimit, Severity: Warning, Object: obj,
					Why: "before RabbitMQ 4.0 a quorum queue redelivers a message that keeps failing forever, and the log of redeliveries grows",
					Fix: "argument x-delivery-limit=20 with a dead-letter exchange to catch what exceeds it, or " + l.policyFix(q, `"delivery-limit":20`)})
			}
		}
	}
}

func displayName(exchange string) string {
	if exchange == "" {
		return "(default exchange)"
	}
	return exchange
}

func (l *linter) policies() {
	major := majorVersion(l.version)
	for _, p := range l.in.Definitions.Policies {
		mode, ok := p.Definition["ha-mode"]
		if !ok {
			continue
		}
		sev, why := Warning, "classic queue mirroring is deprecated since RabbitMQ 3.9 and removed in 4.0: after an upgrade the ha-* keys have no effect and these queues keep a single replica"
		switch {
		case major >= 4:
			sev, why = Critical, fmt.Sprintf("RabbitMQ %s no longer supports classic queue mirroring: the ha-* keys have no effect and the queues this policy covers are not replicated at all", l.version)
		case major == 0:
			why = "classic queue mirroring is deprecated since RabbitMQ 3.9 and removed in 4.0, where the ha-* keys have no effect (broker version unknown)"
		}
		l.add(Finding{Rule: RuleClassicMirroring, Severity: sev,
			Object: Object{Kind: "policy", Vhost: p.Vhost, Name: p.Name},
			Figure: fmt.Sprintf("ha-mode=%v, pattern %s", stringValue(mode), p.Pattern),
			Why:    why,
			Fix: fmt.Sprintf("migrate the matching queues to quorum queues (x-queue-type=quorum), then rabbitmqctl clear_policy%s %s",
				vhostFlag(p.Vhost), shellQuote(p.Name))})
	}
}

// isLoopback reports whether host (a name or address, with or without a
// port) is the local machine.
func isLoopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (l *linter) guest() {
	exists := l.in.LoggedInAs == "guest"
	for _, u := range l.in.Definitions.Users {
		if u.Name == "guest" {
			exists = true
		}
	}
	if !exists {
		return
	}
	obj := Object{Kind: "user", Name: "guest"}
	var evidence string
	if l.in.LoggedInAs == "guest" && l.in.Host != "" && !isLoopback(l.in.Host) {
		evidence = fmt.Sprintf("warren logged in as guest through %s", l.in.Host)
	}
	if v, ok := l.in.Config["loopback_users"]; ok && v == "none" {
		evidence = "rabbitmq.conf sets loopback_users = none"
	}
	if v, ok := l.in.Config["loopback_users.guest"]; ok && v == "false" {
		evidence = "rabbitmq.conf sets loopback_users.guest = false"
	}
	if evidence != "" {
		l.add(Finding{Rule: RuleGuestRemote, Severity: Critical, Object: obj, Figure: evidence,
			Why: "guest/guest is the first password anyone tries: with remote logins allowed, anyone who reaches the port owns the broker",
			Fix: "rabbitmqctl delete_user guest (after creating your own administrator), and remove loopback_users = none from rabbitmq.conf"})
		return
	}
	l.add(Finding{Rule: RuleGuestUser, Severity: Info, Object: obj,
		Why: "the default user, password guest; RabbitMQ lets it connect only from localhost while loopback_users is left alone",
		Fix: "create your own administrator and rabbitmqctl delete_user guest; pass --config rabbitmq.conf to check loopback_users"})
}

func (l *linter) heartbeat() {
	if v, ok := l.in.Config["heartbeat"]; ok && v == "0" {
		l.add(Finding{Rule: RuleHeartbeatDisabled, Severity: Warning, Object: Object{Kind: "config", Name: "heartbeat"},
			Figure: "heartbeat = 0",
			Why:    "with heartbeats off, a connection whose peer vanished (a crashed host, a dropped NAT entry) stays open for hours, holding its unacked messages",
			Fix:    "remove heartbeat = 0 from rabbitmq.conf (the default is 60 s), or set heartbeat = 30"})
	}
	var off []string
	byVhost := map[string][]string{}
	for _, c := range l.in.Connections {
		if c.Heartbeat == 0 {
			byVhost[c.Vhost] = append(byVhost[c.Vhost], c.Name)
		}
	}
	vhosts := make([]string, 0, len(byVhost))
	for v := range byVhost {
		vhosts = append(vhosts, v)
	}
	sort.Strings(vhosts)
	for _, v := range vhosts {
		off = byVhost[v]
		sort.Strings(off)
		l.add(Finding{Rule: RuleHeartbeatDisabled, Severity: Warning, Object: Object{Kind: "connections", Vhost: v, Name: fmt.Sprintf("%d without heartbeat", len(off))},
			Figure: joinShort(off, 2),
			Why:    "these clients turned heartbeats off: if their host vanishes the broker keeps the connection, and its unacked messages, for hours",
			Fix:    "let the client negotiate the server's heartbeat (amqp091-go: Config.Heartbeat 10s; Java: setRequestedHeartbeat(60)); never 0"})
	}
}
