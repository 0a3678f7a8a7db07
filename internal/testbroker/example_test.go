package testbroker_test

import (
	"fmt"
	"os"
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/warrenmq/warren/internal/testbroker"
)

// The helpers take the test's testing.TB. So that these examples run (and
// their output is checked), demoT stands in for a test: it prints what a
// test would skip or fail on, and stops the test body as t.Skip and
// t.Fatal do.
type demoT struct {
	testing.TB
	name string
}

// endTest is the panic with which demoT stops a test body.
type endTest struct{}

func (d *demoT) Helper()      {}
func (d *demoT) Name() string { return d.name }
func (d *demoT) Skipf(format string, args ...any) {
	fmt.Printf("skip: "+format+"\n", args...)
	panic(endTest{})
}
func (d *demoT) Fatalf(format string, args ...any) {
	fmt.Printf("fail: "+format+"\n", args...)
	panic(endTest{})
}
func (d *demoT) Fatal(args ...any) { d.Fatalf("%s", fmt.Sprint(args...)) }

// runTest calls body as the test runner would call a test named name.
func runTest(name string, body func(t testing.TB)) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(endTest); !ok {
				panic(r)
			}
		}
	}()
	body(&demoT{name: name})
}

// withEnv sets environment variables for the example and returns a function
// that restores them.
func withEnv(vars map[string]string) (restore func()) {
	old := map[string]*string{}
	for k, v := range vars {
		if prev, ok := os.LookupEnv(k); ok {
			old[k] = &prev
		} else {
			old[k] = nil
		}
		os.Setenv(k, v)
	}
	return func() {
		for k, v := range old {
			if v == nil {
				os.Unsetenv(k)
			} else {
				os.Setenv(k, *v)
			}
		}
	}
}

// Queue and exchange names come from UniqueName, so that tests running at
// the same time, in several packages, never share topology.
func ExampleUniqueName() {
	runTest("TestRun/confirms", func(t testing.TB) {
		name := testbroker.UniqueName(t, "warren")
		const random = len("5f0c9a1e")
		fmt.Println(name[:len(name)-random], len(name))
	})
	// Output: warren-TestRun-confirms- 32
}

// An integration test against the shared broker calls Require first. Where
// no broker answers (here WARREN_TEST_URI names a port where nothing
// listens), the test is skipped and says how to get one; with CI=true it
// fails instead.
func ExampleRequire() {
	defer withEnv(map[string]string{testbroker.EnvURI: "amqp://guest:guest@127.0.0.1:1/", "CI": ""})()
	runTest("TestQueue", func(t testing.TB) {
		uri := testbroker.Require(t)
		conn, err := amqp.Dial(uri)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Println("testing against", uri)
		// ... declare a queue named with UniqueName, publish, consume ...
	})
	// Output:
	// skip: testbroker: no RabbitMQ answers at amqp://guest:xxxxx@127.0.0.1:1/ (dial tcp 127.0.0.1:1: connect: connection refused); skipping (start one with `make broker` (scripts/broker.sh) or set WARREN_TEST_URI)
}

// A test that restarts, kills or blocks a broker does it to a private node,
// never to the shared one. Where RabbitMQ is not installed (here
// WARREN_TEST_RABBITMQ_HOME names a directory without it), the test is
// skipped and says how to install it; with CI=true it fails instead.
func ExampleStartPrivate() {
	defer withEnv(map[string]string{testbroker.EnvRabbitMQHome: "/nonexistent", "CI": ""})()
	runTest("TestRestart", func(t testing.TB) {
		n := testbroker.StartPrivate(t) // stopped and removed when t ends
		// ... declare a durable queue on n.URI(), publish persistently ...
		if err := n.Restart(); err != nil {
			t.Fatal(err)
		}
		fmt.Println("restarted", n.Name())
	})
	// Output:
	// skip: testbroker: rabbitmq-server is not installed: WARREN_TEST_RABBITMQ_HOME=/nonexistent has no sbin/rabbitmq-server and plugins/; skipping (install it (`make broker` does, as root) or set WARREN_TEST_RABBITMQ_HOME)
}
