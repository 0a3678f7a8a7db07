package health

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/warrenmq/warren/internal/textfmt"
)

// Rule describes a rule for help text and for --disable.
type Rule struct {
	ID string `json:"id"`
	// Severity is the most serious severity the rule gives.
	Severity Severity `json:"severity"`
	Summary  string   `json:"summary"`
}

// Health rule ids.
const (
	RuleQueueDepth          = "queue-depth"
	RuleConsumerLag         = "consumer-lag"
	RuleNoConsumers         = "no-consumers"
	RuleUnackedGrowing      = "unacked-growing"
	RulePublishOverDeliver  = "publish-over-deliver"
	RuleConsumerUtilisation = "consumer-utilisation"
	RuleDeadLetters         = "dead-letters"
	RuleNodeDown            = "node-down"
	RulePartition           = "partition"
	RuleMemoryAlarm         = "memory-alarm"
	RuleDiskAlarm           = "disk-alarm"
	RuleNodeMemory          = "node-memory"
	RuleDiskFree            = "disk-free"
	RuleFileDescriptors     = "file-descriptors"
	RuleSockets             = "sockets"
	RuleErlangProcesses     = "erlang-processes"
	RuleBlockedConnections  = "connections-blocked"
	RuleFlowConnections     = "connections-flow"
	RuleUnlimitedPrefetch   = "unlimited-prefetch"
)

// HealthRules lists the rules Check applies.
func HealthRules() []Rule {
	return []Rule{
		{RuleQueueDepth, Critical, "messages ready in a queue (queue_depth)"},
		{RuleConsumerLag, Critical, "seconds to drain the backlog: messages ready ÷ deliver rate (consumer_lag_seconds)"},
		{RuleNoConsumers, Critical, "messages ready in a queue with no consumer (no_consumers)"},
		{RuleUnackedGrowing, Critical, "unacknowledged messages piling up, msg/s over the window (unacked_growth)"},
		{RulePublishOverDeliver, Critical, "publish rate above deliver rate over the window (publish_over_deliver)"},
		{RuleConsumerUtilisation, Critical, "consumers too often unable to take a message while messages wait (consumer_utilisation)"},
		{RuleDeadLetters, Critical, "messages in a dead-letter queue (dead_letters)"},
		{RuleNodeDown, Critical, "a cluster node is not running"},
		{RulePartition, Critical, "a node reports a network partition"},
		{RuleMemoryAlarm, Critical, "the memory alarm is in force: publishers are blocked"},
		{RuleDiskAlarm, Critical, "the disk alarm is in force: publishers are blocked"},
		{RuleNodeMemory, Critical, "node memory as a share of the high watermark (memory_watermark)"},
		{RuleDiskFree, Critical, "free disk close to the disk free limit (disk_free_headroom)"},
		{RuleFileDescriptors, Critical, "file descriptors used (file_descriptors)"},
		{RuleSockets, Critical, "sockets used (sockets)"},
		{RuleErlangProcesses, Critical, "Erlang processes used (erlang_processes)"},
		{RuleBlockedConnections, Critical, "connections blocked by a resource alarm (blocked_connections)"},
		{RuleFlowConnections, Critical, "connections throttled by credit flow (flow_connections)"},
		{RuleUnlimitedPrefetch, Critical, "consumers without a prefetch limit holding many unacked messages (unlimited_prefetch)"},
	}
}

// Check applies the health rules to a snapshot and returns the findings,
// sorted (Sort). It never talks to the broker.
func Check(s *Snapshot, t Thresholds) []Finding {
	var out []Finding
	ix := newIndex(s.Topology())
	for _, n := range s.Nodes {
		out = append(out, checkNode(n, t)...)
	}
	for i := range s.Queues {
		out = append(out, checkQueue(&s.Queues[i], ix, t, s.Window)...)
	}
	out = append(out, checkConnections(s.Connections, t)...)
	for _, ch := range s.Channels {
		if ch.Prefetch != 0 || ch.GlobalPrefetch != 0 || ch.Consumers == 0 {
			continue
		}
		l := t.UnlimitedPrefetch
		if sev, ok := l.crossed(float64(ch.Unacked), false); ok {
			out = append(out, Finding{
				Rule: RuleUnlimitedPrefetch, Severity: sev,
				Object:    Object{Kind: "channel", Vhost: ch.Vhost, Name: ch.Name},
				Value:     value(float64(ch.Unacked)),
				Figure:    textfmt.Count(int64(ch.Unacked)) + " unacked, prefetch 0",
				Threshold: l.describe(false, textfmt.Number),
				Why:       "a consumer without a prefetch limit takes every ready message into its own memory, and one slow consumer starves the rest",
				Fix:       "set a prefetch limit before consuming: basic.qos prefetch_count 100 (tune with 'warren sweep --prefetch')",
			})
		}
	}
	Sort(out)
	return out
}

