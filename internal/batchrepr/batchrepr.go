package batchrepr

import (
	"encoding/binary"
	"errors"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// Format constants (docs/format-batch.md).
const (
	seqLen    = 8 // uint64 LE: sequence number of entry 0
	countLen  = 4 // uint32 LE: number of entries
	HeaderLen = seqLen + countLen
)

// ErrMalformed is wrapped by every Reader error about bytes that do not
// decode. Callers wrap it in turn in a corruption error naming the WAL file
// and record offset.
var ErrMalformed = errors.New("malformed batch")

// AppendEntry appends one entry to the batch encoding in dst, first
// reserving a zero header if dst is shorter than one, and returns the
// extended slice. value is ignored for a deletion; for a range deletion,
// key is the start and value the end of the range.
func AppendEntry(dst []byte, kind keys.Kind, key, value []byte) []byte {
	if len(dst) < HeaderLen {
		dst = append(dst[:0], make([]byte, HeaderLen)...)
	}
	dst = append(dst, byte(kind))
	dst = binary.AppendUvarint(dst, uint64(len(key)))
	dst = append(dst, key...)
	if hasValue(kind) {
		dst = binary.AppendUvarint(dst, uint64(len(value)))
		dst = append(dst, value...)
	}
	return dst
}

// EntryLen is the number of bytes AppendEntry adds for one entry.
func EntryLen(kind keys.Kind, keyLen, valueLen int) int {
	n := 1 + uvarintLen(uint64(keyLen)) + keyLen
	if hasValue(kind) {
		n += uvarintLen(uint64(valueLen)) + valueLen
	}
	return n
}

// hasValue reports whether entries of kind carry a second byte string: a
// Set's value, a RangeDelete's end key.
func hasValue(kind keys.Kind) bool { return kind == keys.KindSet || kind == keys.KindRangeDelete }

// validKind reports whether a batch may hold entries of kind.
func validKind(kind keys.Kind) bool { return kind == keys.KindDelete || hasValue(kind) }

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// SetHeader stamps the first sequence number and the entry count into the
// header of an encoded batch. REQUIRES: len(data) >= HeaderLen.
func SetHeader(data []byte, seq keys.SeqNum, count uint32) {
	binary.LittleEndian.PutUint64(data[0:seqLen], uint64(seq))
	binary.LittleEndian.PutUint32(data[seqLen:HeaderLen], count)
}
