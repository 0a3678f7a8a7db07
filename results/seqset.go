package results

import (
	"math/bits"
	"unsafe"
)

// SeqSet is a set of uint64 sequence numbers, built for one publisher's
// messages as seen at one queue: hundreds of millions of mostly contiguous
// numbers arriving mostly in order.
//
// The numbers are split into chunks of 4096. A chunk with some numbers is a
// 512-byte bitmap; a run of consecutive full chunks collapses into one span
// that stores only its bounds. So memory follows the gaps, not the count: a
// contiguous run of any length costs 32 bytes, and however the numbers are
// scattered, memory stays within about 1.1 bits per number of the range they
// span (a plain bitmap's cost), never a word per number as a list of ranges
// could.
//
// Add in order is O(1) amortised and does not allocate once running: the
// newest chunk fills, collapses into the span before it and hands its bitmap
// to the next chunk. Out-of-order and duplicate numbers cost a binary search
// over the spans.
//
// The zero SeqSet is empty and ready to use. A SeqSet is not safe for
// concurrent use.
type SeqSet struct {
	// spans are sorted by chunk, disjoint, and hold at least one number
	// each; two full spans are never adjacent (they would have merged).
	spans []seqSpan
	n     uint64
	// free keeps a few bitmaps of chunks that filled up, so that starting a
	// chunk does not allocate.
	free []*seqChunk
}

const (
	seqChunkShift = 12
	seqChunkBits  = 1 << seqChunkShift // numbers per chunk
	seqChunkWords = seqChunkBits / 64
	seqChunkMask  = seqChunkBits - 1
	// seqFreeMax bounds the spare bitmaps: enough for the few chunks that
	// reordering keeps open at once, small enough not to matter (8 KiB).
	seqFreeMax = 16
)

type seqChunk [seqChunkWords]uint64

// seqSpan is either a single partly filled chunk (bits != nil) or a run of
// full chunks (bits == nil).
type seqSpan struct {
	first, last uint64    // chunk indexes, inclusive
	count       uint64    // numbers present in a partial chunk
	bits        *seqChunk // nil for a full run
}

// Add adds seq and reports whether it was new; false means a duplicate.
func (s *SeqSet) Add(seq uint64) (added bool) {
	c := seq >> seqChunkShift
	i := len(s.spans) - 1
	// Fast path: in-order numbers land in the last span's chunk.
	if i < 0 || s.spans[i].last != c || s.spans[i].bits == nil {
		var found bool
		i, found = s.find(c)
		if !found {
			s.insertChunk(i, c, seq)
			return true
		}
	}
	sp := &s.spans[i]
	if sp.bits == nil {
		return false // inside a full run
	}
	w, b := (seq&seqChunkMask)>>6, uint64(1)<<(seq&63)
	if sp.bits[w]&b != 0 {
		return false
	}
	sp.bits[w] |= b
	sp.count++
	s.n++
	if sp.count == seqChunkBits {
		s.fill(i)
	}
	return true
}

