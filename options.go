package lsmkv

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/lsmkv/lsmkv/compaction"
	"github.com/lsmkv/lsmkv/memtable"
	"github.com/lsmkv/lsmkv/sstable"
	"github.com/lsmkv/lsmkv/vfs"
	"github.com/lsmkv/lsmkv/wal"
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
// A default that belongs to a component is that component's constant, so
// each has one home.
const (
	DefaultMemtableSize        = 4 << 20
	DefaultBlockSize           = sstable.DefaultBlockSize
	DefaultBloomBitsPerKey     = sstable.DefaultBloomBitsPerKey
	DefaultBlockCacheSize      = 8 << 20
	DefaultL0CompactionTrigger = compaction.DefaultL0CompactionTrigger
	DefaultL0StopWritesTrigger = 12
	DefaultLevelSizeMultiplier = compaction.DefaultLevelSizeMultiplier
	DefaultBaseLevelSize       = compaction.DefaultBaseLevelSize
	DefaultTargetFileSize      = compaction.DefaultTargetFileSize
	DefaultMaxOpenFiles        = 1000

	// MaxBloomBitsPerKey bounds Options.BloomBitsPerKey: past about 43 bits
	// the number of probes is capped (30) and more bits buy nothing but
	// space.
	MaxBloomBitsPerKey = 40
)

// Limits on keys, values and batches. Larger ones are refused with an error
// wrapping ErrInvalidArgument and nothing is written.
const (
	MaxKeySize   = 1 << 20  // 1 MiB
	MaxValueSize = 64 << 20 // 64 MiB
	// MaxBatchSize caps a batch's encoding (docs/format-batch.md): the
	// batch is one WAL record, and a record holds at most
	// wal.MaxPayloadLen bytes. A batch's entries must also fit one
	// memtable (memtable.MaxCapacity, about 4 GiB counting each entry's
	// skiplist node), which only a batch of millions of tiny entries
	// reaches first. Batch.Put and Batch.Delete refuse the entry that would
	// cross either limit.
	MaxBatchSize = wal.MaxPayloadLen // 1 GiB
)

// Options configure a DB. The zero value of every field means its default;
// Open works on a copy, so the caller's struct is never modified. Each
// field's valid range is given in its comment; Open refuses a value outside
// it with an error wrapping ErrInvalidArgument.
type Options struct {
	// FS is the file system; nil means vfs.Default (the OS).
	FS vfs.FS
	// ReadOnly opens an existing DB without creating, changing or removing
	// any file and without taking its lock; writes fail with ErrReadOnly.
	ReadOnly bool
	// Sync false: a returned write survives a crash of the process. Sync
	// true: it also survives power loss (one fsync per commit group).
	Sync bool
	// MemtableSize is the bytes of memtable before it is flushed to L0.
	// Default 4 MiB; at least 4 KiB, at most memtable.MaxCapacity (~4 GiB).
	MemtableSize int64
	// BlockSize is the target size of SSTable data blocks, in bytes before
	// compression. Default 4 KiB; 64 B to 16 MiB.
	BlockSize int
	// BloomBitsPerKey sizes each table's bloom filter. Default 10 (about 1%
	// false positives); 1 to MaxBloomBitsPerKey; negative disables filters.
	BloomBitsPerKey int
	// Compression of SSTable blocks: SnappyCompression (default) or
	// NoCompression.
	Compression Compression
	// BlockCacheSize is the bytes of decompressed blocks cached. Default
	// 8 MiB; negative disables the cache.
	BlockCacheSize int64
	// Compaction is LeveledCompaction (default) or TieredCompaction.
	Compaction CompactionStyle
	// L0CompactionTrigger is the number of L0 tables (sorted runs, when
	// tiered) that starts a compaction. Default 4; at least 1.
	L0CompactionTrigger int
	// L0StopWritesTrigger is the number of L0 tables at which writes stop
	// until compaction catches up; halfway there each write is delayed 1 ms.
	// Default 12; must exceed L0CompactionTrigger.
	L0StopWritesTrigger int
	// LevelSizeMultiplier: each level's target size is this many times the
	// one above. Default 10; at least 2.
	LevelSizeMultiplier int
	// BaseLevelSize is the target size of L1 in bytes. Default 64 MiB; at
	// least 1.
	BaseLevelSize int64
	// TargetFileSize is the size at which compaction output tables are
	// split. Default 2 MiB; at least 1.
	TargetFileSize int64
	// MaxOpenFiles is the number of SSTable handles the table cache keeps
	// open. Default 1000; at least 8.
	MaxOpenFiles int
	// Logger receives one line per flush, compaction and stall, and
	// background errors; nil discards them.
	Logger *slog.Logger
	// EventListener is called, in order and off the engine's locks, for
	// every flush, compaction, write stall, file created or deleted and
	// background error (events.go has the delivery rules). The zero value
	// listens to nothing.
	EventListener EventListener
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
	case o.MemtableSize < 4<<10 || o.MemtableSize > memtable.MaxCapacity:
		return invalidf("MemtableSize %d is outside [4 KiB, %d]", o.MemtableSize, int64(memtable.MaxCapacity))
	case o.BloomBitsPerKey > MaxBloomBitsPerKey:
		return invalidf("BloomBitsPerKey %d is above the maximum of %d", o.BloomBitsPerKey, MaxBloomBitsPerKey)
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

// The one place Options are translated into component options (Pebble's
// MakeReaderOptions/MakeWriterOptions). REQUIRES: ensureDefaults and
// validate have run.

// compactionOptions returns the compaction picker's options.
func (o *Options) compactionOptions() compaction.Options {
	c := compaction.Options{
		Style:               compaction.Leveled,
		L0CompactionTrigger: o.L0CompactionTrigger,
		LevelSizeMultiplier: o.LevelSizeMultiplier,
		BaseLevelSize:       o.BaseLevelSize,
		TargetFileSize:      o.TargetFileSize,
	}
	if o.Compaction == TieredCompaction {
		c.Style = compaction.Tiered
	}
	c.EnsureDefaults()
	return c
}

// tableWriterOptions returns the options of every table the DB writes.
func (o *Options) tableWriterOptions() sstable.WriterOptions {
	w := sstable.WriterOptions{BlockSize: o.BlockSize, BloomBitsPerKey: o.BloomBitsPerKey}
	if o.Compression == SnappyCompression {
		w.Compression = sstable.SnappyCompression
	}
	return w
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidArgument, fmt.Sprintf(format, args...))
}