func checkNode(n Node, t Thresholds) []Finding {
	obj := Object{Kind: "node", Name: n.Name}
	if !n.Running {
		return []Finding{{
			Rule: RuleNodeDown, Severity: Critical, Object: obj, Figure: "not running",
			Why: "its queue leaders and connections are gone; quorum queues lose a member, classic queues on it are unavailable",
			Fix: "start the node (rabbitmq-server) or, if it is gone for good, rabbitmqctl forget_cluster_node " + n.Name,
		}}
	}
	var out []Finding
	if len(n.Partitions) > 0 {
		out = append(out, Finding{
			Rule: RulePartition, Severity: Critical, Object: obj,
			Figure: "cannot see " + strings.Join(n.Partitions, ", "),
			Why:    "each side of a partition may accept writes the other never sees",
			Fix:    "set cluster_partition_handling = pause_minority and restart the nodes of the minority side",
		})
	}
	if n.MemAlarm {
		out = append(out, Finding{
			Rule: RuleMemoryAlarm, Severity: Critical, Object: obj,
			Figure: fmt.Sprintf("%s used of %s", textfmt.Bytes(n.MemUsed), textfmt.Bytes(n.MemLimit)),
			Why:    "the memory alarm blocks every publishing connection in the cluster until memory falls below the watermark",
			Fix:    "drain the largest queues (add consumers), set x-max-length on queues that grow, or raise vm_memory_high_watermark",
		})
	} else if n.MemLimit > 0 {
		r := float64(n.MemUsed) / float64(n.MemLimit)
		if sev, ok := t.MemoryWatermark.crossed(r, false); ok {
			out = append(out, Finding{
				Rule: RuleNodeMemory, Severity: sev, Object: obj, Value: value(r),
				Figure:    fmt.Sprintf("%s of the watermark (%s of %s)", formatPercent(r), textfmt.Bytes(n.MemUsed), textfmt.Bytes(n.MemLimit)),
				Threshold: t.MemoryWatermark.describe(false, formatPercent),
				Why:       "at the high watermark the memory alarm blocks every publishing connection in the cluster",
				Fix:       "see what holds memory (rabbitmq-diagnostics memory_breakdown), drain queues or set x-max-length, or raise vm_memory_high_watermark",
			})
		}
	}
	if n.DiskAlarm {
		out = append(out, Finding{
			Rule: RuleDiskAlarm, Severity: Critical, Object: obj,
			Figure: fmt.Sprintf("%s free, limit %s", textfmt.Bytes(n.DiskFree), textfmt.Bytes(n.DiskFreeLimit)),
			Why:    "the disk alarm blocks every publishing connection in the cluster until free disk rises above the limit",
			Fix:    "free disk space on the node's data directory, or drain the queues that page messages to disk",
		})
	} else if n.DiskFreeLimit > 0 {
		r := float64(n.DiskFree) / float64(n.DiskFreeLimit)
		if sev, ok := t.DiskFreeHeadroom.crossed(r, true); ok {
			out = append(out, Finding{
				Rule: RuleDiskFree, Severity: sev, Object: obj, Value: value(r),
				Figure:    fmt.Sprintf("%s free, %s× the limit of %s", textfmt.Bytes(n.DiskFree), textfmt.Number(r), textfmt.Bytes(n.DiskFreeLimit)),
				Threshold: t.DiskFreeHeadroom.describe(true, func(v float64) string { return textfmt.Number(v) + "×" }),
				Why:       "below disk_free_limit the disk alarm blocks every publishing connection",
				Fix:       "free disk space or grow the volume; drain queues that page to disk",
			})
		}
	}
	ratio := func(rule string, used, total int, l Level, what, fix string) {
		if total <= 0 {
			return
		}
		r := float64(used) / float64(total)
		if sev, ok := l.crossed(r, false); ok {
			out = append(out, Finding{
				Rule: rule, Severity: sev, Object: obj, Value: value(r),
				Figure:    fmt.Sprintf("%s (%s of %s)", formatPercent(r), textfmt.Count(int64(used)), textfmt.Count(int64(total))),
				Threshold: l.describe(false, formatPercent),
				Why:       "when " + what + " run out the node refuses new connections and queues",
				Fix:       fix,
			})
		}
	}
	ratio(RuleFileDescriptors, n.FDUsed, n.FDTotal, t.FileDescriptors, "file descriptors",
		"raise the open-file limit (LimitNOFILE in the systemd unit, ulimit -n), or find connection churn and leaks")
	ratio(RuleSockets, n.SocketsUsed, n.SocketsTotal, t.Sockets, "sockets",
		"raise the open-file limit (sockets are a share of it) or reuse connections instead of opening one per message")
	ratio(RuleErlangProcesses, n.ProcUsed, n.ProcTotal, t.ErlangProcesses, "Erlang processes",
		"raise the process limit (RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=\"+P 2097152\") or find the leak of connections, channels or queues")
	return out
}

