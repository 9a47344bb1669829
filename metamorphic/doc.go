// Package metamorphic tests the engine the way Pebble's metamorphic package
// does: a generator writes a random sequence of operations (writes,
// batches, reads, iterators with bounds and direction changes, snapshots,
// flushes, compactions, clean reopens and power losses), and the same
// sequence runs against an in-memory model and against the DB under many
// option sets: tiny blocks and memtables, no bloom filters, no
// compression, the fewest open files, the lowest L0 triggers, tiered and
// leveled compaction, synced writes. Every operation's output must be the
// same in every run, since options change how data is laid out, never what
// a reader sees.
//
// A failing sequence is shrunk (operations are dropped while it still
// fails) and printed with its seed, so it can be replayed:
//
//	go test ./metamorphic -run TestMetamorphic -seed=N
//
// The short run (go test) does a few thousand operations per option set; a
// long run takes flags:
//
//	go test ./metamorphic -run TestMetamorphic -ops=200000 -runs=20 -timeout=2h
//
// Power losses are deterministic: the generator's crash operation first
// makes a synced write, so by the prefix property every write before it
// must survive the clone (vfs.MemFS.CrashClone keeps only synced bytes).
//
// The package imports the engine and is imported by nothing; it holds no
// engine logic.
package metamorphic
