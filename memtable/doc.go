// Package memtable holds recent writes in memory, sorted by internal key,
// until the DB flushes them to an SSTable.
//
// A Memtable is a skiplist (as in LevelDB's db/skiplist.h and Pebble's
// arenaskl) stored entirely inside one preallocated byte arena. Nodes refer
// to each other by uint32 arena offsets rather than Go pointers, so the
// garbage collector never scans the entries and Add allocates nothing: it
// bumps a pointer in the arena and copies the internal key and value there.
// Each node's tower has a random height (each extra level with probability
// 1/4, at most 12 levels). The node layout is drawn in skiplist.go.
//
// # Concurrency
//
// One writer at a time calls Add (the DB serialises writes). Any number of
// readers (Get, iterators, Size, Len) run concurrently with it, without
// locks. The writer fully writes a node, then publishes it by linking it
// bottom-up with atomic stores into its predecessors' towers; readers follow
// links with atomic loads. A reader therefore never sees a half-written
// node, and whatever it reads from a published node never changes again.
//
// # Invariants
//
//   - Entries are never removed or modified; the arena is never reused.
//   - At every level, linked nodes are in strictly increasing keys.Compare
//     order, and a node linked at level i is also linked at level i-1.
//   - Size() <= Capacity(); an Add that returns ErrFull changes nothing.
//
// # Usage
//
//	m := memtable.New(4 << 20)
//	if err := m.Add(7, keys.KindSet, []byte("apple"), []byte("red")); err == memtable.ErrFull {
//		// rotate: make a new memtable and schedule this one for flushing
//	}
//	v, kind, ok := m.Get([]byte("apple"), 7) // "red", KindSet, true
//	it := m.NewIter()
//	for valid := it.First(); valid; valid = it.Next() {
//		fmt.Println(keys.String(it.Key()), string(it.Value()))
//	}
//	_ = it.Close()
//
// This package is internal to lsmkv in spirit: only the root package's API is
// a stability promise.
package memtable
