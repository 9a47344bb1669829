package main

import (
	"github.com/lsmkv/lsmkv/internal/batchrepr"
	"github.com/lsmkv/lsmkv/internal/keys"
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
var errBatch = batchrepr.ErrMalformed

// decodeBatch decodes a WAL payload with the engine's own decoder
// (internal/batchrepr, docs/format-batch.md). On error it returns the
// entries decoded so far, so a dump can show them, with an error wrapping
// errBatch that gives the payload offset of the damage.
func decodeBatch(p []byte) (batch, error) {
	var r batchrepr.Reader
	if err := r.Reset(p); err != nil {
		return batch{Seq: r.Seq, Count: r.Count}, err
	}
	b := batch{Seq: r.Seq, Count: r.Count}
	for {
		kind, key, value, ok, err := r.Next()
		if err != nil || !ok {
			return b, err
		}
		b.Entries = append(b.Entries, batchEntry{Kind: kind, Key: key, Value: value})
	}
}
