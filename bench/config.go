package bench

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync/atomic"
)

// Compression names a block compression algorithm.
type Compression string

// Compression choices. The empty string means "the engine's default".
const (
	CompressionNone   Compression = "none"
	CompressionSnappy Compression = "snappy"
)

// Compaction names a compaction strategy.
type Compaction string

// Compaction choices. The empty string means "the engine's default".
const (
	CompactionLeveled Compaction = "leveled"
	CompactionTiered  Compaction = "tiered"
)

// Config holds the storage knobs handed to an engine's Opener. Engines map
// them onto their own options and ignore the ones they do not have. A zero
// field means "the engine's default", except BloomBits, where 0 disables
// bloom filters (kvbench's flag default is 10).
type Config struct {
	Dir          string      // directory holding the store's files
	Sync         bool        // fsync the log on every Put/Delete
	Compression  Compression // block compression
	BloomBits    int         // bloom filter bits per key; 0 = no filter
	Compaction   Compaction  // compaction strategy
	MemtableSize int64       `json:"MemtableSizeBytes"` // bytes buffered before a flush
	CacheSize    int64       `json:"CacheSizeBytes"`    // block cache bytes
	BlockSize    int         `json:"BlockSizeBytes"`    // target uncompressed data block bytes
	// TargetFileSize and BaseLevelSize shape an LSM tree: the size at
	// which compaction outputs are cut, and the first level's target
	// size. Small values make a small run build a deep tree, to watch it.
	TargetFileSize int64 `json:"TargetFileSizeBytes,omitempty"`
	BaseLevelSize  int64 `json:"BaseLevelSizeBytes,omitempty"`
}

// validate reports knob values no engine could accept.
func (c Config) validate() error {
	switch c.Compression {
	case "", CompressionNone, CompressionSnappy:
	default:
		return fmt.Errorf("lsmkv/bench: compression %q: want none or snappy", c.Compression)
	}
	switch c.Compaction {
	case "", CompactionLeveled, CompactionTiered:
	default:
		return fmt.Errorf("lsmkv/bench: compaction %q: want leveled or tiered", c.Compaction)
	}
	if c.BloomBits < 0 || c.BloomBits > 64 {
		return fmt.Errorf("lsmkv/bench: bloom_bits %d: want 0..64", c.BloomBits)
	}
	if c.MemtableSize < 0 || c.CacheSize < 0 || c.BlockSize < 0 || c.TargetFileSize < 0 || c.BaseLevelSize < 0 {
		return fmt.Errorf("lsmkv/bench: memtable_size, cache_size, block_size, target_file_size and base_level_size must not be negative")
	}
	return nil
}

// Defaults for Options, matching db_bench where db_bench has the knob.
const (
	defaultNum                 = 100_000
	defaultKeySize             = 16
	defaultValueSize           = 100
	defaultFillBatch           = 1000 // entries per batch for fillbatch
	defaultCompressionRatio    = 0.5
	defaultSeed                = 301 // the seed LevelDB's db_bench fixes for its generators
	defaultZipfTheta           = 0.99
	defaultDeleteRangeSpan     = 100  // keys per deleterange span
	defaultDeleteRangeFraction = 0.5  // share of the keys deleterange deletes
	defaultRangeTombstones     = 1000 // -range_tombstones' default; in Options zero means none
)

// DefaultBenchmarks is the suite run when none is named.
var DefaultBenchmarks = []string{"fillseq", "fillrandom", "overwrite", "readrandom", "readseq", "seekrandom", "deleterandom"}

// Options describes a whole kvbench run: which engine, which workloads, and
// the workload parameters. Zero fields take the defaults above in
// EnsureDefaults.
type Options struct {
	EngineName       string   // registered engine name
	Engine           Config   // storage knobs; Engine.Dir must be set
	Benchmarks       []string // workload names, run in order
	Num              int64    // keys in the key space and ops for writes
	Reads            int64    // ops for read and YCSB phases; 0 = Num
	KeySize          int      `json:"KeySizeBytes"`   // bytes per key (zero-padded decimal)
	ValueSize        int      `json:"ValueSizeBytes"` // bytes per value
	Threads          int      // concurrent workers per phase
	BatchSize        int      `json:"BatchSizeEntries"` // entries per WriteBatch for writes; 1 = Put
	SeekNexts        int      // Next calls after each seekrandom seek
	CompressionRatio float64  // fraction of each value that is random bytes
	ZipfTheta        float64  // skew of the zipfian and latest generators
	Seed             uint64   // seeds every generator
	UseExistingDB    bool     // keep Dir's data (scanned once, untimed); skip fill* phases
	Verbose          bool     // keep the engine's metrics text per phase

	// DeleteRangeSpan is the number of consecutive keys in each range the
	// deleterange workload deletes (capped at Num), and DeleteRangeFraction
	// the share of keys 0..Num-1 that its ranges cover, in (0,1].
	DeleteRangeSpan     int `json:"DeleteRangeSpanKeys"`
	DeleteRangeFraction float64
	// DeleteRangeNoCompact stops deleterange from compacting the store
	// (untimed) after the deletes, so later phases run over the range
	// tombstones rather than over a compacted store.
	DeleteRangeNoCompact bool
	// RangeTombstones is the number of range deletions the rangetombstones
	// workload writes, at most Num; unlike the fields above, zero means
	// zero, so that a sweep can compare 0 with N.
	RangeTombstones int64

	// Progress, if non-nil, receives a carriage-return progress line for
	// phases running longer than a second. kvbench sets it only when
	// stderr is a terminal.
	Progress io.Writer `json:"-"`

	// Hooks for a live view of the run (kvbench -http); all optional.
	// Open, if non-nil, opens the engine instead of the Opener registered
	// as EngineName (kvbench wraps lsmkv's to watch the DB it opens).
	// OpsDone, if non-nil, is added every op the workers complete, in
	// steps of up to progressEvery ops, so the hot path stays cheap.
	// PhaseStarted, if non-nil, is called with each phase's name before
	// it runs, on the runner's goroutine.
	Open         Opener            `json:"-"`
	OpsDone      *atomic.Int64     `json:"-"`
	PhaseStarted func(name string) `json:"-"`
}

