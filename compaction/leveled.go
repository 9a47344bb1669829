package compaction

import (
	"bytes"
	"fmt"
	"slices"
	"sort"

	"github.com/lsmkv/lsmkv/internal/bytesize"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/manifest"
)

// Picker picks compactions. For Leveled it remembers, per level, where the
// last compaction of that level ended, so that successive compactions
// rotate through the key space instead of rewriting the same range
// (LevelDB's compaction pointers). Tiered picking is stateless.
//
// Concurrency: not safe for concurrent use; the engine calls it under its
// mutex. The pointers are a heuristic only: losing them (a new Picker after
// a restart) is harmless.
type Picker struct {
	opts  Options
	snaps []keys.SeqNum // live snapshots, ascending (SetSnapshots)
	// pointers[l] is the largest user key of the last Inputs[0] picked at
	// level l; nil means "start at the beginning".
	pointers [manifest.NumLevels][]byte
}

// NewPicker returns a Picker for opts (defaults filled in).
func NewPicker(opts Options) *Picker {
	opts.EnsureDefaults()
	return &Picker{opts: opts}
}

// Pick returns the compaction v needs most, or nil if none is needed. It is
// a stateless NewPicker(opts).Pick(v): an engine should keep one Picker so
// that leveled compactions rotate through each level.
func Pick(v *manifest.Version, opts Options) *Compaction {
	return NewPicker(opts).Pick(v)
}

// Pick returns the compaction v needs most, or nil if none is needed. When
// no level is due by size or run count, a tombstone-dense table may still
// be (tombstones.go).
func (p *Picker) Pick(v *manifest.Version) *Compaction {
	var c *Compaction
	if p.opts.Style == Tiered {
		c = pickTiered(v, &p.opts)
	} else {
		c = p.pickLeveled(v)
	}
	if c == nil {
		c = pickTombstoneDense(v, &p.opts)
	}
	if c == nil {
		c = pickElisionOnly(v, &p.opts, p.snaps)
	}
	return c
}

// SetSnapshots tells the picker the live snapshots' sequence numbers
// (ascending) before a Pick: an elision-only compaction waits until none
// sees the table it would rewrite.
func (p *Picker) SetSnapshots(snaps []keys.SeqNum) { p.snaps = snaps }

// Scores returns each level's compaction score, for metrics and picking.
// Leveled: L0 = files / L0CompactionTrigger, Ln = size / target for
// 1 <= n < 6; the last level has nowhere to go and scores 0. Tiered: slot 0
// holds sorted runs / trigger and the other slots are 0. A score >= 1 means
// the level needs compacting.
func Scores(v *manifest.Version, opts Options) [manifest.NumLevels]float64 {
	opts.EnsureDefaults()
	var s [manifest.NumLevels]float64
	if opts.Style == Tiered {
		s[0] = float64(len(sortedRuns(v))) / float64(tieredTrigger(&opts))
		return s
	}
	s[0] = float64(len(v.Levels[0])) / float64(opts.L0CompactionTrigger)
	for level := 1; level < manifest.NumLevels-1; level++ {
		s[level] = float64(v.LevelSize(level)) / opts.levelTarget(level)
	}
	return s
}

// pickLeveled picks the level with the highest score >= 1 (L0 wins ties
// because it is scanned first and only a strictly higher score replaces
// the best so far).
func (p *Picker) pickLeveled(v *manifest.Version) *Compaction {
	scores := Scores(v, p.opts)
	best := -1
	for level, s := range scores {
		if s >= 1 && (best < 0 || s > scores[best]) {
			best = level
		}
	}
	if best < 0 {
		return nil
	}
	var c *Compaction
	if best == 0 {
		c = pickL0(v, &p.opts)
		c.Reason = fmt.Sprintf("L0 file count %d >= %d", len(v.Levels[0]), p.opts.L0CompactionTrigger)
	} else {
		c = p.pickLn(v, best)
		c.Reason = fmt.Sprintf("L%d size %s / target %s", best,
			bytesize.Format(int64(v.LevelSize(best))), bytesize.Format(int64(p.opts.levelTarget(best))))
	}
	c.Score = scores[best]
	return c
}

// pickL0 starts from the oldest L0 table (the one that has waited longest)
// and takes every L0 table overlapping it, transitively.
func pickL0(v *manifest.Version, opts *Options) *Compaction {
	l0 := v.Levels[0]
	seed := l0[len(l0)-1]
	c := newCompaction(v, opts, 0, 1)
	c.Inputs[0] = v.OverlapsTransitive(0, seed.SmallestUserKey(), seed.LargestUserKey())
	setupOtherInputs(v, c, opts)
	return c
}

