package lsmkv

import "github.com/lsmkv/lsmkv/manifest"

// Tables returns the tables of the current version, one slice per level,
// L0 first. L0 is listed newest first, the order reads probe it; deeper
// levels in key order. Keys in the TableInfos are copies.
//
// It is meant for tools that draw the tree (kvtool serve, kvbench -http):
// it takes DB.mu only to pick up the current version, as Metrics does, and
// builds the list with no lock held.
func (db *DB) Tables() [][]TableInfo {
	db.mu.Lock()
	v := db.vs.Current()
	db.mu.Unlock()
	defer db.releaseVersion(v)
	out := make([][]TableInfo, manifest.NumLevels)
	for level, files := range v.Levels {
		out[level] = make([]TableInfo, len(files))
		for i, f := range files {
			out[level][i] = tableInfo(f, level)
		}
	}
	return out
}

// releaseVersion drops a reference taken on v by vs.Current. As for an
// iterator: if v went out of date meanwhile, it may have been the last to
// need some tables, so obsolete files are collected.
func (db *DB) releaseVersion(v *manifest.Version) {
	db.mu.Lock()
	defer db.mu.Unlock()
	v.Unref()
	if !db.isCurrent(v) && db.state == stateOpen {
		db.deleteObsoleteFiles()
	}
}
