package main

import (
	"path/filepath"
	"testing"

	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// TestEveryBuiltinRuns runs each built-in scenario for real, briefly, with
// its names prefixed so it shares nothing with other tests, and checks that
// messages went through and none were lost.
func TestEveryBuiltinRuns(t *testing.T) {
	uri := testbroker.Require(t)
	for _, name := range scenarios.BuiltinNames() {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), name)
			prefix := testbroker.UniqueName(t, "builtin") + "."
			code, stdout, stderr := runCLI(t, map[string]string{"WARREN_URI": uri},
				"run", name, "--duration", "3s", "--quiet", "--no-report", "--prefix", prefix, "--cleanup", "--out", dir)
			if code != exitOK {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			res, err := results.ReadResult(filepath.Join(dir, "result.json"))
			if err != nil {
				t.Fatal(err)
			}
			if res.Summary.Published == 0 || res.Summary.Consumed == 0 {
				t.Errorf("published %d, consumed %d", res.Summary.Published, res.Summary.Consumed)
			}
			in := res.Integrity
			if in.Lost != 0 || in.Duplicated != 0 || in.Expected == 0 {
				t.Errorf("integrity %+v", in)
			}
			// The broker's routing must agree with warren's matcher queue by
			// queue: what a queue got beyond the matcher's expectation can
			// only have come through dead-lettering.
			var extra int64
			for _, q := range in.Queues {
				// Under a loaded machine slow consumers may leave copies in
				// the queue at the end: late, but accounted for.
				if got := q.Received + q.Unconsumed; got < q.Expected {
					t.Errorf("queue %s received %d and still held %d of %d expected copies", q.Queue, q.Received, q.Unconsumed, q.Expected)
				}
				extra += q.Received + q.Unconsumed - q.Expected
			}
			// Dead-lettered copies also count those still in a dead-letter
			// queue when the run ended (the last rejects, on a busy
			// machine), which a queue's unconsumed count leaves out.
			if extra > in.DeadLettered {
				t.Errorf("queues received %d copies the routing did not send, only %d of them dead-lettered", extra, in.DeadLettered)
			}
			switch name {
			case "alerts":
				// Debug alerts match no binding; published mandatory, they
				// come back as basic.return.
				if res.Summary.Returned == 0 {
					t.Errorf("alerts: no unroutable message came back (returned %d)", res.Summary.Returned)
				}
			case "backlog-drain":
				// The burst outpaces the consumers: a backlog must build.
				peak := int64(0)
				for _, smp := range res.Broker.Samples {
					for _, q := range smp.Queues {
						peak = max(peak, q.Ready)
					}
				}
				if peak < 500 {
					t.Errorf("backlog-drain built a backlog of only %d ready messages", peak)
				}
			}
		})
	}
}
