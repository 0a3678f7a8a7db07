package health

import (
	"strings"
	"testing"
	"time"
)

// rulesOf returns "rule/severity" for each finding, in order.
func rulesOf(fs []Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Rule + "/" + f.Severity.String()
	}
	return out
}

func healthyNode() Node {
	return Node{Name: "rabbit@a", Running: true, MemUsed: 100 << 20, MemLimit: 1 << 30,
		DiskFree: 50 << 30, DiskFreeLimit: 50 << 20, FDUsed: 100, FDTotal: 1 << 20,
		SocketsUsed: 10, SocketsTotal: 900_000, ProcUsed: 500, ProcTotal: 1 << 20}
}

func queue(name string, mod func(*Queue)) Queue {
	q := Queue{QueueDef: QueueDef{Vhost: "/", Name: name, Durable: true}, RatesKnown: true}
	if mod != nil {
		mod(&q)
	}
	return q
}

func TestCheckHealthySnapshotHasNoFindings(t *testing.T) {
	s := &Snapshot{
		Window: time.Minute,
		Nodes:  []Node{healthyNode()},
		Queues: []Queue{queue("work", func(q *Queue) {
			q.Ready, q.Unacked, q.Consumers, q.Utilisation = 10, 50, 5, 1
			q.PublishRate, q.DeliverRate = 100, 100
		})},
		Connections: []Connection{{Name: "c1", Vhost: "/", State: "running", Heartbeat: 60}},
		Channels:    []Channel{{Name: "c1 (1)", Vhost: "/", Prefetch: 100, Consumers: 1, Unacked: 100}},
	}
	if fs := Check(s, Defaults()); len(fs) != 0 {
		t.Errorf("healthy snapshot gave findings: %v", rulesOf(fs))
	}
}

