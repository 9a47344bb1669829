package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/lsmkv/lsmkv/bench"
)

// Settings every engine gets by default (README.md explains them).
const (
	defaultCacheSize    = 8 << 20
	defaultMemtableSize = 4 << 20
	defaultEngines      = "lsmkv,pebble,goleveldb,badger"
)

// cmdLine is the parsed command line.
type cmdLine struct {
	opts     bench.Options // EngineName and Engine.Dir are set per engine
	engines  []string
	baseDir  string // -db: parent of the per-engine directories
	jsonPath string
	child    bool // run one engine here and print its report as JSON
}

// parseFlags turns args into a cmdLine. The flags are kvbench's (less
// -engine, -sweep, -report and -use_existing_db), with kvbench's names
// and meanings, plus -engines; cmd/kvbench is a main package, so its flag
// code cannot be imported.
func parseFlags(args []string, stderr io.Writer) (*cmdLine, error) {
	fs := flag.NewFlagSet("peers", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cl := &cmdLine{}
	o, c := &cl.opts, &cl.opts.Engine
	benchmarks := fs.String("benchmarks", strings.Join(bench.DefaultBenchmarks, ","), "comma-separated benchmarks, run in order: "+strings.Join(bench.WorkloadNames(), ","))
	engines := fs.String("engines", defaultEngines, "comma-separated engines to compare (registered: "+strings.Join(bench.Engines(), ",")+"); ratios are against the first, or lsmkv if listed")
	fs.Int64Var(&o.Num, "num", bench.DefaultNum, "number of keys, and of ops in write phases")
	fs.Int64Var(&o.Reads, "reads", -1, "ops in read and YCSB phases (default: -num)")
	fs.IntVar(&o.KeySize, "key_size", bench.DefaultKeySize, "key size in bytes")
	fs.IntVar(&o.ValueSize, "value_size", bench.DefaultValueSize, "value size in bytes")
	fs.IntVar(&o.Threads, "threads", 1, "concurrent workers per phase")
	fs.IntVar(&o.BatchSize, "batch_size", 1, "entries per write batch")
	fs.IntVar(&o.SeekNexts, "seek_nexts", 0, "entries read after each seek in seekrandom")
	fs.Float64Var(&o.CompressionRatio, "compression_ratio", bench.DefaultCompressionRatio, "fraction of each value that is random")
	fs.Uint64Var(&o.Seed, "seed", bench.DefaultSeed, "seed of all key and value generators")
	fs.StringVar(&cl.baseDir, "db", "", "directory under which each engine gets a fresh subdirectory (default: a temporary directory, removed at exit)")
	fs.BoolVar(&c.Sync, "sync", false, "sync every write")
	compression := fs.String("compression", string(bench.CompressionSnappy), "block compression: none or snappy")
	fs.IntVar(&c.BloomBits, "bloom_bits", 10, "bloom filter bits per key (0: no filters)")
	fs.Int64Var(&c.MemtableSize, "memtable_size", defaultMemtableSize, "memtable bytes")
	fs.Int64Var(&c.CacheSize, "cache_size", defaultCacheSize, "block cache bytes (Pebble gets its memtable budget on top)")
	fs.IntVar(&c.BlockSize, "block_size", 0, "data block bytes (0: engine default, 4 KiB in all four)")
	fs.StringVar(&cl.jsonPath, "json", "", "also write every engine's report as JSON to this file (- for stdout, instead of the table)")
	fs.BoolVar(&cl.child, "child", false, "internal: run the single engine in -engines in -db and print its report as JSON")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	c.Compression = bench.Compression(*compression)
	c.Compaction = bench.CompactionLeveled // the only strategy all four share
	o.Benchmarks, cl.engines = splitList(*benchmarks), splitList(*engines)
	return cl, cl.check()
}

// check rejects what bench's zero-means-default convention would hide,
// then runs bench's own validation.
func (cl *cmdLine) check() error {
	o := &cl.opts
	if o.Reads == -1 {
		o.Reads = o.Num
	}
	for _, f := range []struct {
		name string
		v    int64
	}{{"num", o.Num}, {"reads", o.Reads}, {"key_size", int64(o.KeySize)}, {"value_size", int64(o.ValueSize)},
		{"threads", int64(o.Threads)}, {"batch_size", int64(o.BatchSize)}} {
		if f.v < 1 {
			return fmt.Errorf("-%s=%d: must be at least 1", f.name, f.v)
		}
	}
	if len(o.Benchmarks) == 0 || len(cl.engines) == 0 {
		return fmt.Errorf("-benchmarks and -engines must not be empty")
	}
	if cl.child && (len(cl.engines) != 1 || cl.baseDir == "") {
		return fmt.Errorf("-child needs exactly one engine and -db")
	}
	for i, name := range cl.engines {
		if _, err := bench.Lookup(name); err != nil {
			return err
		}
		if slices.Contains(cl.engines[:i], name) {
			return fmt.Errorf("-engines: %s listed twice", name)
		}
	}
	checked := *o
	checked.Engine.Dir = "unset" // set per engine later
	checked.EnsureDefaults()
	return checked.Validate()
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
