// Package raftstore owns the adapter that makes an lsmkv DB the log store
// and stable store of a hashicorp/raft node: one Store, opened on one
// directory, implements raft.LogStore and raft.StableStore.
//
// Raft appends entries at the tail and, after each snapshot, deletes a
// prefix of them. In a B+tree such as bbolt (raft-boltdb) the freed pages
// pile up in a freelist that every later commit pays for; in an LSM tree
// the prefix is one range tombstone and the covered tables are dropped by
// compaction, so appends keep their speed after truncation.
//
// Usage:
//
//	store, err := raftstore.Open(filepath.Join(dir, "raft"), nil)
//	if err != nil {
//		return err
//	}
//	defer store.Close()
//	r, err := raft.NewRaft(conf, fsm, store, store, snaps, trans)
//
// Guarantees (docs/raft.md has the details):
//   - Every write is synced (lsmkv.WriteOptions{Sync: true}) unless
//     Options.NoSync: once StoreLogs, DeleteRange, Set or SetUint64 returns,
//     it survives power loss.
//   - StoreLogs is one lsmkv batch: after a crash all of its entries are
//     there or none is. A call whose encoding exceeds lsmkv.MaxBatchSize is
//     refused whole (the error wraps lsmkv.ErrInvalidArgument).
//   - DeleteRange(min, max) is inclusive and one synced batch: point
//     deletes for up to 32 indexes, one range tombstone for more.
//   - FirstIndex and LastIndex (0 on an empty store) answer from memory.
//   - GetLog of an absent index returns raft.ErrLogNotFound itself; Get and
//     GetUint64 of an absent key return ErrKeyNotFound, whose text is
//     exactly "not found": raft compares the first with == and the second
//     by its text.
//   - A damaged entry is reported with an error wrapping
//     lsmkv.ErrCorruption that names the index or key, never a panic.
//
// The module also holds cmd/raftkv, a replicated key-value service built
// on Store (internal/kvservice), and cmd/appendtrunc, the append-and-
// truncate benchmark against raft-boltdb.
//
// Concurrency: every method of Store is safe for concurrent use, as raft
// requires (it reads the log from its replication goroutines while it
// appends and truncates).
package raftstore
