package health

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	rabbithole "github.com/michaelklishin/rabbit-hole/v2"

	"github.com/warrenmq/warren/internal/rabbit"
	"github.com/warrenmq/warren/scenarios"
)

// Client reads a broker's state from its management HTTP API.
type Client struct {
	api *rabbit.Management
}

// Dial connects to the management API at uri
// (http://user:password@host:15672/; guest/guest when the URI has no
// user) and asks for its overview, so that an unreachable API or bad
// credentials fail here. Requests end with ctx and each takes at most
// timeout. Errors never contain the password. Close the client when done.
func Dial(ctx context.Context, uri string, timeout time.Duration) (*Client, error) {
	api, err := rabbit.OpenManagement(ctx, uri, rabbit.ManagementOptions{Timeout: timeout})
	if err != nil {
		if errors.As(err, new(*rabbit.ManagementURIError)) {
			return nil, err
		}
		return nil, wrap(scenarios.RedactURI(uri), err)
	}
	return &Client{api: api}, nil
}

// Close releases the client's kept-alive connection.
func (c *Client) Close() { c.api.Close() }

// URI returns the management URI with the password masked.
func (c *Client) URI() string { return c.api.URI() }

// Version returns the broker's RabbitMQ version.
func (c *Client) Version() string { return c.api.Version() }

func (c *Client) wrap(err error) error { return wrap(c.api.URI(), err) }

// wrap names the management API (masked) in an error, with a hint for a
// missing virtual host.
func wrap(masked string, err error) error {
	var rme rabbithole.ErrorResponse
	if errors.As(err, &rme) && rme.StatusCode == http.StatusNotFound {
		return fmt.Errorf("management API at %s: not found (%s): does the virtual host exist?", masked, rme.Reason)
	}
	return fmt.Errorf("management API at %s: %v", masked, err)
}

// statsParams asks the management API for samples over the window, so that
// rates are averages over it rather than the last 5 s.
func statsParams(window time.Duration) url.Values {
	age := strconv.Itoa(int(window / time.Second))
	return url.Values{
		"msg_rates_age": {age}, "msg_rates_incr": {"5"},
		"lengths_age": {age}, "lengths_incr": {"5"},
	}
}

// windowRate is a counter's average rate over its samples (newest first),
// and whether there were enough samples to tell.
func windowRate(d *rabbithole.RateDetails) (float64, bool) {
	if d == nil || len(d.Samples) < 2 {
		return 0, false
	}
	first, last := d.Samples[0], d.Samples[len(d.Samples)-1]
	dt := float64(first.Timestamp-last.Timestamp) / 1000
	if dt <= 0 {
		return 0, false
	}
	return float64(first.Sample-last.Sample) / dt, true
}

// Snapshot reads the broker's state: every node, and the queues,
// exchanges, bindings, policies, connections and channels of vhost (all
// vhosts when it is ""), with rates averaged over window. The requests go
// out together, so a busy broker costs the slowest one, not their sum.
func (c *Client) Snapshot(vhost string, window time.Duration) (*Snapshot, error) {
	s := &Snapshot{Version: c.Version(), Vhost: vhost, Window: window}
	var nodes []rabbithole.NodeInfo
	var queues []rabbithole.QueueInfo
	var channels []channelInfo
	err := parallel(
		func() (err error) { nodes, err = c.api.ListNodes(); return err },
		func() (err error) {
			if vhost == "" {
				queues, err = c.api.ListQueuesWithParameters(statsParams(window))
			} else {
				queues, err = c.api.ListQueuesWithParametersIn(vhost, statsParams(window))
			}
			return err
		},
		func() (err error) { s.Exchanges, s.Bindings, s.Policies, err = c.topology(vhost); return err },
		func() (err error) { s.Connections, err = c.connections(vhost); return err },
		func() (err error) { channels, err = c.channels(); return err },
	)
	if err != nil {
		return nil, c.wrap(err)
	}
	for _, n := range nodes {
		s.Nodes = append(s.Nodes, Node{
			Name: n.Name, Running: n.IsRunning,
			MemUsed: int64(n.MemUsed), MemLimit: int64(n.MemLimit), MemAlarm: n.MemAlarm,
			DiskFree: int64(n.DiskFree), DiskFreeLimit: int64(n.DiskFreeLimit), DiskAlarm: n.DiskFreeAlarm,
			FDUsed: n.FdUsed, FDTotal: n.FdTotal, SocketsUsed: n.SocketsUsed, SocketsTotal: n.SocketsTotal,
			ProcUsed: n.ProcUsed, ProcTotal: n.ProcTotal, Partitions: n.Partitions,
		})
	}
	for _, q := range queues {
		x := Queue{
			QueueDef: QueueDef{Vhost: q.Vhost, Name: q.Name, Type: q.Type, Durable: q.Durable,
				AutoDelete: bool(q.AutoDelete), Exclusive: q.Exclusive, Arguments: q.Arguments, Policy: q.Policy},
			Ready: int64(q.MessagesReady), Unacked: int64(q.MessagesUnacknowledged),
			Consumers: q.Consumers, Utilisation: q.ConsumerUtilisation,
		}
		x.ReadyGrowth, x.RatesKnown = windowRate(q.MessagesReadyDetails)
		x.UnackedGrowth, _ = windowRate(q.MessagesUnacknowledgedDetails)
		if ms := q.MessageStats; ms != nil {
			x.PublishRate, _ = windowRate(&ms.PublishDetails)
			x.DeliverRate, _ = windowRate(&ms.DeliverGetDetails)
		}
		s.Queues = append(s.Queues, x)
	}
	for _, ch := range channels {
		if vhost != "" && ch.Vhost != vhost {
			continue
		}
		s.Channels = append(s.Channels, Channel{Name: ch.Name, Vhost: ch.Vhost, Prefetch: ch.Prefetch,
			GlobalPrefetch: ch.GlobalPrefetch, Consumers: ch.Consumers, Unacked: ch.Unacked})
	}
	return s, nil
}

