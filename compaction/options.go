package compaction

import (
	"fmt"
)

// Style selects the compaction policy.
type Style int

const (
	// Leveled is LevelDB's policy (the default): L1+ each hold one sorted
	// run whose target size grows by LevelSizeMultiplier per level, and a
	// compaction merges a slice of one level into the overlapping slice of
	// the next. Low space and read amplification, higher write
	// amplification.
	Leveled Style = iota
	// Tiered is a RocksDB-universal-like policy: every L0 table and every
	// non-empty level L1..L6 is one sorted run, and a compaction merges
	// several whole runs of similar size into one. Lower write
	// amplification, higher space and read amplification. The policy is
	// specified in docs/compaction.md.
	Tiered
)

func (s Style) String() string {
	switch s {
	case Leveled:
		return "leveled"
	case Tiered:
		return "tiered"
	}
	return fmt.Sprintf("Style(%d)", int(s))
}

// Defaults used by EnsureDefaults for zero-valued fields.
const (
	DefaultL0CompactionTrigger         = 4
	DefaultLevelSizeMultiplier         = 10
	DefaultBaseLevelSize               = 64 << 20
	DefaultTargetFileSize              = 2 << 20
	DefaultSizeRatioPercent            = 10
	DefaultMaxSizeAmplificationPercent = 200

	// grandparentOverlapFactor gives MaxGrandparentOverlap's default as a
	// multiple of TargetFileSize (LevelDB's choice).
	grandparentOverlapFactor = 10
	// expandedLimitFactor caps, as a multiple of TargetFileSize, the input
	// size up to which a leveled compaction may take extra files of its
	// input level for free (LevelDB's ExpandedCompactionByteSizeLimit).
	expandedLimitFactor = 25
)

// Options configures compaction picking. The zero value of every field
// means "use the default"; call EnsureDefaults before use. Ranges are
// checked by the engine's one validator (lsmkv.Options), which builds these
// options from its own; the picker assumes them valid (REQUIRES).
type Options struct {
	// Style is the compaction policy. Default Leveled.
	Style Style
	// L0CompactionTrigger is, for Leveled, the number of L0 tables at which
	// L0 is compacted into L1; for Tiered, the number of sorted runs at
	// which runs are merged (clamped to [2, 6]: see docs/compaction.md).
	// Default 4.
	L0CompactionTrigger int
	// LevelSizeMultiplier is the growth factor of level target sizes
	// (Leveled). Default 10.
	LevelSizeMultiplier int
	// BaseLevelSize is L1's target size in bytes; Ln's target is
	// BaseLevelSize * LevelSizeMultiplier^(n-1) (Leveled). Default 64 MiB.
	BaseLevelSize int64
	// TargetFileSize is the size in bytes at which the engine starts a new
	// output table. Default 2 MiB.
	TargetFileSize int64
	// MaxGrandparentOverlap is the number of bytes of OutputLevel+1 tables
	// one output table may overlap before ShouldStopBefore ends it, which
	// bounds the cost of the table's own later compaction (Leveled).
	// Default 10 * TargetFileSize.
	MaxGrandparentOverlap int64
	// SizeRatioPercent is the Tiered "similar size" slack: a run joins the
	// merge if its size is <= (100+SizeRatioPercent)% of the runs picked
	// so far. Default 10 (see docs/compaction.md for why not RocksDB's 1).
	SizeRatioPercent int
	// MaxSizeAmplificationPercent triggers a Tiered full merge when the
	// runs above the oldest one hold at least this percentage of the
	// oldest run's bytes. Default 200.
	MaxSizeAmplificationPercent int
}

// EnsureDefaults replaces zero-valued fields with their defaults.
func (o *Options) EnsureDefaults() {
	if o.L0CompactionTrigger == 0 {
		o.L0CompactionTrigger = DefaultL0CompactionTrigger
	}
	if o.LevelSizeMultiplier == 0 {
		o.LevelSizeMultiplier = DefaultLevelSizeMultiplier
	}
	if o.BaseLevelSize == 0 {
		o.BaseLevelSize = DefaultBaseLevelSize
	}
	if o.TargetFileSize == 0 {
		o.TargetFileSize = DefaultTargetFileSize
	}
	if o.MaxGrandparentOverlap == 0 {
		o.MaxGrandparentOverlap = grandparentOverlapFactor * o.TargetFileSize
	}
	if o.SizeRatioPercent == 0 {
		o.SizeRatioPercent = DefaultSizeRatioPercent
	}
	if o.MaxSizeAmplificationPercent == 0 {
		o.MaxSizeAmplificationPercent = DefaultMaxSizeAmplificationPercent
	}
}

// levelTarget returns Ln's target size in bytes for n >= 1 (Leveled).
// It is a float64 so that a large multiplier cannot overflow.
func (o *Options) levelTarget(level int) float64 {
	t := float64(o.BaseLevelSize)
	for i := 1; i < level; i++ {
		t *= float64(o.LevelSizeMultiplier)
	}
	return t
}
