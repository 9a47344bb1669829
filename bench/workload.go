package bench

import (
	"sort"
	"time"
)

// A workload is one named benchmark phase. ops gives the phase's total
// operation count, which the runner splits evenly across threads; run
// performs one worker's share, n ops starting at op number first (only the
// sequential workloads use first, to give each thread its own key range).
type workload struct {
	desc   string
	fresh  bool // starts from an empty store, like db_bench's fill*
	writes bool // modifies the store, so the runner flushes afterwards
	ops    func(o *Options) int64
	run    func(w *worker, first, n int64) error
	// prepare, if set, runs untimed before the workers start: it may set
	// up the phase's state or mark res skipped. The func it returns, if
	// any, runs untimed after the flush that ends a write phase, before
	// the phase is measured.
	prepare func(ph *phase, res *PhaseResult) (finish func() error, err error)
}

func numOps(o *Options) int64  { return o.Num }
func readOps(o *Options) int64 { return o.Reads }

// workloads is the table of every benchmark name. Unlike db_bench, where
// each thread does -num ops, a phase's ops are shared by its threads, so
// results for different -threads values do the same total work.
var workloads = map[string]workload{
	"fillseq": {desc: "write num keys in sequential order into a new store", fresh: true, writes: true, ops: numOps,
		run: func(w *worker, first, n int64) error {
			return w.write(newSequential(first), n, w.o.BatchSize, false, false)
		}},
	"fillrandom": {desc: "write num random keys (with repeats) into a new store", fresh: true, writes: true, ops: numOps,
		run: func(w *worker, _, n int64) error { return w.write(w.uniform(), n, w.o.BatchSize, false, false) }},
	"fillsync": {desc: "write num/1000 random keys, syncing each write, into a new store", fresh: true, writes: true,
		ops: func(o *Options) int64 { return max(1, o.Num/1000) },
		run: func(w *worker, _, n int64) error { return w.write(w.uniform(), n, 1, true, false) }},
	"fillbatch": {desc: "write num sequential keys in batches of batch_size (1000 if batch_size is 1) into a new store", fresh: true, writes: true, ops: numOps,
		run: func(w *worker, first, n int64) error {
			return w.write(newSequential(first), n, fillBatchSize(w.o), false, false)
		}},
	"overwrite": {desc: "write num random keys into the existing store", writes: true, ops: numOps,
		run: func(w *worker, _, n int64) error { return w.write(w.uniform(), n, w.o.BatchSize, false, false) }},
	"deleterandom": {desc: "delete num random keys (present or not)", writes: true, ops: numOps,
		run: func(w *worker, _, n int64) error { return w.write(w.uniform(), n, w.o.BatchSize, false, true) }},
	"readrandom": {desc: "get reads random keys", ops: readOps,
		run: func(w *worker, _, n int64) error { return w.read(w.uniform(), n, false) }},
	"readmissing": {desc: "get reads keys that are absent but inside the key range", ops: readOps,
		run: func(w *worker, _, n int64) error { return w.read(w.uniform(), n, true) }},
	"readhot": {desc: "get reads random keys among the first 1% (db_bench's hot range)", ops: readOps,
		run: func(w *worker, _, n int64) error { return w.read(newUniform(w.rng, 0, (w.o.Num+99)/100), n, false) }},
	"readseq": {desc: "read reads entries in order with an iterator", ops: readOps,
		run: func(w *worker, _, n int64) error { return w.scanAll(n, false) }},
	"readreverse": {desc: "read reads entries in reverse order with an iterator", ops: readOps,
		run: func(w *worker, _, n int64) error { return w.scanAll(n, true) }},
	"seekrandom": {desc: "seek to reads random keys, reading the entry found and the seek_nexts entries after it (default 0, as db_bench)", ops: readOps,
		run: func(w *worker, _, n int64) error { return w.seek(w.uniform(), n) }},
	"ycsb-a": ycsb("50% read, 50% update, zipfian", ycsbMix{read: 50, update: 50}),
	"ycsb-b": ycsb("95% read, 5% update, zipfian", ycsbMix{read: 95, update: 5}),
	"ycsb-c": ycsb("100% read, zipfian", ycsbMix{read: 100}),
	"ycsb-d": ycsb("95% read, 5% insert, latest", ycsbMix{read: 95, insert: 5, latest: true}),
	"ycsb-e": ycsb("95% scan of 1..100 entries, 5% insert, zipfian", ycsbMix{scan: 95, insert: 5}),
	"ycsb-f": ycsb("50% read, 50% read-modify-write, zipfian", ycsbMix{read: 50, rmw: 50}),

	// Range deletions (rangedel.go).
	"deleterange":     deleteRangeWorkload(),
	"rangetombstones": rangeTombstonesWorkload(),
}

func fillBatchSize(o *Options) int {
	if o.BatchSize > 1 {
		return o.BatchSize
	}
	return defaultFillBatch
}

// ycsbMix gives a YCSB core workload's operation percentages (summing to
// 100). Keys are chosen with a scrambled zipfian over the num loaded keys,
// or with latest (skewed to recent inserts) over all keys; inserts add
// new keys after the existing ones. Run a fill first to load the store.
type ycsbMix struct {
	read, update, insert, scan, rmw int
	latest                          bool
}

func ycsb(desc string, m ycsbMix) workload {
	return workload{desc: "YCSB: " + desc, writes: m.read+m.scan < 100, ops: readOps,
		run: func(w *worker, _, n int64) error { return w.ycsb(m, n) }}
}

// WorkloadNames returns every benchmark name, sorted.
func WorkloadNames() []string {
	names := make([]string, 0, len(workloads))
	for n := range workloads {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// workloadDescription returns a one-line description of a benchmark, or ""
// for an unknown name.
func workloadDescription(name string) string { return workloads[name].desc }

// ycsb runs n operations of mix m.
func (w *worker) ycsb(m ycsbMix, n int64) error {
	var gen keyGen = newZipfian(w.rng, w.o.Num, w.o.ZipfTheta, true)
	if m.latest {
		gen = newLatest(w.rng, w.o.ZipfTheta, w.ph.keyCount.Load)
	}
	for i := int64(0); i < n && !w.ph.failed.Load(); i++ {
		p := w.rng.IntN(100)
		t0 := time.Now()
		var err error
		switch {
		case p < m.read:
			err = w.get(gen.Next(), false)
		case p < m.read+m.update:
			err = w.put(gen.Next())
		case p < m.read+m.update+m.insert:
			err = w.put(w.ph.keyCount.Add(1) - 1)
		case p < m.read+m.update+m.insert+m.scan:
			err = w.scanFrom(gen.Next(), 1+w.rng.IntN(100))
		default: // read-modify-write
			idx := gen.Next()
			if err = w.get(idx, false); err == nil {
				err = w.put(idx)
			}
		}
		w.finish(t0, 1)
		if err != nil {
			return err
		}
	}
	return nil
}
