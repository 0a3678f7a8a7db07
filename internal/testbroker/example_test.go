package testbroker_test

import (
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/warrenmq/warren/internal/testbroker"
)

// An integration test against the shared broker: skipped outside CI when no
// broker runs, failed in CI. Queue names come from UniqueName so that tests
// never share topology.
func ExampleRequire() {
	testQueue := func(t *testing.T) {
		uri := testbroker.Require(t)
		conn, err := amqp.Dial(uri)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		ch, err := conn.Channel()
		if err != nil {
			t.Fatal(err)
		}
		q := testbroker.UniqueName(t, "warren")
		if _, err := ch.QueueDeclare(q, false, true, false, false, nil); err != nil {
			t.Fatal(err)
		}
		// ... publish, consume, assert ...
	}
	_ = testQueue
}

// A test that restarts a broker does it to a private node, never to the
// shared one.
func ExampleStartPrivate() {
	testRestart := func(t *testing.T) {
		n := testbroker.StartPrivate(t) // stopped and removed when t ends
		// ... declare a durable queue on n.URI(), publish persistently ...
		if err := n.Restart(); err != nil {
			t.Fatal(err)
		}
		out, err := n.Ctl("list_queues", "name", "messages")
		if err != nil {
			t.Fatal(err)
		}
		t.Log(out)
	}
	_ = testRestart
}
