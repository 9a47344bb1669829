package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// mode is how the process dies.
type mode int

const (
	modeKill      mode = iota // a child process is killed with SIGKILL
	modePowerLoss             // an in-memory FS keeps only synced bytes
)

func (m mode) String() string {
	if m == modePowerLoss {
		return "powerloss"
	}
	return "kill"
}

func parseMode(s string) (mode, error) {
	switch s {
	case "kill":
		return modeKill, nil
	case "powerloss":
		return modePowerLoss, nil
	}
	return 0, fmt.Errorf("-mode=%q: want kill or powerloss", s)
}

// config is the parsed command line.
type config struct {
	mode       mode
	dir        string        // "" for a temporary directory
	cycles     int           // 0: no limit
	duration   time.Duration // 0: no limit
	seed       uint64
	killWithin time.Duration // kill mode: the child dies within this
	work       workloadConfig
}

// Flag defaults.
const (
	defaultKeys       = 2000
	defaultBatchMax   = 8
	defaultValueSize  = "0,200"
	defaultSyncRatio  = 0.05
	defaultDuration   = time.Minute
	defaultKillWithin = 300 * time.Millisecond

	// A range deletion in one batch of 20, over 1..16 keys: with the
	// default -batch, ranges delete about 0.4 keys per batch and point
	// deletes about 0.7.
	defaultRangeDelRatio = 0.05
	defaultRangeDelSpan  = 16
)

// parseFlags turns args into a config and checks it, so a bad value is
// reported before anything runs.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("kvstress", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &config{}
	modeName := fs.String("mode", "kill", "kill (SIGKILL a child process) or powerloss (in-memory FS, only synced bytes survive)")
	fs.StringVar(&c.dir, "dir", "", "working directory: the DB is DIR/db, which must not exist; a clean run removes it, a failed one keeps it (default: a temporary directory)")
	fs.IntVar(&c.cycles, "cycles", 0, "stop after this many cycles (0: no limit)")
	fs.DurationVar(&c.duration, "duration", defaultDuration, "stop after about this long (0: no limit)")
	fs.Uint64Var(&c.seed, "seed", 0, "seed of the workload and of the crash schedule (0: from the clock); printed")
	valueSize := fs.String("value_size", defaultValueSize, "value sizes in bytes, MIN,MAX (values never get shorter than their ~20-byte header)")
	fs.Float64Var(&c.work.SyncRatio, "sync_ratio", defaultSyncRatio, "fraction of batches written with WriteOptions.Sync")
	fs.IntVar(&c.work.BatchMax, "batch", defaultBatchMax, "most entries in a batch (each batch has 1..N)")
	fs.Float64Var(&c.work.RangeDelRatio, "rangedel_ratio", defaultRangeDelRatio, "fraction of batches holding a DeleteRange (half of them hold nothing else)")
	fs.IntVar(&c.work.RangeDelSpan, "rangedel_span", defaultRangeDelSpan, "most consecutive keys one DeleteRange covers (each covers 1..N)")
	fs.IntVar(&c.work.Keys, "keys", defaultKeys, "size of the key space (bounded, so there are overwrites, deletes and compactions)")
	fs.DurationVar(&c.killWithin, "kill_within", defaultKillWithin, "kill mode: each child is killed at a random moment within this long of starting to open the DB")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var err error
	if c.mode, err = parseMode(*modeName); err != nil {
		return nil, err
	}
	if c.work.ValueMin, c.work.ValueMax, err = parseRange(*valueSize); err != nil {
		return nil, fmt.Errorf("-value_size: %w", err)
	}
	return c, c.check()
}

// check rejects values that make no sense rather than quietly fixing them.
func (c *config) check() error {
	switch {
	case c.cycles < 0:
		return fmt.Errorf("-cycles=%d: must be at least 0", c.cycles)
	case c.duration < 0:
		return fmt.Errorf("-duration=%v: must be at least 0", c.duration)
	case c.work.Keys < 1:
		return fmt.Errorf("-keys=%d: must be at least 1", c.work.Keys)
	case c.work.BatchMax < 1:
		return fmt.Errorf("-batch=%d: must be at least 1", c.work.BatchMax)
	case c.work.SyncRatio < 0 || c.work.SyncRatio > 1:
		return fmt.Errorf("-sync_ratio=%v: must be in [0,1]", c.work.SyncRatio)
	case c.work.RangeDelRatio < 0 || c.work.RangeDelRatio > 1:
		return fmt.Errorf("-rangedel_ratio=%v: must be in [0,1]", c.work.RangeDelRatio)
	case c.work.RangeDelSpan < 1:
		return fmt.Errorf("-rangedel_span=%d: must be at least 1", c.work.RangeDelSpan)
	case c.killWithin <= 0:
		return fmt.Errorf("-kill_within=%v: must be positive", c.killWithin)
	}
	return nil
}

// parseRange parses "MIN,MAX" (or a single number for both).
func parseRange(s string) (lo, hi int, err error) {
	a, b, found := strings.Cut(s, ",")
	if !found {
		b = a
	}
	if lo, err = strconv.Atoi(strings.TrimSpace(a)); err != nil {
		return 0, 0, err
	}
	if hi, err = strconv.Atoi(strings.TrimSpace(b)); err != nil {
		return 0, 0, err
	}
	if lo < 0 || hi < lo || hi > maxValueSize {
		return 0, 0, fmt.Errorf("%q: want 0 <= MIN <= MAX <= %d", s, maxValueSize)
	}
	return lo, hi, nil
}

// replayArgs is the command line that reruns this configuration for the
// first cycles cycles: same seed, same workload, same crash schedule.
func (c *config) replayArgs(cycles int) string {
	args := []string{
		"go run ./cmd/kvstress",
		"-mode=" + c.mode.String(),
		fmt.Sprintf("-seed=%d", c.seed),
		fmt.Sprintf("-cycles=%d", cycles),
		"-duration=0",
		fmt.Sprintf("-value_size=%d,%d", c.work.ValueMin, c.work.ValueMax),
		fmt.Sprintf("-sync_ratio=%v", c.work.SyncRatio),
		fmt.Sprintf("-batch=%d", c.work.BatchMax),
		fmt.Sprintf("-keys=%d", c.work.Keys),
		fmt.Sprintf("-rangedel_ratio=%v", c.work.RangeDelRatio),
		fmt.Sprintf("-rangedel_span=%d", c.work.RangeDelSpan),
	}
	if c.mode == modeKill {
		args = append(args, "-kill_within="+c.killWithin.String())
	}
	return strings.Join(args, " ")
}
