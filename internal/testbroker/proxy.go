package testbroker

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"testing"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/rs/zerolog"
)

// Proxy is a fault proxy between a test's clients and a node: Toxiproxy,
// run inside the test process on a free port of 127.0.0.1. Toxics added to
// it delay, throttle, black-hole or reset the traffic of every connection
// through it, of those open and of those opened later, until they are
// removed. Its methods are safe for concurrent use.
type Proxy struct {
	p *toxiproxy.Proxy
}

// Toxic is one fault of a Proxy, as Toxiproxy names them.
type Toxic struct {
	// Name tells the toxic apart for Remove; unique within the proxy.
	Name string
	// Type is one of Toxiproxy's: "latency" (latency, jitter in ms),
	// "bandwidth" (rate in KB/s, 1 KB = 1,000 B), "timeout" (timeout in ms:
	// data is dropped, and the connection closed after it; 0 keeps it open,
	// a black hole), "reset_peer" (timeout in ms, then a TCP reset),
	// "slow_close", "slicer", "limit_data".
	Type string
	// Stream is "upstream" (client to broker) or "downstream" (broker to
	// client).
	Stream string
	// Attributes are the type's settings, such as {"latency": 50}.
	Attributes map[string]int64
}

// StartProxy starts a proxy to the node's AMQP listener and stops it, with
// every connection through it, when the test ends.
func StartProxy(t testing.TB, n *Node) *Proxy {
	t.Helper()
	p, err := NewProxy(net.JoinHostPort("127.0.0.1", strconv.Itoa(n.amqpPort)))
	if err != nil {
		t.Fatalf("testbroker: %v", err)
	}
	t.Cleanup(p.Close)
	return p
}

// NewProxy starts a proxy to upstream (host:port) on a free port of
// 127.0.0.1. The caller must Close it.
func NewProxy(upstream string) (*Proxy, error) {
	server := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	p := toxiproxy.NewProxy(server, "amqp", "127.0.0.1:0", upstream)
	if err := p.Start(); err != nil {
		return nil, fmt.Errorf("start a fault proxy to %s: %w", upstream, err)
	}
	return &Proxy{p: p}, nil
}

// Addr returns the address the proxy listens on, host:port.
func (p *Proxy) Addr() string {
	p.p.Lock()
	defer p.p.Unlock()
	return p.p.Listen
}

// URI returns an AMQP URI (guest/guest) that reaches the node through the
// proxy.
func (p *Proxy) URI() string { return "amqp://guest:guest@" + p.Addr() + "/" }

// Add adds a toxic; it acts at once on every connection through the proxy.
func (p *Proxy) Add(t Toxic) error {
	body, err := json.Marshal(map[string]any{
		"name": t.Name, "type": t.Type, "stream": t.Stream, "toxicity": 1.0, "attributes": t.Attributes,
	})
	if err != nil {
		return err
	}
	if _, err := p.p.Toxics.AddToxicJson(bytes.NewReader(body)); err != nil {
		return fmt.Errorf("testbroker: add toxic %s: %w", t.Name, err)
	}
	return nil
}

// Remove removes the toxic named name. Removing a timeout toxic closes the
// connections it held.
func (p *Proxy) Remove(name string) error {
	if err := p.p.Toxics.RemoveToxic(context.Background(), name); err != nil {
		return fmt.Errorf("testbroker: remove toxic %s: %w", name, err)
	}
	return nil
}

// Close stops the proxy and closes every connection through it.
func (p *Proxy) Close() { p.p.Stop() }
