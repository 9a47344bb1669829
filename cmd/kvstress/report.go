package main

import (
	"fmt"
	"io"
	"time"

	"github.com/lsmkv/lsmkv/internal/bytesize"
)

// stats count what the run has checked.
type stats struct {
	cycles    int
	crashes   int   // kills, or power losses (crash clones) checked
	acked     int64 // batches whose Write returned before the crash
	required  int64 // batches that had to survive: acknowledged (kill), synced (power loss)
	recovered int64 // batches found after the crash
	writes    int64 // entries of the recovered batches, each checked
	rangeDels int64 // of those, range deletions
	bytes     int64 // key and value bytes read back
	failures  int
	// flushes and compactions the writing DBs ran (power-loss mode only:
	// a killed child cannot report them).
	flushes, compactions int64
}

// add counts one checked crash: acked batches had returned, required had
// to survive, and the first p of batches were found.
func (s *stats) add(acked, required, p int, batches []batch, r recovered) {
	s.crashes++
	s.acked += int64(acked)
	s.required += int64(required)
	s.recovered += int64(p)
	for i := range batches[:p] {
		s.writes += int64(len(batches[i].entries))
		s.rangeDels += int64(batches[i].rangeDels())
	}
	s.bytes += r.bytes
}

// reporter prints a progress line every progressEvery and the summary.
type reporter struct {
	out       io.Writer
	cfg       *config
	start     time.Time
	lastPrint time.Time
}

const progressEvery = 10 * time.Second

func newReporter(out io.Writer, cfg *config) *reporter {
	now := time.Now()
	fmt.Fprintf(out, "kvstress: mode=%s seed=%d keys=%d batch=1..%d value_size=%d,%d sync_ratio=%v rangedel_ratio=%v rangedel_span=%d\n",
		cfg.mode, cfg.seed, cfg.work.Keys, cfg.work.BatchMax, cfg.work.ValueMin, cfg.work.ValueMax, cfg.work.SyncRatio,
		cfg.work.RangeDelRatio, cfg.work.RangeDelSpan)
	return &reporter{out: out, cfg: cfg, start: now, lastPrint: now}
}

// progress prints s if the last line is old enough.
func (r *reporter) progress(s *stats) {
	if time.Since(r.lastPrint) < progressEvery {
		return
	}
	r.lastPrint = time.Now()
	fmt.Fprintf(r.out, "kvstress: %s %s\n", time.Since(r.start).Round(time.Second), s.line())
}

// summary prints the final line.
func (r *reporter) summary(s *stats) {
	fmt.Fprintf(r.out, "kvstress: done: mode=%s seed=%d %s elapsed=%s\n",
		r.cfg.mode, r.cfg.seed, s.line(), time.Since(r.start).Round(time.Millisecond))
}

func (s *stats) line() string {
	l := fmt.Sprintf("cycles=%d crashes=%d batches acked=%d required=%d recovered=%d writes_checked=%d range_deletes_checked=%d recovered_bytes=%s failures=%d",
		s.cycles, s.crashes, s.acked, s.required, s.recovered, s.writes, s.rangeDels, bytesize.Format(s.bytes), s.failures)
	if s.flushes > 0 {
		l += fmt.Sprintf(" flushes=%d compactions=%d", s.flushes, s.compactions)
	}
	return l
}
