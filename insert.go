package lsmkv

import (
	"fmt"

	"github.com/lsmkv/lsmkv/internal/batchrepr"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/memtable"
)

// insertBatch inserts the entries of a batch record into mt, entry i at the
// record's sequence number plus i. It is the one path from a batch to a
// memtable, as LevelDB's WriteBatchInternal::InsertInto: the commit leader
// calls it after the WAL append, and recovery for each replayed record.
// Both make room first (makeRoomForWrite, recovery.apply), so every error,
// memtable.ErrFull included, is returned to the caller.
func insertBatch(mt *memtable.Memtable, rec []byte) error {
	var r batchrepr.Reader
	if err := r.Reset(rec); err != nil {
		return err
	}
	seq := r.Seq
	for {
		kind, key, value, ok, err := r.Next()
		if err != nil || !ok {
			return err
		}
		if err := mt.Add(seq, kind, key, value); err != nil {
			return fmt.Errorf("lsmkv: memtable insert: %w", err)
		}
		seq++
	}
}

// batchMemNeed decodes a batch record and returns the memtable bytes its
// entries take and its last sequence number (0 for an empty batch).
func batchMemNeed(rec []byte) (need int64, last keys.SeqNum, err error) {
	var r batchrepr.Reader
	if err := r.Reset(rec); err != nil {
		return 0, 0, err
	}
	for {
		_, key, value, ok, err := r.Next()
		if err != nil {
			return 0, 0, err
		}
		if !ok {
			break
		}
		need += memtable.EntrySize(len(key), len(value))
	}
	if r.Count > 0 {
		last = r.Seq + keys.SeqNum(r.Count) - 1
	}
	return need, last, nil
}
