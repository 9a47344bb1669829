// Package iterator defines the internal iterator interface shared by the
// memtable, SSTables and the iterators the DB builds over them, and the
// generic iterators that know nothing of versions or levels:
//
//   - Merging merges several iterators (memtables, L0 tables, levels) into
//     one stream in internal-key order, in both directions.
//   - Slice is an iterator over an in-memory slice, for tests and small
//     in-memory runs.
//
// The iterators that do know the engine live in the root package, where
// the read path reads top-down: the level iterator (level_iter.go) walks
// one level's tables, and the DB iterator (db_iter.go) turns the merged
// stream into what a user sees at a snapshot.
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
// trailer). Merging compares its children's keys as given; it is the table
// and memtable iterators that check bytes read from disk and report
// corruption.
//
// Concurrency: iterators are not safe for concurrent use; each goroutine
// uses its own. This package is internal: only the root package's API is a
// stability promise.
//
// Example, merging a memtable with two tables:
//
//	in := iterator.NewMerging(memIter, table1Iter, table2Iter)
//	defer in.Close()
//	for ok := in.First(); ok; ok = in.Next() {
//		fmt.Printf("%s=%s\n", keys.String(in.Key()), in.Value())
//	}
//	return in.Error()
package iterator
