package results

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSeqSetTable(t *testing.T) {
	const C = seqChunkBits
	tests := []struct {
		name      string
		add       []uint64
		dups      int // how many of add are duplicates
		lo, hi    uint64
		countIn   uint64
		missing   []uint64 // first 5 missing in [lo, hi]
		wantMax   uint64
		wantSpans int
	}{
		{"empty", nil, 0, 0, 10, 0, []uint64{0, 1, 2, 3, 4}, 0, 0},
		{"one", []uint64{5}, 0, 0, 10, 1, []uint64{0, 1, 2, 3, 4}, 5, 1},
		{"in order", []uint64{0, 1, 2, 3}, 0, 0, 5, 4, []uint64{4, 5}, 3, 1},
		{"gap", []uint64{0, 1, 3, 4}, 0, 0, 4, 4, []uint64{2}, 4, 1},
		{"reversed", []uint64{4, 3, 2, 1, 0}, 0, 0, 4, 5, nil, 4, 1},
		{"duplicates", []uint64{1, 1, 2, 2, 2}, 3, 0, 3, 2, []uint64{0, 3}, 2, 1},
		{"lo > hi", []uint64{1, 2}, 0, 2, 1, 0, nil, 2, 1},
		{"single point present", []uint64{7}, 0, 7, 7, 1, nil, 7, 1},
		{"single point absent", []uint64{7}, 0, 8, 8, 0, []uint64{8}, 7, 1},
		{"two chunks", []uint64{C - 1, C}, 0, C - 2, C + 1, 2, []uint64{C - 2, C + 1}, C, 2},
		{"far apart", []uint64{0, 1 << 40}, 0, 0, 1 << 40, 2, []uint64{1, 2, 3, 4, 5}, 1 << 40, 2},
		{"top of range", []uint64{math.MaxUint64, math.MaxUint64 - 2}, 0, math.MaxUint64 - 3, math.MaxUint64, 2, []uint64{math.MaxUint64 - 3, math.MaxUint64 - 1}, math.MaxUint64, 1},
		{"top of range missing tail", []uint64{math.MaxUint64 - 5}, 0, math.MaxUint64 - 2, math.MaxUint64, 0, []uint64{math.MaxUint64 - 2, math.MaxUint64 - 1, math.MaxUint64}, math.MaxUint64 - 5, 1},
		{"zero", []uint64{0}, 0, 0, 0, 1, nil, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s SeqSet
			dups := 0
			for _, v := range tt.add {
				if !s.Add(v) {
					dups++
				}
			}
			if dups != tt.dups {
				t.Errorf("%d duplicates reported, want %d", dups, tt.dups)
			}
			if got, want := s.Len(), uint64(len(tt.add)-tt.dups); got != want {
				t.Errorf("Len = %d, want %d", got, want)
			}
			for _, v := range tt.add {
				if !s.Contains(v) {
					t.Errorf("Contains(%d) = false", v)
				}
			}
			if got := s.CountIn(tt.lo, tt.hi); got != tt.countIn {
				t.Errorf("CountIn(%d, %d) = %d, want %d", tt.lo, tt.hi, got, tt.countIn)
			}
			if got := s.Missing(tt.lo, tt.hi, 5); !slices.Equal(got, tt.missing) {
				t.Errorf("Missing(%d, %d, 5) = %v, want %v", tt.lo, tt.hi, got, tt.missing)
			}
			max, ok := s.Max()
			if ok != (len(tt.add) > 0) || max != tt.wantMax {
				t.Errorf("Max = %d, %v; want %d", max, ok, tt.wantMax)
			}
			if s.spanCount() != tt.wantSpans {
				t.Errorf("Spans = %d, want %d", s.spanCount(), tt.wantSpans)
			}
		})
	}
}

