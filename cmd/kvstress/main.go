package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"
)

func main() {
	if raw, ok := childConfigFromEnv(); ok {
		os.Exit(runChild(raw, os.Stderr))
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // a violation, or kvstress itself failed
	exitUsage   = 2 // bad flags
)

// run is main without the process: it returns the exit status. An
// interrupt (^C) ends the run after the current cycle's check.
func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "kvstress:", err)
		return exitUsage
	}
	if cfg.seed == 0 {
		cfg.seed = uint64(time.Now().UnixNano())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	context.AfterFunc(ctx, stop) // a second ^C kills at once
	code, _ := runSession(ctx, cfg, stdout, testHooks{})
	return code
}

// testHooks let tests break the system under test, to prove that kvstress
// notices. The command leaves them zero.
type testHooks struct {
	// beforeCheck runs (kill mode) after a child is killed and before its
	// directory is checked.
	beforeCheck func(dbDir string)
	// dropSyncs (power-loss mode) makes File.Sync succeed without syncing.
	dropSyncs bool
	// rangeDel (power-loss mode), if set, rewrites each range deletion
	// before it is written, or drops it (false), as an engine losing or
	// shortening range deletions would; the checker still expects the
	// batches as generated.
	rangeDel func(entry) (entry, bool)
}

// runSession runs cfg's mode until a limit, an interrupt or a failure,
// prints the summary and returns the exit status and the counts.
func runSession(ctx context.Context, cfg *config, out io.Writer, hooks testHooks) (int, stats) {
	wd, err := makeWorkdir(cfg.dir)
	if err != nil {
		fmt.Fprintln(out, "kvstress:", err)
		return exitFailure, stats{}
	}
	s := newSession(ctx, cfg, out, wd)
	if cfg.mode == modeKill {
		err = runKill(s, hooks.beforeCheck)
	} else {
		err = runPowerLoss(s, hooks)
	}
	if err != nil {
		s.stats.failures++
		s.report(err)
	} else if err := wd.cleanup(); err != nil {
		fmt.Fprintln(out, "kvstress: removing the work directory:", err)
	}
	s.rep.summary(&s.stats)
	if err != nil {
		return exitFailure, s.stats
	}
	return exitOK, s.stats
}
