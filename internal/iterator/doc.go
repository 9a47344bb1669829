// Package iterator defines the internal iterator interface shared by the
// memtable, SSTables and the iterators the DB builds over them, and those
// iterators:
//
//   - Merging merges several iterators (memtables, L0 tables, levels) into
//     one stream in internal-key order, in both directions.
//   - Level walks one level L1+ of non-overlapping tables, opening each
//     table only when it is reached.
//   - Visible turns that stream into what a user sees at a snapshot: each
//     live user key once, newest visible value, tombstones hidden, within
//     bounds. It is the logic behind the public lsmkv.Iterator.
//   - Slice is an iterator over an in-memory slice, for tests.
//
// An internal iterator walks internal keys (see internal/keys) in
// internal-key order: user key ascending, then newest version first.
//
// Contract shared by every iterator here: Next and Prev on an iterator that
// is not Valid return false (position with a Seek, First or Last first);
// once an iterator meets an error it stays invalid and Error reports it;
// Close releases the children and returns the first error met.
//
// REQUIRES: inputs yield well-formed internal keys (at least the 8-byte
// trailer). Merging and Level compare their children's keys as given; it
// is the table and memtable iterators that check bytes read from disk and
// report corruption. Visible checks again, since it splits every key.
//
// Concurrency: iterators are not safe for concurrent use; each goroutine
// uses its own. This package is internal: only the root package's API is a
// stability promise.
//
// Example, reading user keys at snapshot seq from a memtable and a level:
//
//	in := iterator.NewMerging(memIter, iterator.NewLevel(v.Levels[1], openTable))
//	it := iterator.NewVisible(in, iterator.VisibleOptions{Seq: seq, UpperBound: []byte("m")})
//	for ok := it.First(); ok; ok = it.Next() {
//		fmt.Printf("%s=%s\n", it.Key(), it.Value())
//	}
//	if err := it.Close(); err != nil {
//		return err
//	}
package iterator
