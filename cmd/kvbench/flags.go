package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/lsmkv/lsmkv/bench"
)

// cmdLine is the parsed command line.
type cmdLine struct {
	cpuProfile           string // -cpuprofile path, "" for none
	httpAddr             string // -http address of the live view, "" for none
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
	shared := bench.RegisterFlags(fs, o)
	fs.StringVar(&o.EngineName, "engine", "lsmkv", "engine to benchmark (registered: "+strings.Join(bench.Engines(), ",")+")")
	fs.BoolVar(&o.UseExistingDB, "use_existing_db", false, "keep the data in -db and skip fill benchmarks (the data is scanned once first, untimed, to measure space amp against it)")
	fs.BoolVar(&o.Verbose, "v", false, "print the engine's metrics after each phase")
	fs.StringVar(&o.Engine.Dir, "db", "", "data directory (default: a temporary directory, removed at exit)")
	// lsmkv's tree-shape knobs, not shared with bench/peers, whose
	// adapters would ignore them: small values make a small run build a
	// deep tree, to watch it with -http.
	fs.Int64Var(&o.Engine.TargetFileSize, "target_file_size", 0, "lsmkv: bytes at which compaction outputs are cut (0: engine default)")
	fs.Int64Var(&o.Engine.BaseLevelSize, "base_level_size", 0, "lsmkv: target bytes of the first level below L0 (0: engine default)")
	compaction := fs.String("compaction", string(bench.CompactionLeveled), "compaction strategy: leveled or tiered")
	fs.StringVar(&cl.jsonPath, "json", "", "write results as JSON to this file (- for stdout, instead of the table)")
	fs.StringVar(&cl.reportPath, "report", "", "write an HTML report with charts to this file")
	fs.StringVar(&cl.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof)")
	fs.StringVar(&cl.httpAddr, "http", "", "serve a live view of the tree at this address (e.g. 127.0.0.1:8080; a bare port means loopback) during the run, and after it until interrupted")
	sweep := fs.String("sweep", "", "run once per value: NAME=v1,v2,... (NAME: "+strings.Join(bench.SweepNames(), ",")+")")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	o.Engine.Compaction = bench.Compaction(*compaction)
	if err := shared.Apply(); err != nil {
		return nil, err
	}
	return cl, cl.check(*sweep)
}

// check rejects values that bench's zero-means-default convention would
// otherwise silently replace, then runs bench's own validation.
func (cl *cmdLine) check(sweep string) error {
	o := &cl.opts
	if o.UseExistingDB && o.Engine.Dir == "" {
		return fmt.Errorf("-use_existing_db needs -db")
	}
	// The outputs are written after the run, which may be long: find out
	// now that they can be.
	if cl.jsonPath != "" && cl.jsonPath != "-" && cl.reportPath != "" && filepath.Clean(cl.jsonPath) == filepath.Clean(cl.reportPath) {
		return fmt.Errorf("-json and -report name the same file %s", cl.jsonPath)
	}
	for _, out := range []struct{ flag, path string }{{"json", cl.jsonPath}, {"report", cl.reportPath}} {
		if err := checkWritable(out.path); err != nil {
			return fmt.Errorf("-%s: %w", out.flag, err)
		}
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

// checkWritable reports whether the output file path ("" for none, "-"
// for stdout) could be written, without changing what is there: an
// existing file keeps its contents until the run's results replace them,
// and a new one is created and removed again.
func checkWritable(path string) error {
	if path == "" || path == "-" {
		return nil
	}
	st, err := os.Stat(path)
	switch {
	case err == nil && st.IsDir():
		return fmt.Errorf("%s is a directory", path)
	case err == nil:
		f, err := os.OpenFile(path, os.O_WRONLY, 0) // no O_TRUNC
		if err != nil {
			return err
		}
		return f.Close()
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return err // typically: the directory does not exist
	}
	f.Close()
	return os.Remove(path)
}
