package rabbit

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/scenarios"
)

func TestDialExplainsFailures(t *testing.T) {
	notPEM := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		d    Dialer
		want string
	}{
		{"refused", Dialer{URI: "amqp://ops:s3cret@127.0.0.1:1/"}, "cannot reach a broker at 127.0.0.1:1 (amqp://ops:xxxxx@127.0.0.1:1/): connection refused"},
		{"scheme", Dialer{URI: "http://ops:s3cret@127.0.0.1:5672/"}, `invalid broker URI http://ops:xxxxx@127.0.0.1:5672/`},
		{"CA file that is not PEM", Dialer{URI: "amqps://ops:s3cret@127.0.0.1:1/", TLS: &scenarios.TLS{CAFile: notPEM}}, "holds no PEM certificate"},
	} {
		conn, err := tc.d.Dial("test", nil)
		if err == nil {
			conn.Close()
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: error %q, want it to say %q and hide the password", tc.name, err, tc.want)
		}
	}
}

func TestTLSConfig(t *testing.T) {
	cfg, err := tlsConfig(nil, "rabbit.example.com")
	if err != nil || cfg.ServerName != "rabbit.example.com" || cfg.InsecureSkipVerify {
		t.Errorf("default: %+v, %v", cfg, err)
	}
	cfg, err = tlsConfig(&scenarios.TLS{ServerName: "other", InsecureSkipVerify: true}, "rabbit.example.com")
	if err != nil || cfg.ServerName != "other" || !cfg.InsecureSkipVerify {
		t.Errorf("from the scenario: %+v, %v", cfg, err)
	}
	if _, err := tlsConfig(&scenarios.TLS{CAFile: filepath.Join(t.TempDir(), "missing.pem")}, "h"); err == nil || !strings.Contains(err.Error(), "broker.tls.ca_file") {
		t.Errorf("missing CA file: %v", err)
	}
}

// A connection carries its name and warren's properties to the broker,
// which shows them in its management API; wrap sees the socket's bytes.
func TestDialNamesTheConnection(t *testing.T) {
	uri := testbroker.Require(t)
	name := testbroker.UniqueName(t, "dial")
	var written atomic.Int64
	conn, err := Dialer{URI: uri, NamePrefix: "warren-test-", Version: "v0.0.1-test"}.Dial(name, func(c net.Conn) net.Conn {
		return countWrites{c, &written}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if written.Load() == 0 {
		t.Error("the wrapped socket saw no writes")
	}
	if ServerProperty(conn, "product") != "RabbitMQ" || ServerProperty(conn, "no-such-key") != "" {
		t.Errorf("server properties %v", conn.Properties)
	}
	m, err := OpenManagement(context.Background(), testbroker.ManagementURI(), ManagementOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Skipf("management API: %v", err)
	}
	defer m.Close()
	// The management API lists a connection once its statistics are
	// emitted, within a few seconds.
	deadline := time.Now().Add(15 * time.Second)
	for {
		conns, err := m.ListConnections()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range conns {
			if c.ClientProperties["connection_name"] == "warren-test-"+name {
				if c.ClientProperties["product"] != "warren" || c.ClientProperties["version"] != "v0.0.1-test" {
					t.Errorf("client properties %v", c.ClientProperties)
				}
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no connection named warren-test-%s among %d", name, len(conns))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

type countWrites struct {
	net.Conn
	n *atomic.Int64
}

func (c countWrites) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.n.Add(int64(n))
	return n, err
}
