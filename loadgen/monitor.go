package loadgen

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	rabbithole "github.com/michaelklishin/rabbit-hole/v2"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// monitor samples the broker once a second on its own connection, so its
// round trips never delay a publisher or consumer.
type monitor struct {
	r    *runner
	link *link // comes back after a broker restart
	ch   *amqp.Channel
	mgmt *rabbithole.Client
	// closeIdle ends mgmt's kept-alive connection (and its goroutines).
	closeIdle func()
	vhost     string
	node      string
	mu        sync.Mutex // guards view against a metrics scrape
	view      results.BrokerView
	queues    []string
	last      map[string]int64 // distinct deliveries per queue at the last sample
	inFlow    map[string]bool  // this run's connections the broker had in flow control
}

// managementURI picks the management API address: the one given, or the
// AMQP host on port 15672 with the AMQP credentials.
func managementURI(given, amqpURI string) string {
	if given != "" {
		return given
	}
	u, err := amqp.ParseURI(amqpURI)
	if err != nil {
		return ""
	}
	m := url.URL{Scheme: "http", Host: fmt.Sprintf("%s:15672", u.Host), Path: "/", User: url.UserPassword(u.Username, u.Password)}
	if u.Scheme == "amqps" {
		m.Scheme = "https"
		m.Host = fmt.Sprintf("%s:15671", u.Host)
	}
	return m.String()
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
	if u, err := amqp.ParseURI(r.uri); err == nil {
		m.vhost = u.Vhost
	}
	m.view.Source = results.SourcePassive
	mu := managementURI(firstNonEmpty(r.cfg.mgmtURI, r.s.Broker.ManagementURI), r.uri)
	if mu != "" {
		m.view.ManagementURI = scenarios.RedactURI(mu)
		if client, node, closeIdle, err := connectManagement(mu, cluster); err == nil {
			m.mgmt, m.node, m.closeIdle = client, node, closeIdle
			m.view.Source = results.SourceManagement
		} else {
			m.r.warn("%s: broker memory, alarms and unacked counts were not sampled; %s", managementProblem(mu, err), managementFix(err))
		}
	}
	return m, nil
}

// otherClusterError says that a management API belongs to another broker
// than the AMQP URI reaches.
type otherClusterError struct{ management, amqp string }

func (e otherClusterError) Error() string {
	return fmt.Sprintf("serves cluster %q, but the AMQP URI reaches cluster %q", e.management, e.amqp)
}

// managementProblem phrases a failed connectManagement for a message that
// goes on to say what was not measured and how to fix it.
func managementFix(err error) string {
	if errors.As(err, new(otherClusterError)) {
		return "pass --management-uri with the management address of the broker under test"
	}
	return "enable it with 'rabbitmq-plugins enable rabbitmq_management' or pass --management-uri"
}

func managementProblem(uri string, err error) string {
	if errors.As(err, new(otherClusterError)) {
		return fmt.Sprintf("management API at %s %v", scenarios.RedactURI(uri), err)
	}
	return fmt.Sprintf("management API at %s did not answer (%v)", scenarios.RedactURI(uri), redactErr(err, uri))
}

// connectManagement opens a management API client and asks for the node's
// name. closeIdle releases its kept-alive connection; call it when done.
//
// cluster is the cluster_name the broker gave over AMQP ("" if it gave
// none). A management API of another cluster is refused: its figures would
// describe a broker warren is not testing, which is what the default
// address (port 15672 of the AMQP host) finds when two brokers share a
// host.
func connectManagement(uri, cluster string) (client *rabbithole.Client, node string, closeIdle func(), err error) {
	u, err := url.Parse(uri)
	if err != nil {
		return nil, "", nil, err
	}
	user, pass := "guest", "guest"
	if u.User != nil {
		user = u.User.Username()
		pass, _ = u.User.Password()
	}
	u.User = nil
	endpoint := u.String()
	if len(endpoint) > 0 && endpoint[len(endpoint)-1] == '/' {
		endpoint = endpoint[:len(endpoint)-1]
	}
	client, err = rabbithole.NewClient(endpoint, user, pass)
	if err != nil {
		return nil, "", nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	client.SetTransport(keepAlive{tr})
	client.SetTimeout(2 * time.Second)
	ov, err := client.Overview()
	if err != nil {
		tr.CloseIdleConnections()
		return nil, "", nil, err
	}
	if cluster != "" {
		if cn, err := client.GetClusterName(); err == nil && cn.Name != "" && cn.Name != cluster {
			tr.CloseIdleConnections()
			return nil, "", nil, otherClusterError{management: cn.Name, amqp: cluster}
		}
	}
	return client, ov.Node, tr.CloseIdleConnections, nil
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
	if m.closeIdle != nil {
		m.closeIdle()
	}
}

// keepAlive reuses the management API connection across requests. The
// management client asks for a new TCP connection per request; sampled every
// second, that was a connect and a teardown (and goroutines that come and
// go) each time, on warren's side and on the broker's.
type keepAlive struct{ next http.RoundTripper }

func (k keepAlive) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Close {
		// A RoundTripper must not change the request it is given.
		req = req.Clone(req.Context())
		req.Close = false
	}
	return k.next.RoundTrip(req)
}
