package sizing

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/warrenmq/warren/internal/textfmt"
)

// Sections of a plan, in the order Compute fills them.
const (
	SectionBacklog     = "Backlog"
	SectionThroughput  = "Queue throughput"
	SectionMemory      = "Memory"
	SectionLimits      = "Queue limits"
	SectionConsumers   = "Consumers"
	SectionDisk        = "Disk"
	SectionNetwork     = "Network"
	SectionDescriptors = "File descriptors"
)

// Line is one output of the plan with its working.
type Line struct {
	// Key names the line for programs ("messages", "node_ram"); it never
	// changes between versions without a note.
	Key     string  `json:"key"`
	Section string  `json:"section"`
	Name    string  `json:"name"`
	Value   float64 `json:"value"`
	Unit    Unit    `json:"unit"`
	// Text is the value of a line that is not a number (an overflow
	// behaviour); Unit is then UnitText.
	Text string `json:"text,omitempty"`
	// Formula is the formula in words and then with the numbers put in.
	Formula string `json:"formula"`
	// Assumptions are what the line takes for granted.
	Assumptions []string `json:"assumptions,omitempty"`
}

// Display is the line's value as a person reads it: "5,000 messages",
// "4.8 MiB", "reject-publish".
func (l Line) Display() string {
	if l.Unit == UnitText {
		return l.Text
	}
	return FormatValue(l.Value, l.Unit)
}

// Plan is the result of Compute.
type Plan struct {
	// Input is the input with every default filled in.
	Input Input `json:"input"`
	// Assumed lists the inputs that took a default.
	Assumed   []string  `json:"assumed,omitempty"`
	Constants Constants `json:"constants"`
	Lines     []Line    `json:"lines"`
	Warnings  []string  `json:"warnings,omitempty"`
	Settings  Settings  `json:"settings"`
}

// Line returns the line with the given key.
func (p Plan) Line(key string) (Line, bool) {
	for _, l := range p.Lines {
		if l.Key == key {
			return l, true
		}
	}
	return Line{}, false
}

// Value returns the value of the line with the given key, or 0.
func (p Plan) Value(key string) float64 {
	l, _ := p.Line(key)
	return l.Value
}

// Sections returns the section names in the order of the lines.
func (p Plan) Sections() []string {
	var out []string
	for _, l := range p.Lines {
		if len(out) == 0 || out[len(out)-1] != l.Section {
			out = append(out, l.Section)
		}
	}
	return out
}

// planner accumulates lines, and the figures that later steps of Compute
// build on.
type planner struct {
	in      Input
	c       Constants
	section string
	plan    Plan

	// The input, named as in the formulas.
	props     int64   // properties bytes, with delivery-mode when persistent
	propsNote string  // what props is made of
	S, P      float64 // body and properties bytes
	Q, F      float64 // queues and fan-out
	pt        float64 // processing time, seconds

	// From the backlog.
	lambda      float64 // messages into each queue, msg/s
	M, Mt       float64 // messages held per queue and in all queues
	timeBounded bool    // the target is a time of traffic, not a count

	// From the consumers.
	consumers, prefetch, unacked float64
	conns, chans                 float64

	// From memory.
	msgRAM  Constant // RAM per message held in the queue type
	needed  float64  // RAM the broker needs
	nodeRAM float64  // node RAM to provision
}

func newPlanner(in Input, c Constants) *planner {
	p := &planner{in: in, c: c}
	p.props = in.PropertiesBytes
	p.propsNote = fmt.Sprintf("properties %s", fb(float64(in.PropertiesBytes)))
	if in.Persistent {
		p.props += DeliveryModeBytes
		p.propsNote += " + 1 B delivery-mode"
	}
	p.S, p.P = float64(in.BodyBytes), float64(p.props)
	p.Q, p.F = float64(in.Queues), float64(in.FanOut)
	p.pt = in.ProcessingTime.Seconds()
	return p
}

func (p *planner) add(key, name string, v float64, u Unit, formula string, assumptions ...string) {
	p.plan.Lines = append(p.plan.Lines, Line{Key: key, Section: p.section, Name: name, Value: v, Unit: u, Formula: formula, Assumptions: assumptions})
}

func (p *planner) text(key, name, text, formula string, assumptions ...string) {
	p.plan.Lines = append(p.plan.Lines, Line{Key: key, Section: p.section, Name: name, Unit: UnitText, Text: text, Formula: formula, Assumptions: assumptions})
}

func (p *planner) warn(format string, args ...any) {
	p.plan.Warnings = append(p.plan.Warnings, fmt.Sprintf(format, args...))
}

// Shorthands for formulas, in warren's conventions (internal/textfmt).
func fb(v float64) string { return formatBytes(v) }
func fc(v float64) string { return count(v) }
func fn(v float64) string { return textfmt.Number(v) }
func fr(v float64) string { return textfmt.Rate(v) }
func fs(v float64) string { return textfmt.Seconds(v) }

