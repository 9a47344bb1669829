// Package keys defines internal keys: the encoding every component uses to
// store a user key together with the sequence number and kind of the write
// that produced it.
//
// An internal key is the user key followed by an 8-byte little-endian
// trailer:
//
//	+-------------------+------------------------------------+
//	| user key (n bytes)| trailer = seq<<8 | kind (8 bytes LE) |
//	+-------------------+------------------------------------+
//
// Internal keys order by user key ascending, then by trailer descending, so
// that for one user key the newest write (highest sequence number) comes
// first. See docs/format-sstable.md and docs/guide for worked examples.
//
// Invariants: sequence numbers fit in 56 bits; kinds are never reused once
// written to disk. This package is internal: only the root package's API is a
// stability promise.
package keys

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Kind says what a write did to a key. The values are part of the on-disk
// format (WAL batches and SSTables) and must never be renumbered.
type Kind uint8

// Format constants: kinds as stored on disk.
const (
	KindDelete Kind = 0 // a tombstone: the key is absent as of this sequence number
	KindSet    Kind = 1 // a value for the key
	// KindRangeDelete is a range tombstone: every key k with start <= k < end
	// written before this sequence number is absent. Its internal key holds
	// start; its value holds end. Range tombstones live apart from point
	// entries (the memtable's second skiplist, an SSTable's range-deletion
	// block), never in a point iterator's stream.
	KindRangeDelete Kind = 15
	// KindMax is the largest kind. A seek key built with KindMax sorts before
	// every real entry with the same user key and sequence number.
	KindMax = KindRangeDelete
)

func (k Kind) String() string {
	switch k {
	case KindDelete:
		return "DEL"
	case KindSet:
		return "SET"
	case KindRangeDelete:
		return "RANGEDEL"
	}
	return fmt.Sprintf("KIND(%d)", uint8(k))
}

// SeqNum is a write's sequence number. Every write in the DB gets a distinct
// one, in commit order; a batch gets a contiguous range.
type SeqNum uint64

// MaxSeqNum is the largest sequence number a trailer can hold (56 bits).
const MaxSeqNum SeqNum = 1<<56 - 1

// TrailerLen is the size of the trailer that ends every internal key.
const TrailerLen = 8

// MakeTrailer packs a sequence number and a kind into a trailer.
func MakeTrailer(seq SeqNum, kind Kind) uint64 {
	return uint64(seq)<<8 | uint64(kind)
}

// Append appends the internal key for (ukey, seq, kind) to dst.
func Append(dst, ukey []byte, seq SeqNum, kind Kind) []byte {
	dst = append(dst, ukey...)
	return binary.LittleEndian.AppendUint64(dst, MakeTrailer(seq, kind))
}

// Make returns a new internal key for (ukey, seq, kind).
func Make(ukey []byte, seq SeqNum, kind Kind) []byte {
	return Append(make([]byte, 0, len(ukey)+TrailerLen), ukey, seq, kind)
}

// AppendSeekKey appends the smallest internal key for ukey that is visible at
// sequence number seq: iterators seeking to it land on the newest version of
// ukey with a sequence number <= seq.
func AppendSeekKey(dst, ukey []byte, seq SeqNum) []byte {
	return Append(dst, ukey, seq, KindMax)
}

// RangeDeleteSentinel returns the internal key that bounds, exclusively, a
// table whose range tombstones end at the user key end: end#MaxSeqNum,
// RANGEDEL sorts before every real entry of end, so a table's largest key
// can stop short of end although its user key is end.
func RangeDeleteSentinel(end []byte) []byte {
	return Make(end, MaxSeqNum, KindRangeDelete)
}

// IsExclusiveSentinel reports whether ikey is a RangeDeleteSentinel: as a
// table's largest key, it means the table holds nothing at its user key.
// REQUIRES: Valid(ikey).
func IsExclusiveSentinel(ikey []byte) bool {
	return Trailer(ikey) == MakeTrailer(MaxSeqNum, KindRangeDelete)
}

// Valid reports whether ikey is long enough to hold a trailer.
func Valid(ikey []byte) bool { return len(ikey) >= TrailerLen }

// UserKey returns the user key part of ikey. REQUIRES: Valid(ikey).
func UserKey(ikey []byte) []byte { return ikey[:len(ikey)-TrailerLen] }

// Trailer returns the trailer of ikey. REQUIRES: Valid(ikey).
func Trailer(ikey []byte) uint64 {
	return binary.LittleEndian.Uint64(ikey[len(ikey)-TrailerLen:])
}

// Seq returns the sequence number of ikey. REQUIRES: Valid(ikey).
func Seq(ikey []byte) SeqNum { return SeqNum(Trailer(ikey) >> 8) }

// KindOf returns the kind of ikey. REQUIRES: Valid(ikey).
func KindOf(ikey []byte) Kind { return Kind(Trailer(ikey) & 0xff) }

// Decode splits ikey into its parts; ok is false if ikey is too short to be
// an internal key. Decoders of on-disk bytes use it instead of the REQUIRES
// accessors above.
func Decode(ikey []byte) (ukey []byte, seq SeqNum, kind Kind, ok bool) {
	if len(ikey) < TrailerLen {
		return nil, 0, 0, false
	}
	t := Trailer(ikey)
	return ikey[:len(ikey)-TrailerLen], SeqNum(t >> 8), Kind(t & 0xff), true
}

// Compare orders internal keys: user key ascending, then trailer descending.
// REQUIRES: Valid(a) && Valid(b).
func Compare(a, b []byte) int {
	if c := bytes.Compare(UserKey(a), UserKey(b)); c != 0 {
		return c
	}
	ta, tb := Trailer(a), Trailer(b)
	switch {
	case ta > tb:
		return -1
	case ta < tb:
		return 1
	}
	return 0
}

// String formats ikey for debugging and kvtool: "key#seq,KIND".
func String(ikey []byte) string {
	ukey, seq, kind, ok := Decode(ikey)
	if !ok {
		return fmt.Sprintf("invalid(%x)", ikey)
	}
	return fmt.Sprintf("%q#%d,%s", ukey, seq, kind)
}
