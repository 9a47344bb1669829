package lsmkv

import (
	"bytes"

	"github.com/lsmkv/lsmkv/internal/batchrepr"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/memtable"
)

// Batch is a set of writes applied atomically by DB.Write: after a crash
// either all of them or none are recovered. The zero value is an empty batch
// ready to use. A Batch is not safe for concurrent use.
//
// The batch's bytes are exactly the payload of its WAL record (see
// docs/format-batch.md):
//
//	seq uint64 LE | count uint32 LE | count × (kind byte, uvarint keyLen, key[, uvarint valueLen, value])
type Batch struct {
	data  []byte // header + entries; nil until the first write
	count uint32
	user  int64 // key and value bytes written: the denominator of write amplification
	mem   int64 // upper bound on the memtable bytes the entries use
	err   error // first invalid argument; Write refuses the batch
}

// Put adds a write of value to key. The batch copies key and value.
//
// A key over MaxKeySize, a value over MaxValueSize, or an entry that would
// take the batch over MaxBatchSize is not added: the batch records the
// error (wrapping ErrInvalidArgument) at once, ignores later entries, and
// Write returns the error without writing anything. Reset clears it.
func (b *Batch) Put(key, value []byte) {
	if err := b.check(keys.KindSet, key, value); err != nil {
		b.setErr(err)
		return
	}
	b.appendEntry(keys.KindSet, key, value)
}

// Delete adds a deletion of key. Errors are recorded as for Put.
func (b *Batch) Delete(key []byte) {
	if err := b.check(keys.KindDelete, key, nil); err != nil {
		b.setErr(err)
		return
	}
	b.appendEntry(keys.KindDelete, key, nil)
}

// DeleteRange adds a deletion of every key k with start <= k < end: one
// entry, whatever the number of keys it covers (a range tombstone). A
// start that is not below end, or a key over MaxKeySize, is an error
// recorded as for Put.
func (b *Batch) DeleteRange(start, end []byte) {
	if err := b.check(keys.KindRangeDelete, start, end); err != nil {
		b.setErr(err)
		return
	}
	b.appendEntry(keys.KindRangeDelete, start, end)
}

// Len returns the number of writes in the batch.
func (b *Batch) Len() int { return int(b.count) }

// Reset empties the batch, keeping its memory for reuse.
func (b *Batch) Reset() {
	b.data = b.data[:0]
	b.count = 0
	b.user = 0
	b.mem = 0
	b.err = nil
}

func (b *Batch) setErr(err error) {
	if b.err == nil {
		b.err = err
	}
}

func (b *Batch) appendEntry(kind keys.Kind, key, value []byte) {
	b.data = batchrepr.AppendEntry(b.data, kind, key, value)
	b.count++
	b.user += int64(len(key) + len(value))
	b.mem += memtable.EntrySize(len(key), len(value))
}

// check returns why the entry may not join the batch, or nil. After an
// earlier error the batch takes nothing more.
func (b *Batch) check(kind keys.Kind, key, value []byte) error {
	if b.err != nil {
		return b.err
	}
	if len(key) > MaxKeySize {
		return invalidf("key of %d bytes exceeds MaxKeySize (%d)", len(key), MaxKeySize)
	}
	if kind == keys.KindRangeDelete {
		if len(value) > MaxKeySize {
			return invalidf("DeleteRange end of %d bytes exceeds MaxKeySize (%d)", len(value), MaxKeySize)
		}
		if bytes.Compare(key, value) >= 0 {
			return invalidf("DeleteRange start %q is not below end %q", key, value)
		}
	} else if len(value) > MaxValueSize {
		return invalidf("value of %d bytes exceeds MaxValueSize (%d)", len(value), MaxValueSize)
	}
	size := int64(max(len(b.data), batchrepr.HeaderLen) + batchrepr.EntryLen(kind, len(key), len(value)))
	if size > batchSizeLimit {
		return invalidf("batch of %d entries would grow to %d bytes, over MaxBatchSize (%d)", b.count+1, size, batchSizeLimit)
	}
	if mem := b.mem + memtable.EntrySize(len(key), len(value)); mem > batchMemLimit {
		return invalidf("batch of %d entries would need %d bytes of memtable, more than one memtable holds (%d)",
			b.count+1, mem, batchMemLimit)
	}
	return nil
}

// Batch limits as variables, so tests can lower them instead of building
// gigabyte batches.
var (
	batchSizeLimit int64 = MaxBatchSize
	batchMemLimit  int64 = memtable.MaxCapacity
)

// empty reports whether the batch holds no writes.
func (b *Batch) empty() bool { return b.count == 0 }

// setSeq stamps the batch's first sequence number into its header and
// returns the encoded record. REQUIRES: the batch is not empty.
func (b *Batch) setSeq(seq keys.SeqNum) []byte {
	batchrepr.SetHeader(b.data, seq, b.count)
	return b.data
}

// appendBatch adds the writes of o to b (group commit merges batches).
func (b *Batch) appendBatch(o *Batch) {
	if o.empty() {
		return
	}
	if len(b.data) < batchrepr.HeaderLen {
		b.data = append(b.data[:0], make([]byte, batchrepr.HeaderLen)...)
	}
	b.data = append(b.data, o.data[batchrepr.HeaderLen:]...)
	b.count += o.count
	b.user += o.user
	b.mem += o.mem
}
