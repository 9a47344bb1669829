package lsmkv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/lsmkv/lsmkv/cache"
	"github.com/lsmkv/lsmkv/internal/corruption"
	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/manifest"
	"github.com/lsmkv/lsmkv/vfs"
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
	db.resumeDelay = resumeMinDelay
	db.events = newEvents(logListener(o.Logger), o.EventListener)
	if o.BlockCacheSize > 0 {
		db.blockCache = cache.New(o.BlockCacheSize)
	}
	db.tables = newTableCache(tableCacheOptions{
		fs: o.FS, dir: dir, maxOpen: o.MaxOpenFiles,
		blockCache: db.blockCache, stats: &db.readStats, logger: o.Logger,
	})
	db.compactOpt = o.compactionOptions()

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
	db.events.close()
}

// open locks the directory, loads or creates the manifest and replays the
// WALs. REQUIRES: not yet shared with other goroutines.
func (db *DB) open() error {
	if err := db.lockDir(); err != nil {
		return err
	}
	// One listing serves the manifest (which marks every number in it as
	// used), the stray-file check and the choice of WALs to replay; after
	// the lock no other DB adds files.
	names, err := db.listDir()
	if err != nil {
		return err
	}
	// No other goroutine sees db yet, so recovery runs without mu; the
	// helpers it shares with the flush path take mu where they need it.
	if err := db.loadVersionSet(names); err != nil {
		return err
	}
	if err := db.recoverWALs(names); err != nil {
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

// listDir returns the names in the DB directory; none if it is missing (a
// read-only open of a directory that does not exist).
func (db *DB) listDir() ([]string, error) {
	names, err := db.fs.List(db.dirname)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("lsmkv: list %s: %w", db.dirname, err)
	}
	return names, nil
}

// loadVersionSet opens the manifest named by CURRENT, or creates a new DB.
// names is the directory's listing.
func (db *DB) loadVersionSet(names []string) error {
	mopts := manifest.Options{
		FS: db.fs, Dir: db.dirname, ReadOnly: db.opts.ReadOnly, Logger: db.opts.Logger,
		Check: db.checkRecoveredFiles, DirNames: names,
	}
	_, err := db.fs.Stat(filename.Path(db.dirname, filename.Current, 0))
	switch {
	case err == nil:
		db.vs, err = manifest.Load(mopts)
	case errors.Is(err, os.ErrNotExist):
		// Tables or WALs without CURRENT are a DB that lost CURRENT: the
		// same corruption whether or not the open may write.
		if err := db.checkNoStrayFiles(names); err != nil {
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
func (db *DB) checkNoStrayFiles(names []string) error {
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
			if errors.Is(err, os.ErrNotExist) {
				return corruption.Errorf(path, -1, "table listed at L%d by the manifest is missing: %w", level, err)
			}
			if err != nil { // an I/O error says nothing about the data
				return fmt.Errorf("lsmkv: stat %s: %w", path, err)
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
	_, err := db.fs.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return corruption.Errorf(path, -1, "the manifest names this WAL as current but it is missing: %w", err)
	}
	if err != nil {
		return fmt.Errorf("lsmkv: stat %s: %w", path, err)
	}
	return nil
}
