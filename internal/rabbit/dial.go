package rabbit

import (
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/warrenmq/warren/scenarios"
)

// dialTimeout bounds the TCP connect and the AMQP handshake, so an address
// that drops packets fails in seconds instead of hanging the caller.
const dialTimeout = 5 * time.Second

// Dialer opens AMQP connections to one broker, each named for the broker's
// UI and carrying warren's client properties.
type Dialer struct {
	// URI is the broker's AMQP URI; "" means DefaultURI.
	URI string
	// TLS configures an amqps:// URI; nil verifies the broker's
	// certificate against the system's roots and the URI's host.
	TLS *scenarios.TLS
	// Heartbeat is the heartbeat interval to ask for; 0 takes the
	// broker's.
	Heartbeat time.Duration
	// NamePrefix goes in front of every connection's name in its
	// connection_name property ("warren-<instance>-" before "pub-0").
	NamePrefix string
	// Version is warren's version, sent as the version client property
	// when not "".
	Version string
}

// Dial opens a connection named NamePrefix+name. wrap, when not nil, wraps
// the TCP socket before the client library (and TLS) use it, to cork or
// count what goes over it. Errors name the broker with its password
// masked, and the likely fix.
func (d Dialer) Dial(name string, wrap func(net.Conn) net.Conn) (*amqp.Connection, error) {
	uri := cmp.Or(d.URI, DefaultURI)
	props := amqp.Table{"connection_name": d.NamePrefix + name, "product": "warren"}
	if d.Version != "" {
		props["version"] = d.Version
	}
	plain := amqp.DefaultDial(dialTimeout)
	cfg := amqp.Config{Heartbeat: d.Heartbeat, Properties: props, Dial: plain}
	if wrap != nil {
		// With TLS the client library wraps this socket: what wrap sees
		// are the TLS records.
		cfg.Dial = func(network, addr string) (net.Conn, error) {
			c, err := plain(network, addr)
			if err != nil {
				return nil, err
			}
			return wrap(c), nil
		}
	}
	if strings.HasPrefix(uri, "amqps://") {
		u, err := amqp.ParseURI(uri)
		if err != nil {
			return nil, explainDialError(uri, err)
		}
		if cfg.TLSClientConfig, err = tlsConfig(d.TLS, u.Host); err != nil {
			return nil, err
		}
	}
	conn, err := amqp.DialConfig(uri, cfg)
	if err != nil {
		return nil, explainDialError(uri, err)
	}
	return conn, nil
}

// ServerProperty returns a string the broker sent in its server properties
// (product, version, cluster_name), or "".
func ServerProperty(conn *amqp.Connection, key string) string {
	if v, ok := conn.Properties[key].(string); ok {
		return v
	}
	return ""
}

// explainDialError turns a dial failure into one line that names the broker
// (password masked) and the likely fix.
func explainDialError(uri string, err error) error {
	masked := scenarios.RedactURI(uri)
	addr := masked
	if u, perr := url.Parse(uri); perr == nil {
		addr = u.Host
	}
	var amqpErr *amqp.Error
	var netErr net.Error
	var unknownCA x509.UnknownAuthorityError
	var wrongHost x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknownCA):
		return fmt.Errorf("broker at %s presented a certificate that no trusted CA signed (%v): set broker.tls.ca_file to the CA that signed it", masked, unknownCA)
	case errors.As(err, &wrongHost):
		return fmt.Errorf("broker at %s presented a certificate for another name (%v): connect by a name it holds, or set broker.tls.server_name", masked, wrongHost)
	case errors.As(err, &invalidCert):
		return fmt.Errorf("broker at %s presented an invalid certificate (%v): renew it, or check this machine's clock", masked, invalidCert)
	case errors.As(err, &amqpErr) && amqpErr.Code == amqp.AccessRefused:
		return fmt.Errorf("broker at %s refused the login (%s): check the user and password in the URI", masked, amqpErr.Reason)
	case errors.As(err, &amqpErr) && (amqpErr.Code == amqp.NotAllowed || strings.Contains(amqpErr.Reason, "vhost")):
		return fmt.Errorf("broker at %s refused the virtual host (%s): create it or fix the vhost in the URI", masked, amqpErr.Reason)
	case errors.Is(err, amqp.ErrCredentials):
		return fmt.Errorf("broker at %s refused the login: check the user and password in the URI", masked)
	case errors.Is(err, amqp.ErrVhost):
		return fmt.Errorf("broker at %s has no such virtual host: create it or fix the vhost in the URI", masked)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("cannot reach a broker at %s (%s): connection refused: start one with 'make broker' (or 'rabbitmq-server -detached'), or pass --uri", addr, masked)
	case errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Errorf("cannot reach a broker at %s (%s): timed out after %s: check the host and port, or pass --uri", addr, masked, dialTimeout)
	case strings.Contains(err.Error(), "scheme") || strings.Contains(err.Error(), "URI"):
		return fmt.Errorf("invalid broker URI %s: %v: use amqp://user:password@host:5672/vhost", masked, err)
	}
	return fmt.Errorf("cannot connect to the broker at %s (%s): %v", addr, masked, redactErr(err, uri))
}

// redactErr makes sure an error message from a library does not carry the
// password along.
func redactErr(err error, uri string) string {
	msg := err.Error()
	if u, perr := url.Parse(uri); perr == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			msg = strings.ReplaceAll(msg, pw, "xxxxx")
		}
	}
	return msg
}

// tlsConfig builds the TLS settings for amqps:// from the scenario:
// verification stays on unless the file turns it off.
func tlsConfig(t *scenarios.TLS, host string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: host}
	if t == nil {
		return cfg, nil
	}
	if t.ServerName != "" {
		cfg.ServerName = t.ServerName
	}
	cfg.InsecureSkipVerify = t.InsecureSkipVerify
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("broker.tls.ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("broker.tls.ca_file %s holds no PEM certificate", t.CAFile)
		}
		cfg.RootCAs = pool
	}
	if t.CertFile != "" || t.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("broker.tls cert_file/key_file: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}
