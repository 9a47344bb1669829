package manifest

import (
	"sync/atomic"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// NumLevels is the number of levels in the tree, L0 to L6.
const NumLevels = 7

// FileMeta describes one SSTable in a version. It is immutable once the
// table is part of a version.
type FileMeta struct {
	Num         uint64      // file number: the table is filename.Make(filename.Table, Num)
	Size        uint64      // file size in bytes; checked against the file at Open
	Smallest    []byte      // smallest internal key in the table
	Largest     []byte      // largest internal key in the table
	SmallestSeq keys.SeqNum // smallest sequence number in the table
	LargestSeq  keys.SeqNum // largest sequence number in the table
	// Counts from the table's properties, recorded in the manifest so that
	// readers consult only the tables with range tombstones and compaction
	// picking can weigh tombstones without opening tables. Zero in tables
	// recorded before the counts were; those predate range deletions, so
	// they have no range tombstone either.
	NumEntries   uint64 // point entries
	NumDeletions uint64 // point tombstones among them
	NumRangeDels uint64 // range tombstones
}

// Version is one immutable state of the tree: which tables make up each
// level.
//
// Invariants:
//   - Levels[0] is ordered newest first (by LargestSeq, then file number,
//     descending); its tables may overlap.
//   - Each Levels[i], i > 0, is sorted by Smallest and its tables do not
//     overlap: one sorted run per level, in both leveled and tiered styles.
//
// Concurrency: a Version is immutable and safe for concurrent reads. It is
// reference-counted: readers Ref it while they use its tables and Unref it
// when done, so that the DB deletes a table only when no live version lists
// it.
type Version struct {
	Levels [NumLevels][]*FileMeta

	refs atomic.Int32
	// onZero is called (once) when refs drops to zero; set by the VersionSet.
	onZero func(*Version)
}

// Ref adds a reference.
func (v *Version) Ref() { v.refs.Add(1) }

// Unref drops a reference; the last one releases the version.
func (v *Version) Unref() {
	n := v.refs.Add(-1)
	if n == 0 && v.onZero != nil {
		v.onZero(v)
	}
	if n < 0 {
		panic("manifest: Version.Unref without Ref")
	}
}

// Refs returns the current reference count (for tests and metrics).
func (v *Version) Refs() int32 { return v.refs.Load() }

// NumFiles returns the number of tables at level.
func (v *Version) NumFiles(level int) int { return len(v.Levels[level]) }

// LevelSize returns the total bytes of the tables at level.
func (v *Version) LevelSize(level int) uint64 {
	var n uint64
	for _, f := range v.Levels[level] {
		n += f.Size
	}
	return n
}