// growthText says how a queue's ready count moves: "and growing 1,200 msg/s".
func growthText(q *Queue) string {
	switch {
	case !q.RatesKnown:
		return ""
	case q.ReadyGrowth >= 0.05:
		return " and growing " + textfmt.Rate(q.ReadyGrowth)
	case q.ReadyGrowth <= -0.05:
		return " and shrinking " + textfmt.Rate(-q.ReadyGrowth)
	}
	return " and steady"
}

func checkQueue(q *Queue, ix *index, t Thresholds, window time.Duration) []Finding {
	if window <= 0 {
		window = t.Window
	}
	var out []Finding
	obj := Object{Kind: "queue", Vhost: q.Vhost, Name: q.Name}
	add := func(f Finding) {
		f.Object = obj
		out = append(out, f)
	}
	if srcs := ix.deadLetterSources(q.Vhost, q.Name); len(srcs) > 0 {
		n := q.Ready + q.Unacked
		if sev, ok := t.DeadLetters.crossed(float64(n), false); ok {
			names := make([]string, len(srcs))
			for i, s := range srcs {
				names[i] = s.name
			}
			sort.Strings(names)
			add(Finding{
				Rule: RuleDeadLetters, Severity: sev, Value: value(float64(n)),
				Figure:    fmt.Sprintf("%s dead letters from %s", textfmt.Count(n), joinShort(names, 3)),
				Threshold: t.DeadLetters.describe(false, textfmt.Number),
				Why:       "every message here was rejected, expired or pushed out by a length limit: work that did not get done",
				Fix:       "read the x-death header of a few messages to see why they died, fix the cause, then replay (shovel them back) or purge this queue",
			})
		}
		// A dead-letter queue is meant to fill without consumers: the
		// other queue rules would only repeat this one.
		return out
	}
	ready := float64(q.Ready)
	if sev, ok := t.QueueDepth.crossed(ready, false); ok {
		fix := "add consumers or raise prefetch"
		if q.Consumers == 0 {
			fix = "start consumers"
		}
		add(Finding{
			Rule: RuleQueueDepth, Severity: sev, Value: value(ready),
			Figure:    textfmt.Count(q.Ready) + " ready",
			Threshold: t.QueueDepth.describe(false, textfmt.Number),
			Why:       "a deep queue costs memory and disk, and every new message waits behind the backlog",
			Fix:       fmt.Sprintf("%s: depth %s%s; cap it with x-max-length and x-overflow if a backlog this size is never useful", fix, textfmt.Count(q.Ready), growthText(q)),
		})
	}
	if q.Consumers == 0 {
		if sev, ok := t.NoConsumers.crossed(ready, false); ok {
			add(Finding{
				Rule: RuleNoConsumers, Severity: sev, Value: value(ready),
				Figure:    textfmt.Count(q.Ready) + " ready, 0 consumers" + strings.Replace(growthText(q), " and", ",", 1),
				Threshold: t.NoConsumers.describe(false, textfmt.Number),
				Why:       "nobody takes these messages: the queue grows until a limit, a TTL or the memory alarm stops it",
				Fix:       "start a consumer on this queue, or delete it if it is abandoned; bound it with x-message-ttl or x-max-length",
			})
		}
	} else if q.Ready > 0 && q.RatesKnown {
		lag := math.Inf(1)
		if q.DeliverRate > 0 {
			lag = ready / q.DeliverRate
		}
		if sev, ok := t.ConsumerLagSeconds.crossed(lag, false); ok {
			fix := fmt.Sprintf("add consumers or make them faster: at %s the backlog of %s takes %s to drain", textfmt.Rate(q.DeliverRate), textfmt.Count(q.Ready), textfmt.Seconds(lag))
			if math.IsInf(lag, 1) {
				fix = fmt.Sprintf("%d consumers took nothing over the window: check that they ack (%s unacked) and are not stuck", q.Consumers, textfmt.Count(q.Unacked))
			}
			add(Finding{
				Rule: RuleConsumerLag, Severity: sev, Value: value(lag),
				Figure:    textfmt.Seconds(lag) + " behind",
				Threshold: t.ConsumerLagSeconds.describe(false, textfmt.Seconds),
				Why:       "a new message waits this long before a consumer sees it",
				Fix:       fix,
			})
		}
	}
	if q.Consumers > 0 && q.Ready > 0 {
		if sev, ok := t.ConsumerUtilisation.crossed(q.Utilisation, true); ok {
			add(Finding{
				Rule: RuleConsumerUtilisation, Severity: sev, Value: value(q.Utilisation),
				Figure:    formatPercent(q.Utilisation) + " with " + textfmt.Count(q.Ready) + " waiting",
				Threshold: t.ConsumerUtilisation.describe(true, formatPercent),
				Why:       "messages wait while consumers sit at their prefetch limit or the network between them is slow",
				Fix:       "raise the consumers' prefetch (basic.qos; 'warren sweep --prefetch' finds a value) or add consumers",
			})
		}
	}
	if q.RatesKnown && q.UnackedGrowth > 0 {
		if sev, ok := t.UnackedGrowth.crossed(q.UnackedGrowth, false); ok {
			add(Finding{
				Rule: RuleUnackedGrowing, Severity: sev, Value: value(q.UnackedGrowth),
				Figure:    fmt.Sprintf("+%s, %s unacked", textfmt.Rate(q.UnackedGrowth), textfmt.Count(q.Unacked)),
				Threshold: t.UnackedGrowth.describe(false, textfmt.Rate),
				Why:       "consumers take messages and do not acknowledge them: a missing ack, or processing slower than delivery",
				Fix:       "check that every delivery is acked or nacked; set a prefetch limit so unacked messages are bounded",
			})
		}
	}
	if q.RatesKnown && q.Consumers > 0 && q.PublishRate >= t.MinPublishRate && q.PublishRate > 0 {
		r := math.Inf(1)
		if q.DeliverRate > 0 {
			r = q.PublishRate / q.DeliverRate
		}
		if sev, ok := t.PublishOverDeliver.crossed(r, false); ok {
			add(Finding{
				Rule: RulePublishOverDeliver, Severity: sev, Value: value(r),
				Figure:    fmt.Sprintf("%s× (%s in, %s out)", textfmt.Number(r), textfmt.Rate(q.PublishRate), textfmt.Rate(q.DeliverRate)),
				Threshold: t.PublishOverDeliver.describe(false, func(v float64) string { return textfmt.Number(v) + "×" }),
				Why:       fmt.Sprintf("publishers outpaced consumers over the last %s: the backlog only grows", window),
				Fix:       fmt.Sprintf("add consumers or raise prefetch so %s keeps up with %s, or slow the publishers", textfmt.Rate(q.DeliverRate), textfmt.Rate(q.PublishRate)),
			})
		}
	}
	return out
}

