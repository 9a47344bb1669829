package lsmkv

import (
	"path/filepath"

	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/manifest"
)

// File deletion (docs/ARCHITECTURE.md, "File deletion"): a file is deleted
// only when nothing can need it again:
//   - a table when no live version lists it and it is not in
//     pendingOutputs: tables a flush or compaction is writing, and tables
//     of an edit whose manifest write failed (it may be on disk);
//   - a WAL when its number is below the manifest's log number, i.e. its
//     writes are in tables recorded by a synced manifest;
//   - a manifest when CURRENT names a newer one;
//   - a temp file always (it belonged to an interrupted write).

// deleteObsoleteFiles removes files nothing needs. Deletion errors are only
// logged: a leftover file wastes space but loses nothing, and the next call
// retries. REQUIRES: mu held; not ReadOnly.
func (db *DB) deleteObsoleteFiles() {
	if db.opts.ReadOnly || db.deletionsPaused > 0 {
		return
	}
	names, err := db.fs.List(db.dirname)
	if err != nil {
		db.opts.Logger.Warn("listing directory for obsolete files", "err", err)
		return
	}
	live := make(map[uint64]uint64)
	db.vs.LiveFiles(live)
	for num := range db.pendingOutputs {
		live[num] = 0
	}
	for _, name := range names {
		kind, num, ok := filename.Parse(name)
		if !ok || !db.obsolete(kind, num, live) {
			continue
		}
		if kind == filename.Table {
			db.tables.evict(num)
		}
		path := filepath.Join(db.dirname, name)
		if err := db.fs.Remove(path); err != nil {
			db.opts.Logger.Warn("removing obsolete file", "file", name, "err", err)
			continue
		}
		db.opts.Logger.Debug("removed obsolete file", "file", name)
		switch kind {
		case filename.Table:
			db.events.tableDeleted(TableInfo{FileNum: num, Level: -1})
		case filename.Log:
			db.events.walDeleted(WALInfo{FileNum: num})
		}
	}
}

// obsolete reports whether a file of this kind and number can be deleted.
func (db *DB) obsolete(kind filename.Kind, num uint64, live map[uint64]uint64) bool {
	switch kind {
	case filename.Table:
		_, ok := live[num]
		return !ok
	case filename.Log:
		return num < db.vs.LogNum() && (db.log == nil || num != db.log.num)
	case filename.Manifest:
		return num < db.vs.ManifestNum()
	case filename.Temp:
		return true
	}
	return false
}

// isCurrent reports whether v is the current version. The published read
// state always holds the current version while mu is held.
// REQUIRES: mu held; the DB is open.
func (db *DB) isCurrent(v *manifest.Version) bool {
	return db.rs != nil && db.rs.version == v
}