// pickLn takes the first table of level after the level's compaction
// pointer, wrapping around to the first table.
func (p *Picker) pickLn(v *manifest.Version, level int) *Compaction {
	files := v.Levels[level]
	ptr := p.pointers[level]
	i := sort.Search(len(files), func(i int) bool {
		return ptr == nil || bytes.Compare(files[i].LargestUserKey(), ptr) > 0
	})
	if i == len(files) {
		i = 0 // past the end of the level: start over
	}
	c := newCompaction(v, &p.opts, level, level+1)
	// One table suffices: L1+ tables never share a user key (the engine
	// cuts outputs only between user keys), so no neighbour must come too.
	c.Inputs[0] = []*manifest.FileMeta{files[i]}
	setupOtherInputs(v, c, &p.opts)
	// Move the pointer now rather than when the edit is installed, so that
	// a compaction that fails is not retried on the same range forever.
	_, largest := keyRange(c.Inputs[0])
	p.pointers[level] = slices.Clone(largest)
	return c
}

// setupOtherInputs fills Inputs[1] with every OutputLevel table overlapping
// Inputs[0], grows Inputs[0] when that is free, and finds the grandparents.
func setupOtherInputs(v *manifest.Version, c *Compaction, opts *Options) {
	smallest, largest := keyRange(c.Inputs[0])
	c.Inputs[1] = v.Overlaps(c.OutputLevel, smallest, largest)

	// Taking more Level tables is free if they lie in the range that the
	// OutputLevel inputs already span and so pull in no more OutputLevel
	// tables (LevelDB's expansion); it saves a later compaction of them.
	if len(c.Inputs[1]) > 0 {
		all0, all1 := keyRange(c.Inputs[0], c.Inputs[1])
		exp0 := v.OverlapsTransitive(c.Level, all0, all1)
		limit := uint64(expandedLimitFactor * opts.TargetFileSize)
		if len(exp0) > len(c.Inputs[0]) && totalSize(exp0)+totalSize(c.Inputs[1]) < limit {
			es, el := keyRange(exp0)
			if exp1 := v.Overlaps(c.OutputLevel, es, el); len(exp1) == len(c.Inputs[1]) {
				c.Inputs[0] = exp0
			}
		}
	}

	if c.OutputLevel+1 < manifest.NumLevels {
		gs, gl := keyRange(c.Inputs[0], c.Inputs[1])
		c.Grandparents = v.Overlaps(c.OutputLevel+1, gs, gl)
	}
}

// PickL0ForReads returns a compaction of every L0 table into L1, or nil if
// L0 is empty or the style is not Leveled. The engine runs it when reads
// have paid more for L0's tables than the compaction costs, however few
// they are (the engine's readcompaction.go keeps that account).
func PickL0ForReads(v *manifest.Version, opts Options) *Compaction {
	opts.EnsureDefaults()
	if opts.Style != Leveled || len(v.Levels[0]) == 0 {
		return nil
	}
	smallest, largest := keyRange(v.Levels[0])
	c := newCompaction(v, &opts, 0, 1)
	c.Inputs[0] = v.OverlapsTransitive(0, smallest, largest)
	setupOtherInputs(v, c, &opts)
	c.Reason = "read-triggered"
	return c
}

// PickManual returns a compaction of the tables at level that overlap the
// user-key range [start, end] into level+1 (nil start or end: unbounded).
// At L0 it takes every L0 table overlapping the range, transitively. It
// returns nil if no table overlaps, or if level is not in [0, NumLevels-1)
// (the last level has no level below it).
func PickManual(v *manifest.Version, opts Options, level int, start, end []byte) *Compaction {
	opts.EnsureDefaults()
	if level < 0 || level >= manifest.NumLevels-1 || len(v.Levels[level]) == 0 {
		return nil
	}
	if end == nil {
		_, end = keyRange(v.Levels[level])
	}
	inputs := v.OverlapsTransitive(level, start, end)
	if len(inputs) == 0 {
		return nil
	}
	c := newCompaction(v, &opts, level, level+1)
	c.Inputs[0] = inputs
	c.Manual = true
	c.Reason = "manual"
	setupOtherInputs(v, c, &opts)
	return c
}
