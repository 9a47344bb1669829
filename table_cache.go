package lsmkv

import (
	"container/list"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/lsmkv/lsmkv/cache"
	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/internal/iterator"
	"github.com/lsmkv/lsmkv/manifest"
	"github.com/lsmkv/lsmkv/sstable"
	"github.com/lsmkv/lsmkv/vfs"
)

// tableCache keeps up to Options.MaxOpenFiles SSTable readers open, least
// recently used first out. Readers are reference-counted: one evicted while
// a Get or an iterator uses it is closed when the last user releases it.
//
// It knows only what it is given (tableCacheOptions), not the DB. Closing a
// reader of a read-only file loses nothing, so a close error where no
// caller can take it (an eviction, a Get's release) is logged, not lost.
type tableCache struct {
	opts     tableCacheOptions
	capacity int
	// openIter is newIter bound once: a method value made per iterator
	// would be an allocation per iterator.
	openIter func(*manifest.FileMeta) (iterator.Iterator, error)

	mu sync.Mutex
	// Guarded by mu.
	entries map[uint64]*tableEntry
	lru     list.List // of *tableEntry, most recently used at the front
	closed  bool
}

// tableEntry is one open table. refs counts the cache's own reference (while
// it is in entries) plus one per user.
type tableEntry struct {
	num    uint64
	refs   int           // guarded by tableCache.mu
	elem   *list.Element // guarded by tableCache.mu; nil once evicted
	loaded chan struct{} // closed when reader or err is set
	reader *sstable.Reader
	err    error
}

// tableCacheOptions are the table cache's dependencies.
type tableCacheOptions struct {
	fs         vfs.FS
	dir        string
	maxOpen    int
	blockCache *cache.Cache       // shared by every reader; nil: none
	stats      *sstable.ReadStats // shared counters behind Metrics
	logger     *slog.Logger       // close errors no caller can take
}

func newTableCache(opts tableCacheOptions) *tableCache {
	tc := &tableCache{opts: opts, capacity: opts.maxOpen, entries: make(map[uint64]*tableEntry)}
	tc.openIter = tc.newIter
	return tc
}

// acquire returns the open reader for table f, opening it if needed. The
// caller must release it.
func (tc *tableCache) acquire(f *manifest.FileMeta) (*tableEntry, error) {
	tc.mu.Lock()
	if tc.closed {
		tc.mu.Unlock()
		return nil, ErrClosed
	}
	e, ok := tc.entries[f.Num]
	if ok {
		e.refs++
		tc.lru.MoveToFront(e.elem)
		tc.mu.Unlock()
		<-e.loaded
	} else {
		e = &tableEntry{num: f.Num, refs: 2, loaded: make(chan struct{})}
		e.elem = tc.lru.PushFront(e)
		tc.entries[f.Num] = e
		unused := tc.evictOverCapacity()
		tc.mu.Unlock()
		tc.logCloseError(closeReaders(unused))
		e.reader, e.err = tc.open(f)
		close(e.loaded)
	}
	if e.err != nil {
		tc.forget(e)
		tc.logCloseError(tc.release(e))
		return nil, e.err
	}
	return e, nil
}

// open opens table f's file and reader.
func (tc *tableCache) open(f *manifest.FileMeta) (*sstable.Reader, error) {
	path := filename.Path(tc.opts.dir, filename.Table, f.Num)
	file, err := tc.opts.fs.Open(path)
	if err != nil {
		return nil, fmt.Errorf("lsmkv: open table: %w", err)
	}
	r, err := sstable.Open(file, int64(f.Size), sstable.ReaderOptions{
		Name: path, FileNum: f.Num, Cache: tc.opts.blockCache, Stats: tc.opts.stats,
	})
	if err != nil {
		file.Close()
		return nil, err
	}
	return r, nil
}

// release drops a reference; the last one closes the reader and returns
// the close error.
func (tc *tableCache) release(e *tableEntry) error {
	tc.mu.Lock()
	e.refs--
	last := e.refs == 0
	tc.mu.Unlock()
	if last && e.reader != nil {
		if err := e.reader.Close(); err != nil {
			return fmt.Errorf("lsmkv: close table %06d: %w", e.num, err)
		}
	}
	return nil
}

// logCloseError reports a close error no caller can take.
func (tc *tableCache) logCloseError(err error) {
	if err != nil {
		tc.opts.logger.Warn("closing a table reader", "err", err)
	}
}

