package results

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func seqs(ranges ...[2]uint64) *SeqSet {
	s := &SeqSet{}
	for _, r := range ranges {
		s.AddRange(r[0], r[1])
	}
	return s
}

// Two instances of one shared run on one queue: each publisher's messages
// are consumed partly by its own instance and partly by the other's. Alone,
// neither instance balances; merged, every message is accounted for.
func TestMergeAccountingAcrossInstances(t *testing.T) {
	pubA, pubB := uint64(0xa)<<32, uint64(0xb)<<32 // publisher 0 of instances a and b
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	a := &Accounting{
		Schema: AccountingSchema, RunID: "r1", InstanceID: "a", EndedAt: t0,
		Publishers: []PublisherAccount{{ID: pubA, Expected: map[string]int64{"q": 100}, NotAcked: []uint64{100}, Unconfirmed: 1}},
		Queues: []QueueAccount{{Queue: "q", Leftover: 9, Received: []ReceivedSeqs{
			{Publisher: pubA, Seqs: seqs([2]uint64{0, 59})},
			{Publisher: pubB, Seqs: seqs([2]uint64{0, 29})},
		}}},
	}
	b := &Accounting{
		Schema: AccountingSchema, RunID: "r1", InstanceID: "b", EndedAt: t0.Add(time.Second),
		Publishers: []PublisherAccount{{ID: pubB, Expected: map[string]int64{"q": 50}}},
		Queues: []QueueAccount{{Queue: "q", Leftover: 0, Received: []ReceivedSeqs{
			// pubA's 60..99 and the unconfirmed 100; 59 a second time.
			{Publisher: pubA, Seqs: seqs([2]uint64{59, 100})},
			{Publisher: pubB, Seqs: seqs([2]uint64{30, 49})},
		}}},
	}
	if in := a.Integrity(); in.Lost == 0 {
		t.Fatalf("instance a alone should look lossy (b consumed some of its messages): %+v", in)
	}
	m, err := mergeAccounting(a, b)
	if err != nil {
		t.Fatal(err)
	}
	in := m.Integrity()
	want := Integrity{Expected: 150, Received: 150, Duplicated: 1, Unconfirmed: 1}
	if in.Expected != want.Expected || in.Received != want.Received || in.Lost != 0 || in.Unconsumed != 0 ||
		in.Duplicated != want.Duplicated || in.Unconfirmed != want.Unconfirmed || in.Foreign != 0 {
		t.Fatalf("merged integrity %+v, want %+v", in, want)
	}
	if m.InstanceID != "a,b" || len(m.Publishers) != 2 {
		t.Fatalf("merged instances %q with %d publishers", m.InstanceID, len(m.Publishers))
	}

	// Without b's deliveries of pubA's 60..99, forty are missing; the
	// leftover comes from the instance that ended last (b: 0), so they are
	// lost, not unconsumed.
	b.Queues[0].Received[0].Seqs = seqs([2]uint64{100, 100})
	m, err = mergeAccounting(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if in := m.Integrity(); in.Lost != 40 || in.Received != 110 || in.Duplicated != 0 {
		t.Fatalf("with 40 missing: %+v", in)
	}
}

func TestMergeAccountingRefusesMismatches(t *testing.T) {
	pub := uint64(0xa) << 32
	mk := func(run, inst string) *Accounting {
		return &Accounting{Schema: AccountingSchema, RunID: run, InstanceID: inst,
			Publishers: []PublisherAccount{{ID: pub}}}
	}
	for name, c := range map[string]struct {
		parts []*Accounting
		want  string
	}{
		"other run":          {[]*Accounting{mk("r1", "a"), mk("r2", "b")}, "--run-id"},
		"same instance":      {[]*Accounting{mk("r1", "a"), mk("r1", "a")}, "appears twice"},
		"same publisher ids": {[]*Accounting{mk("r1", "a"), mk("r1", "b")}, "hash alike"},
		"nothing":            {nil, "nothing to merge"},
	} {
		if _, err := mergeAccounting(c.parts...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", name, err, c.want)
		}
	}
}

func TestAccountingFileRoundTrip(t *testing.T) {
	a := &Accounting{Schema: AccountingSchema, RunID: "r", InstanceID: "i",
		Publishers: []PublisherAccount{{ID: 7, Expected: map[string]int64{"q": 3}}},
		Queues:     []QueueAccount{{Queue: "q", Received: []ReceivedSeqs{{Publisher: 7, Seqs: seqs([2]uint64{0, 1}, [2]uint64{5, 5})}}}},
	}
	path := filepath.Join(t.TempDir(), AccountingFile)
	if err := a.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	back, err := ReadAccounting(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Queues[0].Received[0].Seqs; got.Len() != 3 || !got.Contains(5) || got.Contains(2) {
		t.Fatalf("read back %d seqs", got.Len())
	}
	if in := back.Integrity(); in.Expected != 3 || in.Received != 3 || in.Lost != 0 {
		t.Fatalf("integrity after the round trip: %+v", in)
	}
}
