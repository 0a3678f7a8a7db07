package testbroker

import (
	"errors"
	"sync"
	"testing"
)

// Shared is one private node shared by the tests of a package: it starts on
// the first call to Node, so running only tests that do not need it costs
// nothing, and TestMain closes it. Declare it in the test package (the zero
// value is ready) and close it after the tests:
//
//	var broker testbroker.Shared
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		broker.Close()
//		os.Exit(code)
//	}
//
//	func TestSurvivesRestart(t *testing.T) {
//		n := broker.Node(t)
//		q := testbroker.UniqueName(t, "warren")
//		// ... declare q on n.URI(), n.Restart(), check ...
//	}
//
// Tests sharing a node must name what they declare with UniqueName, must not
// assume an empty broker, and must leave the node running (Restart, not Stop,
// or Stop then Start); Node starts a node a test left stopped. Tests that need
// a pristine broker use StartPrivate.
type Shared struct {
	mu   sync.Mutex
	node *Node
	err  error // the first start's failure, reported to every caller
}

// Node returns the shared node, starting it on first use. It skips or fails
// the test as StartPrivate does when the node cannot start.
func (s *Shared) Node(t testing.TB) *Node {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.node == nil && s.err == nil {
		s.node, s.err = StartPrivateNode("")
	}
	if s.err != nil {
		if errors.Is(s.err, ErrNotInstalled) {
			unavailable(t, s.err.Error(), "install it (`make broker` does, as root) or set "+EnvRabbitMQHome)
		}
		t.Fatalf("testbroker: shared node: %v", s.err)
	}
	// A test that stopped the node and failed before starting it again
	// must not break the next one.
	if err := s.node.Start(); err != nil {
		t.Fatalf("testbroker: restarting shared node: %v", err)
	}
	return s.node
}

// Close stops the shared node, if it was started, and removes its data.
func (s *Shared) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.node == nil {
		return nil
	}
	return s.node.Close()
}
