package manifest

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// The key-range queries on tables and versions: the one set the read
// path, compaction picking and tombstone elision all use.

// SmallestUserKey returns the user key of the table's smallest entry.
func (f *FileMeta) SmallestUserKey() []byte { return keys.UserKey(f.Smallest) }

// LargestUserKey returns the user key of the table's largest entry.
func (f *FileMeta) LargestUserKey() []byte { return keys.UserKey(f.Largest) }

// LargestExclusive reports whether the table's largest key is a range
// tombstone's end sentinel (keys.RangeDeleteSentinel): the table then holds
// nothing at LargestUserKey itself, and a neighbour may start there.
func (f *FileMeta) LargestExclusive() bool { return keys.IsExclusiveSentinel(f.Largest) }

// EndsBefore reports whether every key the table holds is below ukey.
func (f *FileMeta) EndsBefore(ukey []byte) bool {
	c := bytes.Compare(f.LargestUserKey(), ukey)
	return c < 0 || (c == 0 && f.LargestExclusive())
}

// ContainsUserKey reports whether the table's user-key range holds ukey.
func (f *FileMeta) ContainsUserKey(ukey []byte) bool {
	return bytes.Compare(ukey, f.SmallestUserKey()) >= 0 && !f.EndsBefore(ukey)
}

// TotalSize returns the total bytes of all tables in the version.
func (v *Version) TotalSize() uint64 {
	var n uint64
	for level := range v.Levels {
		n += v.LevelSize(level)
	}
	return n
}

// HasRangeDels reports whether any table of v holds range tombstones: the
// delete-only compaction's cheap first test, and kvtool's legend.
func (v *Version) HasRangeDels() bool {
	for _, files := range v.Levels {
		for _, f := range files {
			if f.NumRangeDels > 0 {
				return true
			}
		}
	}
	return false
}

// FileFor returns the table of level whose range holds ukey, or nil: the
// only table of a sorted level a lookup of ukey must read.
// REQUIRES: level >= 1 (L0 tables overlap, so no single table is "the" one).
func (v *Version) FileFor(level int, ukey []byte) *FileMeta {
	files := v.Levels[level]
	if i := v.FindFile(level, ukey); i < len(files) && files[i].ContainsUserKey(ukey) {
		return files[i]
	}
	return nil
}

// FindFile returns the index in Levels[level] of the only table that may
// hold ukey: the first that does not end before it, or NumFiles(level) if
// there is none. The caller must still check that ukey
// is >= that table's smallest user key (FileFor does both).
// REQUIRES: level >= 1 (L0 tables overlap, so no single table is "the" one).
func (v *Version) FindFile(level int, ukey []byte) int {
	files := v.Levels[level]
	return sort.Search(len(files), func(i int) bool { return !files[i].EndsBefore(ukey) })
}

// Overlaps returns the tables at level whose user-key range intersects
// [smallest, largest] (both inclusive), in level order. A nil smallest is
// the empty key, which sorts before every other key.
func (v *Version) Overlaps(level int, smallest, largest []byte) []*FileMeta {
	if bytes.Compare(smallest, largest) > 0 {
		return nil
	}
	files := v.Levels[level]
	var out []*FileMeta
	if level == 0 {
		for _, f := range files {
			if !f.EndsBefore(smallest) && bytes.Compare(f.SmallestUserKey(), largest) <= 0 {
				out = append(out, f)
			}
		}
		return out
	}
	// L1+ is sorted and disjoint: the overlapping tables are one run that
	// starts at the first table ending at or after smallest.
	for i := v.FindFile(level, smallest); i < len(files); i++ {
		if bytes.Compare(files[i].SmallestUserKey(), largest) > 0 {
			break
		}
		out = append(out, files[i])
	}
	return out
}

