// Package sstable writes and reads SSTables: immutable files of internal keys
// (see internal/keys) and values in sorted order, with an index for binary
// search, a bloom filter over user keys, and a properties block.
//
// A table is a sequence of data blocks of about WriterOptions.BlockSize
// bytes (prefix-compressed entries with restart points every 16 entries),
// then a filter block, an index block mapping a short separator key to each
// data block, a properties block, and a fixed 64-byte footer. Every block is
// followed by a trailer: a compression kind (snappy is used only when it saves
// 1/8) and a checksum. docs/format-sstable.md documents every byte.
//
// Writing streams: a Writer holds one data block, the index and an 8-byte
// hash per user key. Reading: Open verifies the footer and loads the index,
// filter and properties blocks; Get and Iter read data blocks through an
// optional shared block cache (package cache), keyed by (file number, block
// offset).
//
// Invariants:
//   - Keys in a table are strictly increasing by keys.Compare.
//   - For data block i, lastKey(i) <= indexKey(i) < firstKey(i+1).
//   - Blocks appear in the order data*, filter?, index, properties, footer.
//   - Cached blocks are never modified, so Get may return values aliasing them.
//
// Concurrency: a Writer and an Iter are each used by one goroutine; a Reader
// is safe for concurrent use.
//
// Errors about damaged bytes wrap corruption.ErrCorruption and name the file
// and offset; decoders never panic on bad input.
//
// Example:
//
//	w := sstable.NewWriter(f, sstable.WriterOptions{Compression: sstable.SnappyCompression})
//	for _, e := range sortedEntries {
//		if err := w.Add(e.ikey, e.value); err != nil { ... }
//	}
//	props, err := w.Finish() // syncs, does not close f
//
//	r, err := sstable.Open(f, int64(props.FileSize), sstable.ReaderOptions{Name: "000012.sst", FileNum: 12, Cache: c})
//	v, kind, found, err := r.Get([]byte("apple"), keys.MaxSeqNum)
//	it := r.NewIter()
//	for ok := it.First(); ok; ok = it.Next() { fmt.Println(keys.String(it.Key()), it.Value()) }
//
// This package is internal to lsmkv's design: only the root package's API is
// a stability promise.
package sstable
