package bench

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"time"
)

// The range deletion workloads.
//
// deleterange deletes spans of DeleteRangeSpan consecutive keys that
// cover DeleteRangeFraction of keys 0..Num-1, one timed op per span, with
// the engine's DeleteRange (a RangeDeleter) or, for engines without one,
// with a delete of every key in the span. Its result carries a
// SpaceReport: the store's size against its live data before the
// deletes, after them, and after a full compaction (a Compacter).
//
// rangetombstones writes RangeTombstones range deletions that delete
// nothing, so that a later read phase measures what live tombstones cost
// reads while finding exactly what it finds without them.

func deleteRangeWorkload() workload {
	return workload{
		desc: "delete spans of deleterange_span consecutive keys covering deleterange_fraction of the keys, " +
			"one timed DeleteRange per span (a delete per key on engines without it); then compact, untimed, " +
			"unless -deleterange_compact=false, and report the space given back",
		writes:  true,
		ops:     func(o *Options) int64 { _, _, spans := spanLayout(o); return spans },
		run:     func(w *worker, first, n int64) error { return w.deleteSpans(first, n) },
		prepare: prepareDeleteRange,
	}
}

func rangeTombstonesWorkload() workload {
	return workload{
		desc: "write range_tombstones range deletions, each over the gap after a key, which holds no key, " +
			"so later reads find what they would without them; skipped on engines without DeleteRange",
		writes: true,
		ops:    func(o *Options) int64 { return o.RangeTombstones },
		run:    func(w *worker, first, n int64) error { return w.emptyRangeDeletes(first, n) },
		prepare: func(ph *phase, res *PhaseResult) (func() error, error) {
			ph.useRangeDeleter(res)
			res.Skipped = ph.rangeDel == nil // point deletes of empty ranges write nothing
			return nil, nil
		},
	}
}

// spanLayout divides keys 0..Num-1 into slots of span consecutive keys
// (the last Num%span keys belong to none) and returns how many slots,
// spans, deleterange deletes: DeleteRangeFraction of them, at least one.
func spanLayout(o *Options) (span, slots, spans int64) {
	span = min(int64(o.DeleteRangeSpan), o.Num)
	slots = o.Num / span
	spans = min(slots, max(1, int64(math.Round(o.DeleteRangeFraction*float64(slots)))))
	return span, slots, spans
}

// spanStream is the PCG stream that orders deleterange's spans; a phase's
// workers use streams 0..Threads-1 (see newWorkers).
const spanStream = 1<<32 - 1

// prepareDeleteRange picks the slots to delete, in an order drawn from
// the seed, and measures the space before the deletes; the func it
// returns measures it after them, compacts, and measures it again.
func prepareDeleteRange(ph *phase, res *PhaseResult) (func() error, error) {
	ph.useRangeDeleter(res)
	_, slots, spans := spanLayout(ph.o)
	rng := rand.New(rand.NewPCG(ph.o.Seed, ph.phaseNo<<32|spanStream))
	ph.spans = rng.Perm(int(slots))[:spans]
	before, err := ph.space(ph.metrics())
	if err != nil {
		return nil, err
	}
	res.Space = &SpaceReport{Before: before}
	return func() error { return ph.compactAfterDeletes(res.Space) }, nil
}

// useRangeDeleter looks for the engine's DeleteRange and records in res
// how the phase deletes ranges.
func (ph *phase) useRangeDeleter(res *PhaseResult) {
	ph.rangeDel, _ = ph.eng.(RangeDeleter)
	res.RangeDel = RangeDelPoint
	if ph.rangeDel != nil {
		res.RangeDel = RangeDelNative
	}
}

// compactAfterDeletes measures the space after the deletes, then, if the
// engine can and the options allow, compacts the store and measures again.
func (ph *phase) compactAfterDeletes(sr *SpaceReport) error {
	var err error
	if sr.AfterDeletes, err = ph.space(ph.metrics()); err != nil {
		return err
	}
	c, ok := ph.eng.(Compacter)
	if !ok || ph.o.DeleteRangeNoCompact {
		return nil
	}
	t0 := time.Now()
	if err := c.Compact(); err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	sr.CompactElapsed = time.Since(t0)
	after, err := ph.space(ph.metrics())
	sr.AfterCompact = &after
	return err
}

