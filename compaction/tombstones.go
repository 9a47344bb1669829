package compaction

import (
	"fmt"

	"github.com/lsmkv/lsmkv/internal/bytesize"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/manifest"
)

// Tombstone-aware picking. Size-triggered compaction leaves a tree whose
// levels are under their targets alone, however much of its data is
// deleted: a DeleteRange over most keys, or a wave of point deletes, would
// keep its space until enough new data arrived to trigger compactions.
// So when nothing else is due, a table whose entries are mostly deletions
// (point or range tombstones) and that overlaps older data below it is
// compacted one level down: the tombstones are applied there, dropping what
// they delete, and the next pick carries them on until they reach the
// bottom, where they are dropped in turn. (Tables wholly deleted by a newer
// range tombstone go first, and cheaper: the engine's delete-only
// compactions drop them without reading them.)

// Tables with no older data below them get the last step in place: an
// elision-only compaction rewrites such a table at its own level, dropping
// its tombstones and what they delete, once no snapshot can still see
// either. Without it, tombstones that reached the bottom of the tree (or a
// level with nothing under it) would keep their space for good, since no
// size-triggered compaction ever takes a table further down.

// denseShare is the share of a table's point entries that must be point
// tombstones for them alone to make it worth compacting early.
const denseShare = 0.5

// tombstoneHeavy reports whether compacting f may reclaim space beyond
// what size-triggered compaction would: f holds a range tombstone (which
// may delete any amount of data, its own points included; the counts
// cannot say how much), or at least half its point entries are tombstones.
func tombstoneHeavy(f *manifest.FileMeta) bool {
	return f.NumRangeDels > 0 || TombstoneDensity(f) >= denseShare
}

// TombstoneDensity returns the share of f's point entries that are point
// tombstones; 0 for a table whose counts were not recorded.
func TombstoneDensity(f *manifest.FileMeta) float64 {
	if f.NumEntries == 0 {
		return 0
	}
	return float64(f.NumDeletions) / float64(f.NumEntries)
}

// OlderBytesBelow returns the bytes of the tables in levels deeper than
// level that overlap f's key range: an upper bound on the data f's
// tombstones can delete, and the estimate Metrics reports.
func OlderBytesBelow(v *manifest.Version, level int, f *manifest.FileMeta) uint64 {
	var n uint64
	for l := level + 1; l < manifest.NumLevels; l++ {
		for _, g := range v.Overlaps(l, f.SmallestUserKey(), f.LargestUserKey()) {
			n += g.Size
		}
	}
	return n
}

// pickTombstoneDense returns a compaction, one level down, of the
// tombstone-heavy table with the most older data below it, or nil if no
// table has any. Each pick carries the tombstones one level deeper (or
// drops them where nothing below overlaps them), so repeated picks end.
func pickTombstoneDense(v *manifest.Version, opts *Options) *Compaction {
	bestLevel, bestBelow := -1, uint64(0)
	var best *manifest.FileMeta
	for level := 0; level < manifest.NumLevels-1; level++ {
		for _, f := range v.Levels[level] {
			if !tombstoneHeavy(f) {
				continue
			}
			if below := OlderBytesBelow(v, level, f); below > bestBelow {
				best, bestLevel, bestBelow = f, level, below
			}
		}
	}
	if best == nil {
		return nil
	}
	var c *Compaction
	if opts.Style == Tiered {
		c = tieredDense(v, opts, best)
	} else {
		c = leveledFromSeed(v, opts, bestLevel, best)
	}
	if c != nil {
		c.Reason = fmt.Sprintf("tombstones: table %06d (%d point of %d entries, %d range) over %s below",
			best.Num, best.NumDeletions, best.NumEntries, best.NumRangeDels, bytesize.Format(int64(bestBelow)))
	}
	return c
}

// pickElisionOnly returns an in-place compaction of a tombstone-heavy L1+
// table that has nothing older below it and whose data no live snapshot
// sees (snaps ascending), or nil. After the rewrite the table holds no
// tombstone (nothing below needs one), so it is not picked again.
func pickElisionOnly(v *manifest.Version, opts *Options, snaps []keys.SeqNum) *Compaction {
	for level := 1; level < manifest.NumLevels; level++ {
		for _, f := range v.Levels[level] {
			if tombstoneHeavy(f) && !snapshotSees(snaps, f) && OlderBytesBelow(v, level, f) == 0 {
				c := newCompaction(v, opts, level, level)
				c.Inputs[0] = []*manifest.FileMeta{f}
				c.Reason = fmt.Sprintf("elision-only: table %06d's tombstones (%d point, %d range) lie over nothing below",
					f.Num, f.NumDeletions, f.NumRangeDels)
				return c
			}
		}
	}
	return nil
}

// snapshotSees reports whether a snapshot in snaps (ascending) is older
// than some of f's entries: it then reads a state in which some of f's
// tombstones did not exist yet, so a rewrite must keep them (the rewrite
// filter drops a tombstone only in the oldest snapshot stripe), and an
// in-place rewrite would change nothing.
func snapshotSees(snaps []keys.SeqNum, f *manifest.FileMeta) bool {
	return len(snaps) > 0 && snaps[0] < f.LargestSeq
}

// leveledFromSeed compacts table seed of level into the next level, taking
// what a leveled compaction of it must take along.
func leveledFromSeed(v *manifest.Version, opts *Options, level int, seed *manifest.FileMeta) *Compaction {
	c := newCompaction(v, opts, level, level+1)
	if level == 0 {
		c.Inputs[0] = v.OverlapsTransitive(0, seed.SmallestUserKey(), seed.LargestUserKey())
	} else {
		c.Inputs[0] = []*manifest.FileMeta{seed}
	}
	setupOtherInputs(v, c, opts)
	return c
}

// tieredDense merges the run holding seed with every older run: in the
// tiered shape, applying a run's tombstones to what lies below means
// merging the runs below it.
func tieredDense(v *manifest.Version, opts *Options, seed *manifest.FileMeta) *Compaction {
	runs := sortedRuns(v)
	for i, r := range runs {
		for _, f := range r.files {
			if f != seed {
				continue
			}
			if i < len(v.Levels[0]) {
				i = 0 // L0 tables leave L0 together
			}
			if len(runs)-i < 2 {
				return nil
			}
			return tieredCompaction(v, opts, runs, i, len(runs)-i, "", 0)
		}
	}
	return nil
}