// Chunks that fill collapse into one span, in order or not.
func TestSeqSetCollapses(t *testing.T) {
	const C = seqChunkBits
	var s SeqSet
	// Fill chunks 2, 0, then 1 out of order: three full chunks, one span.
	for _, c := range []uint64{2, 0, 1} {
		for i := uint64(0); i < C; i++ {
			s.Add(c*C + (i*37)%C) // a permutation of the chunk
		}
	}
	if s.spanCount() != 1 || s.Len() != 3*C || s.CountIn(0, 3*C-1) != 3*C {
		t.Fatalf("spans %d len %d count %d; want 1 span of %d", s.spanCount(), s.Len(), s.CountIn(0, 3*C-1), 3*C)
	}
	if s.Contains(3*C) || !s.Contains(0) || !s.Contains(3*C-1) {
		t.Error("Contains wrong at the run's edges")
	}
	if s.Add(C + 5) {
		t.Error("a number inside a full run was added again")
	}
	if got := s.Missing(0, 3*C, 10); !slices.Equal(got, []uint64{3 * C}) {
		t.Errorf("Missing = %v, want [%d]", got, 3*C)
	}
	// A full chunk between two full runs joins them.
	var g SeqSet
	for _, c := range []uint64{0, 2, 1} {
		for i := uint64(0); i < C; i++ {
			g.Add(c*C + i)
		}
	}
	if g.spanCount() != 1 {
		t.Errorf("spans %d after filling the middle chunk, want 1", g.spanCount())
	}
}

// 1e7 numbers in order take a few spans and a few hundred bytes, not
// megabytes: memory follows the gaps, not the count.
func TestSeqSetMemoryInOrder(t *testing.T) {
	var s SeqSet
	const n = 10_000_000
	for i := uint64(0); i < n; i++ {
		if !s.Add(i) {
			t.Fatalf("Add(%d) reported a duplicate", i)
		}
	}
	if s.Len() != n || s.CountIn(0, n-1) != n || s.CountIn(0, math.MaxUint64) != n {
		t.Fatalf("Len %d, CountIn %d", s.Len(), s.CountIn(0, n-1))
	}
	if max, _ := s.Max(); max != n-1 {
		t.Fatalf("Max = %d", max)
	}
	if s.Missing(0, n-1, 10) != nil {
		t.Fatal("in-order set reports missing numbers")
	}
	if s.spanCount() > 2 || s.footprint() > 2048 {
		t.Errorf("1e7 in order: %d spans, %d bytes; want ≤ 2 spans, ≤ 2 KiB", s.spanCount(), s.footprint())
	}
	t.Logf("1e7 in order: %d spans, %d bytes", s.spanCount(), s.footprint())
}

// Heavy loss (every other number) costs about a bit per number of the range,
// never a word per gap.
func TestSeqSetMemoryWorstCase(t *testing.T) {
	var s SeqSet
	const n = 10_000_000
	for i := uint64(0); i < n; i += 2 {
		s.Add(i)
	}
	if got := s.CountIn(0, n-1); got != n/2 {
		t.Fatalf("CountIn = %d, want %d", got, n/2)
	}
	if got := s.Missing(0, n-1, 3); !slices.Equal(got, []uint64{1, 3, 5}) {
		t.Fatalf("Missing = %v", got)
	}
	bound := n / 8 * 12 / 10 // a plain bitmap plus 20%
	if s.footprint() > bound {
		t.Errorf("every other of 1e7: %d bytes, want ≤ %d", s.footprint(), bound)
	}
	t.Logf("every other of 1e7: %d spans, %d bytes", s.spanCount(), s.footprint())
}