// fbx prints a size exactly ("1,024 B") below a MiB, where the reader
// checks the arithmetic, and like fb above it.
func fbx(v float64) string {
	if v < 1<<20 && v == math.Trunc(v) {
		return fc(v) + " B"
	}
	return fb(v)
}

// ceil rounds up, forgiving the last bits of floating-point error
// (500 × 10 is 5,000, not 5,001).
func ceil(v float64) float64 { return math.Ceil(v - 1e-9*math.Max(1, math.Abs(v))) }

// sectionOrder is the order of the sections in a plan.
var sectionOrder = []string{SectionBacklog, SectionThroughput, SectionMemory, SectionLimits, SectionConsumers, SectionDisk, SectionNetwork, SectionDescriptors}

// Compute turns the input into a plan. It fails, naming every bad field,
// when the input cannot be planned for.
//
// Each step adds the lines of one section from the input and from what the
// steps before it worked out, so the steps run in the order of what they
// need, not in the order a reader sees them: consumers before memory
// (unacknowledged messages take memory), memory before the disk (the
// free-disk limit follows the node's RAM). The lines are then sorted into
// the sections' order.
func Compute(in Input) (Plan, error) {
	in, assumed, err := in.normalise()
	if err != nil {
		return Plan{}, err
	}
	c := DefaultConstants(in.Version)
	if in.Constants != nil {
		c = *in.Constants
	}
	p := newPlanner(in, c)
	p.plan.Assumed = assumed

	p.planBacklog()
	p.planThroughput()
	p.planConsumers()
	p.planMemory()
	p.planLimits()
	p.planDisk()
	p.planNetwork()
	p.planDescriptors()

	if !in.Confirms {
		p.warn("publishers do not use confirms: they cannot tell when the broker refused or lost a message; turn confirms on")
	}
	slices.SortStableFunc(p.plan.Lines, func(a, b Line) int {
		return slices.Index(sectionOrder, a.Section) - slices.Index(sectionOrder, b.Section)
	})
	p.plan.Input = in
	p.plan.Constants = c
	p.plan.Settings = p.settings(p.M, p.timeBounded, p.prefetch)
	return p.plan, nil
}

// planBacklog works out the messages each queue must hold and what their
// bodies weigh.
func (p *planner) planBacklog() {
	p.section = SectionBacklog
	in, S, Q, F := p.in, p.S, p.Q, p.F
	lambda := in.Rate * F / Q
	p.add("queue_rate", "Messages into each queue at peak", lambda, UnitMessagesPerSec,
		fmt.Sprintf("rate × fan-out ÷ queues = %s × %d ÷ %d", fr(in.Rate), in.FanOut, in.Queues),
		"traffic spreads evenly over the queues")
	var M float64
	timeBounded := in.BacklogMessages == 0
	if timeBounded {
		M = ceil(lambda * in.Backlog.Seconds())
		p.add("messages", "Messages held per queue at the backlog target", M, UnitMessages,
			fmt.Sprintf("⌈messages into each queue × backlog⌉ = ⌈%s × %s⌉", fr(lambda), textfmt.Duration(in.Backlog)),
			"the backlog builds at the peak rate with no consumer taking messages")
	} else {
		M = float64(in.BacklogMessages)
		p.add("messages", "Messages held per queue at the backlog target", M, UnitMessages,
			"given as a message count", "the target is a count per queue")
	}
	Mt := M * Q
	if in.Queues > 1 {
		p.add("messages_total", "Messages held in all queues", Mt, UnitMessages,
			fmt.Sprintf("messages per queue × queues = %s × %d", fc(M), in.Queues))
	}
	p.add("payload", "Payload per queue (the napkin number)", M*S, UnitBytes,
		fmt.Sprintf("messages × body = %s × %s", fc(M), fbx(S)),
		"bodies only: no properties, no per-message overhead, no replicas, no connections — what the rest of the plan adds")
	if in.Queues > 1 {
		p.add("payload_total", "Payload in all queues", Mt*S, UnitBytes,
			fmt.Sprintf("payload per queue × queues = %s × %d", fb(M*S), in.Queues))
	}
	if M == 0 {
		p.warn("the backlog target is zero: any consumer outage or slowdown overflows the queues at once; plan for the longest outage you must ride out")
	}
	p.lambda, p.M, p.Mt, p.timeBounded = lambda, M, Mt, timeBounded
}

