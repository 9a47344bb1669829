package lsmkv

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/lsmkv/lsmkv/manifest"
	"github.com/lsmkv/lsmkv/vfs"
)

// Recovery from a full disk (docs/ARCHITECTURE.md, "Background errors").
//
// A failed flush, compaction, WAL write or manifest write stops writes
// with a background error. Most such errors are sticky until the DB is
// reopened. A retryable one, the disk being full (ENOSPC, EDQUOT) while
// writing, stops writes only until space comes back: reads go on, and
// resumeLoop retries with backoff. A retry repairs what the failure left:
// a manifest that could not take an edit is replaced by a new one holding
// the current version (VersionSet.Recover); a WAL whose Append failed is
// cut back to its last complete record (wal.Writer.Abandon), and the
// memtable, all of whose writes were acknowledged, is frozen with it while
// a new WAL takes the next writes. Then writes resume; a flush or
// compaction that still finds no space fails again, and the loop backs
// off further. Nothing acknowledged is lost: a write is acknowledged only
// after its WAL record is complete, and the failed one was not.
//
// A failed sync is never retried, whatever its errno: after a failed fsync
// the kernel may have dropped the file's dirty pages and marked them
// clean, so what is durable is unknown, and the only safe path is to
// reopen and recover from what the disk really holds.

// ErrWritesPaused is wrapped by the error writes return while a retryable
// background error (a full disk) pauses them. The engine is retrying;
// writes resume on their own once it succeeds. The error also wraps its
// cause (errors.Is(err, syscall.ENOSPC)).
var ErrWritesPaused = errors.New("lsmkv: writes paused by a retryable background error")

// Retry delays: the first retry comes after resumeMinDelay; each failure
// doubles the delay up to resumeMaxDelay. Variables so tests can shorten
// them.
var (
	resumeMinDelay = 100 * time.Millisecond
	resumeMaxDelay = 5 * time.Second
)

// retryable reports whether a background error may clear on its own: the
// disk was full, and no sync failed.
func retryable(err error) bool {
	return (errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)) &&
		!errors.Is(err, vfs.ErrSyncFailed)
}

// writeErr is the error writes return while bgErr is set. REQUIRES: mu
// held; bgErr != nil.
func (db *DB) writeErr() error {
	if db.bgErrRetryable {
		return fmt.Errorf("%w: %w", ErrWritesPaused, db.bgErr)
	}
	return db.bgErr
}

// startResume starts the retry goroutine unless it runs already.
// REQUIRES: mu held; bgErr is retryable.
func (db *DB) startResume() {
	if db.resuming || db.stopping() || db.opts.ReadOnly {
		return
	}
	db.resuming = true
	db.bgDone.Add(1)
	go db.resumeLoop()
}

// resumeLoop retries until the background error clears, turns out sticky,
// or the DB closes.
func (db *DB) resumeLoop() {
	defer db.bgDone.Done()
	db.mu.Lock()
	defer db.mu.Unlock()
	defer func() { db.resuming = false }()
	for {
		db.sleepLocked(db.resumeDelay)
		db.resumeDelay = min(2*db.resumeDelay, resumeMaxDelay)
		if db.stopping() {
			return
		}
		err := db.tryResume()
		switch {
		case err == nil:
			db.opts.Logger.Info("background error cleared: writes resume", "was", db.bgErr)
			db.bgErr, db.bgErrRetryable = nil, false
			db.stats.resumes.Add(1)
			db.bgCond.Broadcast()
			return
		case !retryable(err):
			db.bgErr, db.bgErrRetryable = err, false
			db.events.backgroundError(BackgroundErrorInfo{Err: err})
			db.bgCond.Broadcast()
			return
		}
	}
}

// sleepLocked waits d with mu released, or less if the DB starts closing.
// REQUIRES: mu held.
func (db *DB) sleepLocked(d time.Duration) {
	deadline := time.Now().Add(d)
	t := time.AfterFunc(d, func() {
		db.mu.Lock()
		db.bgCond.Broadcast()
		db.mu.Unlock()
	})
	defer t.Stop()
	for !db.stopping() && time.Now().Before(deadline) {
		db.bgCond.Wait()
	}
}

// tryResume repairs what a retryable failure left, so that writes can go
// on. REQUIRES: mu held.
func (db *DB) tryResume() error {
	if err := db.vs.Recover(); err != nil {
		return err
	}
	// Tables of edits that failed to reach the manifest: the manifest
	// in use now (new, or never broken) does not list them.
	for _, num := range db.unrecorded {
		delete(db.pendingOutputs, num)
	}
	db.unrecorded = nil
	if db.log != nil && db.log.w.Failed() {
		if err := db.log.w.Abandon(); err != nil {
			return err
		}
		if err := db.rotateMemtable(0); err != nil {
			return err
		}
	}
	db.deleteObsoleteFiles()
	return nil
}

// noteUnrecorded remembers the tables of an edit whose manifest write
// failed: they may be on disk, listed by a torn record, so they stay
// pending until a new manifest replaces the broken one. REQUIRES: mu held.
func (db *DB) noteUnrecorded(e *manifest.VersionEdit) {
	for _, a := range e.Added {
		db.unrecorded = append(db.unrecorded, a.Meta.Num)
	}
}

// backgroundDone notes a flush or compaction that succeeded: the next
// retryable failure starts its retries from the shortest delay again.
// REQUIRES: mu held.
func (db *DB) backgroundDone() { db.resumeDelay = resumeMinDelay }
