// Package testbroker gives warren's tests a RabbitMQ broker.
//
// Most integration tests use the shared broker that `make broker`
// (scripts/broker.sh) keeps running on 127.0.0.1:5672: call [Require] at the
// top of the test and name queues and exchanges with [UniqueName], so that
// tests running at the same time, in several packages, never see each other's
// topology. Outside CI a missing broker skips the test with a message; with
// CI=true it fails the test, because a green CI run that skipped every
// integration test would prove nothing.
//
// Tests that stop, block, purge or restart a broker must never do that to the
// shared one. They start a private node with [StartPrivate]: a separate
// RabbitMQ node run from the installed rabbitmq-server, with its own name,
// ports and data directory, removed when the test ends. A node takes several
// seconds to boot, so a package with several such tests shares one node
// through a package-level [Shared] (see its documentation).
//
// The package keeps no state of its own: every value lives in a [Node] or a
// [Shared] owned by the caller.
//
// Environment:
//   - WARREN_TEST_URI, WARREN_TEST_MANAGEMENT_URI: another shared broker.
//   - CI=true: a missing broker or RabbitMQ installation fails tests.
//   - WARREN_TEST_RABBITMQ_HOME: the RabbitMQ installation private nodes run
//     from (the directory with sbin/ and plugins/), if not found on PATH or
//     in Debian's /usr/lib/rabbitmq.
//   - WARREN_TEST_RABBITMQ_TRIM=0: run private nodes from the installation
//     as it is, without the faster view that holds only the plugins needed.
package testbroker

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Environment variables that point the tests at another broker.
const (
	EnvURI           = "WARREN_TEST_URI"
	EnvManagementURI = "WARREN_TEST_MANAGEMENT_URI"
)

// Defaults match what scripts/broker.sh provides.
const (
	DefaultURI           = "amqp://guest:guest@127.0.0.1:5672/"
	DefaultManagementURI = "http://guest:guest@127.0.0.1:15672/"
)

// dialTimeout bounds the probe in Require: a broker on loopback answers in
// milliseconds, and a test run should not hang for amqp091's 30 s default
// when nothing listens.
const dialTimeout = 3 * time.Second

// URI returns the AMQP URI of the shared test broker: $WARREN_TEST_URI, or
// DefaultURI.
func URI() string {
	if v := os.Getenv(EnvURI); v != "" {
		return v
	}
	return DefaultURI
}

// ManagementURI returns the base URI of the shared broker's management API:
// $WARREN_TEST_MANAGEMENT_URI, or DefaultManagementURI.
func ManagementURI() string {
	if v := os.Getenv(EnvManagementURI); v != "" {
		return v
	}
	return DefaultManagementURI
}

// Require returns URI() after checking that a broker answers there. When it
// does not, the test is skipped, or failed when CI=true.
func Require(t testing.TB) string {
	t.Helper()
	uri := URI()
	conn, err := dial(uri)
	if err != nil {
		unavailable(t, fmt.Sprintf("no RabbitMQ answers at %s (%v)", redact(uri), err),
			"start one with `make broker` (scripts/broker.sh) or set "+EnvURI)
	}
	_ = conn.Close()
	return uri
}

// inCI reports whether the tests run in CI, where a missing broker is a
// failure rather than a reason to skip.
func inCI() bool { return os.Getenv("CI") == "true" }

// unavailable skips the test, or fails it in CI, saying what is missing and
// how to provide it.
func unavailable(t testing.TB, problem, remedy string) {
	t.Helper()
	if inCI() {
		t.Fatalf("testbroker: %s; a broker is required when CI=true: %s", problem, remedy)
	}
	t.Skipf("testbroker: %s; skipping (%s)", problem, remedy)
}

func dial(uri string) (*amqp.Connection, error) {
	return amqp.DialConfig(uri, amqp.Config{Dial: amqp.DefaultDial(dialTimeout)})
}

// redact hides the password of a URI for messages.
func redact(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return "(unparsable URI)"
	}
	return u.Redacted()
}

// maxNamePart keeps names well under RabbitMQ's 255-byte limit for queue and
// exchange names even with a long prefix.
const maxNamePart = 80

// UniqueName returns a queue or exchange name that no other test, and no other
// test process, uses: prefix, the test's name made safe for RabbitMQ and
// for reading in the management UI, and a random suffix. Example:
// UniqueName(t, "warren") in TestRun/confirms gives
// "warren-TestRun-confirms-5f0c9a1e".
func UniqueName(t testing.TB, prefix string) string {
	t.Helper()
	var b strings.Builder
	if prefix != "" {
		b.WriteString(prefix)
		if !strings.ContainsRune("-._:", rune(prefix[len(prefix)-1])) {
			b.WriteByte('-')
		}
	}
	if name := sanitize(t.Name()); name != "" {
		b.WriteString(name)
		b.WriteByte('-')
	}
	b.WriteString(randomHex(4))
	return b.String()
}

// sanitize keeps letters, digits, '.', '_' and '-' and turns runs of anything
// else (the '/' of subtests, spaces, '#') into one '-'.
func sanitize(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
		switch {
		case ok:
			b.WriteRune(r)
			dash = r == '-'
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= maxNamePart {
			break
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// randomHex returns 2n random hex digits. crypto/rand never fails on the
// platforms Go supports (it panics instead), so there is no error to return.
func randomHex(n int) string {
	buf := make([]byte, n)
	_, _ = rand.Read(buf)
	return hex.EncodeToString(buf)
}
