package sstable

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/lsmkv/lsmkv/cache"
	"github.com/lsmkv/lsmkv/internal/corruption"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/internal/rangedel"
	"github.com/lsmkv/lsmkv/vfs"
)

// ReadStats counts reader work. One ReadStats is shared by all readers of a
// DB; the counters are atomic.
type ReadStats struct {
	FilterChecks    atomic.Uint64 // Get calls that consulted a bloom filter
	FilterNegatives atomic.Uint64 // of those, the ones the filter answered "absent"
	BlockReads      atomic.Uint64 // data blocks read from a file (cache misses)
	BlockCacheHits  atomic.Uint64 // data blocks found in the block cache
}

// ReaderOptions configures Open.
type ReaderOptions struct {
	Name    string       // the file's name, used in error messages
	FileNum uint64       // the table's file number: the block cache key
	Cache   *cache.Cache // data block cache shared by the DB; nil means no caching
	Stats   *ReadStats   // counters to update; nil means none
}

// Reader reads one table. Open loads and verifies the index, filter and
// properties blocks and keeps them in memory; data blocks are read on
// demand, through the block cache when there is one.
//
// Concurrency: a Reader is safe for concurrent use (Get, MayContain,
// NewIter); each Iter is used by one goroutine. Close must come after every
// other call has returned.
type Reader struct {
	f       vfs.File
	opts    ReaderOptions
	size    int64
	footer  footer
	dataEnd uint64 // data blocks lie in [0, dataEnd)

	index     []byte // decoded index block
	filter    filter
	hasFilter bool
	props     Properties
	rangeDels rangedel.List // decoded at Open; nil if none

	scratch sync.Pool // of *getScratch, so that Get does not allocate
}

// getScratch is the per-call state of Get, pooled.
type getScratch struct {
	seek        []byte
	index, data blockIter
}

// Open reads the footer and metadata blocks of the table in f, which is size
// bytes long. Damage is reported as an error wrapping
// corruption.ErrCorruption that names the file and offset. On success the
// Reader owns f and closes it in Close; on error the caller still owns f.
func Open(f vfs.File, size int64, opts ReaderOptions) (*Reader, error) {
	r := &Reader{f: f, opts: opts, size: size}
	r.scratch.New = func() any { return new(getScratch) }
	if size < footerLen {
		return nil, corruption.Errorf(opts.Name, 0, "file of %d bytes is shorter than the %d-byte footer", size, footerLen)
	}
	var buf [footerLen]byte
	footerOff := size - footerLen
	if err := r.readAt(buf[:], footerOff); err != nil {
		return nil, err
	}
	var err error
	if r.footer, err = decodeFooter(opts.Name, footerOff, buf[:]); err != nil {
		return nil, err
	}
	if err := r.loadMeta(uint64(footerOff)); err != nil {
		return nil, err
	}
	return r, nil
}

// loadMeta reads the properties, filter and index blocks, which must lie
// in order before the footer at metaEnd.
func (r *Reader) loadMeta(metaEnd uint64) error {
	ft, at := &r.footer, int64(metaEnd)
	if err := r.checkHandle(ft.properties, metaEnd, "footer: properties", at); err != nil {
		return err
	}
	if err := r.checkHandle(ft.index, ft.properties.offset, "footer: index", at); err != nil {
		return err
	}
	r.dataEnd = ft.index.offset
	if ft.filter.length > 0 {
		if err := r.checkHandle(ft.filter, ft.index.offset, "footer: filter", at); err != nil {
			return err
		}
		r.dataEnd = ft.filter.offset
	}
	b, _, err := r.readBlock(ft.properties)
	if err != nil {
		return err
	}
	if r.props, err = decodeProperties(r.opts.Name, int64(ft.properties.offset), b); err != nil {
		return err
	}
	r.props.FileSize = uint64(r.size)
	if err := r.loadRangeDels(at); err != nil {
		return err
	}
	if ft.filter.length > 0 {
		if b, _, err = r.readBlock(ft.filter); err != nil {
			return err
		}
		if r.filter, err = decodeFilter(r.opts.Name, int64(ft.filter.offset), b); err != nil {
			return err
		}
		r.hasFilter = true
	}
	if r.index, _, err = r.readBlock(ft.index); err != nil {
		return err
	}
	return r.checkIndex()
}