// planThroughput checks the rate into each queue against what one queue
// sustains, and when a queue would take more, works out how many queues
// would carry the rate, each kept as busy as the consumers are.
func (p *planner) planThroughput() {
	p.section = SectionThroughput
	in, lambda := p.in, p.lambda
	ceiling := *p.c.queueRate(in.QueueType)
	what := "one " + string(in.QueueType) + " queue"
	if in.QueueType == Stream {
		what = "one stream"
	}
	origin := "a planning figure, not your broker's"
	if ceiling.Calibrated {
		origin = "measured on your broker"
	}
	p.add("queue_ceiling", "Rate "+what+" sustains", ceiling.Value, UnitMessagesPerSec, origin, ceiling.Source)
	if !(ceiling.Value > 0) {
		return
	}
	split := math.Max(1, ceil(lambda/(ceiling.Value*in.Utilisation)))
	queues := split * p.Q
	p.add("queues_for_rate", "Queues the rate needs", queues, UnitCount,
		fmt.Sprintf("queues × ⌈messages into each queue ÷ (one queue's rate × utilisation)⌉ = %d × ⌈%s ÷ (%s × %s)⌉",
			in.Queues, fr(lambda), fr(ceiling.Value), fn(in.Utilisation)),
		fmt.Sprintf("each queue kept %s%% busy at peak, as the consumers are", fn(in.Utilisation*100)))
	if split <= 1 {
		return
	}
	known := "a planning figure: measure yours with 'warren capacity' on one queue and give its capacity.json to --calibration"
	if ceiling.Calibrated {
		known = "as measured"
	}
	who, each := "the queue", "the traffic"
	if in.Queues > 1 {
		who, each = fmt.Sprintf("each of the %d queues", in.Queues), "each queue's traffic"
	}
	how := fmt.Sprintf("bind %s queues to a consistent-hash exchange (x-consistent-hash, the rabbitmq_consistent_hash_exchange plugin) "+
		"and publish with a routing key that varies per message (an order or customer id), or publish to %s routing keys "+
		"of a direct exchange, each bound to its own queue; put consumers on every queue. Order then holds within a queue, not across them",
		fc(split), fc(split))
	if in.QueueType == Stream {
		how = fmt.Sprintf("use a super stream of %s partitions (streams' own partitioning, routed by a hash of the routing key "+
			"or by key), or %s streams behind a consistent-hash exchange", fc(split), fc(split))
	}
	over := fc(split) + " queues"
	if in.Queues > 1 {
		over += fmt.Sprintf(" (%s in all)", fc(queues))
	}
	p.warn("%s would take %s, more than %s sustains (%s, %s): spread %s over %s, then plan again with --queues %s. To spread it, %s",
		who, fr(lambda), what, fr(ceiling.Value), known, each, over, fc(queues), how)
}

// planConsumers works out the consumers (Little's law), how fast they
// drain a backlog, their prefetch, and the connections and channels they
// open.
func (p *planner) planConsumers() {
	p.section = SectionConsumers
	in, Q, pt, lambda, M := p.in, p.Q, p.pt, p.lambda, p.M
	perQueue := math.Max(1, ceil(lambda*pt/in.Utilisation))
	p.add("consumers_per_queue", "Consumers per queue (Little's law)", perQueue, UnitCount,
		fmt.Sprintf("⌈messages into each queue × processing time ÷ utilisation⌉ = ⌈%s × %s ÷ %s⌉", fr(lambda), textfmt.Duration(in.ProcessingTime), fn(in.Utilisation)),
		"one message at a time per consumer (work in progress = arrival rate × time in service)",
		fmt.Sprintf("consumers busy %s%% of the time at peak, leaving room for bursts", fn(in.Utilisation*100)))
	consumers := perQueue * Q
	if in.Queues > 1 {
		p.add("consumers", "Consumers in all", consumers, UnitCount,
			fmt.Sprintf("consumers per queue × queues = %s × %d", fc(perQueue), in.Queues))
	}
	capacity := perQueue / pt // msg/s one queue's consumers can take
	p.add("drain_after_peak", "Drain time of a full backlog once publishing stops", M/capacity, UnitSeconds,
		fmt.Sprintf("messages ÷ (consumers ÷ processing time) = %s ÷ (%s ÷ %s)", fc(M), fc(perQueue), textfmt.Duration(in.ProcessingTime)))
	spare := capacity - lambda
	drainPeak := math.Inf(1)
	if M == 0 {
		drainPeak = 0
	} else if spare > 1e-9*capacity {
		drainPeak = M / spare
	}
	p.add("drain_at_peak", "Drain time of a full backlog while the peak goes on", drainPeak, UnitSeconds,
		fmt.Sprintf("messages ÷ (consumers ÷ processing time − messages into each queue) = %s ÷ (%s − %s)", fc(M), fr(capacity), fr(lambda)),
		"only the consumers' spare capacity drains the backlog while the peak lasts")
	if math.IsInf(drainPeak, 1) {
		p.warn("with utilisation %s the consumers have no spare capacity: a backlog never drains while the peak lasts; lower the utilisation target", fn(in.Utilisation))
	}
	p.consumers = consumers
	p.planPrefetch()
	p.planClients()
}

