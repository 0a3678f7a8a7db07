package loadgen_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/scenarios"
)

// testCA is a certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  string // file holding the CA certificate
}

func newTestCA(t *testing.T, dir, name string) *testCA {
	t.Helper()
	key := newKey(t)
	tmpl := validFor(&x509.Certificate{
		Subject: pkix.Name{CommonName: name},
		IsCA:    true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	})
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	path := filepath.Join(dir, name+".pem")
	writePEM(t, path, "CERTIFICATE", der)
	return &testCA{cert: cert, key: key, pem: path}
}

// issue signs a leaf certificate for 127.0.0.1 and writes it and its key
// as PEM files.
func (ca *testCA) issue(t *testing.T, dir, name string, usage x509.ExtKeyUsage) (certFile, keyFile string) {
	t.Helper()
	key := newKey(t)
	tmpl := validFor(&x509.Certificate{
		Subject:     pkix.Name{CommonName: name},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{usage},
		KeyUsage: x509.KeyUsageDigitalSignature,
	})
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, name+".pem"), filepath.Join(dir, name+"-key.pem")
	writePEM(t, certFile, "CERTIFICATE", der)
	writePEM(t, keyFile, "EC PRIVATE KEY", kder)
	return certFile, keyFile
}

// newKey makes a P-256 key for a test certificate.
func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// validFor is the validity of every test certificate: from an hour ago to
// an hour on.
func validFor(tmpl *x509.Certificate) *x509.Certificate {
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	return tmpl
}

func writePEM(t *testing.T, path, kind string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// tlsFront terminates TLS on a loopback port and relays the plain bytes to
// the shared broker, so that a run over amqps:// reaches a real RabbitMQ
// without a TLS listener on it. With clients set, it asks for a client
// certificate signed by that CA.
func tlsFront(t *testing.T, backend string, certFile, keyFile string, clients *x509.CertPool) string {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if clients != nil {
		cfg.ClientAuth, cfg.ClientCAs = tls.RequireAndVerifyClientCert, clients
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if err := c.(*tls.Conn).Handshake(); err != nil {
					return
				}
				b, err := net.Dial("tcp", backend)
				if err != nil {
					return
				}
				defer b.Close()
				done := make(chan struct{}, 2)
				go func() { io.Copy(b, c); done <- struct{}{} }()
				go func() { io.Copy(c, b); done <- struct{}{} }()
				<-done
			}()
		}
	}()
	return ln.Addr().String()
}

// TestRunOverTLS runs a short scenario over amqps:// through a TLS front to
// the real broker: verified against the right CA, with a client
// certificate, every message accounted for; refused, with a one-line fix,
// against a CA that did not sign the broker's certificate.
func TestRunOverTLS(t *testing.T) {
	uri := testbroker.Require(t)
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ca := newTestCA(t, dir, "warren-test-ca")
	other := newTestCA(t, dir, "someone-elses-ca")
	serverCert, serverKey := ca.issue(t, dir, "broker", x509.ExtKeyUsageServerAuth)
	clientCert, clientKey := ca.issue(t, dir, "client", x509.ExtKeyUsageClientAuth)
	clients := x509.NewCertPool()
	clients.AddCert(ca.cert)
	front := tlsFront(t, u.Host, serverCert, serverKey, clients)
	amqps := "amqps://" + u.User.String() + "@" + front + u.Path

	scenario := func(tlsCfg *scenarios.TLS) *scenarios.Scenario {
		name := testbroker.UniqueName(t, "tls")
		s := &scenarios.Scenario{
			Name:       "tls",
			Broker:     scenarios.Broker{TLS: tlsCfg, ManagementURI: "http://127.0.0.1:1/"},
			Topology:   scenarios.Topology{Queues: []scenarios.Queue{{Name: name}}, Cleanup: true},
			Publishers: []scenarios.PublisherGroup{{Exchange: "", RoutingKeys: []string{name}, Size: 64, Confirm: true, ConfirmWindow: 50, Rate: scenarios.Rate{PerSecond: 500}}},
			Consumers:  []scenarios.ConsumerGroup{{Queue: name, Prefetch: 50}},
			Run:        scenarios.RunSettings{Duration: scenarios.Duration(time.Second)},
		}
		s.ApplyDefaults()
		return s
	}

	res, err := loadgen.Run(context.Background(),
		scenario(&scenarios.TLS{CAFile: ca.pem, CertFile: clientCert, KeyFile: clientKey}), loadgen.WithURI(amqps))
	if err != nil {
		t.Fatalf("run over TLS: %v", err)
	}
	keptSchedule(t, res, 500, time.Second)
	if in := res.Integrity; res.Summary.Published == 0 || in.Received != in.Expected || in.Lost != 0 {
		t.Errorf("over TLS: published %d, integrity %+v", res.Summary.Published, in)
	}

	_, err = loadgen.Run(context.Background(), scenario(&scenarios.TLS{CAFile: other.pem}), loadgen.WithURI(amqps))
	if err == nil {
		t.Fatal("a broker certificate that the given CA did not sign was accepted")
	}
	msg := err.Error()
	for _, want := range []string{"no trusted CA signed", "broker.tls.ca_file", front} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("error is not one line: %q", msg)
	}
}
