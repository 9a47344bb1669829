package bench

import (
	"flag"
	"fmt"
	"strings"
)

// Flags holds the command-line flags shared by kvbench and bench/peers:
// the workload and storage knobs, with db_bench's names and meanings.
// Register them with RegisterFlags, parse, then call Apply.
type Flags struct {
	opts        *Options
	benchmarks  *string
	compression *string
	compact     *bool // -deleterange_compact, the opposite of DeleteRangeNoCompact
}

// RegisterFlags defines the shared flags on fs, writing into o. The values
// already in o.Engine's MemtableSize, CacheSize and BlockSize are the
// defaults shown (0 means the engine's own default), so each command can
// choose them.
func RegisterFlags(fs *flag.FlagSet, o *Options) *Flags {
	f := &Flags{opts: o}
	f.benchmarks = fs.String("benchmarks", strings.Join(DefaultBenchmarks, ","), "comma-separated benchmarks, run in order: "+strings.Join(WorkloadNames(), ","))
	fs.Int64Var(&o.Num, "num", defaultNum, "number of keys, and of ops in write phases")
	fs.Int64Var(&o.Reads, "reads", -1, "ops in read and YCSB phases (default: -num)")
	fs.IntVar(&o.KeySize, "key_size", defaultKeySize, "key size in bytes")
	fs.IntVar(&o.ValueSize, "value_size", defaultValueSize, "value size in bytes")
	fs.IntVar(&o.Threads, "threads", 1, "concurrent workers per phase (they share the phase's ops)")
	fs.IntVar(&o.BatchSize, "batch_size", 1, "entries per write batch (fillbatch uses 1000 when this is 1)")
	fs.IntVar(&o.SeekNexts, "seek_nexts", 0, "Next calls after each seek in seekrandom (each entry landed on is read)")
	fs.Float64Var(&o.CompressionRatio, "compression_ratio", defaultCompressionRatio, "fraction of each value that is random (the rest repeats it)")
	fs.Uint64Var(&o.Seed, "seed", defaultSeed, "seed of all key and value generators")
	fs.IntVar(&o.DeleteRangeSpan, "deleterange_span", defaultDeleteRangeSpan, "consecutive keys per range in deleterange")
	fs.Float64Var(&o.DeleteRangeFraction, "deleterange_fraction", defaultDeleteRangeFraction, "share of the keys deleterange deletes, in (0,1]")
	f.compact = fs.Bool("deleterange_compact", true, "compact the store (untimed) after deleterange, to report the space it gives back; false leaves the tombstones for later phases")
	fs.Int64Var(&o.RangeTombstones, "range_tombstones", defaultRangeTombstones, "range deletions rangetombstones writes, over gaps holding no key (at most -num)")
	c := &o.Engine
	fs.BoolVar(&c.Sync, "sync", false, "sync every write")
	f.compression = fs.String("compression", string(CompressionSnappy), "block compression: none or snappy")
	fs.IntVar(&c.BloomBits, "bloom_bits", 10, "bloom filter bits per key (0: no filters)")
	fs.Int64Var(&c.MemtableSize, "memtable_size", c.MemtableSize, "memtable bytes (0: engine default)")
	fs.Int64Var(&c.CacheSize, "cache_size", c.CacheSize, "block cache bytes (0: engine default)")
	fs.IntVar(&c.BlockSize, "block_size", c.BlockSize, "data block bytes (0: engine default)")
	return f
}

// Apply copies the parsed string flags into the Options and rejects the
// values that the zero-means-default convention would otherwise silently
// replace. Call it after parsing.
func (f *Flags) Apply() error {
	o := f.opts
	o.Benchmarks = SplitList(*f.benchmarks)
	o.Engine.Compression = Compression(*f.compression)
	o.DeleteRangeNoCompact = !*f.compact
	if o.Reads == -1 {
		o.Reads = o.Num
	}
	for _, v := range []struct {
		name string
		v    int64
	}{{"num", o.Num}, {"reads", o.Reads}, {"key_size", int64(o.KeySize)}, {"value_size", int64(o.ValueSize)},
		{"threads", int64(o.Threads)}, {"batch_size", int64(o.BatchSize)}, {"deleterange_span", int64(o.DeleteRangeSpan)}} {
		if v.v < 1 {
			return fmt.Errorf("-%s=%d: must be at least 1", v.name, v.v)
		}
	}
	if len(o.Benchmarks) == 0 {
		return fmt.Errorf("-benchmarks: empty list")
	}
	if o.DeleteRangeFraction <= 0 || o.DeleteRangeFraction > 1 {
		return fmt.Errorf("-deleterange_fraction=%g: want (0,1]", o.DeleteRangeFraction)
	}
	return nil
}

// SplitList splits a comma-separated flag value, dropping empty items.
func SplitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
