package lsmkv

import (
	"encoding/binary"
	"errors"
	"fmt"

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

// Format constants: the batch header (docs/format-batch.md).
const (
	batchHeaderLen = 12 // 8-byte sequence number + 4-byte count
)

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
	if len(b.data) < batchHeaderLen {
		b.data = append(b.data[:0], make([]byte, batchHeaderLen)...)
	}
	b.data = append(b.data, byte(kind))
	b.data = binary.AppendUvarint(b.data, uint64(len(key)))
	b.data = append(b.data, key...)
	if kind == keys.KindSet {
		b.data = binary.AppendUvarint(b.data, uint64(len(value)))
		b.data = append(b.data, value...)
	}
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
	if len(value) > MaxValueSize {
		return invalidf("value of %d bytes exceeds MaxValueSize (%d)", len(value), MaxValueSize)
	}
	size := int64(max(len(b.data), batchHeaderLen)) + encodedEntryLen(kind, len(key), len(value))
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

// encodedEntryLen is the bytes appendEntry adds for one entry.
func encodedEntryLen(kind keys.Kind, keyLen, valueLen int) int64 {
	n := 1 + uvarintLen(uint64(keyLen)) + keyLen
	if kind == keys.KindSet {
		n += uvarintLen(uint64(valueLen)) + valueLen
	}
	return int64(n)
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// empty reports whether the batch holds no writes.
func (b *Batch) empty() bool { return b.count == 0 }

// setSeq stamps the batch's first sequence number into its header and
// returns the encoded record.
func (b *Batch) setSeq(seq keys.SeqNum) []byte {
	binary.LittleEndian.PutUint64(b.data[0:8], uint64(seq))
	binary.LittleEndian.PutUint32(b.data[8:12], b.count)
	return b.data
}

// appendBatch adds the writes of o to b (group commit merges batches).
func (b *Batch) appendBatch(o *Batch) {
	if o.empty() {
		return
	}
	if len(b.data) < batchHeaderLen {
		b.data = append(b.data[:0], make([]byte, batchHeaderLen)...)
	}
	b.data = append(b.data, o.data[batchHeaderLen:]...)
	b.count += o.count
	b.user += o.user
	b.mem += o.mem
}

// errBatchFormat reports a batch record that does not decode. Callers wrap
// it with the WAL file and offset.
var errBatchFormat = errors.New("malformed batch")

// batchReader decodes a batch's entries. It distrusts its input: every
// length is checked before slicing.
type batchReader struct {
	data  []byte
	seq   keys.SeqNum
	count uint32
	read  uint32
}

func newBatchReader(data []byte) (batchReader, error) {
	if len(data) < batchHeaderLen {
		return batchReader{}, fmt.Errorf("%w: %d bytes is shorter than the header", errBatchFormat, len(data))
	}
	r := batchReader{
		data:  data[batchHeaderLen:],
		seq:   keys.SeqNum(binary.LittleEndian.Uint64(data[0:8])),
		count: binary.LittleEndian.Uint32(data[8:12]),
	}
	if uint64(r.seq)+uint64(r.count) > uint64(keys.MaxSeqNum) {
		return batchReader{}, fmt.Errorf("%w: sequence number %d overflows", errBatchFormat, r.seq)
	}
	return r, nil
}

// next returns the next entry; ok is false at the end. An error means the
// bytes are malformed (including a count that disagrees with the entries).
func (r *batchReader) next() (kind keys.Kind, key, value []byte, ok bool, err error) {
	if r.read == r.count {
		if len(r.data) != 0 {
			return 0, nil, nil, false, fmt.Errorf("%w: %d trailing bytes", errBatchFormat, len(r.data))
		}
		return 0, nil, nil, false, nil
	}
	if len(r.data) < 1 {
		return 0, nil, nil, false, fmt.Errorf("%w: entry %d missing", errBatchFormat, r.read)
	}
	kind = keys.Kind(r.data[0])
	r.data = r.data[1:]
	if kind != keys.KindSet && kind != keys.KindDelete {
		return 0, nil, nil, false, fmt.Errorf("%w: unknown kind %d", errBatchFormat, kind)
	}
	if key, err = r.bytes(); err != nil {
		return 0, nil, nil, false, err
	}
	if kind == keys.KindSet {
		if value, err = r.bytes(); err != nil {
			return 0, nil, nil, false, err
		}
	}
	r.read++
	return kind, key, value, true, nil
}

func (r *batchReader) bytes() ([]byte, error) {
	n, w := binary.Uvarint(r.data)
	if w <= 0 || n > uint64(len(r.data)-w) {
		return nil, fmt.Errorf("%w: bad length in entry %d", errBatchFormat, r.read)
	}
	b := r.data[w : w+int(n)]
	r.data = r.data[w+int(n):]
	return b, nil
}