// loadRangeDels reads and checks the range-deletion block, which lies
// between the data blocks and the filter (or index). at is the footer's
// offset, for errors.
func (r *Reader) loadRangeDels(at int64) error {
	p := &r.props
	if p.NumRangeDels == 0 {
		return nil
	}
	h := handle{offset: p.RangeDel.Offset, length: p.RangeDel.Length}
	if err := r.checkHandle(h, r.dataEnd, "properties: range-deletion", at); err != nil {
		return err
	}
	r.dataEnd = h.offset
	b, _, err := r.readBlock(h)
	if err != nil {
		return err
	}
	r.rangeDels, err = decodeRangeDels(r.opts.Name, int64(h.offset), b, p.NumRangeDels)
	return err
}

// RangeDels returns the table's range tombstones, fragmented (nil if it
// has none). They were read and checked at Open; the list is shared and
// must not be modified.
func (r *Reader) RangeDels() rangedel.List { return r.rangeDels }

// checkHandle verifies that block h and its trailer end at or before limit.
// The handle was read at offset at (for errors).
func (r *Reader) checkHandle(h handle, limit uint64, what string, at int64) error {
	if h.offset > limit || h.length > limit-h.offset || limit-h.offset-h.length < blockTrailerLen {
		return corruption.Errorf(r.opts.Name, at,
			"%s block [%d, +%d) does not end before offset %d", what, h.offset, h.length, limit)
	}
	return nil
}

// checkIndex walks the index once at Open: keys must increase and every
// handle must point inside the data section. Later lookups can then trust
// the index.
func (r *Reader) checkIndex() error {
	var it blockIter
	off := int64(r.footer.index.offset)
	if err := it.init(r.opts.Name, off, r.index, indexRestartInterval); err != nil {
		return err
	}
	var prev []byte
	for ok := it.First(); ok; ok = it.Next() {
		if prev != nil && keys.Compare(prev, it.key) >= 0 {
			return corruption.Errorf(r.opts.Name, off, "index: keys out of order at %d", it.offset)
		}
		prev = append(prev[:0], it.key...)
		h, ok := decodeHandle(it.val)
		if !ok {
			return corruption.Errorf(r.opts.Name, off, "index: bad block handle at %d", it.offset)
		}
		if err := r.checkHandle(h, r.dataEnd, "index: data", off); err != nil {
			return err
		}
	}
	return it.err
}

// readAt fills b from offset off; a short file is corruption.
func (r *Reader) readAt(b []byte, off int64) error {
	n, err := r.f.ReadAt(b, off)
	if n == len(b) {
		return nil // io.ReaderAt may return io.EOF with a full read
	}
	if err == nil || errors.Is(err, io.EOF) {
		return corruption.Errorf(r.opts.Name, off, "truncated: read %d of %d bytes", n, len(b))
	}
	return fmt.Errorf("lsmkv/sstable: read %s at %d: %w", r.opts.Name, off, err)
}

// readBufs holds buffers for stored blocks that are decompressed straight
// away, so that a cache miss allocates only the decoded block.
var readBufs = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledRead bounds the read buffers readBufs keeps.
const maxPooledRead = 256 << 10

// readBlock reads, verifies and decompresses the block at h. The result is
// freshly allocated and never modified afterwards.
func (r *Reader) readBlock(h handle) ([]byte, Compression, error) {
	n := int(h.length + blockTrailerLen)
	bp := readBufs.Get().(*[]byte)
	defer readBufs.Put(bp)
	if n > maxPooledRead {
		bp = new([]byte) // too big to keep: the pool gets its own back
	}
	if cap(*bp) < n {
		*bp = make([]byte, n)
	}
	buf := (*bp)[:n]
	if err := r.readAt(buf, int64(h.offset)); err != nil {
		return nil, 0, err
	}
	b, kind, err := decodeStoredBlock(r.opts.Name, int64(h.offset), buf)
	if kind == NoCompression {
		*bp = nil // b is buf: it now belongs to the caller
	}
	return b, kind, err
}

