package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/lsmkv/lsmkv/bench"
)

// Comparison is the combined result that -json writes: every run, not
// just the medians the table shows.
type Comparison struct {
	Benchmarks []string
	Engines    []string    // in -engines order, the table's columns
	Repeat     int         // runs per engine asked for (-repeat)
	Runs       []EngineRun // in the order they ran (see schedule)
}

// EngineRun is one run of one engine's benchmark list, made in its own
// child process and directory.
type EngineRun struct {
	Engine  string
	Run     int           // 1-based: the engine's first run, second, ...
	Elapsed time.Duration `json:"ElapsedNs"` // the child's wall time, untimed work included
	PeakRSS int64         // the child's peak resident set (VmHWM), bytes; 0 = unknown
	Error   string        `json:",omitempty"` // why the run failed, if it did
	Report  *bench.Report `json:",omitempty"` // possibly partial after an error
}

// runEngine re-executes this program with -child for one engine in a
// fresh directory under base, which it removes afterwards, and decodes
// the EngineRun the child prints. The child gets the parent's
// arguments followed by overrides; with Go's flag package the last value
// of a flag wins.
func runEngine(name, base string, args []string, stderr io.Writer) EngineRun {
	r := EngineRun{Engine: name}
	exe, err := os.Executable()
	if err != nil {
		r.Error = err.Error()
		return r
	}
	dir := filepath.Join(base, name)
	if err := os.RemoveAll(dir); err != nil {
		r.Error = err.Error()
		return r
	}
	defer os.RemoveAll(dir)
	var out bytes.Buffer
	cmd := exec.Command(exe, childArgs(args, name, dir)...)
	cmd.Stdout, cmd.Stderr = &out, stderr
	start := time.Now()
	runErr := cmd.Run()
	elapsed := time.Since(start)
	if out.Len() > 0 {
		if err := json.NewDecoder(&out).Decode(&r); err != nil {
			runErr = errors.Join(runErr, fmt.Errorf("decode child's report: %w", err))
		}
	}
	switch {
	case runErr != nil:
		r.Error = fmt.Sprintf("child: %v", errors.Join(runErr, errorOrNil(r.Error)))
	case r.Report == nil:
		r.Error = "child printed no report"
	}
	r.Engine, r.Elapsed = name, elapsed
	return r
}

func errorOrNil(s string) error {
	if s == "" {
		return nil
	}
	return errors.New(s)
}

// childArgs returns the arguments for the child running engine name in
// dir: the parent's own, then the overrides.
func childArgs(args []string, name, dir string) []string {
	return append(args[:len(args):len(args)], "-child", "-engines="+name, "-db="+dir, "-json=")
}
