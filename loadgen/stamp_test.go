package loadgen

import (
	"bytes"
	"hash/fnv"
	"math"
	"testing"
)

func TestStampLayout(t *testing.T) {
	s := Stamp{Run: 0x04030201, Publisher: 0x0c0b0a0908070605, Seq: 0x14131211100f0e0d, Intended: 0x1c1b1a1918171615, Sent: -2}
	b := make([]byte, StampSize+3)
	b[StampSize] = 0xAA // padding after the stamp must be left alone
	s.Put(b)
	want := []byte{
		'W', 'R', 'N', '1',
		0x01, 0x02, 0x03, 0x04,
		0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
		0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14,
		0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c,
		0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xAA, 0, 0,
	}
	if !bytes.Equal(b, want) {
		t.Fatalf("Put wrote\n% x\nwant\n% x", b, want)
	}
	got, ok := ReadStamp(b)
	if !ok || got != s {
		t.Fatalf("ReadStamp = %+v, %v; want %+v", got, ok, s)
	}
}

func TestReadStampRejects(t *testing.T) {
	good := make([]byte, StampSize)
	(&Stamp{Run: 1, Seq: 2}).Put(good)
	wrongMagic := bytes.Clone(good)
	wrongMagic[3] = '2'
	tests := []struct {
		name string
		body []byte
	}{
		{"nil", nil},
		{"empty", []byte{}},
		{"magic only", []byte("WRN1")},
		{"one byte short", good[:StampSize-1]},
		{"other version", wrongMagic},
		{"text", []byte(`{"hello": "a JSON body from another producer"}`)},
	}
	for _, tt := range tests {
		if s, ok := ReadStamp(tt.body); ok || s != (Stamp{}) {
			t.Errorf("%s: ReadStamp = %+v, %v; want a zero stamp, false", tt.name, s, ok)
		}
	}
	if _, ok := ReadStamp(good); !ok {
		t.Error("a good stamp was rejected")
	}
}

func TestStampPutShortPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Put into a short buffer did not panic")
		}
	}()
	(&Stamp{}).Put(make([]byte, StampSize-1))
}

func TestStampPublisherID(t *testing.T) {
	tests := []struct {
		instance, index uint32
		want            uint64
	}{
		{0, 0, 0},
		{0, 7, 7},
		{1, 0, 1 << 32},
		{0xdeadbeef, 0xffffffff, 0xdeadbeefffffffff},
	}
	for _, tt := range tests {
		id := PublisherID(tt.instance, tt.index)
		if id != tt.want {
			t.Errorf("PublisherID(%#x, %#x) = %#x, want %#x", tt.instance, tt.index, id, tt.want)
		}
		if in, ix := SplitPublisherID(id); in != tt.instance || ix != tt.index {
			t.Errorf("SplitPublisherID(%#x) = %#x, %#x", id, in, ix)
		}
	}
}

func TestStampInstanceHash(t *testing.T) {
	// Published FNV-1a 32 test vectors, and agreement with hash/fnv.
	vectors := map[string]uint32{"": 0x811c9dc5, "a": 0xe40c292c, "foobar": 0xbf9cf968}
	for in, want := range vectors {
		if got := InstanceHash(in); got != want {
			t.Errorf("InstanceHash(%q) = %#x, want %#x", in, got, want)
		}
	}
	for _, in := range []string{"warren-0", "warren-1", "pod/loadgen-7c9f-xk2p", "héllo"} {
		h := fnv.New32a()
		h.Write([]byte(in))
		if got, want := InstanceHash(in), h.Sum32(); got != want {
			t.Errorf("InstanceHash(%q) = %#x, hash/fnv says %#x", in, got, want)
		}
	}
	if InstanceHash("warren-0") == InstanceHash("warren-1") {
		t.Error("neighbouring instance ids collide")
	}
}

func FuzzReadStamp(f *testing.F) {
	good := make([]byte, StampSize+8)
	(&Stamp{Run: 9, Publisher: 1 << 40, Seq: 12345, Intended: 1_700_000_000_000_000_000, Sent: 1_700_000_000_000_001_000}).Put(good)
	f.Add(good, uint32(0), uint64(0), uint64(0), int64(0), int64(0))
	f.Add([]byte("WRN1"), uint32(1), uint64(2), uint64(3), int64(-4), int64(5))
	f.Add([]byte{}, uint32(math.MaxUint32), uint64(math.MaxUint64), uint64(math.MaxUint64), int64(math.MinInt64), int64(math.MaxInt64))
	f.Fuzz(func(t *testing.T, body []byte, run uint32, pub, seq uint64, intended, sent int64) {
		// Any body: never panics; a stamp it accepts writes back the same
		// bytes.
		if s, ok := ReadStamp(body); ok {
			again := make([]byte, StampSize)
			s.Put(again)
			if !bytes.Equal(again, body[:StampSize]) {
				t.Fatalf("ReadStamp then Put changed the bytes:\n% x\n% x", body[:StampSize], again)
			}
		}
		// Any stamp: Put then ReadStamp round-trips, whatever follows it.
		want := Stamp{Run: run, Publisher: pub, Seq: seq, Intended: intended, Sent: sent}
		b := append(make([]byte, StampSize), body...)
		want.Put(b)
		if got, ok := ReadStamp(b); !ok || got != want {
			t.Fatalf("round trip: got %+v, %v; want %+v", got, ok, want)
		}
	})
}
