package main

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// Batch format (the payload of a WAL record; docs/format-batch.md). The
// root package's decoder is unexported, so kvtool carries its own copy of
// this small, documented format:
//
//	seq uint64 LE | count uint32 LE | count × (kind byte, uvarint keyLen, key[, uvarint valueLen, value])
const (
	batchSeqLen    = 8
	batchCountLen  = 4
	batchHeaderLen = batchSeqLen + batchCountLen
)

// batchEntry is one write of a batch. Key and Value alias the payload.
type batchEntry struct {
	Kind  keys.Kind
	Key   []byte
	Value []byte // nil for KindDelete
}

// batch is a decoded WAL payload.
type batch struct {
	Seq     keys.SeqNum // sequence number of the first entry
	Count   uint32      // entries the header announces
	Entries []batchEntry
}

// errBatch is wrapped by decodeBatch's errors; callers wrap those in turn
// in a corruption error naming the WAL file and record offset.
var errBatch = errors.New("malformed batch")

// decodeBatch decodes a WAL payload. It distrusts its input: every length is
// checked before slicing, and on error it returns the entries decoded so far
// (so a dump can show them) with an error wrapping errBatch that gives the
// payload offset of the damage.
func decodeBatch(p []byte) (batch, error) {
	if len(p) < batchHeaderLen {
		return batch{}, fmt.Errorf("%w: %d bytes is shorter than the %d-byte header", errBatch, len(p), batchHeaderLen)
	}
	b := batch{
		Seq:   keys.SeqNum(binary.LittleEndian.Uint64(p)),
		Count: binary.LittleEndian.Uint32(p[batchSeqLen:]),
	}
	pos := batchHeaderLen
	for i := uint32(0); i < b.Count; i++ {
		e, n, err := decodeBatchEntry(p[pos:])
		if err != nil {
			return b, fmt.Errorf("%w: entry %d at payload offset %d: %v", errBatch, i, pos, err)
		}
		b.Entries = append(b.Entries, e)
		pos += n
	}
	if pos != len(p) {
		return b, fmt.Errorf("%w: %d trailing bytes after %d entries at payload offset %d", errBatch, len(p)-pos, b.Count, pos)
	}
	return b, nil
}

// decodeBatchEntry decodes the entry at the front of p and returns it with
// its encoded length.
func decodeBatchEntry(p []byte) (batchEntry, int, error) {
	if len(p) == 0 {
		return batchEntry{}, 0, errors.New("missing")
	}
	e := batchEntry{Kind: keys.Kind(p[0])}
	if e.Kind != keys.KindSet && e.Kind != keys.KindDelete {
		return batchEntry{}, 0, fmt.Errorf("unknown kind %d", p[0])
	}
	pos := 1
	var err error
	if e.Key, pos, err = lengthPrefixed(p, pos, "key"); err != nil {
		return batchEntry{}, 0, err
	}
	if e.Kind == keys.KindSet {
		if e.Value, pos, err = lengthPrefixed(p, pos, "value"); err != nil {
			return batchEntry{}, 0, err
		}
	}
	return e, pos, nil
}

// lengthPrefixed decodes a uvarint length and that many bytes at p[pos:],
// returning them and the position after them.
func lengthPrefixed(p []byte, pos int, what string) ([]byte, int, error) {
	n, w := binary.Uvarint(p[pos:])
	if w <= 0 {
		return nil, 0, fmt.Errorf("bad %s length", what)
	}
	pos += w
	if n > uint64(len(p)-pos) {
		return nil, 0, fmt.Errorf("%s length %d runs past the end (%d bytes left)", what, n, len(p)-pos)
	}
	return p[pos : pos+int(n)], pos + int(n), nil
}
