package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"time"

	"github.com/lsmkv/lsmkv/bench"
	_ "github.com/lsmkv/lsmkv/bench/lsmkvengine" // registers "lsmkv"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Exit statuses, as kvbench's.
const (
	exitOK      = 0
	exitFailure = 1 // an engine failed, or the output could not be written
	exitUsage   = 2 // bad flags
)

// run is main without the process: it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	cl, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "peers:", err)
		return exitUsage
	}
	if f, ok := stderr.(*os.File); ok && isTerminal(f) {
		cl.opts.Progress = stderr
	}
	if cl.child {
		err = runChild(cl, stdout)
	} else {
		err = compare(cl, args, stdout, stderr)
	}
	if err != nil {
		fmt.Fprintln(stderr, "peers:", err)
		return exitFailure
	}
	return exitOK
}

// runChild runs the whole benchmark list on one engine in this process
// and prints an EngineRun as JSON: the report, even a partial one after
// an error, and this process's peak RSS.
func runChild(cl *cmdLine, stdout io.Writer) error {
	o := cl.opts
	o.EngineName, o.Engine.Dir = cl.engines[0], cl.baseDir
	stop, err := startProfile(cl.profDir, o.EngineName)
	if err != nil {
		return err
	}
	rep, err := bench.Run(o)
	err = errors.Join(err, stop())
	r := EngineRun{Engine: o.EngineName, PeakRSS: peakRSS(), Report: rep}
	if err != nil {
		r.Error = err.Error()
	}
	return errors.Join(err, json.NewEncoder(stdout).Encode(&r))
}

// compare runs every engine cl.repeat times, each run in a child
// process, then prints the table and writes the JSON. An engine whose
// run fails is not run again: a failure is a bug to look at, not noise to
// average away, and at -num=10000000 a run can take many minutes.
func compare(cl *cmdLine, args []string, stdout, stderr io.Writer) error {
	base, cleanup, err := baseDir(cl.baseDir)
	if err != nil {
		return err
	}
	defer cleanup()
	c := &Comparison{Benchmarks: cl.opts.Benchmarks, Engines: cl.engines, Repeat: cl.repeat}
	var failed error
	broken := map[string]bool{}
	for _, s := range schedule(cl.engines, cl.repeat) {
		if broken[s.engine] {
			continue
		}
		fmt.Fprintf(stderr, "peers: running %s (run %d of %d)\n", s.engine, s.run, cl.repeat)
		r := runEngine(s.engine, base, args, stderr)
		r.Run = s.run
		fmt.Fprintf(stderr, "peers: %s run %d took %s\n", s.engine, s.run, r.Elapsed.Round(time.Second/10))
		if r.Error != "" {
			broken[s.engine] = true
			failed = errors.Join(failed, fmt.Errorf("%s run %d: %s", s.engine, s.run, r.Error))
		}
		c.Runs = append(c.Runs, r)
	}
	if cl.jsonPath != "-" {
		if err := writeComparison(stdout, c); err != nil {
			return err
		}
	}
	if cl.jsonPath != "" {
		if err := writeJSON(cl.jsonPath, stdout, c); err != nil {
			return errors.Join(failed, err)
		}
	}
	return failed
}

// slot is one run in the schedule: an engine and its 1-based run number.
type slot struct {
	engine string
	run    int
}

// schedule returns the order of the runs: every engine's first run, in
// the order given, then every engine's second, and so on. Interleaved
// this way, a slow minute on a shared machine (another job, the disk
// flushing) lands on one run of one or two engines, which their medians
// then discard, instead of on all the runs of one engine, which would
// shift its median and every ratio to it.
func schedule(engines []string, repeat int) []slot {
	var s []slot
	for run := 1; run <= repeat; run++ {
		for _, e := range engines {
			s = append(s, slot{e, run})
		}
	}
	return s
}

// baseDir returns the directory to hold the engines' subdirectories,
// making a temporary one (removed by cleanup) if dir is empty.
func baseDir(dir string) (string, func(), error) {
	if dir != "" {
		return dir, func() {}, os.MkdirAll(dir, 0o755)
	}
	tmp, err := os.MkdirTemp("", "peers-")
	if err != nil {
		return "", nil, err
	}
	return tmp, func() { os.RemoveAll(tmp) }, nil
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// writeJSON writes c to path, or to stdout if path is "-".
func writeJSON(path string, stdout io.Writer, c *Comparison) error {
	w := stdout
	if path != "-" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return err
	}
	if f, ok := w.(*os.File); ok && path != "-" {
		return f.Close()
	}
	return nil
}

// startProfile starts a CPU profile of this child in dir, named for the
// engine and numbered so that repeated runs keep theirs; "" profiles
// nothing. The returned func stops it.
func startProfile(dir, engine string) (func() error, error) {
	if dir == "" {
		return func() error { return nil }, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, engine+"-*.pprof")
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}
