package raftstore

import (
	"encoding/binary"
	"fmt"

	"github.com/lsmkv/lsmkv"
)

// Key layout (docs/raft.md, "Key layout"). The first byte of every key
// names its space, so a scan bounded to one space never meets a key of
// another:
//
//	0x00 "format"            -> the store's format version (one byte)
//	0x01 index (8 bytes, BE) -> a log entry (codec.go)
//	0x02 key                 -> a stable-store value
//
// Big-endian indexes sort as numbers, so the first and last entries are
// the first and last keys of the log space.
const (
	metaPrefix   byte = 0x00
	logPrefix    byte = 0x01
	stablePrefix byte = 0x02

	logKeyLen = 1 + 8
)

var (
	// formatKey holds formatVersion; Open refuses a DB with another.
	formatKey = []byte{metaPrefix, 'f', 'o', 'r', 'm', 'a', 't'}
	// logLower and logUpper bound the log space: [logLower, logUpper).
	logLower = []byte{logPrefix}
	logUpper = []byte{logPrefix + 1}
)

// formatVersion is the version of the key layout and log encoding.
const formatVersion byte = 1

// appendLogKey appends the key of log entry index to dst.
func appendLogKey(dst []byte, index uint64) []byte {
	dst = append(dst, logPrefix)
	return binary.BigEndian.AppendUint64(dst, index)
}

// logKey returns the key of log entry index.
func logKey(index uint64) []byte { return appendLogKey(make([]byte, 0, logKeyLen), index) }

// parseLogKey returns the index in a key of the log space. A key of the
// wrong length can only come from damage (or a foreign writer).
func parseLogKey(key []byte) (uint64, error) {
	if len(key) != logKeyLen || key[0] != logPrefix {
		return 0, fmt.Errorf("raftstore: malformed log key %x: %w", key, lsmkv.ErrCorruption)
	}
	return binary.BigEndian.Uint64(key[1:]), nil
}

// stableKey returns the key under which the stable store keeps key.
func stableKey(key []byte) []byte {
	k := make([]byte, 0, 1+len(key))
	return append(append(k, stablePrefix), key...)
}