// planPrefetch suggests a prefetch that covers a round trip, and counts
// the unacknowledged messages it lets consumers hold.
func (p *planner) planPrefetch() {
	in, pt := p.in, p.pt
	rtt := in.RTT.Seconds()
	k := ceil((rtt + pt) / pt)
	prefetch := math.Min(2*k, float64(in.PrefetchCap))
	p.add("prefetch", "Prefetch per consumer (basic.qos)", prefetch, UnitCount,
		fmt.Sprintf("min(2 × ⌈(round trip + processing time) ÷ processing time⌉, cap) = min(2 × ⌈(%s + %s) ÷ %s⌉, %d)",
			textfmt.Duration(in.RTT), textfmt.Duration(in.ProcessingTime), textfmt.Duration(in.ProcessingTime), in.PrefetchCap),
		"enough messages in flight to cover one round trip while the consumer works, doubled for jitter (RabbitMQ blog, \"Some queuing theory: throughput, latency and bandwidth\")",
		fmt.Sprintf("capped at %d: the RabbitMQ consumer acknowledgements guide finds 100–300 usually best, with diminishing returns above", in.PrefetchCap))
	unacked := p.consumers * prefetch
	p.add("unacked", "Unacknowledged messages (all consumers full)", unacked, UnitMessages,
		fmt.Sprintf("consumers × prefetch = %s × %s", fc(p.consumers), fc(prefetch)))
	p.prefetch, p.unacked = prefetch, unacked
}

// planClients takes the connections and channels given, or assumes one of
// each per consumer and one for the publishers.
func (p *planner) planClients() {
	in := p.in
	conns, chans := float64(in.Connections), float64(in.Channels)
	if in.Connections == 0 {
		conns = p.consumers + 1
		p.plan.Assumed = append(p.plan.Assumed, fmt.Sprintf("%s connections (one per consumer, one for the publishers)", fc(conns)))
	}
	if in.Channels == 0 {
		chans = p.consumers + 1
		p.plan.Assumed = append(p.plan.Assumed, fmt.Sprintf("%s channels (one per consumer, one for the publishers)", fc(chans)))
	}
	p.conns, p.chans = conns, chans
}

// terms is a sum built term by term, for a formula that names and shows
// each term ("queues + bodies = 3 MB + 5 MB").
type terms struct {
	values      []float64
	names, nums []string
}

func (t *terms) add(name string, v float64) {
	t.values = append(t.values, v)
	t.names = append(t.names, name)
	t.nums = append(t.nums, fb(v))
}

func (t *terms) sum() float64 {
	var s float64
	for _, v := range t.values {
		s += v
	}
	return s
}

// formula is "names = numbers".
func (t *terms) formula() string {
	return strings.Join(t.names, " + ") + " = " + strings.Join(t.nums, " + ")
}

// planMemory works out the RAM a node needs (as RabbitMQ counts it against
// the memory high watermark), the RAM to provision, and how much backlog
// fits under the limit.
func (p *planner) planMemory() {
	p.section = SectionMemory
	p.msgRAM = *p.c.messageRAM(p.in.QueueType)
	var queueRAM Constant // a stream has no per-queue figure
	if q := p.c.queueRAM(p.in.QueueType); q != nil {
		queueRAM = *q
	}
	var need terms
	p.backlogMemory(queueRAM, &need)
	p.clientMemory(&need)
	p.nodeMemory(&need)
	p.backlogCapacity()
}

// replicaNote says how replicated queues count against each node's memory,
// or is empty for classic queues.
func (p *planner) replicaNote() string {
	if p.in.QueueType == Classic {
		return ""
	}
	return fmt.Sprintf("each of the %d replicas lives on its own node and holds this much; the plan assumes every node hosts a replica of every queue", p.in.Replicas)
}