// dataBlock returns the decoded data block at h, from the cache if it is
// there. It does not allocate on a cache hit.
func (r *Reader) dataBlock(h handle) ([]byte, error) {
	c, stats := r.opts.Cache, r.opts.Stats
	if c != nil {
		if b, ok := c.Get(r.opts.FileNum, h.offset); ok {
			if stats != nil {
				stats.BlockCacheHits.Add(1)
			}
			return b, nil
		}
	}
	b, _, err := r.readBlock(h)
	if err != nil {
		return nil, err
	}
	if stats != nil {
		stats.BlockReads.Add(1)
	}
	if c != nil {
		c.Set(r.opts.FileNum, h.offset, b)
	}
	return b, nil
}

// scanReadahead is how much of the file a scan iterator reads at once:
// 64 data blocks of the default size. An Iter that finds itself scanning
// forwards reads ahead too, after seqBlocksBeforeReadahead blocks in file
// order, starting at minIterReadahead and doubling up to maxIterReadahead:
// less than a scan's, because a DB iterator holds one Iter per L0 table
// and many iterators may be open.
const (
	scanReadahead            = 256 << 10
	minIterReadahead         = 16 << 10
	maxIterReadahead         = 64 << 10
	seqBlocksBeforeReadahead = 2
)

// sequential tracks an Iter's block loads to notice a forward scan, for
// which one read of many blocks beats a read per block (RocksDB's
// automatic iterator readahead). Blocks read ahead still go through the
// block cache: unlike a compaction's, a reader's scan may be read again.
type sequential struct {
	next  int64 // file offset just past the last block loaded
	run   int   // blocks loaded in file order, each right after the last
	ra    readahead
	chunk int64 // the last readahead size; 0 before the first
}

// iterBlock returns the decoded data block at h for an Iter, from the cache
// if it is there, else from the file, read ahead if the Iter is scanning
// forwards.
func (r *Reader) iterBlock(h handle, s *sequential) ([]byte, error) {
	off, n := int64(h.offset), int64(h.length+blockTrailerLen)
	if off == s.next {
		s.run++
	} else {
		s.run, s.chunk, s.ra = 0, 0, readahead{}
	}
	s.next = off + n
	if s.run < seqBlocksBeforeReadahead {
		return r.dataBlock(h)
	}
	c, stats := r.opts.Cache, r.opts.Stats
	if b, ok := c.Get(r.opts.FileNum, h.offset); ok {
		if stats != nil {
			stats.BlockCacheHits.Add(1)
		}
		return b, nil
	}
	if !s.ra.holds(off, n) {
		s.chunk = min(max(2*s.chunk, minIterReadahead), maxIterReadahead)
		if err := r.fill(&s.ra, off, max(n, s.chunk)); err != nil {
			return nil, err
		}
	}
	i := off - s.ra.off
	b, kind, err := decodeStoredBlock(r.opts.Name, off, s.ra.buf[i:i+n:i+n])
	if err != nil {
		return nil, err
	}
	if kind == NoCompression && c != nil {
		b = bytes.Clone(b) // a cached block must not pin the whole chunk
	}
	if stats != nil {
		stats.BlockReads.Add(1)
	}
	c.Set(r.opts.FileNum, h.offset, b)
	return b, nil
}

// readahead holds bytes [off, off+len(buf)) of a table's data blocks.
type readahead struct {
	buf []byte
	off int64
}

// holds reports whether the n bytes at off are all in ra.
func (ra *readahead) holds(off, n int64) bool {
	return ra.buf != nil && off >= ra.off && off+n <= ra.off+int64(len(ra.buf))
}

// fill reads up to size bytes of data blocks at off into a new chunk for
// ra (never into the old one: blocks decoded from it may alias it), fewer
// if the data blocks end sooner, but never fewer than need.
func (r *Reader) fill(ra *readahead, off, size int64) error {
	size = min(size, int64(r.dataEnd)-off)
	buf := make([]byte, size)
	if err := r.readAt(buf, off); err != nil {
		return err
	}
	ra.buf, ra.off = buf, off
	return nil
}

