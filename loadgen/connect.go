package loadgen

import (
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
// that drops packets fails in seconds instead of hanging the run.
const dialTimeout = 5 * time.Second

// dial opens a connection named for the broker's UI ("warren-<instance>-pub-0").
func (r *runner) dial(name string) (*amqp.Connection, error) {
	conn, _, err := r.dialCorked(name)
	return conn, err
}

// dialCorked opens a connection as dial does, and returns the socket under
// it too, for publishers and consumers to cork.
func (r *runner) dialCorked(name string) (*amqp.Connection, *corkConn, error) {
	var wire *corkConn
	plain := amqp.DefaultDial(dialTimeout)
	cfg := amqp.Config{
		Heartbeat: r.s.Broker.Heartbeat.Std(),
		Properties: amqp.Table{
			"connection_name": r.s.Broker.ConnectionName + "-" + r.instanceID + "-" + name,
			"product":         "warren",
			"version":         r.cfg.version,
		},
		// With TLS the client library wraps this socket: the records it
		// writes are what collect while corked.
		Dial: func(network, addr string) (net.Conn, error) {
			c, err := plain(network, addr)
			if err != nil {
				return nil, err
			}
			wire = &corkConn{Conn: c}
			return wire, nil
		},
	}
	if strings.HasPrefix(r.uri, "amqps://") {
		u, err := amqp.ParseURI(r.uri)
		if err != nil {
			return nil, nil, explainDialError(r.uri, err)
		}
		if cfg.TLSClientConfig, err = tlsConfig(r.s.Broker.TLS, u.Host); err != nil {
			return nil, nil, err
		}
	}
	conn, err := amqp.DialConfig(r.uri, cfg)
	if err != nil {
		return nil, nil, explainDialError(r.uri, err)
	}
	return conn, wire, nil
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

// explainDeclareError turns a refused declaration into one line with a fix.
func explainDeclareError(what string, err error) error {
	var amqpErr *amqp.Error
	if errors.As(err, &amqpErr) {
		switch amqpErr.Code {
		case amqp.PreconditionFailed:
			return fmt.Errorf("declare %s: the broker has it already with other settings (%s): delete it, or change the scenario to match", what, amqpErr.Reason)
		case amqp.AccessRefused:
			return fmt.Errorf("declare %s: access refused (%s): give the user configure permission on it, or use other names", what, amqpErr.Reason)
		case amqp.NotFound:
			return fmt.Errorf("declare %s: not found (%s): declare it first, or set declare: true", what, amqpErr.Reason)
		}
		return fmt.Errorf("declare %s: %s", what, amqpErr.Reason)
	}
	return fmt.Errorf("declare %s: %w", what, err)
}

// explainPassiveError explains a failed existence check (declare: passive).
func explainPassiveError(what string, err error) error {
	var amqpErr *amqp.Error
	if errors.As(err, &amqpErr) && amqpErr.Code == amqp.NotFound {
		return fmt.Errorf("%s does not exist on the broker (declare: passive): create it, or set topology.declare: true", what)
	}
	return explainDeclareError(what, err)
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
