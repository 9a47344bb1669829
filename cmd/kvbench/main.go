// Command kvbench benchmarks key-value engines on db_bench and YCSB
// workloads and reports throughput, latency percentiles and storage
// amplification. See package github.com/lsmkv/lsmkv/bench, which holds
// the logic; this file only turns flags into bench.Options.
//
//	go run ./cmd/kvbench                       # default suite on a temp dir
//	go run ./cmd/kvbench -benchmarks=fillrandom,ycsb-a -num=1000000 -report=out.html
//	go run ./cmd/kvbench -sweep bloom_bits=0,5,10 -benchmarks=fillrandom,readmissing
//	go run ./cmd/kvbench -benchmarks=fillrandom,deleterange,readrandom,seekrandom
//	go run ./cmd/kvbench -sweep range_tombstones=0,1000 -benchmarks=fillrandom,rangetombstones,readrandom
//	go run ./cmd/kvbench -http=127.0.0.1:8080 -benchmarks=fillrandom -num=200000 -memtable_size=262144
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"

	"github.com/lsmkv/lsmkv/bench"
	_ "github.com/lsmkv/lsmkv/bench/lsmkvengine" // registers "lsmkv"
)

func init() {
	// The reference engine, so the command can be tried without lsmkv.
	bench.Register("map", bench.OpenMapEngine)
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // the benchmark or its output failed
	exitUsage   = 2 // bad flags
)

// run is main without the process: it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	cl, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "kvbench:", err)
		return exitUsage
	}
	if f, ok := stderr.(*os.File); ok && isTerminal(f) {
		cl.opts.Progress = stderr
	}
	if cl.opts.Engine.Dir == "" {
		dir, err := os.MkdirTemp("", "kvbench-")
		if err != nil {
			fmt.Fprintln(stderr, "kvbench:", err)
			return exitFailure
		}
		defer os.RemoveAll(dir)
		cl.opts.Engine.Dir = dir
	}
	if cl.cpuProfile != "" {
		stop, err := startCPUProfile(cl.cpuProfile)
		if err != nil {
			fmt.Fprintln(stderr, "kvbench:", err)
			return exitFailure
		}
		defer stop()
	}
	lv, err := startLive(cl, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "kvbench:", err)
		return exitFailure
	}
	var rep *bench.Report
	if cl.sweep != nil {
		rep, err = bench.RunSweep(cl.opts, *cl.sweep)
	} else {
		rep, err = bench.Run(cl.opts)
	}
	if rep != nil {
		if werr := writeOutputs(rep, cl, stdout); werr != nil {
			err = errors.Join(err, werr)
		}
	}
	if lv != nil {
		lv.serveUntilInterrupted(err, stderr)
	}
	if err != nil {
		fmt.Fprintln(stderr, "kvbench:", err)
		return exitFailure
	}
	return exitOK
}

// startCPUProfile profiles the run into path; the returned func stops it.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// writeOutputs prints the table (unless the JSON goes to stdout) and
// writes the -json and -report files.
func writeOutputs(rep *bench.Report, cl *cmdLine, stdout io.Writer) error {
	if cl.jsonPath != "-" {
		if err := bench.WriteTable(stdout, rep); err != nil {
			return err
		}
	}
	if cl.jsonPath != "" {
		if err := writeTo(cl.jsonPath, stdout, func(w io.Writer) error { return bench.WriteJSON(w, rep) }); err != nil {
			return err
		}
	}
	if cl.reportPath != "" {
		return writeTo(cl.reportPath, stdout, func(w io.Writer) error { return bench.WriteHTML(w, rep) })
	}
	return nil
}

// writeTo runs write on the file path, or on stdout if path is "-".
func writeTo(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "-" {
		return write(stdout)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
