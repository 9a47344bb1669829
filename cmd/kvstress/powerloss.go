package main

import (
	"errors"
	"fmt"

	"github.com/lsmkv/lsmkv"
	"github.com/lsmkv/lsmkv/vfs"
)

// Power-loss mode, in process, on a MemFS: each cycle opens the state the
// last cycle's chosen power loss left (recovery runs), writes 1..
// maxCycleBatches batches and takes crash clones at random moments: during
// that Open, during writes (from another goroutine), right after writes
// (while flushes and compactions run) and after Close. Each clone is
// opened read-only and must hold the base plus a whole-batch prefix of
// the cycle's batches covering every synced batch. One clone, at random,
// becomes the next cycle's state.
//
// Beyond the README's contract, two properties the engine's own tests
// claim (TestPowerLossAroundOpenAndClose) are held to: a power loss after
// Close keeps every acknowledged write, and one during or after recovery
// keeps everything recovered (the base).

// memDBDir is the DB's directory inside the MemFS.
const memDBDir = "db"

const (
	clonesPerCycle  = 6   // power losses taken while a cycle writes
	maxCycleBatches = 500 // a cycle writes 1..this many batches
)

type powerLoss struct {
	s     *session
	hooks testHooks
	mem   *vfs.MemFS // the state the next cycle opens; it holds base
	base  state
}

// runPowerLoss runs power-loss cycles until the session says stop.
func runPowerLoss(s *session, hooks testHooks) error {
	pl := &powerLoss{s: s, hooks: hooks, mem: vfs.NewMem(), base: state{}}
	db, err := lsmkv.Open(memDBDir, stressOptions(pl.mem, false))
	if err != nil {
		return fmt.Errorf("kvstress: create the DB: %w", err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("kvstress: create the DB: %w", err)
	}
	for cycle := 0; s.next(cycle); cycle++ {
		if err := pl.cycle(cycle); err != nil {
			return err
		}
	}
	return nil
}

// cycle writes, checks every power loss taken, and picks the next state.
func (pl *powerLoss) cycle(cycle int) error {
	batches, points, err := pl.write(cycle)
	if err != nil {
		return err
	}
	next := pl.s.sched.IntN(len(points))
	var nextBase state
	for i, pt := range points {
		got, err := pl.check(&pt, batches)
		if err != nil {
			return pl.keep(pt.fs, err)
		}
		if i == next {
			nextBase = got
		}
	}
	pl.mem, pl.base = points[next].fs, nextBase
	return nil
}

// check checks one power loss and returns the state it left.
func (pl *powerLoss) check(pt *crashPoint, batches []batch) (state, error) {
	r, err := readState(pt.fs, memDBDir, pl.s.cfg.work.Keys, pl.s.sched)
	if err == nil {
		e := expectation{base: pl.base, batches: batches[:pt.attempted], required: pt.required, why: pt.why}
		var p int
		if p, err = e.check(r.state); err == nil {
			pl.s.stats.add(pt.acked, pt.required, p, batches, r)
			return r.state, nil
		}
	}
	return nil, fmt.Errorf("power loss %s (%d batches begun, %d acknowledged, %d had to survive): %w",
		pt.when, pt.attempted, pt.acked, pt.required, err)
}

// keep writes the failing state to the work directory, for kvtool.
func (pl *powerLoss) keep(mem *vfs.MemFS, err error) error {
	if derr := dumpDir(mem, memDBDir, pl.s.wd.db()); derr != nil {
		return errors.Join(err, fmt.Errorf("kvstress: writing the failing state out: %w", derr))
	}
	return err
}
