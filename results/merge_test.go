package results

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/warrenmq/warren/scenarios"
)

// instance writes the run directory of one instance of a shared run under
// parent: three seconds, each with one end-to-end latency of perSecond[i]
// µs, in result.json and in latency.hlog.
func instance(t *testing.T, parent, id string, start time.Time, perSecond [3]int64, acc *Accounting) string {
	t.Helper()
	dir := filepath.Join(parent, id)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := &Result{
		Schema: ResultSchema, ID: "shared", Scenario: &scenarios.Scenario{Name: "greenhouse"},
		Environment: Environment{InstanceID: id},
		StartedAt:   start, EndedAt: start.Add(4 * time.Second),
		Duration:  scenarios.Duration(3 * time.Second),
		Summary:   Summary{TargetRate: 1, Published: 3, Confirmed: 3, Consumed: 3},
		Integrity: Integrity{Partial: true},
		Warnings: []string{
			"this is one instance of a shared run: its counts do not balance alone",
			"something about " + id,
		},
		Events:    []Event{{At: start.Add(time.Second), Kind: EventError, Message: "a hiccup"}},
		Consumers: []ConsumerDeliveries{{Tag: "warren-" + id + "-workers-0", Group: "workers", Queue: "q", Delivered: 3}},
	}
	f, err := os.Create(filepath.Join(dir, HlogFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	hw, err := NewHlogWriter(f, start)
	if err != nil {
		t.Fatal(err)
	}
	total := NewLatencyHistogram()
	for i, v := range perSecond {
		h := NewLatencyHistogram()
		if err := h.RecordValue(v); err != nil {
			t.Fatal(err)
		}
		from := start.Add(time.Duration(i) * time.Second)
		if err := hw.WriteInterval(MetricEndToEnd, from, from.Add(time.Second), h); err != nil {
			t.Fatal(err)
		}
		total.Merge(h)
		r.Series = append(r.Series, Second{T: i + 1, Published: 1, Confirmed: 1, Consumed: 1, EndToEndP50: v, EndToEndP99: v, EndToEndMax: v})
	}
	if err := r.SetHistogram(MetricEndToEnd, total); err != nil {
		t.Fatal(err)
	}
	r.Accounting = acc
	rd := &RunDir{dir: dir, partial: dir, committed: true}
	if err := rd.WriteResult(r); err != nil {
		t.Fatal(err)
	}
	return dir
}

func sharedAccounting(id string, pub uint64, ended time.Time, received ...ReceivedSeqs) *Accounting {
	return &Accounting{
		Schema: AccountingSchema, RunID: "shared", InstanceID: id, EndedAt: ended,
		Publishers: []PublisherAccount{{ID: pub, Expected: map[string]int64{"q": 3}}},
		Queues:     []QueueAccount{{Queue: "q", Received: received}},
	}
}

func TestMerge(t *testing.T) {
	parent := t.TempDir()
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	pubA, pubB := uint64(0xa)<<32, uint64(0xb)<<32
	// Each instance consumed some of the other's messages.
	a := instance(t, parent, "a", t0, [3]int64{100, 200, 300}, sharedAccounting("a", pubA, t0.Add(4*time.Second),
		ReceivedSeqs{Publisher: pubA, Seqs: seqs([2]uint64{0, 1})}, ReceivedSeqs{Publisher: pubB, Seqs: seqs([2]uint64{0, 0})}))
	b := instance(t, parent, "b", t0.Add(time.Second), [3]int64{1000, 2000, 3000}, sharedAccounting("b", pubB, t0.Add(5*time.Second),
		ReceivedSeqs{Publisher: pubA, Seqs: seqs([2]uint64{2, 2})}, ReceivedSeqs{Publisher: pubB, Seqs: seqs([2]uint64{1, 2})}))

	r, err := Merge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if r.Environment.InstanceID != "a,b" || !r.StartedAt.Equal(t0) || r.Duration.Std() != 4*time.Second {
		t.Errorf("merged run: instances %q, started %s, lasted %s", r.Environment.InstanceID, r.StartedAt, r.Duration)
	}
	if s := r.Summary; s.Published != 6 || s.Consumed != 6 || s.TargetRate != 2 || s.PublishRate != 1.5 {
		t.Errorf("summary %+v", s)
	}
	if in := r.Integrity; in.Expected != 6 || in.Received != 6 || in.Lost != 0 || in.Partial {
		t.Errorf("integrity %+v, want every copy received and a whole verdict", in)
	}
	if l := r.Latency[MetricEndToEnd]; l.Count != 6 || l.Min != 100 || !within(l.Max, 3000) {
		t.Errorf("end-to-end latency %+v", l)
	}
	if h, err := r.Histogram(MetricEndToEnd); err != nil || h.TotalCount() != 6 {
		t.Errorf("merged histogram: %v", err)
	}
	// On the common clock b's first second is a's second: the counts add,
	// and the percentiles come from the merged interval histograms.
	want := []Second{
		{T: 1, Published: 1, Confirmed: 1, Consumed: 1, EndToEndP50: 100, EndToEndP99: 100, EndToEndMax: 100},
		{T: 2, Published: 2, Confirmed: 2, Consumed: 2, EndToEndP50: 200, EndToEndP99: 1000, EndToEndMax: 1000},
		{T: 3, Published: 2, Confirmed: 2, Consumed: 2, EndToEndP50: 300, EndToEndP99: 2000, EndToEndMax: 2000},
		{T: 4, Published: 1, Confirmed: 1, Consumed: 1, EndToEndP50: 3000, EndToEndP99: 3000, EndToEndMax: 3000},
	}
	if len(r.Series) != len(want) {
		t.Fatalf("series %+v, want %+v", r.Series, want)
	}
	for i, s := range r.Series {
		w := want[i]
		if s.T != w.T || s.Published != w.Published || s.Consumed != w.Consumed ||
			!within(s.EndToEndP50, w.EndToEndP50) || !within(s.EndToEndP99, w.EndToEndP99) || !within(s.EndToEndMax, w.EndToEndMax) {
			t.Errorf("second %d: %+v, want %+v", i+1, s, w)
		}
	}
	// Each instance's consumers are consumers of the merged run.
	if len(r.Consumers) != 2 || r.Consumers[0].Tag != "warren-a-workers-0" || r.Consumers[1].Tag != "warren-b-workers-0" {
		t.Errorf("consumers %+v", r.Consumers)
	}
	joined := strings.Join(r.Warnings, "\n")
	if strings.Contains(joined, "one instance of a shared run") || !strings.Contains(joined, "instance a: something about a") ||
		!strings.Contains(joined, "instance b: something about b") {
		t.Errorf("warnings:\n%s", joined)
	}
	if len(r.Events) != 2 || r.Events[0].Message != "instance a: a hiccup" {
		t.Errorf("events %+v", r.Events)
	}

	var buf bytes.Buffer
	wrote, err := MergeHlogs(&buf, r.StartedAt, a, b)
	if err != nil || !wrote {
		t.Fatalf("MergeHlogs: %v, %v", wrote, err)
	}
	var counts []int64
	lr := hdrhistogram.NewHistogramLogReader(&buf)
	for {
		h, err := lr.NextIntervalHistogram()
		if err != nil && !errors.Is(err, io.EOF) {
			t.Fatal(err)
		}
		if h == nil {
			break
		}
		counts = append(counts, h.TotalCount())
	}
	if len(counts) != 4 || counts[0] != 1 || counts[1] != 2 || counts[2] != 2 || counts[3] != 1 {
		t.Errorf("merged latency.hlog intervals hold %v values, want [1 2 2 1]", counts)
	}
	if wrote, err := MergeHlogs(io.Discard, t0, t.TempDir()); wrote || err != nil {
		t.Errorf("MergeHlogs without a log: %v, %v; want nothing written", wrote, err)
	}
}

// within says whether an HdrHistogram figure is v to its precision.
func within(got, v int64) bool {
	return NewLatencyHistogram().ValuesAreEquivalent(got, v)
}

func TestMergeRefuses(t *testing.T) {
	parent := t.TempDir()
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	a := instance(t, parent, "a", t0, [3]int64{1, 2, 3}, sharedAccounting("a", 1<<32, t0))
	noAcc := instance(t, parent, "old", t0, [3]int64{1, 2, 3}, nil)
	other := instance(t, parent, "other", t0, [3]int64{1, 2, 3}, sharedAccounting("other", 2<<32, t0))
	r, err := ReadResult(filepath.Join(other, ResultFile))
	if err != nil {
		t.Fatal(err)
	}
	r.Scenario.Name = "another"
	if err := r.WriteFile(filepath.Join(other, ResultFile)); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		dirs []string
		want string
	}{
		"one directory":  {[]string{a}, "two or more"},
		"no result":      {[]string{a, t.TempDir()}, "merge finished runs"},
		"no accounting":  {[]string{a, noAcc}, "without merge support"},
		"another":        {[]string{a, other}, "merge instances of one scenario"},
		"the same twice": {[]string{a, a}, "appears twice"},
	} {
		if _, err := Merge(tc.dirs...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", name, err, tc.want)
		}
	}
}
