package loadgen

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/warrenmq/warren/internal/rabbit"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// monitor samples the broker once a second on its own connection, so its
// round trips never delay a publisher or consumer.
type monitor struct {
	r      *runner
	link   *link // comes back after a broker restart
	ch     *amqp.Channel
	mgmt   *rabbit.Management
	vhost  string
	node   string
	mu     sync.Mutex // guards view against a metrics scrape
	view   results.BrokerView
	queues []string
	last   map[string]int64 // distinct deliveries per queue at the last sample
	inFlow map[string]bool  // this run's connections the broker had in flow control
}

// startMonitor opens the monitor's link and, when it answers and belongs to
// the broker under test (cluster, as the broker named itself over AMQP),
// the management API.
func (r *runner) startMonitor(cluster string) (*monitor, error) {
	m := &monitor{r: r, last: map[string]int64{}}
	for _, q := range r.s.Topology.Queues {
		m.queues = append(m.queues, q.Name)
	}
	l, err := r.newLink("monitor", false)
	if err != nil {
		return nil, err
	}
	m.link = l
	m.vhost = rabbit.Vhost(r.uri)
	m.view.Source = results.SourcePassive
	if mu := r.addr.Management(); mu != "" {
		m.view.ManagementURI = scenarios.RedactURI(mu)
		mgmt, err := rabbit.OpenManagement(context.Background(), mu, rabbit.ManagementOptions{Timeout: 2 * time.Second, Cluster: cluster})
		if err == nil {
			m.mgmt, m.node = mgmt, mgmt.Node()
			m.view.Source = results.SourceManagement
		} else {
			m.r.warn("%s: broker memory, alarms and unacked counts were not sampled; %s", rabbit.ManagementProblem(mu, err), rabbit.ManagementFix(err))
		}
	}
	return m, nil
}

// sample takes one look at the broker; t is the second of the run.
func (m *monitor) sample(t int) {
	s := results.BrokerSample{T: t}
	var wg sync.WaitGroup
	if m.mgmt != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if n, err := m.mgmt.GetNode(m.node); err == nil {
				s.MemoryUsed, s.MemoryLimit = int64(n.MemUsed), int64(n.MemLimit)
				s.MemoryAlarm, s.DiskAlarm = n.MemAlarm, n.DiskFreeAlarm
				s.FDUsed, s.Sockets = n.FdUsed, n.SocketsUsed
			}
			s.FlowConnections = m.sampleFlow()
		}()
	}
	for _, name := range m.queues {
		qs := results.QueueSample{Queue: name}
		if q, err := m.passive(name); err == nil {
			qs.Ready, qs.Consumers = int64(q.Messages), q.Consumers
		}
		if m.mgmt != nil {
			if q, err := m.mgmt.GetQueue(m.vhost, name); err == nil {
				qs.Unacked = int64(q.MessagesUnacknowledged)
				qs.Utilisation = q.ConsumerUtilisation
				qs.Memory = q.Memory
				if ms := q.MessageStats; ms != nil {
					qs.PublishRate = float64(ms.PublishDetails.Rate)
					qs.DeliverRate = float64(ms.DeliverGetDetails.Rate)
				}
			}
		}
		if tr := m.r.queues[name]; tr != nil {
			got := tr.distinct()
			if d := got - m.last[name]; d > 0 {
				qs.LagSeconds = float64(qs.Ready) / float64(d)
			}
			m.last[name] = got
		}
		s.Queues = append(s.Queues, qs)
	}
	wg.Wait()
	m.mu.Lock()
	m.view.Samples = append(m.view.Samples, s)
	m.mu.Unlock()
	m.r.stream.WriteBroker(s)
}

