// Package compaction decides what to compact and filters what a compaction
// writes. It holds the policy and the pure logic; the engine (the root
// package) does the I/O. See docs/compaction.md for both policies.
//
//   - Pick / Picker.Pick choose a Compaction for a manifest.Version under
//     Options.Style: Leveled (LevelDB's scores and round-robin pointers) or
//     Tiered (RocksDB-universal-like merging of similar-size sorted runs).
//   - PickManual builds a compaction of a user-key range of one level.
//   - A Compaction lists its inputs (InputLevels), answers the engine's
//     questions while it writes (ElideTombstone, ShouldStopBefore), and
//     produces the manifest.VersionEdit that installs it (Edit).
//   - Iter is the rewrite filter, the one place that decides what a rewrite
//     of data may drop: shadowed versions within a snapshot stripe, and
//     tombstones with nothing below them. A flush is a rewrite too (of a
//     memtable into an L0 table, as in Pebble), so the engine's flush runs
//     its entries through Iter as well, with nothing elided.
//
// Invariants kept by every picked compaction: Level < OutputLevel and
// OutputLevel >= 1; the output never overlaps an OutputLevel table left
// in place; no L0 table left behind overlaps the L0 inputs; in Tiered
// style every sorted run stays newer than every run below it.
//
// Concurrency: Picker, Compaction and Iter are not safe for concurrent use;
// the engine picks under its mutex and runs each compaction on one
// goroutine. Pick, PickManual and Scores only read the version.
//
// Usage (engine side, error handling elided):
//
//	c := picker.Pick(v) // v: the current version, Ref'd until installed
//	if c.IsTrivialMove() {
//		vs.LogAndApply(c.Edit(c.Inputs[0]))
//		return
//	}
//	it := compaction.NewIter(mergeOf(c.InputLevels()), snapshots, c.ElideTombstone)
//	for ok := it.First(); ok; ok = it.Next() {
//		// cut a new output table at TargetFileSize or when
//		// c.ShouldStopBefore(it.Key()), only between user keys; then add it.Key(), it.Value()
//	}
//	vs.LogAndApply(c.Edit(outputs))
//
// This package is internal to lsmkv in spirit: only the root package's API
// is a stability promise.
package compaction
