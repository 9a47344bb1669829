package main

import (
	"fmt"
	"maps"
	"strings"

	"github.com/lsmkv/lsmkv"
)

// write runs one DB life on pl.mem: Open, the cycle's batches, Close. It
// returns the batches and the power losses taken along the way.
func (pl *powerLoss) write(cycle int) ([]batch, []crashPoint, error) {
	pristine := pl.mem.CrashClone() // pl.mem as it is, should Open fail on it
	fs := newCloneFS(pl.mem, pl.hooks.dropSyncs)
	var prog progress
	cl := startCloner(fs, &prog, clonesPerCycle+1)
	cl.request("at Open")
	db, err := pl.open(fs)
	if err != nil {
		cl.stop()
		return nil, nil, pl.keep(pristine, err)
	}
	n := 1 + pl.s.sched.IntN(maxCycleBatches)
	batches := newWorkload(pl.s.cfg.seed, cycle, pl.s.cfg.work).batches(n)
	points, err := pl.writeBatches(db, fs, &prog, cl, batches)
	points = append(cl.stop(), points...)
	m := db.Metrics()
	pl.s.stats.flushes += m.Flushes
	pl.s.stats.compactions += m.Compactions
	if cerr := db.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("kvstress: Close: %w", cerr)
	}
	if err != nil {
		return nil, nil, err
	}
	// The engine's Close makes every acknowledged write durable.
	points = append(points, crashPoint{fs: fs.crashClone(), required: n, acked: n, attempted: n,
		when: "after Close", why: "acknowledged before Close"})
	return batches, points, nil
}

// open opens the state a power loss left, letting Open recover it, and
// checks that it finds what the read-only Open of the check found.
func (pl *powerLoss) open(fs *cloneFS) (*lsmkv.DB, error) {
	db, err := lsmkv.Open(memDBDir, stressOptions(fs, false))
	if err != nil {
		return nil, fmt.Errorf("%w: Open (recovering) after a power loss: %v", errViolation, err)
	}
	r, err := scan(db)
	if err == nil && !maps.Equal(r.state, pl.base) {
		err = fmt.Errorf("%w: the writable Open recovered other than the read-only Open: %s", errViolation,
			strings.Join(diffStates(pl.base, r.state, 5), "; "))
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Clone plan bits, per batch.
const (
	cloneDuring = 1 << iota // ask the cloner just before the Write
	cloneAfter              // clone on this goroutine once Write returns
)

// writeBatches writes batches to db, taking the clones planned.
func (pl *powerLoss) writeBatches(db *lsmkv.DB, fs *cloneFS, prog *progress, cl *cloner, batches []batch) ([]crashPoint, error) {
	plan := pl.planClones(len(batches))
	var points []crashPoint
	for i := range batches {
		if plan[i]&cloneDuring != 0 {
			cl.request("during a write")
		}
		prog.started.Store(int64(i + 1))
		b := &batches[i]
		if pl.hooks.rangeDel != nil {
			b = b.mapRangeDels(pl.hooks.rangeDel)
		}
		if err := b.write(db); err != nil {
			return points, fmt.Errorf("kvstress: batch %d: %w", i, err)
		}
		prog.acked.Store(int64(i + 1))
		if batches[i].sync {
			prog.synced.Store(int64(i + 1))
		}
		if plan[i]&cloneAfter != 0 {
			// Flushes and compactions the writes started may be running.
			points = append(points, prog.clone(fs, "after a write"))
		}
	}
	return points, nil
}

// planClones picks clonesPerCycle moments among n batches, half of them
// during a Write and half after one.
func (pl *powerLoss) planClones(n int) []uint8 {
	plan := make([]uint8, n)
	for range clonesPerCycle {
		i := pl.s.sched.IntN(n)
		plan[i] |= uint8(cloneDuring << pl.s.sched.IntN(2))
	}
	return plan
}
