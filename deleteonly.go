package lsmkv

import (
	"bytes"
	"fmt"
	"sort"
	"time"

	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/internal/rangedel"
	"github.com/lsmkv/lsmkv/manifest"
)

// Delete-only compactions (docs/guide/08-range-deletions.md): a table whose
// every key is deleted by a newer range tombstone, with no snapshot between
// its data and the tombstone, holds nothing any reader can see. It is
// dropped from the version with a manifest edit alone, without being read
// or rewritten: space comes back at once, not when a compaction happens to
// reach the table.
//
// Only tombstones already in tables count: one still in a memtable may be
// lost by a power loss (it is not synced), and the deletion it would have
// justified must not outlive it.

// deleteOnlyCandidates returns the tables of v that newer range tombstones
// wholly delete, given the live snapshots. It reads tombstones through the
// table cache, so it runs without mu; v must be referenced.
func (db *DB) deleteOnlyCandidates(v *manifest.Version, snaps []keys.SeqNum) ([]manifest.DeletedFile, error) {
	dropped := map[uint64]bool{}
	var out []manifest.DeletedFile
	for _, files := range v.Levels {
		for _, w := range files {
			if w.NumRangeDels == 0 {
				continue
			}
			tombs, err := db.tableRangeDels(w)
			if err != nil {
				return nil, err
			}
			for level := range v.Levels {
				for _, t := range v.Overlaps(level, w.SmallestUserKey(), w.LargestUserKey()) {
					if t != w && !dropped[t.Num] && wholeDeleted(t, tombs, snaps) {
						dropped[t.Num] = true
						out = append(out, manifest.DeletedFile{Level: level, Num: t.Num})
					}
				}
			}
		}
	}
	return out, nil
}

// tableRangeDels returns table f's range tombstones.
func (db *DB) tableRangeDels(f *manifest.FileMeta) (rangedel.List, error) {
	e, err := db.tables.acquire(f)
	if err != nil {
		return nil, err
	}
	defer func() { db.tables.logCloseError(db.tables.release(e)) }()
	return e.reader.RangeDels(), nil
}

// wholeDeleted reports whether tombs delete every entry of table t for
// every reader: t's user-key range lies inside fragments that follow one
// another without a gap, and each of them holds a tombstone newer than all
// of t's data with no snapshot in between (a snapshot there would still
// see t's data).
func wholeDeleted(t *manifest.FileMeta, tombs rangedel.List, snaps []keys.SeqNum) bool {
	lo, hi := t.SmallestUserKey(), t.LargestUserKey()
	i := tombs.Find(lo)
	if i < 0 {
		return false
	}
	for ; i < len(tombs); i++ {
		f := &tombs[i]
		if i > 0 && !bytes.Equal(tombs[i-1].End, f.Start) && bytes.Compare(f.Start, lo) > 0 {
			return false // a gap between fragments inside t's range
		}
		if !deletesAll(f, t, snaps) {
			return false
		}
		// Does the fragment reach past t's largest key?
		if c := bytes.Compare(f.End, hi); c > 0 || (c == 0 && t.LargestExclusive()) {
			return true
		}
	}
	return false
}

// deletesAll reports whether fragment f holds a tombstone that deletes all
// of t's data for every reader: newer than t's newest entry, with no
// snapshot at or after t's oldest entry and before the tombstone.
func deletesAll(f *rangedel.Fragment, t *manifest.FileMeta, snaps []keys.SeqNum) bool {
	// The oldest tombstone newer than t is the best: the fewest snapshots
	// can fall between it and t.
	var tomb keys.SeqNum
	for _, s := range f.Seqs { // newest first
		if s <= t.LargestSeq {
			break
		}
		tomb = s
	}
	if tomb == 0 {
		return false
	}
	i := sort.Search(len(snaps), func(i int) bool { return snaps[i] >= t.SmallestSeq })
	return i == len(snaps) || snaps[i] >= tomb
}

// runDeleteOnly drops the tables newer range tombstones wholly delete, in
// one manifest edit. It reports whether it dropped any. REQUIRES: mu held
// (released while tombstones are read) and db.compacting set by the
// caller, so no other compaction changes the levels meanwhile.
func (db *DB) runDeleteOnly() (bool, error) {
	v := db.vs.Current()
	if !v.HasRangeDels() {
		v.Unref()
		return false, nil
	}
	snaps := db.snapshotSeqs()
	db.mu.Unlock()
	drops, err := db.deleteOnlyCandidates(v, snaps)
	db.mu.Lock()
	// Unref before the edit's cleanup: a version still referenced keeps
	// its tables live, and the dropped ones would stay on disk.
	defer func() {
		v.Unref()
		db.deleteObsoleteFiles()
	}()
	if err != nil || len(drops) == 0 {
		return false, err
	}
	// Flushes may have added L0 tables meanwhile, but nothing removed any
	// (compactions are serialised by db.compacting), and a new snapshot is
	// newer than every table: the candidates still hold.
	start := time.Now()
	info := CompactionInfo{JobID: db.events.jobID(), Kind: "delete-only",
		Reason: "every key deleted by newer range tombstones", Level: -1, OutputLevel: -1}
	var bytes uint64
	for _, d := range drops {
		for _, f := range v.Levels[d.Level] {
			if f.Num == d.Num {
				bytes += f.Size
				info.Inputs = append(info.Inputs, LevelTables{Level: d.Level, Tables: []TableInfo{tableInfo(f, d.Level)}})
			}
		}
	}
	db.events.compactionBegin(info)
	err = db.vs.LogAndApply(&manifest.VersionEdit{Deleted: drops})
	info.Duration = time.Since(start)
	if err != nil {
		info.Err = fmt.Errorf("lsmkv: record delete-only compaction in manifest: %w", err)
		db.events.compactionEnd(info)
		return false, info.Err
	}
	db.events.compactionEnd(info)
	db.updateReadState()
	db.stats.deleteOnlyTables.Add(int64(len(drops)))
	db.stats.deleteOnlyBytes.Add(int64(bytes))
	return true, nil
}
