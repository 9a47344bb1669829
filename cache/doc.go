// Package cache is the block cache: it keeps recently used, decoded
// SSTable blocks in memory so hot reads skip the file system and the
// checksum and decompression work. Blocks are keyed by (file number, block
// offset), and the cache is bounded by bytes, not by entry count.
//
// Design: the key space is split over a power-of-two number of shards by a
// hash of the key; each shard is an independent LRU list (an intrusive
// doubly linked list plus a map) under its own mutex, so goroutines reading
// different blocks rarely contend. Each shard also threads its entries of
// one file on a per-file list, so EvictFile costs the file's blocks, not a
// scan of the cache.
//
// Ownership: Set takes ownership of the block. Callers must not modify it
// afterwards, and the cache never modifies or reuses it either: a slice
// returned by Get stays valid and unchanged after eviction (the garbage
// collector keeps it alive), so callers need no pinning or release call.
//
// Concurrency: a *Cache is safe for concurrent use. A nil *Cache is valid
// and caches nothing.
//
// Invariants (per shard, checked by the tests): size is the sum of the
// entries' charges; size <= capacity after every Set; the LRU list, the map
// and the per-file lists hold the same entries.
//
// Example:
//
//	c := cache.New(8 << 20) // 8 MiB
//	block, ok := c.Get(fileNum, offset)
//	if !ok {
//		block = readAndDecodeBlock(fileNum, offset)
//		c.Set(fileNum, offset, block) // block is now read-only
//	}
//	use(block)
//	// when table fileNum is deleted:
//	c.EvictFile(fileNum)
//
// This package is internal to lsmkv's design; only the root package's API is
// a stability promise.
package cache
