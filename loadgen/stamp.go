package loadgen

import "encoding/binary"

// StampSize is the length of the stamp at the start of every message body:
//
//	offset size field
//	     0    4 magic "WRN1" (tells warren's messages from foreign ones and
//	          versions the layout)
//	     4    4 run id
//	     8    8 publisher id (see PublisherID)
//	    16    8 sequence number, per publisher
//	    24    8 intended send time, Unix nanoseconds
//	    32    8 actual send time, Unix nanoseconds
//
// Integers are little-endian. A fixed binary prefix costs nothing to write or
// read (no allocation, no parsing), unlike headers, which amqp091-go carries
// in a map. A publisher group whose bodies may be shorter than StampSize
// sends the same 40 bytes in the StampHeader header instead, and its
// bodies keep their configured size.
const StampSize = 40

// StampHeader is the header that carries the stamp, as a byte array, for
// bodies shorter than StampSize.
const StampHeader = "x-warren-stamp"

// stampMagic is "WRN1" read as a little-endian uint32.
const stampMagic = uint32('W') | uint32('R')<<8 | uint32('N')<<16 | uint32('1')<<24

// Stamp is what a message carries for latency and accounting.
type Stamp struct {
	// Run tells this run's messages from leftovers of earlier runs that are
	// still in the queues.
	Run uint32
	// Publisher identifies the publishing goroutine across every process of
	// a run (see PublisherID); Seq is meaningful only per Publisher.
	Publisher uint64
	// Seq numbers the publisher's messages from 0, without gaps, in the order
	// of the pacer's schedule.
	Seq uint64
	// Intended is when the pacer's schedule said to send, Sent when the
	// message was handed to the client library; both Unix nanoseconds.
	Intended int64
	Sent     int64
}

// Put writes the stamp into b[:StampSize]. It panics if len(b) < StampSize,
// which is a bug in the caller: bodies are padded to StampSize.
func (s *Stamp) Put(b []byte) {
	_ = b[StampSize-1] // one bounds check for all the writes below
	binary.LittleEndian.PutUint32(b[0:], stampMagic)
	binary.LittleEndian.PutUint32(b[4:], s.Run)
	binary.LittleEndian.PutUint64(b[8:], s.Publisher)
	binary.LittleEndian.PutUint64(b[16:], s.Seq)
	binary.LittleEndian.PutUint64(b[24:], uint64(s.Intended))
	binary.LittleEndian.PutUint64(b[32:], uint64(s.Sent))
}

// ReadStamp reads the stamp at the start of a message body. ok is false for a
// body too short to hold one or without the magic: a foreign message, not
// published by warren. It never panics, whatever the body.
func ReadStamp(b []byte) (s Stamp, ok bool) {
	if len(b) < StampSize || binary.LittleEndian.Uint32(b) != stampMagic {
		return Stamp{}, false
	}
	b = b[:StampSize]
	return Stamp{
		Run:       binary.LittleEndian.Uint32(b[4:]),
		Publisher: binary.LittleEndian.Uint64(b[8:]),
		Seq:       binary.LittleEndian.Uint64(b[16:]),
		Intended:  int64(binary.LittleEndian.Uint64(b[24:])),
		Sent:      int64(binary.LittleEndian.Uint64(b[32:])),
	}, true
}

// PublisherID composes a publisher identity that is unique across the
// processes of a run: the instance's hash (InstanceHash of its instance id)
// in the high 32 bits and the publisher's index within that instance in the
// low 32. Results from several generator instances can then be merged and
// their messages still told apart.
func PublisherID(instance uint32, index uint32) uint64 {
	return uint64(instance)<<32 | uint64(index)
}

// SplitPublisherID undoes PublisherID.
func SplitPublisherID(id uint64) (instance uint32, index uint32) {
	return uint32(id >> 32), uint32(id)
}

// InstanceHash is the 32-bit FNV-1a hash of an instance id, for PublisherID.
// Two instances collide with probability about k²/2³³ for k instances (about
// one in a million for a hundred pods); give instances distinct ids and check
// the hashes differ when merging if that matters.
func InstanceHash(instanceID string) uint32 { return fnv32(instanceID) }

// SharedRunID is the run id of a shared run name (see WithRunID): every
// instance given the same name stamps the same id.
func SharedRunID(name string) uint32 { return fnv32("run:" + name) }

// fnv32 is the 32-bit FNV-1a hash of s.
func fnv32(s string) uint32 {
	// FNV-1a inline rather than hash/fnv: no allocation, no interface.
	const (
		offset32 = 2166136261
		prime32  = 16777619
	)
	h := uint32(offset32)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= prime32
	}
	return h
}