// backlogMemory adds the memory of the queues holding the backlog: the
// queue processes, and the bodies (classic) or write-ahead log (quorum).
func (p *planner) backlogMemory(queueRAM Constant, need *terms) {
	in, c, msgRAM := p.in, p.c, p.msgRAM
	S, P, Q, F, M, Mt := p.S, p.P, p.Q, p.F, p.M, p.Mt
	qmem := queueRAM.Value + M*msgRAM.Value
	qmemAssume := []string{
		fmt.Sprintf("%s B per message: %s", fn(msgRAM.Value), msgRAM.Source),
		"bodies are not in it: Erlang keeps binaries over 64 bytes outside the queue process, in the node's binary heap",
	}
	if note := p.replicaNote(); note != "" {
		qmemAssume = append(qmemAssume, note)
	}
	p.add("queue_memory", "Queue memory per queue (the management API's figure)", qmem, UnitBytes,
		fmt.Sprintf("empty queue + messages × memory per message = %s + %s × %s B", fb(queueRAM.Value), fc(M), fn(msgRAM.Value)),
		qmemAssume...)
	need.add("queues", qmem*Q)
	switch in.QueueType {
	case Classic:
		bodies := Mt * (S + P)
		p.add("bodies_ram", "Message bodies and properties in RAM", bodies, UnitBytes,
			fmt.Sprintf("messages in all queues × (body + properties) = %s × (%s + %s)", fc(Mt), fbx(S), fbx(P)),
			"a classic queue keeps its messages in RAM ("+p.propsNote+")",
			"counted once per queue: queues on one node share the body of a message routed to several of them, so with fan-out this is an upper bound")
		need.add("bodies", bodies)
	case Quorum:
		wal := c.QuorumWALMax.Value
		fill := math.Inf(1)
		if in.Rate > 0 && S+P > 0 {
			fill = wal / (in.Rate * F * (S + P))
		}
		p.add("wal_ram", "Quorum write-ahead log in RAM", wal, UnitBytes,
			fmt.Sprintf("raft.wal_max_size_bytes = %s", fb(wal)),
			"the WAL keeps every entry written since its last flush in memory tables, consumed or not, until it reaches raft.wal_max_size_bytes: "+c.QuorumWALMax.Source,
			fmt.Sprintf("at %s/s of bodies it fills in %s, then flushes to segment files and starts again", fb(in.Rate*F*(S+P)), fs(fill)))
		need.add("WAL", wal)
	case Stream:
		// Bodies are in segment files; the page cache holds what readers
		// read, and the kernel does not count it against the watermark.
	}
	if in.QueueType == Classic {
		p.add("backlog_ram", "RAM for the backlog, with the broker's overhead", qmem*Q+Mt*(S+P), UnitBytes,
			fmt.Sprintf("queue memory × queues + bodies = %s × %d + %s", fb(qmem), in.Queues, fb(Mt*(S+P))))
	} else {
		p.add("backlog_ram", "RAM for the backlog, with the broker's overhead", qmem*Q, UnitBytes,
			fmt.Sprintf("queue memory × queues = %s × %d", fb(qmem), in.Queues),
			"bodies are not held per message: see the write-ahead log (quorum) or segment files (stream)")
	}
}

// clientMemory adds the memory of what clients hold on the node:
// unacknowledged messages, connections and channels, and the idle node.
func (p *planner) clientMemory(need *terms) {
	c, msgRAM, S, P := p.c, p.msgRAM, p.S, p.P
	unackedRAM := p.unacked * (msgRAM.Value + S + P)
	p.add("unacked_ram", "Unacknowledged messages in RAM", unackedRAM, UnitBytes,
		fmt.Sprintf("unacknowledged × (memory per message + body + properties) = %s × (%s B + %s + %s)", fc(p.unacked), fn(msgRAM.Value), fbx(S), fbx(P)),
		"every consumer holds a full prefetch, on top of the backlog")
	connRAM := p.conns * c.ConnectionRAM.Value
	p.add("connections_ram", "Connections", connRAM, UnitBytes,
		fmt.Sprintf("connections × memory per connection = %s × %s", fc(p.conns), fb(c.ConnectionRAM.Value)), c.ConnectionRAM.Source)
	chanRAM := p.chans * c.ChannelRAM.Value
	p.add("channels_ram", "Channels", chanRAM, UnitBytes,
		fmt.Sprintf("channels × memory per channel = %s × %s", fc(p.chans), fb(c.ChannelRAM.Value)), c.ChannelRAM.Source)
	p.add("baseline_ram", "Idle node baseline", c.IdleBaseline.Value, UnitBytes, "the node's memory without this workload = "+fb(c.IdleBaseline.Value), c.IdleBaseline.Source)
	need.add("unacked", unackedRAM)
	need.add("connections", connRAM)
	need.add("channels", chanRAM)
	need.add("baseline", c.IdleBaseline.Value)
}