// EnsureDefaults fills zero fields with defaults.
func (o *Options) EnsureDefaults() {
	if len(o.Benchmarks) == 0 {
		o.Benchmarks = append([]string(nil), DefaultBenchmarks...)
	}
	setDefault(&o.Num, defaultNum)
	setDefault(&o.Reads, o.Num)
	setDefault(&o.KeySize, defaultKeySize)
	setDefault(&o.ValueSize, defaultValueSize)
	setDefault(&o.Threads, 1)
	setDefault(&o.BatchSize, 1)
	setDefault(&o.CompressionRatio, defaultCompressionRatio)
	setDefault(&o.ZipfTheta, defaultZipfTheta)
	setDefault(&o.Seed, defaultSeed)
	setDefault(&o.DeleteRangeSpan, defaultDeleteRangeSpan)
	setDefault(&o.DeleteRangeFraction, defaultDeleteRangeFraction)
}

func setDefault[T int | int64 | uint64 | float64](p *T, def T) {
	if *p == 0 {
		*p = def
	}
}

// Validate checks the options after EnsureDefaults.
func (o *Options) Validate() error {
	if err := o.Engine.validate(); err != nil {
		return err
	}
	if o.Engine.Dir == "" {
		return fmt.Errorf("lsmkv/bench: no directory given")
	}
	for _, b := range o.Benchmarks {
		if _, ok := workloads[b]; !ok {
			return fmt.Errorf("lsmkv/bench: unknown benchmark %q (known: %s)", b, strings.Join(WorkloadNames(), ","))
		}
	}
	switch {
	case o.Num < 1 || o.Reads < 1:
		return fmt.Errorf("lsmkv/bench: num and reads must be positive")
	case o.ValueSize < 0 || o.ValueSize > 64<<20:
		return fmt.Errorf("lsmkv/bench: value_size %d: want 0..64MiB", o.ValueSize)
	case o.Threads < 1 || o.Threads > 1024:
		return fmt.Errorf("lsmkv/bench: threads %d: want 1..1024", o.Threads)
	case o.BatchSize < 1:
		return fmt.Errorf("lsmkv/bench: batch_size %d: want >= 1", o.BatchSize)
	case o.SeekNexts < 0:
		return fmt.Errorf("lsmkv/bench: seek_nexts %d: want >= 0", o.SeekNexts)
	case o.CompressionRatio <= 0 || o.CompressionRatio > 1:
		return fmt.Errorf("lsmkv/bench: compression_ratio %g: want (0,1]", o.CompressionRatio)
	case o.ZipfTheta <= 0 || o.ZipfTheta >= 1:
		return fmt.Errorf("lsmkv/bench: zipf theta %g: want (0,1)", o.ZipfTheta)
	case o.DeleteRangeSpan < 1:
		return fmt.Errorf("lsmkv/bench: deleterange_span %d: want >= 1", o.DeleteRangeSpan)
	case o.DeleteRangeFraction <= 0 || o.DeleteRangeFraction > 1:
		return fmt.Errorf("lsmkv/bench: deleterange_fraction %g: want (0,1]", o.DeleteRangeFraction)
	case o.RangeTombstones < 0 || (o.RangeTombstones > o.Num && slices.Contains(o.Benchmarks, "rangetombstones")):
		return fmt.Errorf("lsmkv/bench: range_tombstones %d: want 0..num (%d), one per gap between keys", o.RangeTombstones, o.Num)
	}
	// Keys are decimal indexes; YCSB inserts can add up to Reads keys.
	if need := len(fmt.Sprint(o.Num + o.Reads)); o.KeySize < need || o.KeySize > 1024 {
		return fmt.Errorf("lsmkv/bench: key_size %d: want %d..1024 to hold %d keys in decimal", o.KeySize, need, o.Num+o.Reads)
	}
	return nil
}
