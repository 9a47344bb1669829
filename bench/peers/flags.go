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
	// defaultRepeat runs each engine's list three times: the fewest whose
	// median ignores one disturbed run. The root README's 1M-key
	// comparison then takes about 11 minutes on a 2-core machine
	// (README.md says how that was estimated).
	defaultRepeat = 3
)

// cmdLine is the parsed command line.
type cmdLine struct {
	opts     bench.Options // EngineName and Engine.Dir are set per engine
	engines  []string
	repeat   int    // runs per engine, interleaved; the child ignores it
	baseDir  string // -db: parent of the per-engine directories
	jsonPath string
	child    bool   // run one engine here and print its report as JSON
	profDir  string // -cpuprofile: each run's CPU profile goes here
}

// parseFlags turns args into a cmdLine. The workload and storage flags are
// kvbench's own (bench.RegisterFlags), with the peers' equal settings as
// defaults; -engines, -repeat, -db, -json, -cpuprofile and -child are
// this command's.
func parseFlags(args []string, stderr io.Writer) (*cmdLine, error) {
	fs := flag.NewFlagSet("peers", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cl := &cmdLine{}
	o, c := &cl.opts, &cl.opts.Engine
	c.MemtableSize, c.CacheSize = defaultMemtableSize, defaultCacheSize
	shared := bench.RegisterFlags(fs, o)
	engines := fs.String("engines", defaultEngines, "comma-separated engines to compare (registered: "+strings.Join(bench.Engines(), ",")+"); ratios are against the first, or lsmkv if listed")
	fs.IntVar(&cl.repeat, "repeat", defaultRepeat, "runs of each engine's benchmark list, interleaved across engines; the table shows medians and their spread")
	fs.StringVar(&cl.baseDir, "db", "", "directory under which each run gets a fresh subdirectory, removed after it (default: a temporary directory, removed at exit)")
	fs.StringVar(&cl.jsonPath, "json", "", "also write every run's report as JSON to this file (- for stdout, instead of the table)")
	fs.StringVar(&cl.profDir, "cpuprofile", "", "write a CPU profile of each engine's run (the whole benchmark list) to `DIR`/ENGINE-N.pprof, for go tool pprof: where each engine spends its time")
	fs.BoolVar(&cl.child, "child", false, "internal: run the single engine in -engines in -db and print its report as JSON")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	c.Compaction = bench.CompactionLeveled // the only strategy all four share
	cl.engines = bench.SplitList(*engines)
	if err := shared.Apply(); err != nil {
		return nil, err
	}
	return cl, cl.check()
}

// check rejects what bench's zero-means-default convention would hide,
// then runs bench's own validation.
func (cl *cmdLine) check() error {
	o := &cl.opts
	if len(o.Benchmarks) == 0 || len(cl.engines) == 0 {
		return fmt.Errorf("-benchmarks and -engines must not be empty")
	}
	if cl.repeat < 1 {
		return fmt.Errorf("-repeat=%d: must be at least 1", cl.repeat)
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