// nodeMemory adds up what the node needs, the RAM to provision for it, and
// checks it against the RAM of the node when given.
func (p *planner) nodeMemory(need *terms) {
	in, c := p.in, p.c
	needed := need.sum()
	neededAssume := []string{"the node's memory as RabbitMQ counts it against the watermark, per node"}
	if in.QueueType != Classic {
		neededAssume = append(neededAssume, p.replicaNote())
	}
	p.add("ram_needed", "RAM the broker needs", needed, UnitBytes, need.formula(), neededAssume...)
	W, H := c.HighWatermark.Value, in.Headroom
	nodeRAM := needed / W * H
	p.add("node_ram", "Node RAM to provision", nodeRAM, UnitBytes,
		fmt.Sprintf("RAM needed ÷ high watermark × headroom = %s ÷ %s × %s", fb(needed), fn(W), fn(H)),
		fmt.Sprintf("memory high watermark %s: %s", fn(W), c.HighWatermark.Source),
		fmt.Sprintf("headroom ×%s for garbage collection and bursts (a queue process's memory briefly grew by half during a collection in warren's measurements)", fn(H)))
	p.needed, p.nodeRAM = needed, nodeRAM
	if in.BrokerRAM <= 0 {
		return
	}
	limit := float64(in.BrokerRAM) * W
	p.add("memory_limit", "Memory limit of the node given", limit, UnitBytes,
		fmt.Sprintf("broker RAM × high watermark = %s × %s", fb(float64(in.BrokerRAM)), fn(W)))
	switch {
	case needed > limit:
		p.warn("the backlog would trip the memory alarm: %s needed, the limit is %s (%s × %s); the alarm blocks every publisher of the node until memory falls", fb(needed), fb(limit), fb(float64(in.BrokerRAM)), fn(W))
	case c.PagingRatio.Value > 0 && in.QueueType == Classic && needed > limit*c.PagingRatio.Value:
		p.warn("classic queues would page messages to disk: %s needed is above %s of the %s limit (vm_memory_high_watermark_paging_ratio); paging slows the queues and writes to disk", fb(needed), fn(c.PagingRatio.Value), fb(limit))
	}
	if float64(in.BrokerRAM) < nodeRAM && needed <= limit {
		p.warn("the node's %s of RAM is less than the %s to provision with headroom ×%s", fb(float64(in.BrokerRAM)), fb(nodeRAM), fn(H))
	}
}

// backlogCapacity works out how much backlog fits under the memory limit:
// everything else is fixed, and each message held adds its memory per
// message (plus its body in a classic queue) in every queue.
func (p *planner) backlogCapacity() {
	in, msgRAM, lambda := p.in, p.msgRAM, p.lambda
	W := p.c.HighWatermark.Value
	limit, limitText := p.nodeRAM*W, "the provisioned node's limit"
	if in.BrokerRAM > 0 {
		limit, limitText = float64(in.BrokerRAM)*W, "the given node's limit"
	}
	perHeld := msgRAM.Value
	perHeldText := fmt.Sprintf("%s B", fn(msgRAM.Value))
	if in.QueueType == Classic {
		perHeld += p.S + p.P
		perHeldText = fmt.Sprintf("(%s B + %s + %s)", fn(msgRAM.Value), fbx(p.S), fbx(p.P))
	}
	if !(perHeld > 0 && lambda > 0) {
		return
	}
	fixed := p.needed - p.M*p.Q*perHeld
	capMsgs := math.Max(0, math.Floor((limit-fixed)/(p.Q*perHeld)))
	p.add("backlog_capacity", "Backlog the node holds before the memory alarm", capMsgs/lambda, UnitSeconds,
		fmt.Sprintf("(limit − RAM needed without the backlog) ÷ (queues × memory per message held) ÷ messages into each queue = (%s − %s) ÷ (%d × %s) = %s messages per queue, ÷ %s",
			fb(limit), fb(fixed), in.Queues, perHeldText, fc(capMsgs), fr(lambda)),
		fmt.Sprintf("%s: %s × %s", limitText, fb(limit/W), fn(W)),
		"of peak traffic with no consumer taking messages; unacknowledged messages, connections and channels as planned")
}

