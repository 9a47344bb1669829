package lsmkv

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/lsmkv/lsmkv/cache"
	"github.com/lsmkv/lsmkv/compaction"
	"github.com/lsmkv/lsmkv/internal/corruption"
	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/manifest"
	"github.com/lsmkv/lsmkv/vfs"
	"github.com/lsmkv/lsmkv/wal"
)

// Open opens the database in dir, creating it if it does not exist (unless
// opts.ReadOnly). A nil opts means all defaults. Recovery replays the WALs
// the manifest still needs: a torn final record of the newest WAL is
// dropped; any other damage is an error wrapping ErrCorruption.
func Open(dir string, opts *Options) (*DB, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	o.ensureDefaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	if err := checkDirArg(o.FS, dir); err != nil {
		return nil, err
	}
	db := &DB{
		dirname:        dir,
		opts:           o,
		fs:             o.FS,
		pendingOutputs: make(map[uint64]struct{}),
		snapshots:      make(map[*Snapshot]struct{}),
		iterators:      make(map[*Iterator]struct{}),
	}
	db.bgCond = sync.NewCond(&db.mu)
	if o.BlockCacheSize > 0 {
		db.blockCache = cache.New(o.BlockCacheSize)
	}
	db.tables = newTableCache(db)
	db.compactOpt = compaction.Options{
		Style:               compaction.Leveled,
		L0CompactionTrigger: o.L0CompactionTrigger,
		LevelSizeMultiplier: o.LevelSizeMultiplier,
		BaseLevelSize:       o.BaseLevelSize,
		TargetFileSize:      o.TargetFileSize,
	}
	if o.Compaction == TieredCompaction {
		db.compactOpt.Style = compaction.Tiered
	}
	db.compactOpt.EnsureDefaults()

	if err := db.open(); err != nil {
		db.abandon()
		return nil, err
	}
	if !o.ReadOnly {
		db.bgDone.Add(2)
		go db.flushLoop()
		go db.compactLoop()
	}
	return db, nil
}

// checkDirArg refuses a directory argument that cannot name a DB: an empty
// path, or a path that exists but is not a directory.
func checkDirArg(fs vfs.FS, dir string) error {
	if dir == "" {
		return invalidf("Open with an empty directory path")
	}
	fi, err := fs.Stat(dir)
	if err == nil && !fi.IsDir() {
		return invalidf("Open of %s: not a directory", dir)
	}
	return nil // a missing dir is created (or refused by ReadOnly) later
}

// abandon releases what a failed Open acquired.
func (db *DB) abandon() {
	if db.log != nil {
		db.log.w.Close()
	}
	if db.vs != nil {
		db.vs.Close()
	}
	db.tables.close()
	if db.fileLock != nil {
		db.fileLock.Close()
	}
}

// open locks the directory, loads or creates the manifest and replays the
// WALs. REQUIRES: not yet shared with other goroutines.
func (db *DB) open() error {
	if err := db.lockDir(); err != nil {
		return err
	}
	// No other goroutine sees db yet, so recovery runs without mu; the
	// helpers it shares with the flush path take mu where they need it.
	if err := db.loadVersionSet(); err != nil {
		return err
	}
	if err := db.recoverWALs(); err != nil {
		return err
	}
	db.visibleSeq.Store(uint64(db.lastSeq))
	db.mu.Lock()
	db.updateReadState()
	db.mu.Unlock()
	if !db.opts.ReadOnly {
		db.mu.Lock()
		db.deleteObsoleteFiles()
		db.mu.Unlock()
	}
	return nil
}

// lockDir creates dir (unless read-only) and takes the LOCK file. A
// read-only DB takes no lock: it creates nothing and only reads.
func (db *DB) lockDir() error {
	if db.opts.ReadOnly {
		return nil
	}
	if _, err := db.fs.Stat(db.dirname); errors.Is(err, os.ErrNotExist) {
		if err := db.fs.MkdirAll(db.dirname, 0o755); err != nil {
			return fmt.Errorf("lsmkv: create %s: %w", db.dirname, err)
		}
		// Make the new directory's entry durable in its parent, or a power
		// loss could take the whole DB with it.
		if err := db.fs.SyncDir(filepath.Dir(db.dirname)); err != nil {
			return fmt.Errorf("lsmkv: sync parent of %s: %w", db.dirname, err)
		}
	}
	l, err := db.fs.Lock(filename.Path(db.dirname, filename.Lock, 0))
	if errors.Is(err, vfs.ErrLockHeld) {
		return fmt.Errorf("%w: %s: %w", ErrLocked, db.dirname, err)
	}
	if err != nil {
		return fmt.Errorf("lsmkv: lock %s: %w", db.dirname, err)
	}
	db.fileLock = l
	return nil
}

