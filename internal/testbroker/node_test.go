package testbroker

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// The tests below boot real RabbitMQ nodes, several seconds each; they run in
// parallel because a boot mostly waits on one core.

func TestStartPrivate(t *testing.T) {
	t.Parallel()
	var (
		port int
		dir  string
		name string
	)
	// A subtest, so that its cleanup (stopping the node) has run when it
	// returns and the test can check that nothing is left.
	t.Run("node", func(t *testing.T) {
		start := time.Now()
		n := StartPrivate(t)
		t.Logf("node %s up in %s (plugins view: %t)", n.Name(), time.Since(start).Round(time.Millisecond), n.scripts != "")
		port, dir, name = n.amqpPort, n.dir, n.Name()

		if n.URI() == URI() || strings.Contains(n.URI(), ":5672/") {
			t.Fatalf("private node uses the shared broker's address: %s", n.URI())
		}
		if !strings.HasPrefix(n.Name(), "warren-") || !strings.HasSuffix(n.Name(), "@localhost") {
			t.Errorf("Name() = %q", n.Name())
		}

		queue := UniqueName(t, "warren")
		conn, ch := open(t, n.URI())
		if _, err := ch.QueueDeclare(queue, true, false, false, false, nil); err != nil {
			t.Fatalf("declaring %s: %v", queue, err)
		}
		publish(t, ch, queue, "round trip", amqp.Transient)
		if got := get(t, ch, queue); got != "round trip" {
			t.Fatalf("got %q back, want %q", got, "round trip")
		}
		publish(t, ch, queue, "survivor", amqp.Persistent)
		_ = conn.Close()

		out, err := n.Ctl("list_queues", "name", "messages")
		if err != nil {
			t.Fatalf("Ctl: %v", err)
		}
		if !strings.Contains(out, queue+"\t1") {
			t.Errorf("rabbitmqctl list_queues does not show %s with 1 message:\n%s", queue, out)
		}

		resp, err := http.Get(n.ManagementURI() + "api/overview")
		if err != nil {
			t.Fatalf("management API: %v", err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET api/overview: %s", resp.Status)
		}

		start = time.Now()
		if err := n.Restart(); err != nil {
			t.Fatalf("Restart: %v", err)
		}
		t.Logf("restarted in %s", time.Since(start).Round(time.Millisecond))
		conn, ch = open(t, n.URI())
		defer conn.Close()
		if got := get(t, ch, queue); got != "survivor" {
			t.Fatalf("after restart the durable queue holds %q, want %q", got, "survivor")
		}

		// Idempotence: a second Start and Stop are no-ops.
		if err := n.Start(); err != nil {
			t.Errorf("Start on a running node: %v", err)
		}
	})
	if port == 0 {
		return // the subtest failed or was skipped before the node came up
	}
	// The port itself may already serve another package's private node
	// (tests run in parallel and ports are reused), so ask who answers.
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if conn, err := amqp.Dial("amqp://guest:guest@" + addr + "/"); err == nil {
		who, _ := conn.Properties["cluster_name"].(string)
		conn.Close()
		if who == name {
			t.Errorf("node %s still answers at %s after the test's cleanup", name, addr)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("data directory %s still exists after cleanup (stat: %v)", dir, err)
	}
}

func TestShared(t *testing.T) {
	t.Parallel()
	var s Shared
	if err := s.Close(); err != nil {
		t.Fatalf("Close before any use: %v", err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	n := s.Node(t)
	if again := s.Node(t); again != n {
		t.Fatalf("Shared.Node returned a second node")
	}
	// A test that leaves the node stopped does not break the next one.
	start := time.Now()
	if err := n.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	t.Logf("stopped in %s", time.Since(start).Round(time.Millisecond))
	if err := n.Stop(); err != nil {
		t.Errorf("Stop on a stopped node: %v", err)
	}
	start = time.Now()
	if s.Node(t) != n {
		t.Fatalf("Shared.Node returned a second node after a stop")
	}
	t.Logf("started again in %s", time.Since(start).Round(time.Millisecond))
	conn, _ := open(t, n.URI())
	conn.Close()

	t.Run("freeze", func(t *testing.T) { checkFreeze(t, n) })
	t.Run("proxy", func(t *testing.T) { checkProxy(t, n) })
}

// checkFreeze freezes the node: it accepts TCP connections but no AMQP
// handshake completes; thawed, it answers again.
func checkFreeze(t *testing.T, n *Node) {
	if err := n.Freeze(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Thaw() })
	start := time.Now()
	if conn, err := dial(n.URI()); err == nil {
		conn.Close()
		t.Fatal("a frozen node completed an AMQP handshake")
	}
	t.Logf("a dial to the frozen node failed after %s", time.Since(start).Round(time.Millisecond))
	if err := n.Thaw(); err != nil {
		t.Fatal(err)
	}
	conn, _ := open(t, n.URI())
	conn.Close()
}

// checkProxy sends a message through a proxy, then black-holes it and lets
// it go again.
func checkProxy(t *testing.T, n *Node) {
	p := StartProxy(t, n)
	if p.URI() == n.URI() || !strings.HasPrefix(p.Addr(), "127.0.0.1:") {
		t.Fatalf("proxy at %s, node at %s", p.Addr(), n.URI())
	}
	queue := UniqueName(t, "warren")
	conn, ch := open(t, p.URI())
	defer conn.Close()
	if _, err := ch.QueueDeclare(queue, false, true, false, false, nil); err != nil {
		t.Fatal(err)
	}
	// A 100 ms delay on the way back holds each confirm that long.
	if err := p.Add(Toxic{Name: "slow", Type: "latency", Stream: "downstream", Attributes: map[string]int64{"latency": 100}}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	publish(t, ch, queue, "through the proxy", amqp.Transient)
	if rtt := time.Since(start); rtt < 100*time.Millisecond {
		t.Errorf("a publish confirmed in %s through a 100 ms latency toxic", rtt)
	}
	if err := p.Remove("slow"); err != nil {
		t.Fatal(err)
	}
	if got := get(t, ch, queue); got != "through the proxy" {
		t.Fatalf("got %q", got)
	}
	if err := p.Add(Toxic{Name: "hole", Type: "timeout", Stream: "downstream", Attributes: map[string]int64{"timeout": 0}}); err != nil {
		t.Fatal(err)
	}
	if c, err := dial(p.URI()); err == nil {
		c.Close()
		t.Fatal("a handshake completed through a black hole")
	}
	if err := p.Remove("hole"); err != nil {
		t.Fatal(err)
	}
	c, _ := open(t, p.URI())
	c.Close()
	if err := p.Remove("hole"); err == nil {
		t.Error("removing a toxic twice is no error")
	}
}

func open(t *testing.T, uri string) (*amqp.Connection, *amqp.Channel) {
	t.Helper()
	conn, err := dial(uri)
	if err != nil {
		t.Fatalf("dialing %s: %v", redact(uri), err)
	}
	ch, err := conn.Channel()
	if err != nil {
		conn.Close()
		t.Fatalf("opening a channel: %v", err)
	}
	if err := ch.Confirm(false); err != nil {
		conn.Close()
		t.Fatalf("confirm mode: %v", err)
	}
	return conn, ch
}

// publish sends body to queue and waits for the broker's confirm, so that a
// persistent message is on disk before the test restarts the node.
func publish(t *testing.T, ch *amqp.Channel, queue, body string, mode uint8) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conf, err := ch.PublishWithDeferredConfirmWithContext(ctx, "", queue, true, false,
		amqp.Publishing{Body: []byte(body), DeliveryMode: mode})
	if err != nil {
		t.Fatalf("publishing: %v", err)
	}
	ok, err := conf.WaitContext(ctx)
	if err != nil || !ok {
		t.Fatalf("confirm: ack %t, %v", ok, err)
	}
}

// get fetches one message from queue, retrying briefly: a just-published
// message may not be ready for basic.get at once.
func get(t *testing.T, ch *amqp.Channel, queue string) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		d, ok, err := ch.Get(queue, true)
		if err != nil {
			t.Fatalf("basic.get from %s: %v", queue, err)
		}
		if ok {
			return string(d.Body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s stayed empty", queue)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
