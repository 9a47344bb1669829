// Package lsmkv is an embedded key-value store built as a log-structured
// merge tree (LSM tree).
//
// A write is appended to the write-ahead log (package wal), inserted into a
// skiplist memtable (package memtable) and acknowledged. A full memtable is
// frozen and flushed to a sorted table (package sstable) in level 0;
// background compaction (package compaction) merges tables down the levels;
// the manifest (package manifest) records which tables make up each version
// of the tree. Reads merge the memtables and tables, newest first. Every file
// goes through package vfs, so tests can simulate crashes and disk faults.
// docs/ARCHITECTURE.md walks through each path with links to the code.
//
// Usage:
//
//	db, err := lsmkv.Open("/tmp/demo", nil)
//	if err != nil {
//		log.Fatal(err)
//	}
//	defer db.Close()
//	if err := db.Put([]byte("hello"), []byte("world")); err != nil {
//		log.Fatal(err)
//	}
//	v, err := db.Get([]byte("hello")) // v == []byte("world")
//
// Concurrency: every method of DB and Snapshot is safe for concurrent use.
// Batch and Iterator are not; use one per goroutine.
//
// Durability: a write that returned survives a crash of the process (kill -9)
// because it was handed to the operating system before returning. With
// Options.Sync or WriteOptions.Sync it also survives power loss because the
// WAL was fsynced. Recovery restores a prefix of the acknowledged writes in
// commit order, and every synced write; a batch is all or nothing.
//
// Errors: test with errors.Is against ErrNotFound, ErrClosed, ErrCorruption,
// ErrReadOnly, ErrLocked and ErrInvalidArgument. Corruption errors name the
// file and the byte offset of the damage.
//
// Only this package's API is a stability promise; the component packages are
// importable for study and for the tools (kvbench, kvtool), but may change.
package lsmkv