// loadVersionSet opens the manifest named by CURRENT, or creates a new DB.
func (db *DB) loadVersionSet() error {
	mopts := manifest.Options{
		FS: db.fs, Dir: db.dirname, ReadOnly: db.opts.ReadOnly, Logger: db.opts.Logger,
		Check: db.checkRecoveredFiles,
	}
	_, err := db.fs.Stat(filename.Path(db.dirname, filename.Current, 0))
	switch {
	case err == nil:
		db.vs, err = manifest.Load(mopts)
	case errors.Is(err, os.ErrNotExist):
		// Tables or WALs without CURRENT are a DB that lost CURRENT: the
		// same corruption whether or not the open may write.
		if err := db.checkNoStrayFiles(); err != nil {
			return err
		}
		if db.opts.ReadOnly {
			return fmt.Errorf("lsmkv: %s: no database (CURRENT is missing) and ReadOnly forbids creating one: %w", db.dirname, err)
		}
		db.vs, err = manifest.Create(mopts)
	}
	if err != nil {
		return fmt.Errorf("lsmkv: open %s: %w", db.dirname, err)
	}
	db.lastSeq = db.vs.LastSeq()
	return nil
}

// checkNoStrayFiles refuses to create a DB over a directory holding tables
// or WALs without CURRENT: that is a DB whose CURRENT was lost, and starting
// afresh would silently hide its data. A manifest alone is left by a first
// Open that failed before writing CURRENT; no write was acknowledged then,
// so creating the DB again is safe.
func (db *DB) checkNoStrayFiles() error {
	names, err := db.fs.List(db.dirname)
	if err != nil {
		return fmt.Errorf("lsmkv: list %s: %w", db.dirname, err)
	}
	for _, name := range names {
		if k, _, ok := filename.Parse(name); ok && (k == filename.Table || k == filename.Log) {
			return corruption.Errorf(filename.Path(db.dirname, filename.Current, 0), -1,
				"CURRENT is missing but %s exists", name)
		}
	}
	return nil
}

// checkRecoveredFiles verifies that every table the replayed manifest lists
// exists with its recorded size, and that the WAL it names as current
// exists: a missing or short file means lost edits or lost data. It runs
// inside manifest.Load, before anything on disk changes, and Load adds
// where the manifest's readable records end to its error.
func (db *DB) checkRecoveredFiles(v *manifest.Version, logNum uint64) error {
	for level, files := range v.Levels {
		for _, f := range files {
			path := filename.Path(db.dirname, filename.Table, f.Num)
			fi, err := db.fs.Stat(path)
			if err != nil {
				return corruption.Errorf(path, -1, "table listed at L%d by the manifest is missing: %w", level, err)
			}
			if uint64(fi.Size()) != f.Size {
				return corruption.Errorf(path, -1, "size %d differs from the manifest's %d", fi.Size(), f.Size)
			}
		}
	}
	if logNum == 0 {
		return nil // a DB whose first Open stopped before it made a WAL
	}
	path := filename.Path(db.dirname, filename.Log, logNum)
	if _, err := db.fs.Stat(path); err != nil {
		return corruption.Errorf(path, -1, "the manifest names this WAL as current but it is missing: %w", err)
	}
	return nil
}

// walsToReplay lists the WALs at or above the manifest's log number, in
// order, and marks every file number in the directory as used.
func (db *DB) walsToReplay() ([]uint64, error) {
	names, err := db.fs.List(db.dirname)
	if err != nil {
		return nil, fmt.Errorf("lsmkv: list %s: %w", db.dirname, err)
	}
	var logs []uint64
	for _, name := range names {
		k, num, ok := filename.Parse(name)
		if !ok {
			continue
		}
		db.vs.MarkFileNumUsed(num)
		if k == filename.Log && num >= db.vs.LogNum() {
			logs = append(logs, num)
		}
	}
	sort.Slice(logs, func(i, j int) bool { return logs[i] < logs[j] })
	return logs, nil
}

