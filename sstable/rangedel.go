package sstable

import (
	"bytes"

	"github.com/lsmkv/lsmkv/internal/corruption"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/internal/rangedel"
)

// The range-deletion block (format 2, docs/format-sstable.md,
// "Range-deletion block") is an ordinary block of entries
//
//	key:   start#seq,RANGEDEL (an internal key)   value: end
//
// one per fragment and sequence number, in internal-key order (start
// ascending, then seq descending), every entry a restart point. Its
// fragments do not overlap; they are stored fragmented so that readers use
// them as they are. The properties block locates it (RangeDel) and counts
// its entries (NumRangeDels).

// encodeRangeDels returns the block contents for l.
func encodeRangeDels(l rangedel.List) []byte {
	var b blockWriter
	b.restartInterval = rangeDelRestartInterval
	var key []byte
	for _, t := range l.Tombstones() {
		key = keys.Append(key[:0], t.Start, t.Seq, keys.KindRangeDelete)
		b.add(key, t.End)
	}
	return b.finish()
}

// decodeRangeDels parses a range-deletion block of n entries and checks
// what the writer guarantees: valid internal keys of kind RANGEDEL, in
// order, making well-formed fragments (rangedel.List.Check). The result
// owns its bytes.
func decodeRangeDels(name string, off int64, block []byte, n uint64) (rangedel.List, error) {
	var it blockIter
	if err := it.init(name, off, block, rangeDelRestartInterval); err != nil {
		return nil, err
	}
	var l rangedel.List
	var count uint64
	var prev []byte
	for ok := it.First(); ok; ok = it.Next() {
		ukey, seq, kind, valid := keys.Decode(it.key)
		switch {
		case !valid || kind != keys.KindRangeDelete:
			return nil, corruption.Errorf(name, off, "range-deletion block: entry %d is not a range tombstone", count)
		case prev != nil && keys.Compare(prev, it.key) >= 0:
			return nil, corruption.Errorf(name, off, "range-deletion block: entry %d out of order", count)
		}
		prev = append(prev[:0], it.key...)
		count++
		if last := len(l) - 1; last >= 0 && bytes.Equal(l[last].Start, ukey) && bytes.Equal(l[last].End, it.val) {
			l[last].Seqs = append(l[last].Seqs, seq)
			continue
		}
		l = append(l, rangedel.Fragment{
			Start: bytes.Clone(ukey), End: bytes.Clone(it.val), Seqs: []keys.SeqNum{seq},
		})
	}
	if it.err != nil {
		return nil, it.err
	}
	if count != n {
		return nil, corruption.Errorf(name, off, "range-deletion block holds %d entries, properties say %d", count, n)
	}
	if msg := l.Check(); msg != "" {
		return nil, corruption.Errorf(name, off, "range-deletion block: %s", msg)
	}
	return l, nil
}
