package bench

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// Run runs opts.Benchmarks in order against the engine registered as
// opts.EngineName, storing data in opts.Engine.Dir, which must be empty or
// missing unless opts.UseExistingDB is set (fill phases empty it again).
// A phase error stops the run; the results so far are returned with it.
func Run(opts Options) (*Report, error) {
	opts.EnsureDefaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	open, err := opts.opener()
	if err != nil {
		return nil, err
	}
	rep := &Report{Engine: opts.EngineName, Options: opts}
	rep.Results, err = runAll(&opts, open)
	return rep, err
}

// opener returns Options.Open if set, else the registered Opener.
func (o *Options) opener() (Opener, error) {
	if o.Open != nil {
		return o.Open, nil
	}
	return Lookup(o.EngineName)
}

// runner holds the state that lives across the phases of one run.
type runner struct {
	o        *Options
	open     Opener
	eng      Engine
	live     *liveSet
	keyCount atomic.Int64 // keys 0..keyCount-1 may exist; YCSB inserts grow it
	keyStart int64        // keyCount before any insert, so inserts = keyCount-keyStart
	// otherBytes are live bytes that live and the inserts do not track:
	// what an existing store holds outside keys 0..Num-1 (loadExisting).
	otherBytes int64
	values     *valueGen // the shared value pool that workers fork
	phaseNo    uint64
	timeline   timeline // the engine's events (EventSource engines)
}

func runAll(o *Options, open Opener) (results []PhaseResult, err error) {
	if err := prepareDir(o.Engine.Dir, o.UseExistingDB); err != nil {
		return nil, err
	}
	r := &runner{o: o, open: open, live: newLiveSet(o.Num),
		values: newValueGen(rand.New(rand.NewPCG(o.Seed, 0)), o.CompressionRatio, o.ValueSize)}
	r.keyCount.Store(o.Num)
	r.keyStart = o.Num
	if r.eng, err = open(o.Engine); err != nil {
		return nil, fmt.Errorf("lsmkv/bench: open %s: %w", o.EngineName, err)
	}
	r.timeline.attach(r.eng)
	defer func() {
		if r.eng == nil { // a reopen failed
			return
		}
		if cerr := r.eng.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("lsmkv/bench: close: %w", cerr)
		}
	}()
	if o.UseExistingDB {
		if err := r.loadExisting(); err != nil {
			return nil, fmt.Errorf("lsmkv/bench: existing data: %w", err)
		}
	}
	for _, name := range o.Benchmarks {
		res, err := r.runPhase(name)
		if err != nil {
			return results, fmt.Errorf("lsmkv/bench: %s: %w", name, err)
		}
		results = append(results, res)
	}
	return results, nil
}

// prepareDir creates dir, refusing to run over someone's data: fill phases
// delete everything in the directory.
func prepareDir(dir string, useExisting bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("lsmkv/bench: %w", err)
	}
	if useExisting {
		return nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("lsmkv/bench: %w", err)
	}
	if len(ents) > 0 {
		return fmt.Errorf("lsmkv/bench: directory %s is not empty: use an empty directory or -use_existing_db", dir)
	}
	return nil
}

// reset closes the engine, empties its directory and reopens it, for a
// phase that starts from an empty store.
func (r *runner) reset() error {
	if err := r.eng.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	ents, err := os.ReadDir(r.o.Engine.Dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if err := os.RemoveAll(filepath.Join(r.o.Engine.Dir, e.Name())); err != nil {
			return err
		}
	}
	r.live.clear()
	r.keyCount.Store(r.o.Num)
	r.keyStart, r.otherBytes = r.o.Num, 0
	if r.eng, err = r.open(r.o.Engine); err != nil {
		return fmt.Errorf("reopen: %w", err)
	}
	r.timeline.attach(r.eng)
	return nil
}

// phase is the state shared by the workers of one phase.
type phase struct {
	*runner
	done   atomic.Int64 // ops done so far, for the progress sampler
	failed atomic.Bool  // set by the first worker to fail; the rest stop

	// For the range deletion workloads (rangedel.go): the engine's
	// DeleteRange, nil if it has none, and deleterange's spans in the
	// order they are deleted.
	rangeDel RangeDeleter
	spans    []int
}

func (r *runner) runPhase(name string) (PhaseResult, error) {
	wl := workloads[name]
	res := PhaseResult{Name: name, ThroughputInterval: throughputInterval}
	if wl.fresh {
		if r.o.UseExistingDB {
			res.Skipped = true
			return res, nil
		}
		if err := r.reset(); err != nil {
			return res, err
		}
	}
	r.phaseNo++
	if r.o.PhaseStarted != nil {
		r.o.PhaseStarted(name)
	}
	before := r.metrics()
	ph := &phase{runner: r}
	var finish func() error
	if wl.prepare != nil {
		var err error
		if finish, err = wl.prepare(ph, &res); err != nil || res.Skipped {
			return res, err
		}
	}
	start := time.Now()
	if err := ph.run(name, wl, &res); err != nil {
		return res, err
	}

	if wl.writes {
		// Untimed, so that space amp counts all data and later reads
		// come from the store's tables rather than its write buffer.
		if err := r.eng.Flush(); err != nil {
			return res, fmt.Errorf("flush: %w", err)
		}
	}
	if finish != nil {
		if err := finish(); err != nil {
			return res, err
		}
	}
	res.Events = r.timeline.take(start, time.Now())
	return res, r.measure(&res, before)
}

// run times the phase's workers and adds up what they did in res.
func (ph *phase) run(name string, wl workload, res *PhaseResult) error {
	total := wl.ops(ph.o)
	workers := ph.newWorkers()
	start := time.Now()
	s := startSampler(name, start, total, &ph.done, ph.o.Progress)
	err := runWorkers(workers, wl, total)
	res.Elapsed = time.Since(start)
	res.Throughput = s.stop()
	hist := newHistogram()
	for _, w := range workers {
		hist.Merge(w.hist)
		res.Ops += w.ops
		res.Bytes += w.bytes
		res.Found += w.found
	}
	res.Latency = hist.Summary()
	return err
}

// newWorkers builds the phase's workers before the clock starts.
func (ph *phase) newWorkers() []*worker {
	workers := make([]*worker, ph.o.Threads)
	for i := range workers {
		// Stream 0 is the value pool's; phases are numbered from 1.
		rng := rand.New(rand.NewPCG(ph.o.Seed, ph.phaseNo<<32|uint64(i)))
		workers[i] = &worker{ph: ph, o: ph.o, eng: ph.eng, rng: rng, hist: newHistogram(),
			vals: ph.values.Fork(rng.IntN(len(ph.values.pool)))}
	}
	return workers
}

// runWorkers runs total ops of wl split evenly over workers and returns
// the first error.
func runWorkers(workers []*worker, wl workload, total int64) error {
	n := int64(len(workers))
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, w := range workers {
		first, count := total*int64(i)/n, total*int64(i+1)/n-total*int64(i)/n
		wg.Go(func() {
			errs[i] = wl.run(w, first, count)
			w.flushProgress()
			if errs[i] != nil {
				w.ph.failed.Store(true)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