// channelInfo is the part of GET /api/channels the rules use.
type channelInfo struct {
	Name           string `json:"name"`
	Vhost          string `json:"vhost"`
	Prefetch       int    `json:"prefetch_count"`
	GlobalPrefetch int    `json:"global_prefetch_count"`
	Consumers      int    `json:"consumer_count"`
	Unacked        int    `json:"messages_unacknowledged"`
}

// channels lists the channels. Not through rabbit-hole: its ChannelInfo
// fails the whole list when one channel's connection_details is the empty
// list the broker sends for a channel whose connection is closing.
func (c *Client) channels() ([]channelInfo, error) {
	var out []channelInfo
	if err := c.api.GetJSON("/api/channels", &out); err != nil {
		return nil, err
	}
	return out, nil
}

// parallel runs the functions at once and returns the first error, in
// argument order.
func parallel(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, f := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *Client) topology(vhost string) (ex []Exchange, bs []Binding, ps []Policy, err error) {
	var exchanges []rabbithole.ExchangeInfo
	var bindings []rabbithole.BindingInfo
	var policies []rabbithole.Policy
	if vhost == "" {
		exchanges, err = c.api.ListExchanges()
		if err == nil {
			bindings, err = c.api.ListBindings()
		}
		if err == nil {
			policies, err = c.api.ListPolicies()
		}
	} else {
		exchanges, err = c.api.ListExchangesIn(vhost)
		if err == nil {
			bindings, err = c.api.ListBindingsIn(vhost)
		}
		if err == nil {
			policies, err = c.api.ListPoliciesIn(vhost)
		}
	}
	if err != nil {
		return nil, nil, nil, err
	}
	for _, e := range exchanges {
		ex = append(ex, Exchange{Vhost: e.Vhost, Name: e.Name, Type: e.Type, Durable: e.Durable,
			AutoDelete: bool(e.AutoDelete), Internal: e.Internal, Arguments: e.Arguments})
	}
	for _, b := range bindings {
		bs = append(bs, Binding{Vhost: b.Vhost, Source: b.Source, Destination: b.Destination,
			DestinationType: b.DestinationType, RoutingKey: b.RoutingKey, Arguments: b.Arguments})
	}
	for _, p := range policies {
		ps = append(ps, Policy{Vhost: p.Vhost, Name: p.Name, Pattern: p.Pattern, ApplyTo: p.ApplyTo,
			Priority: p.Priority, Definition: map[string]any(p.Definition)})
	}
	return ex, bs, ps, nil
}

func (c *Client) connections(vhost string) ([]Connection, error) {
	conns, err := c.api.ListConnections()
	if err != nil {
		return nil, err
	}
	var out []Connection
	for _, x := range conns {
		if vhost != "" && x.Vhost != vhost {
			continue
		}
		out = append(out, Connection{Name: x.Name, Vhost: x.Vhost, User: x.User, State: x.State,
			Heartbeat: x.Timeout, PeerHost: x.PeerHost})
	}
	return out, nil
}

// LintInput reads the broker's definitions (of vhost, or all when ""), its
// connections, and who the API let in, for Lint.
func (c *Client) LintInput(vhost string) (*LintInput, error) {
	var defs *rabbithole.ExportedDefinitions
	var err error
	if vhost == "" {
		defs, err = c.api.ListDefinitions()
	} else {
		defs, err = c.api.ListVhostDefinitions(vhost)
	}
	if err != nil {
		return nil, c.wrap(err)
	}
	// The two types share the definitions format's field names.
	data, err := json.Marshal(defs)
	if err != nil {
		return nil, err
	}
	d, err := ReadDefinitions(strings.NewReader(string(data)))
	if err != nil {
		return nil, err
	}
	if vhost != "" {
		// A vhost's export leaves the vhost out of every object.
		for i := range d.Queues {
			d.Queues[i].Vhost = vhost
		}
		for i := range d.Exchanges {
			d.Exchanges[i].Vhost = vhost
		}
		for i := range d.Bindings {
			d.Bindings[i].Vhost = vhost
		}
		for i := range d.Policies {
			d.Policies[i].Vhost = vhost
		}
	}
	in := &LintInput{Definitions: *d, Version: c.Version(), Host: c.api.Host()}
	if in.Connections, err = c.connections(vhost); err != nil {
		return nil, c.wrap(err)
	}
	if who, err := c.api.Whoami(); err == nil {
		in.LoggedInAs = who.Name
	}
	return in, nil
}
