package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/lsmkv/lsmkv/bench"
)

// cmdLine is the parsed command line.
type cmdLine struct {
	cpuProfile           string // -cpuprofile path, "" for none
	opts                 bench.Options
	sweep                *bench.Sweep
	jsonPath, reportPath string
}

// parseFlags turns args into options and checks them, so that a bad value
// is reported before anything runs.
func parseFlags(args []string, stderr io.Writer) (*cmdLine, error) {
	fs := flag.NewFlagSet("kvbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cl := &cmdLine{}
	o := &cl.opts
	benchmarks := fs.String("benchmarks", strings.Join(bench.DefaultBenchmarks, ","), "comma-separated benchmarks, run in order: "+strings.Join(bench.WorkloadNames(), ","))
	fs.StringVar(&o.EngineName, "engine", "lsmkv", "engine to benchmark (registered: "+strings.Join(bench.Engines(), ",")+")")
	fs.Int64Var(&o.Num, "num", bench.DefaultNum, "number of keys, and of ops in write phases")
	fs.Int64Var(&o.Reads, "reads", -1, "ops in read and YCSB phases (default: -num)")
	fs.IntVar(&o.KeySize, "key_size", bench.DefaultKeySize, "key size in bytes")
	fs.IntVar(&o.ValueSize, "value_size", bench.DefaultValueSize, "value size in bytes")
	fs.IntVar(&o.Threads, "threads", 1, "concurrent workers per phase (they share the phase's ops)")
	fs.IntVar(&o.BatchSize, "batch_size", 1, "entries per write batch (fillbatch uses 1000 when this is 1)")
	fs.IntVar(&o.SeekNexts, "seek_nexts", 0, "entries read after each seek in seekrandom")
	fs.Float64Var(&o.CompressionRatio, "compression_ratio", bench.DefaultCompressionRatio, "fraction of each value that is random (the rest repeats it)")
	fs.Uint64Var(&o.Seed, "seed", bench.DefaultSeed, "seed of all key and value generators")
	fs.BoolVar(&o.UseExistingDB, "use_existing_db", false, "keep the data in -db and skip fill benchmarks")
	fs.BoolVar(&o.Verbose, "v", false, "print the engine's metrics after each phase")
	c := &o.Engine
	fs.StringVar(&c.Dir, "db", "", "data directory (default: a temporary directory, removed at exit)")
	fs.BoolVar(&c.Sync, "sync", false, "sync every write")
	compression := fs.String("compression", string(bench.CompressionSnappy), "block compression: none or snappy")
	compaction := fs.String("compaction", string(bench.CompactionLeveled), "compaction strategy: leveled or tiered")
	fs.IntVar(&c.BloomBits, "bloom_bits", 10, "bloom filter bits per key (0: no filters)")
	fs.Int64Var(&c.MemtableSize, "memtable_size", 0, "memtable bytes (0: engine default)")
	fs.Int64Var(&c.CacheSize, "cache_size", 0, "block cache bytes (0: engine default)")
	fs.IntVar(&c.BlockSize, "block_size", 0, "data block bytes (0: engine default)")
	fs.StringVar(&cl.jsonPath, "json", "", "write results as JSON to this file (- for stdout, instead of the table)")
	fs.StringVar(&cl.reportPath, "report", "", "write an HTML report with charts to this file")
	fs.StringVar(&cl.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof)")
	sweep := fs.String("sweep", "", "run once per value: NAME=v1,v2,... (NAME: "+strings.Join(bench.SweepNames(), ",")+")")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	c.Compression, c.Compaction = bench.Compression(*compression), bench.Compaction(*compaction)
	o.Benchmarks = splitList(*benchmarks)
	return cl, cl.check(*sweep)
}

// check rejects values that bench's zero-means-default convention would
// otherwise silently replace, then runs bench's own validation.
func (cl *cmdLine) check(sweep string) error {
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
	if len(o.Benchmarks) == 0 {
		return fmt.Errorf("-benchmarks: empty list")
	}
	if o.UseExistingDB && o.Engine.Dir == "" {
		return fmt.Errorf("-use_existing_db needs -db")
	}
	if sweep != "" {
		sw, err := bench.ParseSweep(sweep)
		if err != nil {
			return err
		}
		cl.sweep = &sw
	}
	if _, err := bench.Lookup(o.EngineName); err != nil {
		return err
	}
	checked := *o
	if checked.Engine.Dir == "" {
		checked.Engine.Dir = "unset" // the temp dir is made after the check
	}
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