// scanBlock returns the decoded data block at h, reading it from ra or
// refilling ra with the chunk that starts at h. Each refill allocates a new
// chunk rather than reusing the old one: an uncompressed block aliases its
// chunk, and its keys may still be in use after the iterator moves on.
func (r *Reader) scanBlock(h handle, ra *readahead) ([]byte, error) {
	off, n := int64(h.offset), int64(h.length+blockTrailerLen)
	if !ra.holds(off, n) {
		if err := r.fill(ra, off, max(n, scanReadahead)); err != nil {
			return nil, err
		}
	}
	i := off - ra.off
	b, _, err := decodeStoredBlock(r.opts.Name, off, ra.buf[i:i+n:i+n])
	return b, err
}

// MayContain reports whether the table may hold an entry for ukey; false is
// certain. Without a filter it is always true. It does not update stats.
func (r *Reader) MayContain(ukey []byte) bool {
	return !r.hasFilter || r.filter.mayContain(filterHash(ukey))
}

// Get returns the newest point entry for ukey with sequence number <= seq
// and that entry's sequence number. found is false if there is none; a
// tombstone is found with kind KindDelete. Range tombstones are not
// consulted: the caller weighs RangeDels against entrySeq. The value
// aliases a block that is never modified (possibly a cached one): callers
// must not modify it. Get does not allocate when the block is cached.
func (r *Reader) Get(ukey []byte, seq keys.SeqNum) (value []byte, entrySeq keys.SeqNum, kind keys.Kind, found bool, err error) {
	if r.hasFilter {
		if r.opts.Stats != nil {
			r.opts.Stats.FilterChecks.Add(1)
		}
		if !r.filter.mayContain(filterHash(ukey)) {
			if r.opts.Stats != nil {
				r.opts.Stats.FilterNegatives.Add(1)
			}
			return nil, 0, 0, false, nil
		}
	}
	s := r.scratch.Get().(*getScratch)
	defer r.scratch.Put(s)
	s.seek = keys.AppendSeekKey(s.seek[:0], ukey, seq)
	if err := s.index.init(r.opts.Name, int64(r.footer.index.offset), r.index, indexRestartInterval); err != nil {
		return nil, 0, 0, false, err
	}
	// The first block whose separator is >= the seek key holds the answer;
	// the loop only moves on if a block holds nothing >= the seek key.
	for ok := s.index.SeekGE(s.seek); ok; ok = s.index.Next() {
		h, _ := decodeHandle(s.index.val) // checked at Open
		block, err := r.dataBlock(h)
		if err != nil {
			return nil, 0, 0, false, err
		}
		if err := s.data.init(r.opts.Name, int64(h.offset), block, dataRestartInterval); err != nil {
			return nil, 0, 0, false, err
		}
		if s.data.SeekGE(s.seek) {
			if !bytes.Equal(keys.UserKey(s.data.key), ukey) {
				return nil, 0, 0, false, nil
			}
			return s.data.val, keys.Seq(s.data.key), keys.KindOf(s.data.key), true, nil
		}
		if s.data.err != nil {
			return nil, 0, 0, false, s.data.err
		}
	}
	return nil, 0, 0, false, s.index.err
}

// Properties returns the table's properties. The caller must not modify them.
func (r *Reader) Properties() *Properties { return &r.props }

// MemoryUsage returns the bytes the Reader pins: the index and filter blocks.
func (r *Reader) MemoryUsage() int64 {
	n := len(r.index)
	if r.hasFilter {
		n += len(r.filter.bits) + 1
	}
	return int64(n)
}

// Close closes the file. It does not evict the table's blocks from the
// cache: the DB does that (cache.EvictFile) when it deletes the table.
func (r *Reader) Close() error {
	if err := r.f.Close(); err != nil {
		return fmt.Errorf("lsmkv/sstable: close %s: %w", r.opts.Name, err)
	}
	return nil
}