func TestCheckQueueRules(t *testing.T) {
	tests := []struct {
		name string
		q    func(*Queue)
		want []string
	}{
		{"depth warning with consumers", func(q *Queue) {
			q.Ready, q.Consumers, q.Utilisation, q.DeliverRate, q.PublishRate = 20_000, 10, 0.9, 1_000, 1_000
		}, []string{"queue-depth/warning"}},
		{"depth critical, no consumers, growing", func(q *Queue) {
			q.Ready, q.ReadyGrowth = 150_000, 1_200
		}, []string{"no-consumers/critical", "queue-depth/critical"}},
		{"a few messages and no consumer", func(q *Queue) { q.Ready = 3 }, []string{"no-consumers/warning"}},
		{"empty queue without consumers is fine", func(q *Queue) {}, nil},
		{"lag warning", func(q *Queue) {
			q.Ready, q.Consumers, q.Utilisation, q.DeliverRate, q.PublishRate = 5_000, 2, 0.9, 50, 50
		}, []string{"consumer-lag/warning"}},
		{"lag critical", func(q *Queue) {
			q.Ready, q.Consumers, q.Utilisation, q.DeliverRate, q.PublishRate = 9_000, 2, 0.9, 10, 10
		}, []string{"consumer-lag/critical"}},
		{"consumers that take nothing: lag ∞", func(q *Queue) {
			q.Ready, q.Unacked, q.Consumers, q.Utilisation = 50, 200, 2, 0.9
		}, []string{"consumer-lag/critical"}},
		{"lag unknown before the rates are", func(q *Queue) {
			q.Ready, q.Consumers, q.Utilisation, q.RatesKnown = 50, 2, 0.9, false
		}, nil},
		{"unacked growing", func(q *Queue) {
			q.Consumers, q.Unacked, q.UnackedGrowth = 1, 500, 5
		}, []string{"unacked-growing/warning"}},
		{"unacked growing fast", func(q *Queue) {
			q.Consumers, q.Unacked, q.UnackedGrowth = 1, 5000, 50
		}, []string{"unacked-growing/critical"}},
		{"publish over deliver", func(q *Queue) {
			q.Consumers, q.PublishRate, q.DeliverRate = 3, 150, 100
		}, []string{"publish-over-deliver/warning"}},
		{"publish over deliver twice", func(q *Queue) {
			q.Consumers, q.PublishRate, q.DeliverRate = 3, 300, 100
		}, []string{"publish-over-deliver/critical"}},
		{"quiet queue left out of publish over deliver", func(q *Queue) {
			q.Consumers, q.PublishRate, q.DeliverRate = 3, 0.5, 0.1
		}, nil},
		{"low utilisation with a backlog", func(q *Queue) {
			q.Ready, q.Consumers, q.Utilisation, q.DeliverRate, q.PublishRate = 100, 2, 0.3, 100, 100
		}, []string{"consumer-utilisation/warning"}},
		{"very low utilisation", func(q *Queue) {
			q.Ready, q.Consumers, q.Utilisation, q.DeliverRate, q.PublishRate = 100, 2, 0.05, 100, 100
		}, []string{"consumer-utilisation/critical"}},
		{"low utilisation of an empty queue is fine", func(q *Queue) {
			q.Consumers, q.Utilisation = 2, 0.05
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Snapshot{Window: time.Minute, Queues: []Queue{queue("q", tt.q)}}
			got := rulesOf(Check(s, Defaults()))
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("findings %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCheckFixSaysDepthAndGrowth(t *testing.T) {
	s := &Snapshot{Queues: []Queue{queue("orders", func(q *Queue) {
		q.Ready, q.Consumers, q.Utilisation, q.ReadyGrowth, q.DeliverRate, q.PublishRate = 48_210, 4, 0.9, 1_200, 2_000, 2_000
	})}}
	fs := Check(s, Defaults())
	if len(fs) == 0 || fs[len(fs)-1].Rule != RuleQueueDepth {
		t.Fatalf("findings %v, want queue-depth last", rulesOf(fs))
	}
	f := fs[len(fs)-1]
	if want := "add consumers or raise prefetch: depth 48,210 and growing 1,200 msg/s"; !strings.HasPrefix(f.Fix, want) {
		t.Errorf("fix %q, want it to start %q", f.Fix, want)
	}
	if f.Figure != "48,210 ready" || f.Threshold != "warning ≥ 10,000, critical ≥ 100,000" {
		t.Errorf("figure %q, threshold %q", f.Figure, f.Threshold)
	}
	if f.Value == nil || *f.Value != 48_210 {
		t.Errorf("value %v", f.Value)
	}
}

// A dead-letter queue is found through the bindings of its source's
// dead-letter exchange, and judged by the dead-letters rule only.
func TestCheckDeadLetterQueues(t *testing.T) {
	s := &Snapshot{
		Queues: []Queue{
			queue("orders", func(q *Queue) {
				q.Arguments = map[string]any{"x-dead-letter-exchange": "dlx", "x-dead-letter-routing-key": "orders"}
				q.Consumers, q.Utilisation = 1, 1
			}),
			queue("orders.dlq", func(q *Queue) { q.Ready = 1_500 }), // bound with key orders
			queue("other.dlq", func(q *Queue) { q.Ready = 7 }),      // bound with key other: not a DLQ
			queue("policy.dlq", func(q *Queue) { q.Ready = 2 }),     // via policy and fanout
			queue("payments", func(q *Queue) { q.Consumers, q.Utilisation, q.Policy = 1, 1, "dl" }),
		},
		Exchanges: []Exchange{
			{Vhost: "/", Name: "dlx", Type: "direct", Durable: true},
			{Vhost: "/", Name: "pdlx", Type: "fanout", Durable: true},
		},
		Bindings: []Binding{
			{Vhost: "/", Source: "dlx", Destination: "orders.dlq", DestinationType: "queue", RoutingKey: "orders"},
			{Vhost: "/", Source: "dlx", Destination: "other.dlq", DestinationType: "queue", RoutingKey: "other"},
			{Vhost: "/", Source: "pdlx", Destination: "policy.dlq", DestinationType: "queue"},
		},
		Policies: []Policy{{Vhost: "/", Name: "dl", Pattern: "^payments$", ApplyTo: "queues",
			Definition: map[string]any{"dead-letter-exchange": "pdlx"}}},
	}
	fs := Check(s, Defaults())
	var got []string
	for _, f := range fs {
		got = append(got, f.Rule+"/"+f.Severity.String()+"/"+f.Object.Name)
	}
	want := "dead-letters/critical/orders.dlq dead-letters/warning/policy.dlq no-consumers/warning/other.dlq"
	if strings.Join(got, " ") != want {
		t.Errorf("findings\n %v\nwant\n %v", got, want)
	}
	if !strings.Contains(fs[0].Figure, "1,500 dead letters from orders") {
		t.Errorf("figure %q", fs[0].Figure)
	}
}

// In a retry loop the work queue dead-letters to a delay queue (TTL and a
// dead-letter exchange back to the work queue): neither is a dead-letter
// queue.
func TestCheckRetryLoopIsNotDeadLettering(t *testing.T) {
	s := &Snapshot{
		Queues: []Queue{
			queue("work", func(q *Queue) {
				q.Arguments = map[string]any{"x-dead-letter-exchange": "retry"}
				q.Ready, q.Consumers, q.Utilisation, q.DeliverRate, q.PublishRate = 5, 1, 1, 10, 10
			}),
			queue("work.retry", func(q *Queue) {
				q.Arguments = map[string]any{"x-message-ttl": 5000, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": "work"}
				q.Ready = 3
			}),
		},
		Exchanges: []Exchange{{Vhost: "/", Name: "retry", Type: "fanout", Durable: true}},
		Bindings:  []Binding{{Vhost: "/", Source: "retry", Destination: "work.retry", DestinationType: "queue"}},
	}
	got := rulesOf(Check(s, Defaults()))
	if strings.Join(got, " ") != "no-consumers/warning" {
		t.Errorf("findings %v, want only no-consumers for the delay queue", got)
	}
}

func TestCheckNodeRules(t *testing.T) {
	tests := []struct {
		name string
		n    func(*Node)
		want []string
	}{
		{"healthy", func(n *Node) {}, nil},
		{"down", func(n *Node) { n.Running = false; n.MemAlarm = true }, []string{"node-down/critical"}},
		{"partition", func(n *Node) { n.Partitions = []string{"rabbit@b"} }, []string{"partition/critical"}},
		{"memory warning", func(n *Node) { n.MemUsed = n.MemLimit * 85 / 100 }, []string{"node-memory/warning"}},
		{"memory critical", func(n *Node) { n.MemUsed = n.MemLimit * 96 / 100 }, []string{"node-memory/critical"}},
		{"memory alarm replaces the ratio", func(n *Node) { n.MemUsed, n.MemAlarm = n.MemLimit+1, true }, []string{"memory-alarm/critical"}},
		{"disk alarm", func(n *Node) { n.DiskFree, n.DiskAlarm = 1, true }, []string{"disk-alarm/critical"}},
		{"disk near its limit", func(n *Node) { n.DiskFree = n.DiskFreeLimit * 3 / 2 }, []string{"disk-free/warning"}},
		{"disk at its limit", func(n *Node) { n.DiskFree = n.DiskFreeLimit * 11 / 10 }, []string{"disk-free/critical"}},
		{"file descriptors", func(n *Node) { n.FDUsed, n.FDTotal = 900, 1000 }, []string{"file-descriptors/warning"}},
		{"sockets", func(n *Node) { n.SocketsUsed, n.SocketsTotal = 990, 1000 }, []string{"sockets/critical"}},
		{"processes", func(n *Node) { n.ProcUsed, n.ProcTotal = 850_000, 1_000_000 }, []string{"erlang-processes/warning"}},
		{"limits unknown", func(n *Node) { n.FDTotal, n.SocketsTotal, n.ProcTotal, n.MemLimit, n.DiskFreeLimit = 0, 0, 0, 0, 0 }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := healthyNode()
			tt.n(&n)
			got := rulesOf(Check(&Snapshot{Nodes: []Node{n}}, Defaults()))
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("findings %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCheckConnectionsAndChannels(t *testing.T) {
	s := &Snapshot{
		Connections: []Connection{
			{Name: "a", State: "blocked"}, {Name: "b", State: "blocking"}, {Name: "c", State: "flow"},
			{Name: "d", State: "running"},
		},
		Channels: []Channel{
			{Name: "greedy", Vhost: "/", Prefetch: 0, Consumers: 1, Unacked: 60_000},
			{Name: "publisher", Vhost: "/", Prefetch: 0, Consumers: 0, Unacked: 0},
			{Name: "bounded", Vhost: "/", Prefetch: 10, Consumers: 1, Unacked: 10},
			{Name: "global", Vhost: "/", GlobalPrefetch: 5000, Consumers: 1, Unacked: 5000},
		},
	}
	got := rulesOf(Check(s, Defaults()))
	want := "connections-blocked/critical unlimited-prefetch/critical connections-flow/warning"
	if strings.Join(got, " ") != want {
		t.Errorf("findings %v, want %v", got, want)
	}
}

func TestCheckDisabledLevel(t *testing.T) {
	th := Defaults()
	th.NoConsumers.Disabled = true
	s := &Snapshot{Queues: []Queue{queue("q", func(q *Queue) { q.Ready = 5 })}}
	if fs := Check(s, th); len(fs) != 0 {
		t.Errorf("disabled level still gave %v", rulesOf(fs))
	}
}

func TestInfiniteFigureHasNoValue(t *testing.T) {
	s := &Snapshot{Queues: []Queue{queue("q", func(q *Queue) { q.Ready, q.Consumers, q.Utilisation = 5, 1, 1 })}}
	fs := Check(s, Defaults())
	if len(fs) != 1 || fs[0].Value != nil || !strings.Contains(fs[0].Figure, "∞") {
		t.Fatalf("findings %+v", fs)
	}
}

func TestVerdictAndSort(t *testing.T) {
	fs := []Finding{
		{Rule: "b", Severity: Info},
		{Rule: "z", Severity: Warning},
		{Rule: "a", Severity: Critical, Object: Object{Kind: "queue", Name: "y"}},
		{Rule: "a", Severity: Critical, Object: Object{Kind: "queue", Name: "x"}},
	}
	Sort(fs)
	var got []string
	for _, f := range fs {
		got = append(got, f.Rule+f.Object.Name)
	}
	if strings.Join(got, ",") != "ax,ay,z,b" {
		t.Errorf("sorted %v", got)
	}
	for _, tt := range []struct {
		fs   []Finding
		want Status
	}{
		{nil, StatusOK},
		{fs[3:], StatusOK},
		{fs[2:], StatusWarning},
		{fs, StatusCritical},
	} {
		if got := Verdict(tt.fs); got != tt.want || got.ExitCode() != int(tt.want) {
			t.Errorf("Verdict(%d findings) = %v, want %v", len(tt.fs), got, tt.want)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{formatPercent(0.834), "83%"},
		{formatPercent(0.055), "5.5%"},
		{Object{Kind: "queue", Vhost: "/", Name: "q"}.String(), "queue q (vhost /)"},
		{Object{Kind: "node", Name: "rabbit@a"}.String(), "node rabbit@a"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// Messages that expire from a work queue into a dead-letter queue are dead
// letters, TTL or not.
func TestCheckExpiredIntoDeadLetterQueue(t *testing.T) {
	s := &Snapshot{
		Queues: []Queue{
			queue("work", func(q *Queue) {
				q.Arguments = map[string]any{"x-message-ttl": 86_400_000, "x-dead-letter-exchange": "dlx"}
				q.Consumers, q.Utilisation = 1, 1
			}),
			queue("work.dlq", func(q *Queue) { q.Ready = 4 }),
		},
		Exchanges: []Exchange{{Vhost: "/", Name: "dlx", Type: "fanout", Durable: true}},
		Bindings:  []Binding{{Vhost: "/", Source: "dlx", Destination: "work.dlq", DestinationType: "queue"}},
	}
	if got := rulesOf(Check(s, Defaults())); strings.Join(got, " ") != "dead-letters/warning" {
		t.Errorf("findings %v", got)
	}
	if got := s.Topology().DeadLetterQueues(); len(got) != 1 || got[0].Name != "work.dlq" || got[0].Sources[0] != "work" {
		t.Errorf("DeadLetterQueues %v", got)
	}
}
