package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

// session is what both modes share: limits, randomness, counters, the
// work directory and how a failure is reported.
type session struct {
	ctx      context.Context
	cfg      *config
	out      io.Writer
	wd       *workdir
	sched    *rand.Rand // kill moments, clone points, choices between cycles
	stats    stats
	rep      *reporter
	deadline time.Time // zero: none
	cycle    int       // the cycle running, for failure reports
}

func newSession(ctx context.Context, cfg *config, out io.Writer, wd *workdir) *session {
	s := &session{
		ctx: ctx, cfg: cfg, out: out, wd: wd,
		sched: rand.New(rand.NewPCG(cfg.seed, streamSchedule)),
		rep:   newReporter(out, cfg),
	}
	if cfg.duration > 0 {
		s.deadline = s.rep.start.Add(cfg.duration)
	}
	return s
}

// next reports whether another cycle should run, and counts the one that
// just ended.
func (s *session) next(cycle int) bool {
	if cycle > 0 {
		s.stats.cycles = cycle
		s.rep.progress(&s.stats)
	}
	s.cycle = cycle
	switch {
	case s.ctx.Err() != nil:
		return false
	case s.cfg.cycles > 0 && cycle >= s.cfg.cycles:
		return false
	case !s.deadline.IsZero() && time.Now().After(s.deadline):
		return false
	}
	return true
}

// report prints a failure with its seed, cycle, evidence and replay
// command, and writes the same text to DIR/failure.txt.
func (s *session) report(err error) {
	kind := "kvstress failed"
	if errors.Is(err, errViolation) {
		kind = "VIOLATION"
	}
	msg := fmt.Sprintf("%s in cycle %d (seed %d): %v\n", kind, s.cycle, s.cfg.seed, err)
	if _, serr := os.Stat(s.wd.db()); serr == nil {
		msg += fmt.Sprintf("the DB as the crash left it: %s (inspect: go run ./cmd/kvtool check %s)\n", s.wd.db(), s.wd.db())
	}
	msg += fmt.Sprintf("replay: %s\n", s.cfg.replayArgs(s.cycle+1))
	fmt.Fprint(s.out, msg)
	report := filepath.Join(s.wd.path, "failure.txt")
	if werr := os.WriteFile(report, []byte(msg), 0o644); werr != nil {
		fmt.Fprintln(s.out, "kvstress: writing the report:", werr)
		return
	}
	fmt.Fprintf(s.out, "this report: %s\n", report)
}

// workdir is the directory a run works in: the DB is its "db"
// subdirectory; a failure report goes next to it.
type workdir struct {
	path string
	temp bool // made by kvstress, removed after a clean run
}

// makeWorkdir creates dir (a temporary one if dir is ""). A DB already in
// it is refused: its history is unknown, so nothing could be checked.
func makeWorkdir(dir string) (*workdir, error) {
	if dir == "" {
		d, err := os.MkdirTemp("", "kvstress-")
		return &workdir{path: d, temp: true}, err
	}
	wd := &workdir{path: dir}
	switch _, err := os.Stat(wd.db()); {
	case err == nil:
		return nil, fmt.Errorf("%s exists (a kept failure?); remove it or choose another -dir", wd.db())
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	return wd, os.MkdirAll(dir, 0o755)
}

func (wd *workdir) db() string { return filepath.Join(wd.path, "db") }

// cleanup removes what a clean run made.
func (wd *workdir) cleanup() error {
	if wd.temp {
		return os.RemoveAll(wd.path)
	}
	return os.RemoveAll(wd.db())
}
