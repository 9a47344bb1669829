// Package manifest records which tables make up the tree, durably.
//
// A Version is one immutable state of the tree (the tables at each level).
// A VersionEdit is the difference between two versions. The VersionSet owns
// the current version and the MANIFEST: a log of encoded edits, written in
// the WAL record format (package wal) with the manifest's file number in
// every record header. CURRENT names the live manifest. Replaying the edits
// of the manifest CURRENT names rebuilds the current version after a
// restart. Byte layouts: docs/format-manifest.md.
//
// Every manifest starts with a snapshot edit (the whole version plus the
// counters), so it never depends on an older one. A new manifest is started
// at every Load (not ReadOnly) and whenever the live one exceeds
// Options.MaxManifestSize (and twice its own snapshot, so that a large
// snapshot is not rewritten at every edit): the snapshot is written and
// synced, CURRENT is
// switched atomically (temp file, sync, rename, SyncDir), and only then is
// the old manifest removed.
//
// A torn final record is tolerated on replay: it is an edit whose write or
// sync did not finish, which LogAndApply therefore never acknowledged.
// Damage anywhere else is a corruption error naming the file and offset.
//
// Concurrency: LogAndApply, Close and the constructors must be serialised by
// the caller (the DB holds its mutex). Current, NewFileNum, MarkFileNumUsed,
// the counter accessors, LiveFiles and NumLiveVersions are safe to call from
// any goroutine at any time. Versions are immutable; Ref and Unref are
// atomic.
//
// Invariants:
//   - the current version satisfies Version.CheckInvariants; in L1+ no two
//     tables share even a user key (a compaction never splits one user
//     key's versions across output tables), so FindFile has one answer;
//   - a version is installed as current only after the edit producing it is
//     synced to the manifest;
//   - the live list holds exactly the set-made versions with refs > 0; the
//     set owns one reference to the current version;
//   - file numbers only grow, and none that reached disk is handed out again.
//
// Example:
//
//	vs, err := manifest.Create(manifest.Options{FS: vfs.NewMem(), Dir: "db"})
//	if err != nil { ... }
//	meta := manifest.FileMeta{Num: vs.NewFileNum(), ...} // a table written elsewhere
//	e := &manifest.VersionEdit{Added: []manifest.NewFile{{Level: 0, Meta: meta}}}
//	if err := vs.LogAndApply(e); err != nil { ... }
//	v := vs.Current() // pinned: its tables stay on disk until Unref
//	fmt.Print(v)
//	v.Unref()
//	vs.Close()
//
// This package is internal to lsmkv's design: only the root package's API is
// a stability promise.
package manifest