func checkConnections(conns []Connection, t Thresholds) []Finding {
	var blocked, flow []string
	for _, c := range conns {
		switch c.State {
		case "blocked", "blocking":
			blocked = append(blocked, c.Name)
		case "flow":
			flow = append(flow, c.Name)
		}
	}
	sort.Strings(blocked)
	sort.Strings(flow)
	var out []Finding
	if sev, ok := t.BlockedConnections.crossed(float64(len(blocked)), false); ok && len(blocked) > 0 {
		out = append(out, Finding{
			Rule: RuleBlockedConnections, Severity: sev, Object: Object{Kind: "broker", Name: "connections"},
			Value:     value(float64(len(blocked))),
			Figure:    fmt.Sprintf("%d blocked: %s", len(blocked), joinShort(blocked, 2)),
			Threshold: t.BlockedConnections.describe(false, textfmt.Number),
			Why:       "a resource alarm (memory or disk) stops these connections from publishing",
			Fix:       "clear the alarm: drain queues or add memory/disk (see the memory-alarm and disk-alarm findings)",
		})
	}
	if sev, ok := t.FlowConnections.crossed(float64(len(flow)), false); ok && len(flow) > 0 {
		out = append(out, Finding{
			Rule: RuleFlowConnections, Severity: sev, Object: Object{Kind: "broker", Name: "connections"},
			Value:     value(float64(len(flow))),
			Figure:    fmt.Sprintf("%d in flow: %s", len(flow), joinShort(flow, 2)),
			Threshold: t.FlowConnections.describe(false, textfmt.Number),
			Why:       "credit flow throttles publishers because a queue or the disk cannot keep up",
			Fix:       "spread load over more queues (one queue is one core), add consumers, or use faster disks",
		})
	}
	return out
}

// joinShort lists up to max names, then "+N more".
func joinShort(names []string, max int) string {
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s (+%d more)", strings.Join(names[:max], ", "), len(names)-max)
}