// planDisk works out the disk writes, the disk the backlog takes, and the
// disk and free-disk limit to provision.
func (p *planner) planDisk() {
	p.section = SectionDisk
	in, c := p.in, p.c
	S, P, F, Mt, nodeRAM := p.S, p.P, p.F, p.Mt, p.nodeRAM
	D := c.DiskMessageOverhead.Value
	onDisk := in.Persistent || in.QueueType != Classic
	amp, ampNote := 1.0, "each message written once"
	switch in.QueueType {
	case Quorum:
		amp, ampNote = 2, "each message written twice: to the write-ahead log, then to the queue's segment file"
	case Classic:
		ampNote = "each persistent message written once (to the queue index below 4 KiB by default, to the message store above)"
	}
	if onDisk {
		writeRate := in.Rate * F * (S + P + D) * amp
		p.add("disk_write_rate", "Disk writes per node", writeRate, UnitBytesPerSec,
			fmt.Sprintf("rate × fan-out × (body + properties + overhead) × writes = %s × %d × (%s + %s + %s B) × %s", fr(in.Rate), in.FanOut, fbx(S), fbx(P), fn(D), fn(amp)),
			ampNote, fmt.Sprintf("%s B per message: %s", fn(D), c.DiskMessageOverhead.Source))
	} else {
		p.add("disk_write_rate", "Disk writes per node", 0, UnitBytesPerSec, "transient messages in classic queues",
			"transient messages reach the disk only when the queue pages them out under memory pressure")
	}
	backlogDisk := 0.0
	if onDisk {
		backlogDisk = Mt * (S + P + D)
		f := fmt.Sprintf("messages in all queues × (body + properties + overhead) = %s × (%s + %s + %s B)", fc(Mt), fbx(S), fbx(P), fn(D))
		if in.QueueType == Quorum {
			backlogDisk += c.QuorumWALMax.Value
			f = fmt.Sprintf("messages in all queues × (body + properties + overhead) + WAL file = %s × (%s + %s + %s B) + %s", fc(Mt), fbx(S), fbx(P), fn(D), fb(c.QuorumWALMax.Value))
		}
		p.add("disk_backlog", "Disk for the backlog per node", backlogDisk, UnitBytes, f)
	}
	p.add("disk_free_limit", "Free-disk limit to set (disk_free_limit)", nodeRAM, UnitBytes,
		fmt.Sprintf("node RAM to provision × 1.0 = %s", fb(nodeRAM)),
		"RabbitMQ's production checklist: the free-disk limit should be at least the node's RAM (disk_free_limit.relative = 1.0); the 50 MB default is for development")
	disk := backlogDisk*in.Headroom + nodeRAM
	p.add("disk", "Disk to provision per node", disk, UnitBytes,
		fmt.Sprintf("disk for the backlog × headroom + free-disk limit = %s × %s + %s", fb(backlogDisk), fn(in.Headroom), fb(nodeRAM)),
		"the free-disk alarm blocks publishers below the limit, so the backlog needs its space above it")
}

// planNetwork works out the bytes on the wire per message from AMQP 0-9-1
// framing, and the bandwidth into, out of and between the nodes.
func (p *planner) planNetwork() {
	p.section = SectionNetwork
	in, props, S, P, F := p.in, p.props, p.S, p.P, p.F
	frameMax := int(p.c.FrameMax.Value)
	ex, rk, tag := len(in.Exchange), len(in.RoutingKey), in.ConsumerTagBytes
	nFrames := BodyFrames(in.BodyBytes, frameMax)
	pub := float64(PublishWireBytes(ex, rk, props, in.BodyBytes, frameMax))
	bodyNote := fmt.Sprintf("%d body frame(s) of at most frame_max − 8 = %s bytes", nFrames, fc(float64(frameMax-FrameOverhead)))
	p.add("publish_bytes", "Bytes on the wire per published message", pub, UnitBytes,
		fmt.Sprintf("(17 + exchange + routing key) + (22 + properties) + (body + 8 × body frames) = (17 + %d + %d) + (22 + %d) + (%s + 8 × %d)", ex, rk, props, fc(S), nFrames),
		"AMQP 0-9-1 framing: 8 bytes per frame; basic.publish method frame, content header, body frames", bodyNote,
		"TCP/IP headers (about 52 bytes per segment) and TLS records are not counted")
	del := float64(DeliverWireBytes(tag, ex, rk, props, in.BodyBytes, frameMax))
	p.add("deliver_bytes", "Bytes on the wire per delivery", del, UnitBytes,
		fmt.Sprintf("(24 + consumer tag + exchange + routing key) + (22 + properties) + (body + 8 × body frames) = (24 + %d + %d + %d) + (22 + %d) + (%s + 8 × %d)", tag, ex, rk, props, fc(S), nFrames),
		"basic.deliver method frame, then the same content header and body frames")
	p.add("ack_bytes", "Bytes per consumer ack (and per publisher confirm)", AckFrameBytes, UnitBytes,
		"8 + class + method + delivery tag + flags = 8 + 2 + 2 + 8 + 1",
		"one basic.ack per message (multiple=false); acks and confirms with multiple=true cover several messages and cost less")
	ack := float64(AckFrameBytes)
	confirm := 0.0
	confirmNote := "publishers do not use confirms"
	if in.Confirms {
		confirm = ack
		confirmNote = "one confirm per message, the worst case"
	}
	inBytes := in.Rate * (pub + F*ack)
	p.add("network_in", "Into the broker", inBytes*8/1e6, UnitMbitPerSec,
		fmt.Sprintf("rate × (publish + fan-out × ack) × 8 = %s × (%s + %d × %s) × 8 bits = %s/s", fr(in.Rate), fc(pub), in.FanOut, fc(ack), fb(inBytes)))
	outBytes := in.Rate * (F*del + confirm)
	p.add("network_out", "Out of the broker", outBytes*8/1e6, UnitMbitPerSec,
		fmt.Sprintf("rate × (fan-out × delivery + confirm) × 8 = %s × (%d × %s + %s) × 8 bits = %s/s", fr(in.Rate), in.FanOut, fc(del), fc(confirm), fb(outBytes)),
		"each queue delivers its copy: fan-out multiplies the deliveries", confirmNote)
	if in.QueueType != Classic && in.Replicas > 1 {
		repl := in.Rate * F * float64(in.Replicas-1) * (S + P)
		p.add("replication", "Between nodes (replication, at least)", repl*8/1e6, UnitMbitPerSec,
			fmt.Sprintf("rate × fan-out × (replicas − 1) × (body + properties) × 8 = %s × %d × %d × (%s + %s) × 8 bits = %s/s", fr(in.Rate), in.FanOut, in.Replicas-1, fbx(S), fbx(P), fb(repl)),
			"each leader sends every message to its followers; Erlang distribution framing and Raft metadata come on top")
	}
}

