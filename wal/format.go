package wal

import (
	"encoding/binary"

	"github.com/lsmkv/lsmkv/internal/checksum"
	"github.com/lsmkv/lsmkv/internal/corruption"
)

// ErrCorruption is wrapped by every error the Reader returns about damaged
// log bytes. It is the engine-wide sentinel, so errors.Is works across
// packages.
var ErrCorruption = corruption.ErrCorruption

// Record format: checksum u32 LE | length u32 LE | logNum u32 LE | payload,
// where checksum = checksum.Sum(length|logNum|payload). See docs/format-wal.md
// for the byte-by-byte layout and the reader's torn-tail rules.
const (
	checksumOffset = 0  // uint32 LE: checksum.Sum of bytes [4, 12+length)
	lengthOffset   = 4  // uint32 LE: payload length in bytes
	logNumOffset   = 8  // uint32 LE: low 32 bits of the log's file number
	HeaderLen      = 12 // bytes before the payload

	// MaxPayloadLen caps a record's payload. The writer refuses larger
	// payloads, so the reader treats a larger length as damage rather than
	// allocating whatever a garbage header asks for.
	MaxPayloadLen = 1 << 30
)

// header is a decoded record header.
type header struct {
	checksum uint32
	length   uint32
	logNum   uint32
}

// decodeHeader decodes the header at the front of b.
// REQUIRES: len(b) >= HeaderLen.
func decodeHeader(b []byte) header {
	return header{
		checksum: binary.LittleEndian.Uint32(b[checksumOffset:]),
		length:   binary.LittleEndian.Uint32(b[lengthOffset:]),
		logNum:   binary.LittleEndian.Uint32(b[logNumOffset:]),
	}
}

// appendRecord appends the encoding of one record to dst and returns the
// extended slice. REQUIRES: len(payload) <= MaxPayloadLen.
func appendRecord(dst []byte, logNum uint32, payload []byte) []byte {
	start := len(dst)
	dst = binary.LittleEndian.AppendUint32(dst, 0) // checksum, filled in below
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(payload)))
	dst = binary.LittleEndian.AppendUint32(dst, logNum)
	dst = append(dst, payload...)
	sum := checksum.Sum(dst[start+lengthOffset:])
	binary.LittleEndian.PutUint32(dst[start+checksumOffset:], sum)
	return dst
}

// verifiedLen reports whether b begins with a complete record of log logNum
// whose checksum verifies, and if so its encoded length (header included).
// It is the single definition of "a valid record" used both for reading and
// for the resynchronising scans, so the two can never disagree.
func verifiedLen(b []byte, logNum uint32) (int, bool) {
	if len(b) < HeaderLen {
		return 0, false
	}
	h := decodeHeader(b)
	// logNum is checked first: it is the cheapest filter when scanning
	// garbage byte by byte, and it spares a checksum over a long payload.
	if h.logNum != logNum || h.length > MaxPayloadLen {
		return 0, false
	}
	end := HeaderLen + int(h.length)
	if end > len(b) || !checksumOK(b[:end]) {
		return 0, false
	}
	return end, true
}

// checksumOK reports whether the stored checksum of the encoded record rec
// matches its contents. REQUIRES: len(rec) >= HeaderLen.
func checksumOK(rec []byte) bool {
	return checksum.Sum(rec[lengthOffset:]) == binary.LittleEndian.Uint32(rec[checksumOffset:])
}

// findRecord returns the index of the first valid record of log logNum that
// lies wholly inside b, or -1 if there is none.
func findRecord(b []byte, logNum uint32) int {
	for i := 0; len(b)-i >= HeaderLen; i++ {
		if _, ok := verifiedLen(b[i:], logNum); ok {
			return i
		}
	}
	return -1
}
