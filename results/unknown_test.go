package results

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/warrenmq/warren/scenarios"
)

// A queue the broker could not be asked about at the end holds unknown
// copies, never lost or unconsumed ones; a queue it answered for keeps the
// usual split; a queue it said was gone has lost what it did not deliver.
func TestIntegrityUnknownWhenTheBrokerCouldNotBeAsked(t *testing.T) {
	pub := uint64(0xa) << 32
	a := &Accounting{
		Schema: AccountingSchema, RunID: "r", InstanceID: "a",
		Publishers: []PublisherAccount{{ID: pub, Expected: map[string]int64{"down": 100, "up": 100, "gone": 100}}},
		Queues: []QueueAccount{
			{Queue: "down", Leftover: 0, LeftoverUnknown: "connection refused", Received: []ReceivedSeqs{{Publisher: pub, Seqs: seqs([2]uint64{0, 59})}}},
			{Queue: "gone", Gone: true, Received: []ReceivedSeqs{{Publisher: pub, Seqs: seqs([2]uint64{0, 89})}}},
			{Queue: "up", Leftover: 15, Received: []ReceivedSeqs{{Publisher: pub, Seqs: seqs([2]uint64{0, 79})}}},
		},
	}
	in := a.Integrity()
	if in.Unknown != 40 || in.Lost != 5+10 || in.Unconsumed != 15 || in.Received != 60+90+80 {
		t.Fatalf("integrity %+v: want 40 unknown (down), 15 lost (5 up, 10 gone), 15 unconsumed (up)", in)
	}
	byName := map[string]QueueIntegrity{}
	for _, q := range in.Queues {
		byName[q.Queue] = q
	}
	if q := byName["down"]; q.Unknown != 40 || q.Lost != 0 || q.Unconsumed != 0 || q.UnknownWhy != "connection refused" {
		t.Errorf("queue down: %+v", q)
	}
	if q := byName["gone"]; !q.Gone || q.Lost != 10 || q.Unknown != 0 {
		t.Errorf("queue gone: %+v", q)
	}

	// accounting.json (what merge reads) and result.json (what report
	// reads) keep the distinction.
	dir := t.TempDir()
	if err := a.WriteFile(filepath.Join(dir, AccountingFile)); err != nil {
		t.Fatal(err)
	}
	back, err := ReadAccounting(filepath.Join(dir, AccountingFile))
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Integrity(); !reflect.DeepEqual(got, in) {
		t.Errorf("integrity from accounting.json %+v, want %+v", got, in)
	}
	res := &Result{Schema: ResultSchema, Scenario: &scenarios.Scenario{}, Integrity: in, Summary: Summary{Unsent: 7}}
	if err := res.WriteFile(filepath.Join(dir, ResultFile)); err != nil {
		t.Fatal(err)
	}
	read, err := ReadResult(filepath.Join(dir, ResultFile))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(read.Integrity, in) || read.Summary.Unsent != 7 {
		t.Errorf("result.json gave back %+v, unsent %d", read.Integrity, read.Summary.Unsent)
	}

	// The verdict says the broker could not be asked and why, and does
	// not call the unknown copies lost.
	r := &Result{Scenario: &scenarios.Scenario{}, Integrity: in}
	w := strings.Join(r.Judge(), "\n")
	for _, want := range []string{"40 confirmed copies are unknown", "could not be asked", "queue down (connection refused)", "15 confirmed messages were lost", "queue gone no longer existed"} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings lack %q:\n%s", want, w)
		}
	}
}

// Merged, the leftover comes from the instance that ended last: when that
// one could not ask the broker, the undelivered copies are unknown even if
// an earlier instance got an answer.
func TestMergeKeepsTheLastInstancesUnknown(t *testing.T) {
	pubA, pubB := uint64(0xa)<<32, uint64(0xb)<<32
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	a := &Accounting{
		Schema: AccountingSchema, RunID: "r", InstanceID: "a", EndedAt: t0,
		Publishers: []PublisherAccount{{ID: pubA, Expected: map[string]int64{"q": 50}}},
		Queues:     []QueueAccount{{Queue: "q", Leftover: 3, Received: []ReceivedSeqs{{Publisher: pubA, Seqs: seqs([2]uint64{0, 39})}}}},
	}
	b := &Accounting{
		Schema: AccountingSchema, RunID: "r", InstanceID: "b", EndedAt: t0.Add(time.Second),
		Publishers: []PublisherAccount{{ID: pubB, Expected: map[string]int64{"q": 50}}},
		Queues:     []QueueAccount{{Queue: "q", LeftoverUnknown: "timed out", Received: []ReceivedSeqs{{Publisher: pubB, Seqs: seqs([2]uint64{0, 49})}}}},
	}
	m, err := mergeAccounting(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if in := m.Integrity(); in.Unknown != 10 || in.Lost != 0 || in.Unconsumed != 0 || in.Queues[0].UnknownWhy != "timed out" {
		t.Fatalf("merged: %+v", in)
	}
	// The other way round, the last instance's answer decides.
	a.EndedAt, b.EndedAt = b.EndedAt, a.EndedAt
	m, err = mergeAccounting(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if in := m.Integrity(); in.Unknown != 0 || in.Lost != 7 || in.Unconsumed != 3 {
		t.Fatalf("merged with the answer last: %+v", in)
	}
}

func TestJudgeCountsUnsent(t *testing.T) {
	r := &Result{Scenario: &scenarios.Scenario{}, Summary: Summary{Unsent: 8198}}
	w := strings.Join(r.Judge(), "\n")
	if !strings.Contains(w, "8,198 messages due by the rate schedule were never sent") || !strings.Contains(w, "lower bound") {
		t.Errorf("warnings: %s", w)
	}
}