// A randomized comparison with a map, over numbers clustered like real
// deliveries (mostly ascending, some reordered, duplicated or lost) plus a
// few far-off ones.
func TestSeqSetRandomAgainstMap(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, seed))
		var s SeqSet
		ref := map[uint64]bool{}
		next := rng.Uint64N(1 << 20)
		for range 30_000 {
			var v uint64
			switch r := rng.IntN(100); {
			case r < 60:
				v = next // in order
				next++
			case r < 75:
				next += 1 + rng.Uint64N(3) // a small loss
				v = next
			case r < 85:
				v = next - min(next, rng.Uint64N(5000)) // late or duplicate
			case r < 95:
				v = next + rng.Uint64N(2*seqChunkBits) // early, maybe a chunk ahead
			case r < 98:
				next += rng.Uint64N(3 * seqChunkBits) // a long loss
				v = next
			default:
				v = rng.Uint64() // anywhere
			}
			if got, want := s.Add(v), !ref[v]; got != want {
				t.Fatalf("seed %d: Add(%d) = %v, want %v", seed, v, got, want)
			}
			ref[v] = true
		}
		checkSeqSet(t, &s, ref, rng)
	}
}

// No loss but heavy reordering: chunks fill out of order and merge in every
// order; in the end one span remains.
func TestSeqSetReorderedFills(t *testing.T) {
	const n = 20 * seqChunkBits
	for seed := uint64(1); seed <= 4; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0))
		order := make([]uint64, n)
		for i := range order {
			order[i] = uint64(i)
		}
		// Shuffle within windows that straddle several chunks.
		for w := 0; w < n; w += 3*seqChunkBits + 123 {
			win := order[w:min(w+3*seqChunkBits+123, n)]
			rng.Shuffle(len(win), func(i, j int) { win[i], win[j] = win[j], win[i] })
		}
		var s SeqSet
		ref := map[uint64]bool{}
		for i, v := range order {
			if s.Add(v) == ref[v] {
				t.Fatalf("seed %d: Add(%d) wrong", seed, v)
			}
			ref[v] = true
			if i%2 == 0 { // a duplicate of something recent
				d := order[rng.IntN(i+1)]
				if s.Add(d) {
					t.Fatalf("seed %d: duplicate %d added", seed, d)
				}
			}
			if i%20000 == 0 {
				checkSeqSet(t, &s, ref, rng)
			}
		}
		checkSeqSet(t, &s, ref, rng)
		if s.spanCount() != 1 || s.Len() != n {
			t.Fatalf("seed %d: %d spans, len %d; want 1 span of %d", seed, s.spanCount(), s.Len(), n)
		}
	}
}

func checkSeqSet(t *testing.T, s *SeqSet, ref map[uint64]bool, rng *rand.Rand) {
	t.Helper()
	if s.Len() != uint64(len(ref)) {
		t.Fatalf("Len = %d, want %d", s.Len(), len(ref))
	}
	sorted := make([]uint64, 0, len(ref))
	for v := range ref {
		sorted = append(sorted, v)
	}
	slices.Sort(sorted)
	if max, ok := s.Max(); !ok || max != sorted[len(sorted)-1] {
		t.Fatalf("Max = %d, %v; want %d", max, ok, sorted[len(sorted)-1])
	}
	// Spans stay sorted, disjoint and non-empty, and full runs never touch.
	for i, sp := range s.spans {
		if sp.first > sp.last || (sp.bits != nil && (sp.first != sp.last || sp.count == 0 || sp.count >= seqChunkBits)) {
			t.Fatalf("bad span %d: %+v", i, sp)
		}
		if i > 0 {
			prev := s.spans[i-1]
			if prev.last >= sp.first || (prev.bits == nil && sp.bits == nil && prev.last+1 == sp.first) {
				t.Fatalf("spans %d and %d out of order or not merged: %+v %+v", i-1, i, prev, sp)
			}
		}
	}
	for range 300 {
		// Ranges around present numbers, where the interesting edges are.
		a := sorted[rng.IntN(len(sorted))] - rng.Uint64N(3*seqChunkBits)
		b := a + rng.Uint64N(6*seqChunkBits)
		if b < a {
			b = math.MaxUint64
		}
		lo, _ := slices.BinarySearch(sorted, a)
		hi, _ := slices.BinarySearch(sorted, b)
		want := uint64(hi - lo)
		if hi < len(sorted) && sorted[hi] == b {
			want++
		}
		if got := s.CountIn(a, b); got != want {
			t.Fatalf("CountIn(%d, %d) = %d, want %d", a, b, got, want)
		}
		// The first 20 missing, gap by gap between the present numbers.
		var wantMissing []uint64
		cur, more := a, true // more: cur ≤ b is still to examine
		for i := lo; more && len(wantMissing) < 20; i++ {
			end, present := b, i < len(sorted) && sorted[i] <= b
			if present {
				end = sorted[i]
			}
			for v := cur; len(wantMissing) < 20 && (v < end || (!present && v == end)); v++ {
				wantMissing = append(wantMissing, v)
				if v == math.MaxUint64 {
					break
				}
			}
			if !present || end == b {
				more = false
			} else {
				cur = end + 1
			}
		}
		if got := s.Missing(a, b, 20); !slices.Equal(got, wantMissing) {
			t.Fatalf("Missing(%d, %d, 20) = %v, want %v", a, b, got, wantMissing)
		}
		for _, v := range []uint64{a, b, (a + b) / 2} {
			if s.Contains(v) != ref[v] {
				t.Fatalf("Contains(%d) = %v", v, !ref[v])
			}
		}
	}
}