// sampleFlow records, as events, when the broker puts one of this run's
// connections into flow control (its credit flow throttles a publisher
// that outpaces the queues) and when it lets go; it returns how many are
// in flow now. Flow control shows only in the management API (which
// refreshes connection states every 5 s, so short episodes may be missed):
// the client sees nothing but slower writes.
func (m *monitor) sampleFlow() int {
	conns, err := m.mgmt.ListConnections()
	if err != nil {
		return len(m.inFlow)
	}
	prefix := m.r.s.Broker.ConnectionName + "-" + m.r.instanceID + "-"
	now := map[string]bool{}
	for _, c := range conns {
		name, _ := c.ClientProperties["connection_name"].(string)
		if strings.HasPrefix(name, prefix) && c.State == "flow" {
			now[strings.TrimPrefix(name, prefix)] = true
		}
	}
	started, ended := flowChanges(m.inFlow, now)
	for _, name := range started {
		m.r.event(results.EventFlow, "connection %s in flow control: the broker is throttling its publishing", name)
	}
	for _, name := range ended {
		m.r.event(results.EventFlowEnded, "connection %s out of flow control", name)
	}
	m.inFlow = now
	return len(now)
}

// flowChanges compares the connections in flow at two samples.
func flowChanges(before, now map[string]bool) (started, ended []string) {
	for name := range now {
		if !before[name] {
			started = append(started, name)
		}
	}
	for name := range before {
		if !now[name] {
			ended = append(ended, name)
		}
	}
	sort.Strings(started)
	sort.Strings(ended)
	return started, ended
}

// latest returns the newest sample, if any.
func (m *monitor) latest() (results.BrokerSample, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n := len(m.view.Samples); n > 0 {
		return m.view.Samples[n-1], true
	}
	return results.BrokerSample{}, false
}

// passive asks the broker for a queue's ready count and consumers. A failed
// passive declare closes the channel, so the next call opens a new one.
func (m *monitor) passive(name string) (amqp.Queue, error) {
	if m.ch == nil || m.ch.IsClosed() {
		// Bounded: a sample that cannot be taken is skipped, not waited for.
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		ch, err := m.link.channel(ctx)
		cancel()
		if err != nil {
			return amqp.Queue{}, err
		}
		m.ch = ch
	}
	return m.ch.QueueDeclarePassive(name, false, false, false, false, nil)
}

// passiveUntil asks for a queue's ready count as passive does, trying again
// until deadline while the broker cannot be reached, and never waiting past
// it for an answer (a frozen broker accepts the question and says
// nothing). It returns the broker's refusal at once (a queue that is not
// found), and otherwise the last failure.
func (m *monitor) passiveUntil(name string, deadline time.Time) (amqp.Queue, error) {
	type answer struct {
		q   amqp.Queue
		err error
	}
	for {
		if m.ch == nil || m.ch.IsClosed() {
			ch, err := m.link.tryChannel()
			if err != nil {
				if time.Now().Add(250 * time.Millisecond).After(deadline) {
					return amqp.Queue{}, err
				}
				time.Sleep(250 * time.Millisecond)
				continue
			}
			m.ch = ch
		}
		got := make(chan answer, 1)
		ch := m.ch
		go func() {
			q, err := ch.QueueDeclarePassive(name, false, false, false, false, nil)
			got <- answer{q, err}
		}()
		t := time.NewTimer(time.Until(deadline))
		select {
		case a := <-got:
			t.Stop()
			var amqpErr *amqp.Error
			if a.err == nil || errors.As(a.err, &amqpErr) && amqpErr.Code == amqp.NotFound || time.Now().After(deadline) {
				return a.q, a.err
			}
			// The channel or connection went: ask again on a new one.
		case <-t.C:
			// The question stays with the dead connection, which the
			// monitor's close ends.
			m.ch = nil
			return amqp.Queue{}, fmt.Errorf("no answer within %s", leftoverWait)
		}
	}
}

// loop samples once a second until stop is closed, then once more.
func (m *monitor) loop(stop <-chan struct{}) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case now := <-tick.C:
			m.sample(int((now.Sub(m.r.start) + 500*time.Millisecond) / time.Second))
		case <-stop:
			return
		}
	}
}

func (m *monitor) close() {
	if m.link != nil {
		m.link.close()
	}
	if m.mgmt != nil {
		m.mgmt.Close()
	}
}