// find returns the index of the span holding chunk c, or, if none does, the
// index at which a span for c belongs.
func (s *SeqSet) find(c uint64) (int, bool) {
	lo, hi := 0, len(s.spans)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.spans[m].last < c {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(s.spans) && s.spans[lo].first <= c
}

// insertChunk puts a new partial chunk c holding seq at index i.
func (s *SeqSet) insertChunk(i int, c, seq uint64) {
	var bm *seqChunk
	if k := len(s.free) - 1; k >= 0 {
		bm = s.free[k]
		s.free = s.free[:k]
	} else {
		bm = new(seqChunk)
	}
	bm[(seq&seqChunkMask)>>6] |= 1 << (seq & 63)
	s.spans = append(s.spans, seqSpan{})
	copy(s.spans[i+1:], s.spans[i:])
	s.spans[i] = seqSpan{first: c, last: c, count: 1, bits: bm}
	s.n++
}

// fill turns the partial chunk at i, now full, into a full run and merges it
// with full neighbours.
func (s *SeqSet) fill(i int) {
	sp := &s.spans[i]
	if len(s.free) < seqFreeMax {
		*sp.bits = seqChunk{}
		s.free = append(s.free, sp.bits)
	}
	sp.bits, sp.count = nil, 0
	if i+1 < len(s.spans) && s.spans[i+1].bits == nil && s.spans[i+1].first == sp.last+1 {
		sp.last = s.spans[i+1].last
		s.remove(i + 1)
	}
	if i > 0 && s.spans[i-1].bits == nil && s.spans[i-1].last+1 == s.spans[i].first {
		s.spans[i-1].last = s.spans[i].last
		s.remove(i)
	}
}

func (s *SeqSet) remove(i int) {
	copy(s.spans[i:], s.spans[i+1:])
	s.spans[len(s.spans)-1] = seqSpan{} // drop the bitmap pointer for the GC
	s.spans = s.spans[:len(s.spans)-1]
}

// Contains reports whether seq is in the set.
func (s *SeqSet) Contains(seq uint64) bool {
	i, found := s.find(seq >> seqChunkShift)
	if !found {
		return false
	}
	sp := &s.spans[i]
	return sp.bits == nil || sp.bits[(seq&seqChunkMask)>>6]&(1<<(seq&63)) != 0
}

// Len returns how many numbers the set holds.
func (s *SeqSet) Len() uint64 { return s.n }

// Max returns the largest number in the set; ok is false if it is empty.
func (s *SeqSet) Max() (max uint64, ok bool) {
	if len(s.spans) == 0 {
		return 0, false
	}
	sp := &s.spans[len(s.spans)-1]
	base := sp.last << seqChunkShift
	if sp.bits == nil {
		return base | seqChunkMask, true
	}
	for w := seqChunkWords - 1; w >= 0; w-- {
		if x := sp.bits[w]; x != 0 {
			return base | uint64(w)<<6 | uint64(bits.Len64(x)-1), true
		}
	}
	panic("results: SeqSet holds an empty chunk") // spans are never empty
}

// CountIn returns how many numbers of [lo, hi] (inclusive) are in the set;
// 0 if lo > hi. (The count of a full [0, MaxUint64] would not fit; no set
// gets near it.)
func (s *SeqSet) CountIn(lo, hi uint64) uint64 {
	if lo > hi {
		return 0
	}
	var n uint64
	i, _ := s.find(lo >> seqChunkShift)
	for ; i < len(s.spans); i++ {
		sp := &s.spans[i]
		first := sp.first << seqChunkShift
		if first > hi {
			break
		}
		last := sp.last<<seqChunkShift | seqChunkMask
		a, b := max(first, lo), min(last, hi)
		if sp.bits == nil {
			n += b - a + 1
		} else {
			n += sp.bits.countIn(a&seqChunkMask, b&seqChunkMask)
		}
	}
	return n
}

// countIn counts the set bits in [a, b] (bit offsets within the chunk).
func (bm *seqChunk) countIn(a, b uint64) uint64 {
	wa, wb := a>>6, b>>6
	var n int
	for w := wa; w <= wb; w++ {
		x := bm[w]
		if w == wa {
			x &= ^uint64(0) << (a & 63)
		}
		if w == wb {
			x &= ^uint64(0) >> (63 - b&63)
		}
		n += bits.OnesCount64(x)
	}
	return uint64(n)
}

// Missing returns, in increasing order, the first `limit` numbers of [lo, hi]
// (inclusive) that are not in the set, for reports. It returns nil if
// none are missing or limit ≤ 0.
func (s *SeqSet) Missing(lo, hi uint64, limit int) []uint64 {
	if lo > hi || limit <= 0 {
		return nil
	}
	var out []uint64
	// appendRange adds the numbers of [a, b] until the limit; it reports
	// whether the limit was reached.
	appendRange := func(a, b uint64) bool {
		for v := a; ; v++ {
			if len(out) == limit {
				return true
			}
			out = append(out, v)
			if v == b {
				return len(out) == limit
			}
		}
	}
	next := lo // the first number not yet examined
	i, _ := s.find(lo >> seqChunkShift)
	for ; i < len(s.spans); i++ {
		sp := &s.spans[i]
		first := sp.first << seqChunkShift
		if first > hi {
			break
		}
		if first > next && appendRange(next, first-1) {
			return out
		}
		last := sp.last<<seqChunkShift | seqChunkMask
		if sp.bits != nil {
			// Counted with an explicit end test: the last chunk ends at
			// MaxUint64, where v++ would wrap.
			for v, end := max(first, next), min(last, hi); ; v++ {
				if sp.bits[(v&seqChunkMask)>>6]&(1<<(v&63)) == 0 {
					out = append(out, v)
					if len(out) == limit {
						return out
					}
				}
				if v == end {
					break
				}
			}
		}
		if last >= hi {
			return out
		}
		next = max(next, last+1)
	}
	appendRange(next, hi)
	return out
}

// footprint returns the approximate number of bytes the set holds: its span
// array, its bitmaps and its spare bitmaps. Tests use it to check that memory
// follows the gaps, not the count.
func (s *SeqSet) footprint() int {
	n := cap(s.spans)*int(unsafe.Sizeof(seqSpan{})) + cap(s.free)*int(unsafe.Sizeof((*seqChunk)(nil)))
	for i := range s.spans {
		if s.spans[i].bits != nil {
			n += int(unsafe.Sizeof(seqChunk{}))
		}
	}
	return n + len(s.free)*int(unsafe.Sizeof(seqChunk{}))
}

// spanCount returns how many spans (partial chunks plus runs of full chunks) the
// set holds: 1 for any contiguous run that ends on a chunk boundary, 2 for
// one that does not.
func (s *SeqSet) spanCount() int { return len(s.spans) }
