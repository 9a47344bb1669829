package lsmkv

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lsmkv/lsmkv/cache"
	"github.com/lsmkv/lsmkv/compaction"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/manifest"
	"github.com/lsmkv/lsmkv/memtable"
	"github.com/lsmkv/lsmkv/sstable"
	"github.com/lsmkv/lsmkv/vfs"
	"github.com/lsmkv/lsmkv/wal"
)

// DB is an open database. Every method is safe for concurrent use.
//
// Goroutines: callers' goroutines run writes (one of them at a time leads a
// commit group, see commit.go) and reads; one flush goroutine turns
// immutable memtables into L0 tables (flush.go); one compaction goroutine
// merges tables down the levels (compact.go).
type DB struct {
	dirname string
	opts    Options // defaults filled in; never modified after Open
	fs      vfs.FS

	fileLock   io.Closer // nil when ReadOnly
	blockCache *cache.Cache
	tables     *tableCache
	readStats  sstable.ReadStats
	compactOpt compaction.Options
	stats      dbStats // atomic counters behind Metrics

	// visibleSeq is the sequence number of the newest write that readers
	// may see: every write at or below it has been applied to the memtable.
	// Stored by the commit leader under mu. Reads load it under rsMu, after
	// the read state and never before (acquireReadState says why).
	visibleSeq atomic.Uint64

	// stateMirror is state (below), readable without mu: by reads, which
	// never take mu, and by a compaction's write loop.
	stateMirror atomic.Int32

	// rsMu guards rs, the memtables and version that reads start from
	// (read.go). Writers of rs also hold mu; readers take only rsMu.RLock,
	// so Get does not contend with the commit path on mu. rs holds one
	// reference on its version.
	rsMu sync.RWMutex
	rs   *readState

	bgDone sync.WaitGroup // the flush and compaction goroutines
	// events delivers EventListener calls and log lines (events.go). Set
	// at Open; safe for concurrent use.
	events *events

	mu sync.Mutex
	// bgCond is broadcast (with mu held) when a flush or compaction
	// finishes, a memtable is frozen, a background error is set, or the
	// commit queue drains during Close.
	bgCond *sync.Cond

	// Guarded by mu.
	state dbState // only moves forward; written by setState
	bgErr error   // a failed flush, compaction or WAL write stops writes
	// bgErrRetryable: bgErr may clear on its own (a full disk), and
	// resumeLoop is retrying (resume.go); otherwise bgErr is sticky.
	bgErrRetryable bool
	resuming       bool          // resumeLoop is running
	resumeDelay    time.Duration // its next wait
	// unrecorded are tables of flushes and compactions whose manifest edit
	// failed: kept (pending) until a new manifest that does not list them
	// replaces the broken one.
	unrecorded []uint64
	writers    []*writer   // commit queue; writers[0] leads the next group
	mem        *memEntry   // the mutable memtable; only the commit leader writes to it
	imm        []*memEntry // immutable memtables waiting for flush, oldest first
	log        *walHandle  // the WAL that mem's writes go to; nil when ReadOnly
	vs         *manifest.VersionSet
	// pendingOutputs are tables being written: not yet in any version, but
	// not obsolete either.
	pendingOutputs map[uint64]struct{}
	compacting     bool // a compaction (automatic or manual) is running
	// deleteOnlyDue: the tree or the snapshots changed since the last
	// delete-only pass looked for tables to drop (deleteonly.go).
	deleteOnlyDue bool
	// l0Reads: what seeks through L0 cost, for read-triggered compaction
	// (readcompaction.go). Atomic fields, and one guarded by mu.
	l0Reads l0Reads
	// deletionsPaused counts checkpoints running: while it is above zero,
	// deleteObsoleteFiles deletes nothing (a table must not go while it is
	// being linked).
	deletionsPaused int
	manifestSeen    uint64 // the manifest last reported by a ManifestCreated event
	snapshots       map[*Snapshot]struct{}
	iterators       map[*Iterator]struct{}
	lastSeq         keys.SeqNum // last sequence number assigned (>= visibleSeq)

	// groupBatch merges a commit group's batches; only the leader uses it.
	groupBatch Batch
}

// memEntry is a memtable and the WAL that holds its writes.
type memEntry struct {
	mt     *memtable.Memtable
	logNum uint64
	log    *walHandle // nil for memtables rebuilt by recovery
}

// walHandle is an open WAL file.
type walHandle struct {
	num  uint64
	file vfs.File
	w    *wal.Writer // written only by the commit leader while current
	// dirSynced: the WAL's directory entry is durable. Commit leader only.
	dirSynced bool

	// A WAL retired by rotateMemtable is synced and closed once, by whoever
	// needs it first: the flush of its memtable, or a leader about to sync
	// a newer WAL (see retire).
	retireMu  sync.Mutex
	retired   bool
	retireErr error
}