// planDescriptors works out the sockets and file descriptors in use and
// the open-file limit to set.
func (p *planner) planDescriptors() {
	p.section = SectionDescriptors
	c, conns := p.c, p.conns
	p.add("sockets", "Client sockets", conns, UnitCount, fmt.Sprintf("connections = %s", fc(conns)))
	fds := conns + c.FDBaseline.Value
	p.add("fds", "File descriptors in use", fds, UnitCount,
		fmt.Sprintf("connections + idle node = %s + %s", fc(conns), fc(c.FDBaseline.Value)), c.FDBaseline.Source)
	p.add("fd_limit", "Open-file limit to set (ulimit -n)", math.Max(50000, 2*fds), UnitCount,
		fmt.Sprintf("max(50,000, 2 × in use) = max(50,000, 2 × %s)", fc(fds)),
		"RabbitMQ's production checklist asks for at least 50,000 open files")
}

// overflow picks the overflow behaviour for the queue type and confirms.
func overflow(in Input) string {
	if in.Confirms {
		return "reject-publish"
	}
	return "drop-head"
}

// planLimits adds the queue limits that hold the backlog target.
func (p *planner) planLimits() {
	p.section = SectionLimits
	in, M, timeBounded := p.in, p.M, p.timeBounded
	S := p.S
	if M == 0 {
		p.text("max_length", "x-max-length", "none", "the backlog target is zero",
			"a limit of 0 would drop every message no consumer is ready for; set one from the longest consumer outage you must ride out")
		return
	}
	if in.QueueType == Stream {
		p.add("max_length_bytes", "x-max-length-bytes (retention)", M*S, UnitBytes,
			fmt.Sprintf("messages per queue × body = %s × %s", fc(M), fbx(S)),
			"a stream keeps messages after they are read and deletes whole segment files (x-stream-max-segment-size-bytes, 500 MB by default) once over the limit, so it holds at least this much")
		if timeBounded {
			p.text("max_age", "x-max-age", maxAge(in.Backlog), fmt.Sprintf("backlog target = %s", textfmt.Duration(in.Backlog)),
				"messages older than the backlog target are deleted with their segment")
		}
		return
	}
	p.add("max_length", "x-max-length", M, UnitMessages,
		fmt.Sprintf("messages per queue = %s", fc(M)), "counts ready messages; unacknowledged ones do not count")
	p.add("max_length_bytes", "x-max-length-bytes", M*S, UnitBytes,
		fmt.Sprintf("messages per queue × body = %s × %s", fc(M), fbx(S)),
		"RabbitMQ counts message bodies only, not properties or overhead")
	ov := overflow(in)
	why := "publishers use confirms: refused messages come back as basic.nack, so publishers can slow down or retry"
	if ov == "drop-head" {
		why = "publishers do not use confirms, so reject-publish would drop new messages silently; drop-head drops the oldest instead"
	}
	p.text("overflow", "x-overflow", ov, "confirms → reject-publish; no confirms → drop-head", why,
		"drop-head dead-letters the oldest message to the x-dead-letter-exchange when one is set, and drops it otherwise",
		"reject-publish refuses the newest message: a publisher with confirms gets basic.nack; without confirms it is lost")
	if timeBounded {
		ms := float64(in.Backlog.Milliseconds())
		p.add("message_ttl", "x-message-ttl", ms, UnitMilliseconds,
			fmt.Sprintf("backlog target in milliseconds = %s", textfmt.Duration(in.Backlog)),
			"suggested only: a message that waited longer than the backlog target is assumed stale; leave it out when every message must be processed",
			"with x-dead-letter-exchange set, expired messages are dead-lettered rather than lost")
	}
}

// maxAge spells a duration as x-max-age wants it ("10s", "2h"): whole
// units, rounded up to the second.
func maxAge(d time.Duration) string {
	s := int64(math.Ceil(d.Seconds()))
	switch {
	case s%86400 == 0:
		return fmt.Sprintf("%dD", s/86400)
	case s%3600 == 0:
		return fmt.Sprintf("%dh", s/3600)
	case s%60 == 0:
		return fmt.Sprintf("%dm", s/60)
	}
	return fmt.Sprintf("%ds", s)
}
