package sstable

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/golang/snappy"
	"github.com/lsmkv/lsmkv/internal/checksum"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/internal/rangedel"
	"github.com/lsmkv/lsmkv/vfs"
)

// WriterOptions configures a Writer. The zero value is usable: 4 KiB blocks,
// a 10 bits/key bloom filter and no compression.
type WriterOptions struct {
	// BlockSize is the target size in bytes of an uncompressed data block;
	// a block is cut once it reaches this size. 0 means DefaultBlockSize.
	BlockSize int
	// BloomBitsPerKey sizes the bloom filter over user keys. 0 means
	// DefaultBloomBitsPerKey; a negative value writes no filter.
	BloomBitsPerKey int
	// Compression for data and index blocks. The zero value is
	// NoCompression; the DB passes its choice explicitly. A block is stored
	// compressed only if that saves at least 1/8 of its size.
	Compression Compression
}

// ErrOutOfOrder is returned by Add when keys are not strictly increasing.
var ErrOutOfOrder = errors.New("lsmkv/sstable: keys added out of order")

// Writer streams a table to a file: data blocks are written as they fill, so
// memory is one block plus the index and one 8-byte hash per user key.
//
// Concurrency: a Writer is not safe for concurrent use.
type Writer struct {
	f    vfs.File
	bw   *bufio.Writer // batches block writes into few syscalls
	opts WriterOptions

	data, index blockWriter
	offset      uint64 // bytes written to f so far
	lastKey     []byte
	// pending is the handle of the last flushed data block, whose index
	// entry waits for the next key so its separator can be short.
	pending    handle
	hasPending bool
	hashes     []uint64 // filter hashes of distinct user keys
	rangeDels  rangedel.List
	props      Properties
	scratch    []byte // compression output and index keys
	digest     *checksum.Digest
	err        error // sticky: the first write error, or Finish done
}

// writeBufferSize is how many bytes of blocks the Writer gathers before one
// write system call: a flush of a 4 MiB memtable made a thousand 4 KiB
// writes, which were most of its time.
const writeBufferSize = 256 << 10

// NewWriter returns a Writer that writes a table to f, starting at offset 0.
func NewWriter(f vfs.File, opts WriterOptions) *Writer {
	if opts.BlockSize <= 0 {
		opts.BlockSize = DefaultBlockSize
	}
	if opts.BloomBitsPerKey == 0 {
		opts.BloomBitsPerKey = DefaultBloomBitsPerKey
	}
	w := &Writer{f: f, bw: bufio.NewWriterSize(f, writeBufferSize), opts: opts, digest: checksum.New()}
	w.data.restartInterval = dataRestartInterval
	w.index.restartInterval = indexRestartInterval
	w.props.Compression = opts.Compression
	w.props.BloomBitsPerKey = max(opts.BloomBitsPerKey, 0)
	w.props.BlockSize = opts.BlockSize
	w.props.FormatVersion = FormatVersion
	return w
}

// Add appends an entry. ikey must be a valid internal key greater than every
// key added before; otherwise Add returns an error and the Writer is
// unchanged. The Writer copies what it keeps.
func (w *Writer) Add(ikey, value []byte) error {
	if w.err != nil {
		return w.err
	}
	if !keys.Valid(ikey) {
		return fmt.Errorf("lsmkv/sstable: invalid internal key %x", ikey)
	}
	first := w.props.NumEntries == 0
	if !first && keys.Compare(w.lastKey, ikey) >= 0 {
		return fmt.Errorf("%w: %s after %s", ErrOutOfOrder, keys.String(ikey), keys.String(w.lastKey))
	}
	if w.hasPending {
		w.scratch = appendSeparator(w.scratch[:0], w.lastKey, ikey)
		w.addIndexEntry()
	}
	if w.opts.BloomBitsPerKey > 0 && (first || !userKeyEqual(w.lastKey, ikey)) {
		w.hashes = append(w.hashes, filterHash(keys.UserKey(ikey)))
	}
	w.updateProps(ikey, value, first)
	w.lastKey = append(w.lastKey[:0], ikey...)
	w.data.add(ikey, value)
	if w.data.estimatedSize() >= w.opts.BlockSize {
		return w.flushData()
	}
	return nil
}

// SetRangeDels gives the table its range tombstones, already fragmented
// (and truncated to the table's span by the caller); Finish writes them to
// the range-deletion block and widens the table's bounds to cover them.
// The Writer keeps l, which must not change until Finish returns.
func (w *Writer) SetRangeDels(l rangedel.List) { w.rangeDels = l }

func (w *Writer) updateProps(ikey, value []byte, first bool) {
	p := &w.props
	seq, kind := keys.Seq(ikey), keys.KindOf(ikey)
	if first {
		p.Smallest = append([]byte(nil), ikey...)
		p.SmallestSeq, p.LargestSeq = seq, seq
	}
	p.SmallestSeq = min(p.SmallestSeq, seq)
	p.LargestSeq = max(p.LargestSeq, seq)
	p.NumEntries++
	if kind == keys.KindDelete {
		p.NumDeletions++
	}
	p.RawKeyBytes += uint64(len(ikey))
	p.RawValueBytes += uint64(len(value))
}

// addIndexEntry adds (w.scratch, pending handle) to the index.
func (w *Writer) addIndexEntry() {
	var buf [2 * binary.MaxVarintLen64]byte
	w.index.add(w.scratch, w.pending.appendUvarints(buf[:0]))
	w.hasPending = false
}

// flushData writes the current data block and remembers its handle.
func (w *Writer) flushData() error {
	h, err := w.writeBlock(w.data.finish(), w.opts.Compression)
	w.data.reset()
	if err != nil {
		return err
	}
	w.pending, w.hasPending = h, true
	w.props.NumDataBlocks++
	w.props.DataBytes += h.length + blockTrailerLen
	return nil
}

