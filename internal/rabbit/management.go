package rabbit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	rabbithole "github.com/michaelklishin/rabbit-hole/v2"

	"github.com/warrenmq/warren/scenarios"
)

// Management is a client of a broker's management HTTP API. Its embedded
// rabbit-hole client makes the calls; GetJSON reads what rabbit-hole
// cannot decode. It keeps its HTTP connection alive between requests:
// call Close when done.
type Management struct {
	*rabbithole.Client
	http      *http.Client // for GetJSON; the same transport as Client's
	transport *http.Transport
	endpoint  string // without credentials or trailing slash
	uri       string // with the password masked
	host      string
	overview  *rabbithole.Overview
}

// ManagementOptions configure OpenManagement.
type ManagementOptions struct {
	// Timeout bounds each request (0: no bound). SetTimeout changes it
	// later.
	Timeout time.Duration
	// Cluster is the cluster_name the broker under test gave over AMQP
	// (ServerProperty(conn, "cluster_name")); "" skips the check. A
	// management API that serves another cluster is refused with an
	// *OtherClusterError: its figures would describe a broker warren is
	// not testing, which is what the default address (port 15672 of the
	// AMQP host) finds when two brokers share a host.
	Cluster string
}

// ManagementURIError is a management URI that is not an http:// or
// https:// URL with a host.
type ManagementURIError struct {
	URI string // masked
}

func (e *ManagementURIError) Error() string {
	return fmt.Sprintf("management URI %s: want http://user:password@host:15672/", e.URI)
}

// OtherClusterError says that a management API belongs to another broker
// than the AMQP URI reaches.
type OtherClusterError struct {
	Management, AMQP string // the cluster names each gave
}

func (e *OtherClusterError) Error() string {
	return fmt.Sprintf("serves cluster %q, but the AMQP URI reaches cluster %q", e.Management, e.AMQP)
}

// OpenManagement connects to the management API at uri
// (http://user:password@host:15672/; guest/guest when the URI has no user)
// and asks for its overview, so that an unreachable API or bad credentials
// fail here. Every request ends when ctx does. Errors never contain the
// password: a bad URI is a *ManagementURIError, another broker's API an
// *OtherClusterError, and anything else the HTTP client's or rabbit-hole's
// error about the URI without its credentials.
func OpenManagement(ctx context.Context, uri string, o ManagementOptions) (*Management, error) {
	masked := scenarios.RedactURI(uri)
	u, err := url.Parse(uri)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &ManagementURIError{URI: masked}
	}
	user, pass := "guest", "guest"
	if u.User != nil {
		user = u.User.Username()
		pass, _ = u.User.Password()
	}
	u.User = nil
	endpoint := strings.TrimSuffix(u.String(), "/")
	rh, err := rabbithole.NewClient(endpoint, user, pass)
	if err != nil {
		return nil, fmt.Errorf("management URI %s: %v", masked, err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	var rt http.RoundTripper = keepAlive{tr}
	if ctx.Done() != nil {
		rt = boundTransport{ctx: ctx, next: rt}
	}
	rh.SetTransport(rt)
	m := &Management{Client: rh, http: &http.Client{Transport: rt}, transport: tr,
		endpoint: endpoint, uri: masked, host: u.Host}
	m.SetTimeout(o.Timeout)
	ov, err := rh.Overview()
	if err != nil {
		m.Close()
		return nil, err
	}
	m.overview = ov
	if o.Cluster != "" {
		if cn, err := rh.GetClusterName(); err == nil && cn.Name != "" && cn.Name != o.Cluster {
			m.Close()
			return nil, &OtherClusterError{Management: cn.Name, AMQP: o.Cluster}
		}
	}
	return m, nil
}

// SetTimeout bounds each request from now on (0: no bound).
func (m *Management) SetTimeout(d time.Duration) {
	m.Client.SetTimeout(d)
	m.http.Timeout = d
}

// Close releases the kept-alive connection (and its goroutines).
func (m *Management) Close() { m.transport.CloseIdleConnections() }

// URI returns the management URI with the password masked.
func (m *Management) URI() string { return m.uri }

// Host returns the management API's host:port.
func (m *Management) Host() string { return m.host }

// Node returns the name of the node that answered the overview.
func (m *Management) Node() string { return m.overview.Node }

// Version returns the broker's RabbitMQ version.
func (m *Management) Version() string { return m.overview.RabbitMQVersion }

// Erlang returns the broker's Erlang version.
func (m *Management) Erlang() string { return m.overview.ErlangVersion }

// GetJSON decodes the answer to GET path ("/api/channels") into v.
func (m *Management) GetJSON(path string, v any) error {
	req, err := http.NewRequest(http.MethodGet, m.endpoint+path, nil)
	if err != nil {
		return err
	}
	req.SetBasicAuth(m.Username, m.Password)
	res, err := m.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}

// ManagementProblem phrases a failed OpenManagement of uri for a message
// that goes on to say what was not measured and how to fix it
// (ManagementFix).
func ManagementProblem(uri string, err error) string {
	if errors.As(err, new(*OtherClusterError)) {
		return fmt.Sprintf("management API at %s %v", scenarios.RedactURI(uri), err)
	}
	return fmt.Sprintf("management API at %s did not answer (%v)", scenarios.RedactURI(uri), redactErr(err, uri))
}

// ManagementFix says how to fix a failed OpenManagement.
func ManagementFix(err error) string {
	if errors.As(err, new(*OtherClusterError)) {
		return "pass --management-uri with the management address of the broker under test"
	}
	return "enable it with 'rabbitmq-plugins enable rabbitmq_management' or pass --management-uri"
}

// keepAlive reuses the management API connection across requests.
// rabbit-hole asks for a new TCP connection per request; sampled every
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

// boundTransport ends every request when ctx ends too, so that cancelling
// a command cancels a request in flight: rabbit-hole takes no context. The
// request's own context (which carries the client's timeout) still
// applies.
type boundTransport struct {
	ctx  context.Context
	next http.RoundTripper
}

func (t boundTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.ctx.Err(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(req.Context())
	stop := context.AfterFunc(t.ctx, cancel)
	release := func() { stop(); cancel() }
	res, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		release()
		return nil, err
	}
	res.Body = releaseBody{ReadCloser: res.Body, release: release}
	return res, nil
}

// releaseBody lets go of a request's context when its body is closed.
type releaseBody struct {
	io.ReadCloser
	release func()
}

func (b releaseBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()
	return err
}
