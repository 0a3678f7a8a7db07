package results

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"testing"
)

// rangesOf lists a set's ranges through EachRange.
func rangesOf(s *SeqSet) [][2]uint64 {
	var out [][2]uint64
	s.EachRange(func(lo, hi uint64) { out = append(out, [2]uint64{lo, hi}) })
	return out
}

// rangesFrom builds the maximal ranges of sorted, distinct numbers.
func rangesFrom(nums []uint64) [][2]uint64 {
	var out [][2]uint64
	for _, v := range nums {
		if n := len(out); n > 0 && out[n-1][1]+1 == v {
			out[n-1][1] = v
			continue
		}
		out = append(out, [2]uint64{v, v})
	}
	return out
}

func TestSeqSetRanges(t *testing.T) {
	cases := map[string][]uint64{
		"empty":           nil,
		"one":             {7},
		"word boundary":   {62, 63, 64, 65},
		"chunk boundary":  {4094, 4095, 4096, 4097},
		"gap in a chunk":  {1, 2, 3, 10, 11},
		"top of a word":   {0, 63, 127, 128},
		"a whole word":    seqRange(64, 128),
		"two full chunks": seqRange(0, 2*4096),
		"full then gap":   append(seqRange(0, 4096+5), 4096+7, 9000),
	}
	for name, nums := range cases {
		t.Run(name, func(t *testing.T) {
			var s SeqSet
			for _, v := range nums {
				s.Add(v)
			}
			if got, want := rangesOf(&s), rangesFrom(nums); !slices.Equal(got, want) {
				t.Fatalf("ranges %v, want %v", got, want)
			}
		})
	}
}

func seqRange(lo, hi uint64) []uint64 {
	var out []uint64
	for v := lo; v < hi; v++ {
		out = append(out, v)
	}
	return out
}

// Random sets (in order, shuffled, with gaps) survive a JSON round trip
// and a union counts the overlap exactly.
func TestSeqSetJSONAndUnion(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 50; round++ {
		a, b := map[uint64]bool{}, map[uint64]bool{}
		var sa, sb SeqSet
		n := rng.IntN(20000)
		for i := 0; i < n; i++ {
			v := uint64(rng.IntN(30000))
			if rng.IntN(3) > 0 {
				a[v] = true
				sa.Add(v)
			} else {
				b[v] = true
				sb.Add(v)
			}
		}
		data, err := json.Marshal(&sa)
		if err != nil {
			t.Fatal(err)
		}
		var back SeqSet
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		if back.Len() != uint64(len(a)) || !slices.Equal(rangesOf(&back), rangesOf(&sa)) {
			t.Fatalf("round %d: round trip holds %d numbers, want %d", round, back.Len(), len(a))
		}
		var overlap uint64
		for v := range b {
			if a[v] {
				overlap++
			}
		}
		if got := back.Union(&sb); got != overlap {
			t.Fatalf("round %d: union overlap %d, want %d", round, got, overlap)
		}
		if want := uint64(len(a)+len(b)) - overlap; back.Len() != want {
			t.Fatalf("round %d: union holds %d, want %d", round, back.Len(), want)
		}
	}
}

func TestSeqSetUnmarshalRejectsBackwardRange(t *testing.T) {
	var s SeqSet
	if err := json.Unmarshal([]byte(`[[5,3]]`), &s); err == nil {
		t.Fatal("a range [5,3] was accepted")
	}
}