// retire syncs and closes a WAL that no longer takes writes. Safe to call
// concurrently and more than once; later calls return the first result.
func (h *walHandle) retire() error {
	h.retireMu.Lock()
	defer h.retireMu.Unlock()
	if !h.retired {
		h.retired = true
		h.retireErr = errors.Join(h.w.Sync(), h.w.Close())
	}
	return h.retireErr
}

// Close closes the DB. Iterators and snapshots still open are released and
// reported in the returned error: a leaked iterator pins old tables on disk.
// Later calls to any method return ErrClosed.
func (db *DB) Close() error {
	db.mu.Lock()
	if db.state != stateOpen {
		db.mu.Unlock()
		return ErrClosed
	}
	db.setState(stateClosing)
	for len(db.writers) > 0 {
		db.bgCond.Wait()
	}
	db.setState(stateStopping)
	db.bgCond.Broadcast()
	db.mu.Unlock()
	db.bgDone.Wait()

	db.mu.Lock()
	defer db.mu.Unlock()
	// A manual Compact runs on its caller's goroutine; it sees stopping() and
	// abandons its outputs. Wait, so no file changes after Close returns.
	for db.compacting {
		db.bgCond.Wait()
	}
	leakErr := db.releaseLeaked()
	var errs []error
	for _, m := range db.imm {
		if m.log != nil {
			errs = append(errs, m.log.retire())
		}
	}
	if db.log != nil {
		// A clean Close leaves every acknowledged write durable: the WALs'
		// data, and their directory entries (synced lazily while running).
		if db.bgErr == nil {
			errs = append(errs, db.log.w.Sync(), db.syncDirOnce(db.log))
		}
		errs = append(errs, db.log.w.Close())
	}
	db.rsMu.Lock()
	if db.rs != nil {
		db.rs.version.Unref()
		db.rs = nil
	}
	db.rsMu.Unlock()
	errs = append(errs, db.tables.close(), db.vs.Close())
	if db.fileLock != nil {
		errs = append(errs, db.fileLock.Close())
	}
	errs = append(errs, leakErr)
	db.events.close() // every event before Close returns is delivered
	return errors.Join(errs...)
}

// releaseLeaked closes iterators and snapshots the caller forgot.
// REQUIRES: mu held.
func (db *DB) releaseLeaked() error {
	nIter, nSnap := len(db.iterators), len(db.snapshots)
	for it := range db.iterators {
		it.releaseByClose()
	}
	for s := range db.snapshots {
		delete(db.snapshots, s)
		s.closed.Store(true)
	}
	if nIter+nSnap == 0 {
		return nil
	}
	return fmt.Errorf("lsmkv: Close released %d open iterator(s) and %d open snapshot(s) the caller did not close", nIter, nSnap)
}

// checkWritable returns ErrClosed after Close, else ErrReadOnly for a
// read-only DB: closed wins, so every call after Close says ErrClosed.
func (db *DB) checkWritable() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.state != stateOpen {
		return ErrClosed
	}
	if db.opts.ReadOnly {
		return ErrReadOnly
	}
	return nil
}

// errIfClosed returns ErrClosed after Close. REQUIRES: mu held.
func (db *DB) errIfClosed() error {
	if db.state != stateOpen {
		return ErrClosed
	}
	return nil
}

// dbState is where the DB is in its life; it only moves forward.
type dbState int32

const (
	stateOpen dbState = iota
	// stateClosing: Close was called. New calls get ErrClosed; writers
	// already queued still commit, so background work goes on.
	stateClosing
	// stateStopping: the commit queue is empty, and background work stops
	// at its next safe point.
	stateStopping
)

// setState moves the DB to s. REQUIRES: mu held.
func (db *DB) setState(s dbState) {
	db.state = s
	db.stateMirror.Store(int32(s))
}

// closedNoLock reports whether Close was called, without mu.
func (db *DB) closedNoLock() bool { return dbState(db.stateMirror.Load()) >= stateClosing }

// stopping reports whether background work must stop, without mu.
func (db *DB) stopping() bool { return dbState(db.stateMirror.Load()) >= stateStopping }

// setBgErr records the first background error; writes fail with it from
// then on. REQUIRES: mu held.
func (db *DB) setBgErr(err error) {
	if err != nil && db.bgErr == nil {
		db.bgErr, db.bgErrRetryable = err, retryable(err)
		db.events.backgroundError(BackgroundErrorInfo{Err: err, Retryable: db.bgErrRetryable})
		if db.bgErrRetryable {
			db.startResume()
		}
	}
	db.bgCond.Broadcast()
}
