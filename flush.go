package lsmkv

import (
	"fmt"
	"time"

	"github.com/lsmkv/lsmkv/compaction"
	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/internal/iterator"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/manifest"
	"github.com/lsmkv/lsmkv/memtable"
	"github.com/lsmkv/lsmkv/sstable"
	"github.com/lsmkv/lsmkv/vfs"
)

// Flush writes the memtable to an L0 table and returns when no memtable
// waits for flush any more: every write acknowledged before the call is in
// a synced table recorded in the synced manifest. Under a steady write load
// it may also wait for memtables frozen after the call.
func (db *DB) Flush() error {
	if err := db.checkWritable(); err != nil {
		return err
	}
	if err := db.commit(nil, false); err != nil {
		return err
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	for len(db.imm) > 0 && db.bgErr == nil && !db.stopping() {
		db.bgCond.Wait()
	}
	if db.bgErr != nil {
		return db.writeErr()
	}
	return db.errIfClosed()
}

// flushLoop is the flush goroutine: it writes the oldest immutable
// memtable to L0 whenever there is one.
func (db *DB) flushLoop() {
	defer db.bgDone.Done()
	db.mu.Lock()
	defer db.mu.Unlock()
	for {
		for !db.stopping() && (len(db.imm) == 0 || db.bgErr != nil) {
			db.bgCond.Wait()
		}
		if db.stopping() {
			return
		}
		err := db.flushOldest()
		if err != nil {
			db.setBgErr(err)
		}
		db.bgCond.Broadcast()
	}
}

// flushOldest writes imm[0] to L0 and records it, with the WALs it makes
// obsolete, in the manifest. REQUIRES: mu held; released during the write.
func (db *DB) flushOldest() (err error) {
	m := db.imm[0]
	snaps := db.snapshotSeqs()
	info := FlushInfo{JobID: db.events.jobID(), WAL: m.logNum, Entries: m.mt.Len(), MemtableBytes: m.mt.Size()}
	db.events.flushBegin(info)
	start := time.Now()
	var meta *manifest.FileMeta
	defer func() {
		info.Duration, info.Err = time.Since(start), err
		if err == nil && meta != nil {
			t := tableInfo(meta, 0)
			info.Output = &t
		}
		db.events.flushEnd(info)
	}()
	db.mu.Unlock()
	err = retireAll([]*memEntry{m})
	if err == nil {
		meta, err = db.writeL0(m.mt, snaps)
	}
	db.mu.Lock()
	if err != nil {
		return err
	}
	// The oldest WAL still needed is the next memtable's.
	nextLog := db.mem.logNum
	if len(db.imm) > 1 {
		nextLog = db.imm[1].logNum
	}
	edit := &manifest.VersionEdit{HasLogNum: true, LogNum: nextLog, HasLastSeq: true, LastSeq: db.lastSeq}
	if meta != nil {
		edit.Added = []manifest.NewFile{{Level: 0, Meta: *meta}}
	} else if err := db.fs.SyncDir(db.dirname); err != nil {
		// writeL0 synced the directory when it wrote a table; without one,
		// sync it here: the edit names WAL nextLog, whose entry must be durable.
		return fmt.Errorf("lsmkv: sync dir before recording flush: %w", err)
	}
	// On failure the edit may still have reached the disk, so its tables
	// stay in pendingOutputs (never deleted by this process).
	if err := db.vs.LogAndApply(edit); err != nil {
		db.noteUnrecorded(edit)
		return fmt.Errorf("lsmkv: record flush in manifest: %w", err)
	}
	db.backgroundDone()
	db.clearPending(edit)
	db.imm = append([]*memEntry(nil), db.imm[1:]...)
	db.updateReadState()
	if meta != nil {
		db.stats.flushes.Add(1)
		db.stats.flushBytes.Add(int64(meta.Size))
		db.events.tableCreated(tableInfo(meta, 0))
	}
	db.deleteObsoleteFiles()
	return nil
}

// writeL0 writes a memtable to a new table, dropping versions that no
// snapshot in snaps (nor the latest state) can see. It returns nil if the
// memtable is empty. The table's number stays in pendingOutputs until the
// caller records it (clearPending).
func (db *DB) writeL0(mt *memtable.Memtable, snaps []keys.SeqNum) (*manifest.FileMeta, error) {
	if mt.Empty() {
		return nil, nil
	}
	in := mt.NewIter()
	// A flush is a rewrite: the rewrite filters decide what it drops. Nothing
	// is elided, since any tombstone may hide a value in an older table.
	ci := compaction.NewIter(in, snaps, nil)
	ci.SetRangeDels(mt.RangeDels())
	defer in.Close()
	out, err := db.newTableOutput()
	if err != nil {
		return nil, err
	}
	out.w.SetRangeDels(compaction.FilterRangeDels(mt.RangeDels(), snaps, nil))
	for ok := ci.First(); ok; ok = ci.Next() {
		if err := out.w.Add(ci.Key(), ci.Value()); err != nil {
			out.abandon()
			return nil, err
		}
	}
	if err := ci.Error(); err != nil {
		out.abandon()
		return nil, err
	}
	meta, err := out.finish()
	if err != nil {
		return nil, err
	}
	if err := db.fs.SyncDir(db.dirname); err != nil {
		return nil, fmt.Errorf("lsmkv: sync dir after writing %s: %w", out.path, err)
	}
	return meta, nil
}

var _ iterator.Iterator = (*memtable.Iter)(nil)

// tableOutput is a table being written by a flush or compaction.
type tableOutput struct {
	db   *DB
	num  uint64
	path string
	file vfs.File
	w    *sstable.Writer
}

// newTableOutput allocates a file number, marks it pending and creates the
// file.
func (db *DB) newTableOutput() (*tableOutput, error) {
	db.mu.Lock()
	num := db.vs.NewFileNum()
	db.pendingOutputs[num] = struct{}{}
	db.mu.Unlock()
	path := filename.Path(db.dirname, filename.Table, num)
	f, err := db.fs.Create(path)
	if err != nil {
		return nil, fmt.Errorf("lsmkv: create table: %w", err)
	}
	return &tableOutput{db: db, num: num, path: path, file: f, w: sstable.NewWriter(f, db.opts.tableWriterOptions())}, nil
}

// finish completes and syncs the table and returns its metadata.
func (t *tableOutput) finish() (*manifest.FileMeta, error) {
	props, err := t.w.Finish()
	if cerr := t.file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.db.fs.Remove(t.path)
		return nil, fmt.Errorf("lsmkv: finish %s: %w", t.path, err)
	}
	return &manifest.FileMeta{
		Num: t.num, Size: props.FileSize,
		Smallest: props.Smallest, Largest: props.Largest,
		SmallestSeq: props.SmallestSeq, LargestSeq: props.LargestSeq,
		NumEntries: props.NumEntries, NumDeletions: props.NumDeletions, NumRangeDels: props.NumRangeDels,
	}, nil
}

// abandon closes and removes a table that will not be used.
func (t *tableOutput) abandon() {
	t.file.Close()
	t.db.fs.Remove(t.path)
}

// clearPending forgets the pending outputs an edit recorded: from now on
// the versions that list them keep them alive. REQUIRES: mu held.
func (db *DB) clearPending(edit *manifest.VersionEdit) {
	for _, a := range edit.Added {
		delete(db.pendingOutputs, a.Meta.Num)
	}
}
