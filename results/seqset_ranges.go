package results

import (
	"encoding/json"
	"fmt"
	"math/bits"
)

// EachRange calls f for each maximal run of consecutive numbers in the set,
// in increasing order, with its bounds (inclusive). A set filled in order is
// one call however many numbers it holds.
func (s *SeqSet) EachRange(f func(lo, hi uint64)) {
	var lo, hi uint64
	open := false
	emit := func(a, b uint64) {
		if open && a == hi+1 {
			hi = b
			return
		}
		if open {
			f(lo, hi)
		}
		lo, hi, open = a, b, true
	}
	for i := range s.spans {
		sp := &s.spans[i]
		base := sp.first << seqChunkShift
		if sp.bits == nil {
			emit(base, sp.last<<seqChunkShift|seqChunkMask)
			continue
		}
		// Walk the bitmap a run of ones at a time.
		for w := 0; w < seqChunkWords; w++ {
			x := sp.bits[w]
			for x != 0 {
				start := bits.TrailingZeros64(x)
				ones := bits.TrailingZeros64(^(x >> start))
				a := base | uint64(w)<<6 | uint64(start)
				emit(a, a+uint64(ones)-1)
				if start+ones >= 64 {
					break
				}
				x &^= (uint64(1)<<ones - 1) << start
			}
		}
	}
	if open {
		f(lo, hi)
	}
}

// AddRange adds the numbers lo to hi (inclusive) and returns how many of them
// were new.
func (s *SeqSet) AddRange(lo, hi uint64) (added uint64) {
	for v := lo; ; v++ {
		if s.Add(v) {
			added++
		}
		if v == hi {
			return added
		}
	}
}

// Union adds every number of other to s and returns how many of them s held
// already: the overlap of the two sets.
func (s *SeqSet) Union(other *SeqSet) (overlap uint64) {
	other.EachRange(func(lo, hi uint64) {
		overlap += hi - lo + 1 - s.AddRange(lo, hi)
	})
	return overlap
}

// MarshalJSON writes the set as its ranges, [[lo, hi], …]: compact when the
// numbers arrived mostly in order, as they do.
func (s *SeqSet) MarshalJSON() ([]byte, error) {
	ranges := [][2]uint64{}
	s.EachRange(func(lo, hi uint64) { ranges = append(ranges, [2]uint64{lo, hi}) })
	return json.Marshal(ranges)
}

// UnmarshalJSON reads what MarshalJSON wrote, adding to the set.
func (s *SeqSet) UnmarshalJSON(b []byte) error {
	var ranges [][2]uint64
	if err := json.Unmarshal(b, &ranges); err != nil {
		return err
	}
	for _, r := range ranges {
		if r[0] > r[1] {
			return fmt.Errorf("sequence range [%d, %d] ends before it starts", r[0], r[1])
		}
		s.AddRange(r[0], r[1])
	}
	return nil
}
