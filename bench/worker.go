package bench

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// worker is one thread of a phase. It owns its generators and histogram,
// so the hot path shares nothing but the engine and a few atomics.
type worker struct {
	ph    *phase
	o     *Options
	eng   Engine
	rng   *rand.Rand
	vals  *valueGen
	hist  *histogram
	key   []byte
	ops   int64 // operations done (entries, for batches and scans)
	bytes int64 // user bytes written or read
	found int64 // reads that found their key

	pending int64 // ops not yet added to ph.done
}

// progressEvery is how many ops a worker counts locally before adding them
// to the shared counter the progress sampler reads; it keeps the hot path
// off a contended cache line.
const progressEvery = 64

// finish records the latency of an operation (or batch) that started at t0
// and counted k ops.
func (w *worker) finish(t0 time.Time, k int) {
	w.hist.Record(time.Since(t0))
	w.ops += int64(k)
	w.pending += int64(k)
	if w.pending >= progressEvery {
		w.flushProgress()
	}
}

func (w *worker) flushProgress() {
	w.ph.done.Add(w.pending)
	if w.o.OpsDone != nil {
		w.o.OpsDone.Add(w.pending)
	}
	w.pending = 0
}

func (w *worker) uniform() keyGen { return newUniform(w.rng, 0, w.o.Num) }

func (w *worker) keyAt(idx int64) []byte {
	w.key = appendKey(w.key[:0], idx, w.o.KeySize)
	return w.key
}

// write does n puts (or deletes) of keys from gen, batch entries per call.
// A batch of one without sync uses Put/Delete; anything else WriteBatch.
// Latency is recorded per call, so for batches it is per-batch latency.
func (w *worker) write(gen keyGen, n int64, batch int, sync, del bool) error {
	sync = sync || w.o.Engine.Sync
	keys := make([]byte, 0, batch*w.o.KeySize) // never grows: slices stay valid
	ops := make([]Op, 0, batch)
	idxs := make([]int64, 0, batch)
	for done := int64(0); done < n && !w.ph.failed.Load(); {
		size := int(min(int64(batch), n-done))
		keys, ops, idxs = keys[:0], ops[:0], idxs[:0]
		for range size {
			idx := gen.Next()
			keys = appendKey(keys, idx, w.o.KeySize)
			op := Op{Kind: OpPut, Key: keys[len(keys)-w.o.KeySize:]}
			if del {
				op.Kind = OpDelete
			} else {
				op.Value = w.vals.Next(w.o.ValueSize)
			}
			ops, idxs = append(ops, op), append(idxs, idx)
		}
		t0 := time.Now()
		err := w.apply(ops, sync)
		w.finish(t0, size)
		if err != nil {
			return err
		}
		for i, op := range ops {
			w.ph.live.set(idxs[i], !del)
			w.bytes += int64(len(op.Key) + len(op.Value))
		}
		done += int64(size)
	}
	return nil
}

func (w *worker) apply(ops []Op, sync bool) error {
	if len(ops) > 1 || sync {
		return wrapOp("write batch", w.eng.WriteBatch(ops, sync))
	}
	if ops[0].Kind == OpDelete {
		return wrapOp("delete", w.eng.Delete(ops[0].Key))
	}
	return wrapOp("put", w.eng.Put(ops[0].Key, ops[0].Value))
}

func wrapOp(op string, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// put writes a fresh value for key idx (untimed: callers time it).
func (w *worker) put(idx int64) error {
	v := w.vals.Next(w.o.ValueSize)
	if err := w.eng.Put(w.keyAt(idx), v); err != nil {
		return wrapOp("put", err)
	}
	w.ph.live.set(idx, true)
	w.bytes += int64(w.o.KeySize + len(v))
	return nil
}

// get reads key idx, or its missing twin (untimed: callers time it).
func (w *worker) get(idx int64, missing bool) error {
	k := w.keyAt(idx)
	if missing {
		k[len(k)-1] = '.'
	}
	v, ok, err := w.eng.Get(k)
	if err != nil {
		return wrapOp("get", err)
	}
	if ok {
		w.found++
		w.bytes += int64(len(k) + len(v))
	}
	return nil
}

// read does n timed Gets of keys from gen.
func (w *worker) read(gen keyGen, n int64, missing bool) error {
	for i := int64(0); i < n && !w.ph.failed.Load(); i++ {
		idx := gen.Next()
		t0 := time.Now()
		err := w.get(idx, missing)
		w.finish(t0, 1)
		if err != nil {
			return err
		}
	}
	return nil
}
