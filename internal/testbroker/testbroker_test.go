package testbroker

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestURIs(t *testing.T) {
	t.Setenv(EnvURI, "")
	t.Setenv(EnvManagementURI, "")
	if got := URI(); got != DefaultURI {
		t.Errorf("URI() = %q, want %q", got, DefaultURI)
	}
	if got := ManagementURI(); got != DefaultManagementURI {
		t.Errorf("ManagementURI() = %q, want %q", got, DefaultManagementURI)
	}
	t.Setenv(EnvURI, "amqp://u:p@broker:5673/v")
	t.Setenv(EnvManagementURI, "http://u:p@broker:15673/")
	if got := URI(); got != "amqp://u:p@broker:5673/v" {
		t.Errorf("URI() with %s set = %q", EnvURI, got)
	}
	if got := ManagementURI(); got != "http://u:p@broker:15673/" {
		t.Errorf("ManagementURI() with %s set = %q", EnvManagementURI, got)
	}
}

func TestRequireDials(t *testing.T) {
	uri := Require(t)
	conn, err := dial(uri)
	if err != nil {
		t.Fatalf("Require returned %s, which does not dial: %v", redact(uri), err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatalf("opening a channel: %v", err)
	}
	_ = ch.Close()
}

// recordingTB stands in for a test so that Skipf and Fatalf can be observed.
// Like the real ones, they end the calling goroutine.
type recordingTB struct {
	testing.TB
	skipped, failed string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recordingTB) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls f with a recordingTB in a goroutine of its own, which Skipf and
// Fatalf end.
func run(t *testing.T, f func(testing.TB)) *recordingTB {
	r := &recordingTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

// closedPortURI points at a loopback port that nothing listens on: port 1
// (tcpmux) is privileged and unused on any machine that runs these tests.
const closedPortURI = "amqp://guest:secret@127.0.0.1:1/"

func TestRequireWithoutBroker(t *testing.T) {
	t.Setenv(EnvURI, closedPortURI)

	t.Setenv("CI", "")
	r := run(t, func(tb testing.TB) { Require(tb) })
	if r.skipped == "" || r.failed != "" {
		t.Errorf("outside CI: skipped %q, failed %q; want a skip", r.skipped, r.failed)
	}
	if strings.Contains(r.skipped, "secret") {
		t.Errorf("skip message shows the password: %q", r.skipped)
	}

	t.Setenv("CI", "true")
	r = run(t, func(tb testing.TB) { Require(tb) })
	if r.failed == "" || r.skipped != "" {
		t.Errorf("with CI=true: skipped %q, failed %q; want a failure", r.skipped, r.failed)
	}
	if !strings.Contains(r.failed, "make broker") {
		t.Errorf("CI failure does not say how to start a broker: %q", r.failed)
	}
}

func TestStartPrivateWithoutRabbitMQ(t *testing.T) {
	t.Setenv(EnvRabbitMQHome, t.TempDir())
	if _, err := StartPrivateNode(""); err == nil || !strings.Contains(err.Error(), EnvRabbitMQHome) {
		t.Fatalf("StartPrivateNode with an empty %s: err = %v, want ErrNotInstalled", EnvRabbitMQHome, err)
	}

	t.Setenv("CI", "")
	if r := run(t, func(tb testing.TB) { StartPrivate(tb) }); r.skipped == "" {
		t.Errorf("outside CI: skipped %q, failed %q; want a skip", r.skipped, r.failed)
	}
	t.Setenv("CI", "true")
	if r := run(t, func(tb testing.TB) { StartPrivate(tb) }); r.failed == "" {
		t.Errorf("with CI=true: skipped %q, failed %q; want a failure", r.skipped, r.failed)
	}
	var s Shared
	if r := run(t, func(tb testing.TB) { s.Node(tb) }); r.failed == "" {
		t.Errorf("Shared with CI=true: skipped %q, failed %q; want a failure", r.skipped, r.failed)
	}
}

func TestUniqueName(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		n := UniqueName(t, "warren")
		if seen[n] {
			t.Fatalf("UniqueName repeated %q", n)
		}
		seen[n] = true
		if !strings.HasPrefix(n, "warren-TestUniqueName-") {
			t.Fatalf("UniqueName(t, %q) = %q", "warren", n)
		}
	}
	t.Run("sub test/with spaces#1", func(t *testing.T) {
		n := UniqueName(t, "q.")
		if !strings.HasPrefix(n, "q.TestUniqueName-sub_test-with_spaces-1-") {
			t.Errorf("UniqueName in a subtest = %q", n)
		}
	})
	t.Run(strings.Repeat("long", 30), func(t *testing.T) {
		if n := UniqueName(t, "warren"); len(n) > 100 {
			t.Errorf("UniqueName is %d bytes long: %q", len(n), n)
		}
	})
}

func TestSanitize(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"TestX", "TestX"},
		{"TestX/sub", "TestX-sub"},
		{"TestX/a b//c", "TestX-a-b-c"},
		{"Test/ünïcode", "Test-n-code"},
		{"//", ""},
		{"Test-", "Test"},
	} {
		if got := sanitize(c.in); got != c.want {
			t.Errorf("sanitize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestAppName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"rabbit-3.10.8", "rabbit"},
		{"rabbitmq_management-3.10.8", "rabbitmq_management"},
		{"gen_batch_server-0.8.8", "gen_batch_server"},
		{"rabbitmq_web_mqtt_examples-3.10.8", "rabbitmq_web_mqtt_examples"},
		{"noversion", "noversion"},
		{"odd-name", "odd-name"},
	} {
		if got := appName(c.in); got != c.want {
			t.Errorf("appName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestAppDeps(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.app")
	app := `{application, 'x', [
	{description, "x"},
	{applications, [kernel,stdlib,
	    'quoted', ranch]},
	{included_applications, []},
	{optional_applications, [opt]},
	{env, [{listeners, [5672]}]}
]}.`
	if err := os.WriteFile(path, []byte(app), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := appDeps(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "kernel,stdlib,quoted,ranch,opt"
	if strings.Join(got, ",") != want {
		t.Errorf("appDeps = %v, want %s", got, want)
	}
}