// deleteSpans deletes spans first..first+n-1 of the phase's order, timing
// each span as one op, and marks their keys absent.
func (w *worker) deleteSpans(first, n int64) error {
	span, _, _ := spanLayout(w.o)
	del := w.deleteRange
	if w.ph.rangeDel == nil {
		del = w.pointDeleter(span)
	}
	for i := first; i < first+n && !w.ph.failed.Load(); i++ {
		lo := int64(w.ph.spans[i]) * span
		t0 := time.Now()
		err := del(lo, lo+span)
		w.finish(t0, 1)
		if err != nil {
			return err
		}
		for idx := lo; idx < lo+span; idx++ {
			w.ph.live.set(idx, false)
		}
	}
	return nil
}

// deleteRange deletes keys lo..hi-1 with one DeleteRange from key lo to
// key hi (which exists or not: DeleteRange's end is exclusive).
func (w *worker) deleteRange(lo, hi int64) error {
	size := w.o.KeySize
	w.key = appendKey(appendKey(w.key[:0], lo, size), hi, size)
	w.bytes += int64(len(w.key))
	return wrapOp("delete range", w.ph.rangeDel.DeleteRange(w.key[:size], w.key[size:]))
}

// pointDeleteBatch is the most deletes pointDeleter puts in one batch.
const pointDeleteBatch = 1000

// pointDeleter returns a func that deletes keys lo..hi-1, at most span of
// them, for an engine without DeleteRange: a delete of every key, in
// write batches of up to pointDeleteBatch keys. A span of the default
// size is one atomic batch, as a program would delete a range without
// DeleteRange; longer ones are cut, since engines cap a batch (Badger at
// 15% of its memtable).
func (w *worker) pointDeleter(span int64) func(lo, hi int64) error {
	size := w.o.KeySize
	batch := min(span, pointDeleteBatch)
	keys := make([]byte, 0, batch*int64(size)) // never grows: slices stay valid
	ops := make([]Op, 0, batch)
	return func(lo, hi int64) error {
		for lo < hi {
			keys, ops = keys[:0], ops[:0]
			for ; lo < hi && len(ops) < cap(ops); lo++ {
				keys = appendKey(keys, lo, size)
				ops = append(ops, Op{Kind: OpDelete, Key: keys[len(keys)-size:]})
			}
			if err := w.apply(ops, w.o.Engine.Sync); err != nil {
				return err
			}
			w.bytes += int64(len(keys))
		}
		return nil
	}
}

// emptyRangeDeletes writes range deletions first..first+n-1 of the
// RangeTombstones that rangetombstones writes, one timed op each.
// Deletion j covers [key(g)+"a", key(g)+"b") for g = j*Num/RangeTombstones,
// spreading them evenly over the key space. Every key in such a range is
// one byte longer than key(g), and the benchmarks only write and read keys
// of exactly KeySize bytes, so no phase ever finds a key deleted by one.
func (w *worker) emptyRangeDeletes(first, n int64) error {
	size := w.o.KeySize
	for j := first; j < first+n && !w.ph.failed.Load(); j++ {
		g := scale(j, w.o.Num, w.o.RangeTombstones)
		w.key = append(appendKey(w.key[:0], g, size), 'a')
		w.key = append(append(w.key, w.key[:size]...), 'b')
		t0 := time.Now()
		err := w.ph.rangeDel.DeleteRange(w.key[:size+1], w.key[size+1:])
		w.finish(t0, 1)
		if err != nil {
			return wrapOp("delete range", err)
		}
		w.bytes += int64(len(w.key))
	}
	return nil
}

// scale returns j*num/n without overflow. REQUIRES: 0 <= j < n.
func scale(j, num, n int64) int64 {
	hi, lo := bits.Mul64(uint64(j), uint64(num))
	q, _ := bits.Div64(hi, lo, uint64(n))
	return int64(q)
}
