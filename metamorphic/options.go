package metamorphic

import "github.com/lsmkv/lsmkv"

// optionSet is one configuration every sequence runs under.
type optionSet struct {
	name string
	opts lsmkv.Options
}

// optionSets stretch every knob that changes layout but not results: block
// and memtable sizes at their minimum, filters, compression and the block
// cache off, the fewest open files, the lowest L0 triggers, both
// compaction styles, and synced writes.
var optionSets = []optionSet{
	{"default", lsmkv.Options{}},
	{"tiny-blocks", lsmkv.Options{BlockSize: 64, MemtableSize: 32 << 10}},
	{"tiny-memtable", lsmkv.Options{MemtableSize: 4 << 10, TargetFileSize: 8 << 10, BaseLevelSize: 32 << 10, LevelSizeMultiplier: 2}},
	{"no-bloom-no-cache", lsmkv.Options{BloomBitsPerKey: -1, BlockCacheSize: -1, MemtableSize: 16 << 10}},
	{"no-compression", lsmkv.Options{Compression: lsmkv.NoCompression, MemtableSize: 16 << 10, BlockSize: 256}},
	{"few-open-files", lsmkv.Options{MaxOpenFiles: 8, MemtableSize: 8 << 10, TargetFileSize: 4 << 10, BaseLevelSize: 16 << 10}},
	{"l0-triggers-min", lsmkv.Options{L0CompactionTrigger: 1, L0StopWritesTrigger: 2, MemtableSize: 8 << 10}},
	{"tiered", lsmkv.Options{Compaction: lsmkv.TieredCompaction, MemtableSize: 8 << 10, TargetFileSize: 8 << 10}},
	{"tiered-tiny", lsmkv.Options{Compaction: lsmkv.TieredCompaction, BlockSize: 64, MemtableSize: 4 << 10,
		L0CompactionTrigger: 1, L0StopWritesTrigger: 2, MaxOpenFiles: 8}},
	{"sync", lsmkv.Options{Sync: true, MemtableSize: 16 << 10}},
}
