package lsmkv

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/lsmkv/lsmkv/vfs"
)

// Compression chooses how SSTable blocks are compressed.
type Compression int

// Compression choices. The zero value means the default, snappy.
const (
	DefaultCompression Compression = iota // SnappyCompression
	SnappyCompression
	NoCompression
)

func (c Compression) String() string {
	if names := [...]string{"default", "snappy", "none"}; c >= 0 && int(c) < len(names) {
		return names[c]
	}
	return fmt.Sprintf("Compression(%d)", int(c))
}

// CompactionStyle chooses the shape of the tree.
type CompactionStyle int

// Compaction styles. The zero value means the default, leveled.
const (
	DefaultCompaction CompactionStyle = iota // LeveledCompaction
	LeveledCompaction
	TieredCompaction
)

func (c CompactionStyle) String() string {
	if names := [...]string{"default", "leveled", "tiered"}; c >= 0 && int(c) < len(names) {
		return names[c]
	}
	return fmt.Sprintf("CompactionStyle(%d)", int(c))
}

// Defaults for Options. A zero field in Options means the default here.
const (
	DefaultMemtableSize        = 4 << 20
	DefaultBlockSize           = 4 << 10
	DefaultBloomBitsPerKey     = 10
	DefaultBlockCacheSize      = 8 << 20
	DefaultL0CompactionTrigger = 4
	DefaultL0StopWritesTrigger = 12
	DefaultLevelSizeMultiplier = 10
	DefaultBaseLevelSize       = 64 << 20
	DefaultTargetFileSize      = 2 << 20
	DefaultMaxOpenFiles        = 1000
)

// Limits on keys and values. Larger ones are refused with an error wrapping
// ErrInvalidArgument and nothing is written.
const (
	MaxKeySize   = 1 << 20  // 1 MiB
	MaxValueSize = 64 << 20 // 64 MiB
)

// Options configure a DB. The zero value of every field means its default;
// Open works on a copy, so the caller's struct is never modified.
type Options struct {
	FS                  vfs.FS          // nil: vfs.Default
	ReadOnly            bool            // writes fail with ErrReadOnly; no file is created, changed or removed
	Sync                bool            // false: a returned write survives a process crash; true: also power loss
	MemtableSize        int64           // bytes of memtable before it is flushed; 4 MiB
	BlockSize           int             // SSTable data block size in bytes; 4 KiB
	BloomBitsPerKey     int             // bloom filter bits per key; 10; negative disables filters
	Compression         Compression     // SnappyCompression; or NoCompression
	BlockCacheSize      int64           // bytes of decompressed blocks cached; 8 MiB; negative disables
	Compaction          CompactionStyle // LeveledCompaction; or TieredCompaction
	L0CompactionTrigger int             // L0 files (sorted runs, when tiered) that start a compaction; 4
	L0StopWritesTrigger int             // L0 files at which writes stop until compaction catches up; 12
	LevelSizeMultiplier int             // each level's target is this many times the one above; 10
	BaseLevelSize       int64           // target bytes of L1; 64 MiB
	TargetFileSize      int64           // compaction output tables are split at about this size; 2 MiB
	MaxOpenFiles        int             // open SSTable handles kept in the table cache; 1000
	Logger              *slog.Logger    // one line per flush, compaction and stall; nil: discard
}

// WriteOptions control one write.
type WriteOptions struct {
	// Sync makes the write durable against power loss before it returns.
	Sync bool
}

// IterOptions control an iterator.
type IterOptions struct {
	LowerBound, UpperBound []byte    // iterate over [LowerBound, UpperBound); nil: unbounded
	Snapshot               *Snapshot // nil: the state when the iterator is created
}

// ensureDefaults fills every zero field with its default. It is the one
// place defaults are applied.
func (o *Options) ensureDefaults() {
	if o.FS == nil {
		o.FS = vfs.Default
	}
	setDefault(&o.MemtableSize, DefaultMemtableSize)
	setDefault(&o.BlockSize, DefaultBlockSize)
	setDefault(&o.BloomBitsPerKey, DefaultBloomBitsPerKey)
	if o.Compression == DefaultCompression {
		o.Compression = SnappyCompression
	}
	setDefault(&o.BlockCacheSize, DefaultBlockCacheSize)
	if o.Compaction == DefaultCompaction {
		o.Compaction = LeveledCompaction
	}
	setDefault(&o.L0CompactionTrigger, DefaultL0CompactionTrigger)
	setDefault(&o.L0StopWritesTrigger, DefaultL0StopWritesTrigger)
	setDefault(&o.LevelSizeMultiplier, DefaultLevelSizeMultiplier)
	setDefault(&o.BaseLevelSize, DefaultBaseLevelSize)
	setDefault(&o.TargetFileSize, DefaultTargetFileSize)
	setDefault(&o.MaxOpenFiles, DefaultMaxOpenFiles)
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
}

func setDefault[T int | int64](field *T, def T) {
	if *field == 0 {
		*field = def
	}
}

// validate checks ranges and cross-field rules after ensureDefaults.
func (o *Options) validate() error {
	switch {
	case o.MemtableSize < 4<<10:
		return invalidf("MemtableSize %d is below the 4 KiB minimum", o.MemtableSize)
	case o.BlockSize < 64 || o.BlockSize > 16<<20:
		return invalidf("BlockSize %d is outside [64, 16 MiB]", o.BlockSize)
	case o.Compression < DefaultCompression || o.Compression > NoCompression:
		return invalidf("unknown Compression %d", o.Compression)
	case o.Compaction < DefaultCompaction || o.Compaction > TieredCompaction:
		return invalidf("unknown CompactionStyle %d", o.Compaction)
	case o.L0CompactionTrigger < 1:
		return invalidf("L0CompactionTrigger %d must be positive", o.L0CompactionTrigger)
	case o.L0StopWritesTrigger <= o.L0CompactionTrigger:
		return invalidf("L0StopWritesTrigger %d must exceed L0CompactionTrigger %d",
			o.L0StopWritesTrigger, o.L0CompactionTrigger)
	case o.LevelSizeMultiplier < 2:
		return invalidf("LevelSizeMultiplier %d must be at least 2", o.LevelSizeMultiplier)
	case o.BaseLevelSize < 1 || o.TargetFileSize < 1:
		return invalidf("BaseLevelSize and TargetFileSize must be positive")
	case o.MaxOpenFiles < 8:
		return invalidf("MaxOpenFiles %d is below the minimum of 8", o.MaxOpenFiles)
	}
	return nil
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidArgument, fmt.Sprintf(format, args...))
}