func TestSeqSetMissingLimit(t *testing.T) {
	var s SeqSet
	for _, v := range []uint64{2, 4, 6} {
		s.Add(v)
	}
	tests := []struct {
		lo, hi uint64
		limit  int
		want   []uint64
	}{
		{0, 10, 0, nil},
		{0, 10, -1, nil},
		{0, 10, 1, []uint64{0}},
		{0, 10, 4, []uint64{0, 1, 3, 5}},
		{0, 10, 100, []uint64{0, 1, 3, 5, 7, 8, 9, 10}},
		{2, 2, 5, nil},
		{3, 5, 5, []uint64{3, 5}},
		{7, 9, 2, []uint64{7, 8}},
	}
	for _, tt := range tests {
		if got := s.Missing(tt.lo, tt.hi, tt.limit); !slices.Equal(got, tt.want) {
			t.Errorf("Missing(%d, %d, %d) = %v, want %v", tt.lo, tt.hi, tt.limit, got, tt.want)
		}
	}
}

func TestSeqSetAddDoesNotAllocate(t *testing.T) {
	var s SeqSet
	var next uint64
	for range 3 * seqChunkBits { // warm up: spans array and a spare bitmap
		s.Add(next)
		next++
	}
	allocs := testing.AllocsPerRun(5*seqChunkBits, func() {
		s.Add(next)
		s.Add(next - 3) // a duplicate
		next++
	})
	if allocs != 0 {
		t.Errorf("in-order Add allocates %v per call", allocs)
	}
}

func BenchmarkSeqSetAddInOrder(b *testing.B) {
	b.ReportAllocs()
	var s SeqSet
	var seq uint64
	for b.Loop() {
		s.Add(seq)
		seq++
	}
	if s.spanCount() > 2 {
		b.Fatalf("%d spans for an in-order set", s.spanCount())
	}
}

// BenchmarkSeqSetAddReordered adds numbers shuffled within windows of 1000
// that straddle chunk boundaries: competing consumers deliver like this.
func BenchmarkSeqSetAddReordered(b *testing.B) {
	b.ReportAllocs()
	const window = 1000
	perm := rand.New(rand.NewPCG(1, 2)).Perm(window)
	var s SeqSet
	var i uint64
	for b.Loop() {
		s.Add(i/window*window + uint64(perm[i%window]))
		i++
	}
	if s.spanCount() > 4 {
		b.Fatalf("%d spans for a set with only local reordering", s.spanCount())
	}
}

func BenchmarkSeqSetContains(b *testing.B) {
	b.ReportAllocs()
	var s SeqSet
	for i := uint64(0); i < 1_000_000; i += 1 + i%3 { // gaps: partial chunks
		s.Add(i)
	}
	var hits int
	var i uint64
	for b.Loop() {
		if s.Contains(i % 1_000_000) {
			hits++
		}
		i += 7919
	}
	if hits == 0 {
		b.Fatal("no hits")
	}
}
