package compaction

import (
	"bytes"

	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/manifest"
)

// InputLevel is the set of input tables a compaction takes from one level.
type InputLevel struct {
	Level int
	Files []*manifest.FileMeta // in the level's order
}

// Compaction describes one compaction: which tables to merge and where the
// output goes. Pick and PickManual build it; the engine executes it.
//
// The engine merges every table of InputLevels() (each L0 table is its own
// sorted run; the tables of one L1+ level form one run), passes the merged
// stream through an Iter with ElideTombstone as its elide function, cuts
// output tables at TargetFileSize or where ShouldStopBefore says (always at
// a user-key boundary), and installs Edit(outputs). When IsTrivialMove is
// true it may instead install Edit(Inputs[0]) without reading any data.
//
// Invariants (for every picked compaction):
//   - 1 <= OutputLevel < NumLevels and Level < OutputLevel, except an
//     elision-only compaction (tombstones.go), which rewrites one table in
//     place: Level == OutputLevel, Inputs[1] empty, and the output lies
//     within the input's key range.
//   - No table at OutputLevel outside Inputs[1] overlaps the user-key range
//     of the inputs, so the output can never overlap a table left in place.
//   - Inputs at L0 are closed under overlap: no L0 table left behind
//     overlaps them, so no older version of a key can stay above the output.
//
// Concurrency: a Compaction is not safe for concurrent use; ElideTombstone
// and ShouldStopBefore keep cursors. REQUIRES: the caller holds a reference
// on the version the compaction was picked from until it is installed or
// abandoned.
type Compaction struct {
	Level       int // the shallowest input level
	OutputLevel int // the level that receives the output
	// Inputs[0] holds the input tables at Level, Inputs[1] those at
	// OutputLevel (possibly none).
	Inputs [2][]*manifest.FileMeta
	// Between holds, for Tiered only, whole runs taken from levels strictly
	// between Level and OutputLevel, shallowest first. Always empty for
	// Leveled.
	Between []InputLevel
	// Grandparents are the tables at OutputLevel+1 that overlap the inputs'
	// key range; ShouldStopBefore uses them (Leveled only).
	Grandparents []*manifest.FileMeta
	Reason       string  // why it was picked, for logs: "L0 file count 5 >= 4"
	Score        float64 // the score that triggered it (>= 1), 0 if manual
	Manual       bool    // picked by PickManual: moved only where a rewrite would change nothing (IsTrivialMove)

	v                *manifest.Version
	maxGPOverlap     int64
	levelPtrs        [manifest.NumLevels]int // ElideTombstone cursors
	gpIndex          int                     // ShouldStopBefore cursor
	gpSeenKey        bool
	gpOverlappedSize int64
}

// newCompaction fills in the fields every constructor sets.
func newCompaction(v *manifest.Version, opts *Options, level, out int) *Compaction {
	return &Compaction{v: v, Level: level, OutputLevel: out, maxGPOverlap: opts.MaxGrandparentOverlap}
}

// InputLevels returns every input, level by level from shallowest to
// deepest, leaving out empty levels. The engine merges all of them.
func (c *Compaction) InputLevels() []InputLevel {
	var out []InputLevel
	if len(c.Inputs[0]) > 0 {
		out = append(out, InputLevel{c.Level, c.Inputs[0]})
	}
	out = append(out, c.Between...)
	if len(c.Inputs[1]) > 0 {
		out = append(out, InputLevel{c.OutputLevel, c.Inputs[1]})
	}
	return out
}

// InputBytes returns the total size of the input tables.
func (c *Compaction) InputBytes() uint64 {
	var n uint64
	for _, in := range c.InputLevels() {
		n += totalSize(in.Files)
	}
	return n
}