// recoverWALs replays the WALs into memtables, writes them to L0 tables
// (unless read-only) and starts a fresh WAL.
func (db *DB) recoverWALs() error {
	logs, err := db.walsToReplay()
	if err != nil {
		return err
	}
	modes, err := db.walRecoveryModes(logs)
	if err != nil {
		return err
	}
	r := &recovery{db: db, mem: db.newMemEntry(0, 0), lastSeq: db.lastSeq}
	for i, num := range logs {
		if err := db.replayWAL(num, modes[i], r); err != nil {
			return err
		}
	}
	recovered := r.finish()
	db.lastSeq = r.lastSeq
	if db.opts.ReadOnly {
		db.imm = recovered
		db.mem = db.newMemEntry(0, 0)
		return nil
	}
	return db.finishRecovery(recovered)
}

// walRecoveryModes returns how each WAL in logs must be read: only the
// newest non-empty one may end torn (wal.RecoveryModes holds the rule).
func (db *DB) walRecoveryModes(logs []uint64) ([]wal.RecoveryMode, error) {
	sizes := make([]int64, len(logs))
	for i, num := range logs {
		fi, err := db.fs.Stat(filename.Path(db.dirname, filename.Log, num))
		if err != nil {
			return nil, fmt.Errorf("lsmkv: stat WAL: %w", err)
		}
		sizes[i] = fi.Size()
	}
	return wal.RecoveryModes(sizes), nil
}

// replayWAL applies one WAL's batches through r.
func (db *DB) replayWAL(num uint64, mode wal.RecoveryMode, r *recovery) error {
	path := filename.Path(db.dirname, filename.Log, num)
	f, err := db.fs.Open(path)
	if err != nil {
		return fmt.Errorf("lsmkv: open WAL: %w", err)
	}
	defer f.Close()
	wr := wal.NewReader(f, wal.ReaderOptions{Name: path, LogNum: num, Mode: mode})
	for {
		rec, err := wr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("lsmkv: replay: %w", err)
		}
		if err := r.apply(rec); err != nil {
			return corruption.Errorf(path, wr.Offset(), "%w", err)
		}
	}
}

// recovery gathers replayed batches into memtables, oldest first. Like
// the commit leader's makeRoomForWrite, it starts a new memtable when the
// next batch would not fit, so a batch never spans two memtables.
type recovery struct {
	db      *DB
	mem     *memEntry   // the memtable being filled
	full    []*memEntry // memtables filled before mem, oldest first
	lastSeq keys.SeqNum // the highest sequence number replayed so far
}

// apply inserts one WAL record (a batch).
func (r *recovery) apply(rec []byte) error {
	need, last, err := batchMemNeed(rec)
	if err != nil {
		return err
	}
	if r.mem.mt.Size()+need > r.mem.mt.Capacity() {
		if !r.mem.mt.Empty() {
			r.full = append(r.full, r.mem)
		}
		r.mem = r.db.newMemEntry(0, need)
	}
	if err := insertBatch(r.mem.mt, rec); err != nil {
		return err
	}
	r.lastSeq = max(r.lastSeq, last)
	return nil
}

// finish returns every memtable holding replayed writes, oldest first.
func (r *recovery) finish() []*memEntry {
	if !r.mem.mt.Empty() {
		r.full = append(r.full, r.mem)
	}
	return r.full
}

// finishRecovery writes recovered memtables to L0, starts a new WAL and
// records both in one manifest edit, after which the replayed WALs are
// obsolete.
func (db *DB) finishRecovery(recovered []*memEntry) error {
	edit := &manifest.VersionEdit{}
	for _, m := range recovered {
		meta, err := db.writeL0(m.mt, nil)
		if err != nil {
			return err
		}
		if meta != nil {
			edit.Added = append(edit.Added, manifest.NewFile{Level: 0, Meta: *meta})
		}
	}
	num := db.vs.NewFileNum()
	log, err := db.createWAL(num)
	if err != nil {
		return err
	}
	// The manifest edit below names this WAL: its entry must be durable first.
	if err := db.syncDirOnce(log); err != nil {
		log.w.Close()
		return err
	}
	db.log = log
	db.mem = db.newMemEntry(num, 0)
	db.mem.log = log
	edit.HasLogNum, edit.LogNum = true, num
	edit.HasLastSeq, edit.LastSeq = true, db.lastSeq
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.vs.LogAndApply(edit); err != nil {
		return fmt.Errorf("lsmkv: record recovery in manifest: %w", err)
	}
	db.clearPending(edit)
	return nil
}
