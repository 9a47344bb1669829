package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Sweep is one parameter and the values to run the benchmarks with, as
// parsed and checked by ParseSweep.
type Sweep struct {
	name   string
	values []string
}

// sweepParams maps each sweepable flag name to the function that applies a
// value to a copy of the options; applying also validates the value.
var sweepParams = map[string]func(o *Options, v string) error{
	"bloom_bits":    func(o *Options, v string) error { return parseInt(v, &o.Engine.BloomBits) },
	"block_size":    func(o *Options, v string) error { return parseInt(v, &o.Engine.BlockSize) },
	"value_size":    func(o *Options, v string) error { return parseInt(v, &o.ValueSize) },
	"threads":       func(o *Options, v string) error { return parseInt(v, &o.Threads) },
	"memtable_size": func(o *Options, v string) error { return parseInt64(v, &o.Engine.MemtableSize) },
	"cache_size":    func(o *Options, v string) error { return parseInt64(v, &o.Engine.CacheSize) },
	// With rangetombstones: reads against 0, 1000, ... live range tombstones.
	"range_tombstones": func(o *Options, v string) error { return parseInt64(v, &o.RangeTombstones) },
	"compression": func(o *Options, v string) error {
		o.Engine.Compression = Compression(v)
		return nil
	},
	"compaction": func(o *Options, v string) error {
		o.Engine.Compaction = Compaction(v)
		return nil
	},
}

func parseInt(s string, p *int) error {
	v, err := strconv.Atoi(s)
	*p = v
	return err
}

func parseInt64(s string, p *int64) error {
	v, err := strconv.ParseInt(s, 10, 64)
	*p = v
	return err
}

// SweepNames returns the parameters ParseSweep accepts, sorted.
func SweepNames() []string {
	var names []string
	for n := range sweepParams {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ParseSweep parses "name=v1,v2,..." and checks that every value applies
// cleanly to a default configuration (so "bloom_bits=x" or
// "compression=zstd" fail here, before anything runs).
func ParseSweep(s string) (Sweep, error) {
	name, list, ok := strings.Cut(s, "=")
	if !ok || name == "" || list == "" {
		return Sweep{}, fmt.Errorf("lsmkv/bench: sweep %q: want NAME=v1,v2 (values separated by commas)", s)
	}
	if _, known := sweepParams[name]; !known {
		return Sweep{}, fmt.Errorf("lsmkv/bench: sweep: unknown parameter %q (known: %s)", name, strings.Join(SweepNames(), ","))
	}
	sw := Sweep{name: name, values: strings.Split(list, ",")}
	seen := map[string]bool{}
	for _, v := range sw.values {
		if seen[v] {
			return Sweep{}, fmt.Errorf("lsmkv/bench: sweep %s: value %q repeated", name, v)
		}
		seen[v] = true
		o := Options{Engine: Config{Dir: "x"}}
		o.EnsureDefaults()
		if err := sw.apply(&o, v); err != nil {
			return Sweep{}, err
		}
	}
	return sw, nil
}

// apply sets the swept parameter to v in o and validates the result.
func (sw Sweep) apply(o *Options, v string) error {
	if err := sweepParams[sw.name](o, v); err != nil {
		return fmt.Errorf("lsmkv/bench: sweep %s=%q: not a number", sw.name, v)
	}
	if err := o.Validate(); err != nil {
		return fmt.Errorf("lsmkv/bench: sweep %s=%q: %w", sw.name, v, err)
	}
	return nil
}

// RunSweep runs the benchmarks once per value of sw, each on a fresh
// subdirectory "NAME=VALUE" of opts.Engine.Dir, and returns one report
// whose results carry the value in SweepValue.
func RunSweep(opts Options, sw Sweep) (*Report, error) {
	opts.EnsureDefaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	open, err := opts.opener()
	if err != nil {
		return nil, err
	}
	rep := &Report{Engine: opts.EngineName, Options: opts, SweepParam: sw.name}
	for _, v := range sw.values {
		o := opts
		o.Benchmarks = append([]string(nil), opts.Benchmarks...)
		o.Engine.Dir = filepath.Join(opts.Engine.Dir, sw.name+"="+v)
		if err := sw.apply(&o, v); err != nil {
			return rep, err
		}
		if err := os.MkdirAll(o.Engine.Dir, 0o755); err != nil {
			return rep, fmt.Errorf("lsmkv/bench: %w", err)
		}
		results, err := runAll(&o, open)
		for i := range results {
			results[i].SweepValue = v
		}
		rep.Results = append(rep.Results, results...)
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}