// writeBlock writes raw (compressed if that pays) and its trailer.
func (w *Writer) writeBlock(raw []byte, c Compression) (handle, error) {
	stored, kind := raw, NoCompression
	if c == SnappyCompression {
		w.scratch = snappy.Encode(w.scratch[:cap(w.scratch)], raw)
		if len(w.scratch) < len(raw)-len(raw)/8 {
			stored, kind = w.scratch, SnappyCompression
		}
	}
	var trailer [blockTrailerLen]byte
	trailer[0] = byte(kind)
	w.digest.Reset()
	w.digest.Write(stored)
	w.digest.Write(trailer[:1])
	binary.LittleEndian.PutUint32(trailer[1:], w.digest.Sum32())
	h := handle{offset: w.offset, length: uint64(len(stored))}
	if err := w.write(stored); err != nil {
		return handle{}, err
	}
	return h, w.write(trailer[:])
}

func (w *Writer) write(b []byte) error {
	n, err := w.bw.Write(b)
	w.offset += uint64(n)
	if err == nil && n < len(b) {
		err = fmt.Errorf("lsmkv/sstable: short write (%d of %d bytes)", n, len(b))
	}
	if err != nil {
		w.err = fmt.Errorf("lsmkv/sstable: write: %w", err)
	}
	return w.err
}

// EstimatedSize returns the bytes written so far plus the pending data
// block; the DB cuts output tables with it.
func (w *Writer) EstimatedSize() uint64 {
	if w.data.empty() {
		return w.offset
	}
	return w.offset + uint64(w.data.estimatedSize())
}

// Finish writes the last data block, the filter, index and properties
// blocks and the footer, then syncs the file. It does not close the file.
// After Finish (successful or not) the Writer accepts no more calls.
func (w *Writer) Finish() (Properties, error) {
	if w.err != nil {
		return Properties{}, w.err
	}
	if !w.data.empty() {
		if err := w.flushData(); err != nil {
			return Properties{}, err
		}
	}
	if w.hasPending {
		w.scratch = appendSuccessor(w.scratch[:0], w.lastKey)
		w.addIndexEntry()
	}
	var ft footer
	if err := w.writeMeta(&ft); err != nil {
		return Properties{}, err
	}
	if err := w.write(ft.encode(nil)); err != nil {
		return Properties{}, err
	}
	if err := w.bw.Flush(); err != nil {
		w.err = fmt.Errorf("lsmkv/sstable: write: %w", err)
		return Properties{}, w.err
	}
	if err := w.f.Sync(); err != nil {
		w.err = fmt.Errorf("lsmkv/sstable: sync: %w", vfs.SyncFailed(err))
		return Properties{}, w.err
	}
	w.err = errors.New("lsmkv/sstable: Writer already finished")
	w.props.FileSize = w.offset
	return w.props, nil
}

// writeMeta writes the range-deletion, filter, index and properties blocks
// into ft.
func (w *Writer) writeMeta(ft *footer) error {
	var err error
	if len(w.rangeDels) > 0 {
		if err := w.writeRangeDels(); err != nil {
			return err
		}
	}
	if w.opts.BloomBitsPerKey > 0 {
		ft.filter, err = w.writeBlock(buildFilter(nil, w.hashes, w.opts.BloomBitsPerKey), NoCompression)
		if err != nil {
			return err
		}
		w.props.FilterBytes = ft.filter.length + blockTrailerLen
	}
	ft.index, err = w.writeBlock(w.index.finish(), w.opts.Compression)
	if err != nil {
		return err
	}
	w.props.IndexBytes = ft.index.length + blockTrailerLen
	if w.props.NumEntries > 0 {
		w.props.Largest = append([]byte(nil), w.lastKey...)
	}
	w.coverRangeDels()
	ft.properties, err = w.writeBlock(encodeProperties(nil, &w.props), NoCompression)
	ft.version = FormatVersion
	return err
}

// writeRangeDels writes the range-deletion block, before the filter.
func (w *Writer) writeRangeDels() error {
	h, err := w.writeBlock(encodeRangeDels(w.rangeDels), w.opts.Compression)
	if err != nil {
		return err
	}
	w.props.RangeDel = BlockHandle{Offset: h.offset, Length: h.length}
	for _, f := range w.rangeDels {
		w.props.NumRangeDels += uint64(len(f.Seqs))
	}
	return nil
}

// coverRangeDels widens the table's key and sequence bounds to its range
// tombstones: the smallest key becomes at most the first fragment's
// start#newest-seq, and the largest at least the last fragment's exclusive
// end sentinel. A table whose bounds stopped at its point keys would let a
// tombstone escape the key ranges compactions and reads look at, and the
// data it deletes come back (RocksDB #2752, CockroachDB #18371).
func (w *Writer) coverRangeDels() {
	l, p := w.rangeDels, &w.props
	if len(l) == 0 {
		return
	}
	points := p.NumEntries > 0
	if lo := keys.Make(l[0].Start, l[0].Seqs[0], keys.KindRangeDelete); !points || keys.Compare(lo, p.Smallest) < 0 {
		p.Smallest = lo
	}
	if hi := keys.RangeDeleteSentinel(l[len(l)-1].End); !points || keys.Compare(hi, p.Largest) > 0 {
		p.Largest = hi
	}
	for i, f := range l {
		newest, oldest := f.Seqs[0], f.Seqs[len(f.Seqs)-1]
		if !points && i == 0 {
			p.SmallestSeq, p.LargestSeq = oldest, newest
		}
		p.SmallestSeq = min(p.SmallestSeq, oldest)
		p.LargestSeq = max(p.LargestSeq, newest)
	}
}