// evictOverCapacity drops least recently used entries and returns those
// nobody uses, for the caller to close once it has released tc.mu (Close
// does I/O). Entries in use are closed by their last release.
// REQUIRES: tc.mu held.
func (tc *tableCache) evictOverCapacity() []*tableEntry {
	var unused []*tableEntry
	for tc.lru.Len() > tc.capacity {
		e := tc.lru.Back().Value.(*tableEntry)
		tc.removeLocked(e)
		if e.refs == 0 {
			unused = append(unused, e)
		}
	}
	return unused
}

// closeReaders closes the readers of entries taken out of the cache.
func closeReaders(entries []*tableEntry) error {
	var errs []error
	for _, e := range entries {
		<-e.loaded
		if e.reader != nil {
			if err := e.reader.Close(); err != nil {
				errs = append(errs, fmt.Errorf("lsmkv: close table %06d: %w", e.num, err))
			}
		}
	}
	return errors.Join(errs...)
}

// removeLocked takes e out of the cache and drops the cache's reference.
// REQUIRES: tc.mu held.
func (tc *tableCache) removeLocked(e *tableEntry) {
	if e.elem == nil {
		return
	}
	tc.lru.Remove(e.elem)
	e.elem = nil
	delete(tc.entries, e.num)
	e.refs--
}

// forget removes e (a table that failed to open) so the next acquire retries.
func (tc *tableCache) forget(e *tableEntry) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.entries[e.num] == e {
		tc.removeLocked(e)
	}
}

// evict drops table num (being deleted) and its cached blocks.
func (tc *tableCache) evict(num uint64) {
	tc.mu.Lock()
	e := tc.entries[num]
	var closeNow bool
	if e != nil {
		tc.removeLocked(e)
		closeNow = e.refs == 0
	}
	tc.mu.Unlock()
	if closeNow {
		tc.logCloseError(closeReaders([]*tableEntry{e}))
	}
	if tc.opts.blockCache != nil {
		tc.opts.blockCache.EvictFile(num)
	}
}

// size returns the number of open tables.
func (tc *tableCache) size() int {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return tc.lru.Len()
}

// memoryUsage returns the bytes of index and filter blocks the open readers
// hold.
func (tc *tableCache) memoryUsage() int64 {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	var n int64
	for e := tc.lru.Front(); e != nil; e = e.Next() {
		te := e.Value.(*tableEntry)
		select {
		case <-te.loaded:
			if te.reader != nil {
				n += te.reader.MemoryUsage()
			}
		default:
		}
	}
	return n
}

// close closes every reader nobody uses; readers still in use are closed
// by their last release.
func (tc *tableCache) close() error {
	tc.mu.Lock()
	tc.closed = true
	var toClose []*tableEntry
	for e := tc.lru.Front(); e != nil; {
		next := e.Next()
		te := e.Value.(*tableEntry)
		tc.removeLocked(te)
		if te.refs == 0 {
			toClose = append(toClose, te)
		}
		e = next
	}
	tc.mu.Unlock()
	return closeReaders(toClose)
}

// newIter returns an iterator over table f that releases the table when
// closed. Its signature fits newLevelIter's open callback.
func (tc *tableCache) newIter(f *manifest.FileMeta) (iterator.Iterator, error) {
	e, err := tc.acquire(f)
	if err != nil {
		return nil, err
	}
	t := &tableIter{tc: tc, e: e}
	e.reader.InitIter(&t.Iter)
	return t, nil
}

// newScanIter is newIter for a compaction's input: one pass that reads
// ahead and bypasses the block cache (sstable.NewScanIter).
func (tc *tableCache) newScanIter(f *manifest.FileMeta) (iterator.Iterator, error) {
	e, err := tc.acquire(f)
	if err != nil {
		return nil, err
	}
	return &tableIter{Iter: *e.reader.NewScanIter(), tc: tc, e: e}, nil
}

// tableIter is an sstable iterator holding a table cache reference.
type tableIter struct {
	sstable.Iter // by value: one allocation per table opened by a read
	tc           *tableCache
	e            *tableEntry
}

func (t *tableIter) Close() error {
	err := t.Iter.Close()
	if t.e != nil {
		err = errors.Join(err, t.tc.release(t.e))
		t.e = nil
	}
	return err
}