// OverlapsTransitive is Overlaps, except that at L0 the range grows to
// cover every table it picks up, repeatedly, until it stops growing (as
// LevelDB's GetOverlappingInputs does). A compaction of L0 must take this
// closure: leaving out an overlapping, older L0 table would let its stale
// versions of a key resurface above the newer ones moved down. At L1+ the
// tables are disjoint, so this is the same as Overlaps.
func (v *Version) OverlapsTransitive(level int, smallest, largest []byte) []*FileMeta {
	if level != 0 {
		return v.Overlaps(level, smallest, largest)
	}
	for {
		out := v.Overlaps(0, smallest, largest)
		grew := false
		for _, f := range out {
			if bytes.Compare(f.SmallestUserKey(), smallest) < 0 {
				smallest, grew = f.SmallestUserKey(), true
			}
			if bytes.Compare(f.LargestUserKey(), largest) > 0 {
				largest, grew = f.LargestUserKey(), true
			}
		}
		if !grew {
			return out
		}
	}
}

// String lists the version level by level, one table per line, for
// debugging and kvtool:
//
//	L0:
//	  000012 size=1234 seq=[3,5] "a"#5,SET .. "z"#3,SET
//
// Empty levels are left out; an empty version is "(empty)\n".
func (v *Version) String() string {
	var sb strings.Builder
	for level, files := range v.Levels {
		if len(files) == 0 {
			continue
		}
		fmt.Fprintf(&sb, "L%d:\n", level)
		for _, f := range files {
			fmt.Fprintf(&sb, "  %06d size=%d seq=[%d,%d] %s .. %s\n", f.Num, f.Size,
				f.SmallestSeq, f.LargestSeq, keys.String(f.Smallest), keys.String(f.Largest))
		}
	}
	if sb.Len() == 0 {
		return "(empty)\n"
	}
	return sb.String()
}

// CheckInvariants returns an error describing the first broken invariant
// of the version (see Version), or nil. It also checks each table's own
// metadata and that no file number appears twice.
func (v *Version) CheckInvariants() error {
	seen := make(map[uint64]int)
	for level, files := range v.Levels {
		if err := checkLevel(level, files); err != nil {
			return err
		}
		for _, f := range files {
			if other, dup := seen[f.Num]; dup {
				return fmt.Errorf("lsmkv/manifest: table %d is in both L%d and L%d", f.Num, other, level)
			}
			seen[f.Num] = level
		}
	}
	return nil
}

// checkLevel checks the tables of one level: each table's own metadata and
// the level's order (see Version).
func checkLevel(level int, files []*FileMeta) error {
	for i, f := range files {
		if err := checkFileMeta(f); err != nil {
			return fmt.Errorf("lsmkv/manifest: L%d: %v", level, err)
		}
		if f.LargestSeq > keys.MaxSeqNum {
			return fmt.Errorf("lsmkv/manifest: L%d: table %d: seq %d exceeds the maximum", level, f.Num, f.LargestSeq)
		}
		if i > 0 {
			if err := checkOrder(level, files[i-1], f); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkOrder checks that prev may precede f at level.
func checkOrder(level int, prev, f *FileMeta) error {
	if level == 0 {
		if l0Newer(prev, f) {
			return nil
		}
		return fmt.Errorf("lsmkv/manifest: L0: table %d (largest seq %d) is listed before newer table %d (largest seq %d)",
			prev.Num, prev.LargestSeq, f.Num, f.LargestSeq)
	}
	// Strict on user keys: one user key's versions never straddle two
	// tables of a level, so FindFile can return a single table. A table
	// whose range tombstones end (exclusively) where the next one starts
	// holds nothing at that key.
	if !prev.EndsBefore(f.SmallestUserKey()) {
		return fmt.Errorf("lsmkv/manifest: L%d: table %d [%s .. %s] overlaps table %d [%s .. %s]",
			level, prev.Num, keys.String(prev.Smallest), keys.String(prev.Largest),
			f.Num, keys.String(f.Smallest), keys.String(f.Largest))
	}
	return nil
}

// l0Newer reports whether a sorts before b in L0: newest first by largest
// sequence number, then by file number, both descending.
func l0Newer(a, b *FileMeta) bool {
	if a.LargestSeq != b.LargestSeq {
		return a.LargestSeq > b.LargestSeq
	}
	return a.Num > b.Num
}