// IsTrivialMove reports whether the engine may install the compaction by
// moving Inputs[0] to OutputLevel with a manifest edit alone, reading no
// data (LevelDB's Compaction::IsTrivialMove). The rule differs by origin:
//
//   - picked automatically: exactly one input table, none at OutputLevel,
//     and not so much grandparent overlap that the moved table would make
//     a later compaction expensive;
//   - manual (PickManual): users run these to rewrite data and drop
//     tombstones, so only where rewriting would change nothing: the inputs
//     come from one sorted level (or are a single L0 table), nothing at
//     OutputLevel overlaps them, and OutputLevel is not the bottom level,
//     where a rewrite drops tombstones and old versions. Without this,
//     Compact(nil, nil) would rewrite the same data at every level.
func (c *Compaction) IsTrivialMove() bool {
	if len(c.Inputs[1]) != 0 || len(c.Between) != 0 || c.Level == c.OutputLevel {
		return false // an in-place (elision-only) compaction is a rewrite
	}
	if c.Manual {
		return c.OutputLevel < manifest.NumLevels-1 && (c.Level > 0 || len(c.Inputs[0]) == 1)
	}
	return len(c.Inputs[0]) == 1 && int64(totalSize(c.Grandparents)) <= c.maxGPOverlap
}

// Edit returns the version edit that installs the compaction: it deletes
// every input table and adds outputs at OutputLevel. For a trivial move,
// pass Inputs[0] as outputs.
func (c *Compaction) Edit(outputs []*manifest.FileMeta) *manifest.VersionEdit {
	e := &manifest.VersionEdit{}
	for _, in := range c.InputLevels() {
		for _, f := range in.Files {
			e.Deleted = append(e.Deleted, manifest.DeletedFile{Level: in.Level, Num: f.Num})
		}
	}
	for _, f := range outputs {
		e.Added = append(e.Added, manifest.NewFile{Level: c.OutputLevel, Meta: *f})
	}
	return e
}

// ElideTombstone reports whether no level deeper than OutputLevel can hold
// ukey, so that a tombstone for ukey with nothing older among the inputs
// shadows nothing and may be dropped.
//
// REQUIRES: successive calls pass non-decreasing user keys (the order of a
// compaction's output); the per-level cursors then make the whole pass
// linear in the number of deeper tables, as in LevelDB's IsBaseLevelForKey.
func (c *Compaction) ElideTombstone(ukey []byte) bool {
	for level := c.OutputLevel + 1; level < manifest.NumLevels; level++ {
		files := c.v.Levels[level]
		for ; c.levelPtrs[level] < len(files); c.levelPtrs[level]++ {
			f := files[c.levelPtrs[level]]
			if f.EndsBefore(ukey) {
				continue
			}
			if f.ContainsUserKey(ukey) {
				return false
			}
			break // ukey falls in the gap before f
		}
	}
	return true
}

// ShouldStopBefore reports whether the engine should finish the current
// output table before adding ikey, because the table already overlaps more
// than MaxGrandparentOverlap bytes of grandparents (LevelDB's rule). It only
// ever returns true on the first entry of a user key, so honouring it keeps
// a user key's versions in one table.
//
// REQUIRES: called once for each output entry, in order.
func (c *Compaction) ShouldStopBefore(ikey []byte) bool {
	ukey := keys.UserKey(ikey)
	gps := c.Grandparents
	for c.gpIndex < len(gps) && gps[c.gpIndex].EndsBefore(ukey) {
		// The output has moved past this grandparent: the table being
		// written overlaps it entirely, unless nothing was written yet.
		if c.gpSeenKey {
			c.gpOverlappedSize += int64(gps[c.gpIndex].Size)
		}
		c.gpIndex++
	}
	c.gpSeenKey = true
	if c.gpOverlappedSize > c.maxGPOverlap {
		c.gpOverlappedSize = 0
		return true
	}
	return false
}

// totalSize sums the sizes of files.
func totalSize(files []*manifest.FileMeta) uint64 {
	var n uint64
	for _, f := range files {
		n += f.Size
	}
	return n
}

// keyRange returns the smallest and largest user keys of the given sets of
// files. REQUIRES: at least one file.
func keyRange(sets ...[]*manifest.FileMeta) (smallest, largest []byte) {
	first := true
	for _, files := range sets {
		for _, f := range files {
			s, l := f.SmallestUserKey(), f.LargestUserKey()
			if first || bytes.Compare(s, smallest) < 0 {
				smallest = s
			}
			if first || bytes.Compare(l, largest) > 0 {
				largest = l
			}
			first = false
		}
	}
	return smallest, largest
}
