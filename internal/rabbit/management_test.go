package rabbit

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/warrenmq/warren/internal/testbroker"
)

func TestOpenManagementRefusesABadURI(t *testing.T) {
	for _, uri := range []string{"amqp://guest:s3cret@127.0.0.1:5672/", "http://", "::"} {
		_, err := OpenManagement(context.Background(), uri, ManagementOptions{})
		var ue *ManagementURIError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "want http://") || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%q: error %v", uri, err)
		}
	}
}

func TestOpenManagementUnreachable(t *testing.T) {
	uri := "http://admin:s3cret@127.0.0.1:1/"
	_, err := OpenManagement(context.Background(), uri, ManagementOptions{Timeout: time.Second})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("error %v", err)
	}
	problem := ManagementProblem(uri, err)
	if !strings.HasPrefix(problem, "management API at http://admin:xxxxx@127.0.0.1:1/ did not answer (") ||
		!strings.Contains(ManagementFix(err), "rabbitmq-plugins enable rabbitmq_management") {
		t.Errorf("problem %q, fix %q", problem, ManagementFix(err))
	}
}

// A request that hangs ends at the timeout, and at once when the context
// it was opened with is cancelled.
func TestManagementRequestsEnd(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)

	start := time.Now()
	_, err := OpenManagement(context.Background(), srv.URL, ManagementOptions{Timeout: 200 * time.Millisecond})
	if err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("timeout: error %v after %s", err, time.Since(start))
	}

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start = time.Now()
	_, err = OpenManagement(ctx, srv.URL, ManagementOptions{})
	if err == nil || !strings.Contains(err.Error(), "canceled") || time.Since(start) > 5*time.Second {
		t.Errorf("cancel: error %v after %s", err, time.Since(start))
	}
	if _, err := OpenManagement(ctx, srv.URL, ManagementOptions{}); err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Errorf("already cancelled: error %v", err)
	}
}

func TestManagementOfTheSharedBroker(t *testing.T) {
	testbroker.Require(t)
	m, err := OpenManagement(context.Background(), testbroker.ManagementURI(), ManagementOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Skipf("management API: %v", err)
	}
	defer m.Close()
	if m.Node() == "" || m.Version() == "" || m.Erlang() == "" || m.Host() == "" || strings.Contains(m.URI(), "guest:guest") {
		t.Errorf("node %q, version %q, erlang %q, host %q, uri %q", m.Node(), m.Version(), m.Erlang(), m.Host(), m.URI())
	}
	var ov struct {
		Node string `json:"node"`
	}
	if err := m.GetJSON("/api/overview", &ov); err != nil || ov.Node != m.Node() {
		t.Errorf("GetJSON overview: %+v, %v", ov, err)
	}
	if err := m.GetJSON("/api/no-such-thing", &ov); err == nil || !strings.Contains(err.Error(), "GET /api/no-such-thing: 404") {
		t.Errorf("GetJSON of a missing path: %v", err)
	}

	// The cluster check: the same name passes, another is refused.
	cn, err := m.GetClusterName()
	if err != nil || cn.Name == "" {
		t.Skipf("cluster name: %+v, %v", cn, err)
	}
	same, err := OpenManagement(context.Background(), testbroker.ManagementURI(), ManagementOptions{Cluster: cn.Name})
	if err != nil {
		t.Fatalf("its own cluster name refused: %v", err)
	}
	same.Close()
	_, err = OpenManagement(context.Background(), testbroker.ManagementURI(), ManagementOptions{Cluster: "rabbit@elsewhere"})
	var other *OtherClusterError
	if !errors.As(err, &other) || other.Management != cn.Name || other.AMQP != "rabbit@elsewhere" {
		t.Fatalf("another cluster: %v", err)
	}
	uri := testbroker.ManagementURI()
	if p := ManagementProblem(uri, err); !strings.Contains(p, `but the AMQP URI reaches cluster "rabbit@elsewhere"`) || strings.Contains(p, "guest:guest") {
		t.Errorf("problem %q", p)
	}
	if f := ManagementFix(err); !strings.Contains(f, "--management-uri with the management address of the broker under test") {
		t.Errorf("fix %q", f)
	}
}
