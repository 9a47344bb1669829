package bench

import (
	"bytes"
	"errors"
	"time"
)

// scanAll reads up to n entries with one iterator from the first (or last)
// entry, timing each step; it stops early at the end of the data, as
// db_bench's readseq does, so the phase may count fewer than n ops.
func (w *worker) scanAll(n int64, reverse bool) error {
	it, err := w.eng.NewIterator()
	if err != nil {
		return wrapOp("new iterator", err)
	}
	t0 := time.Now()
	var ok bool
	if reverse {
		ok = it.Last()
	} else {
		ok = it.First()
	}
	for i := int64(0); ok && i < n && !w.ph.failed.Load(); i++ {
		w.bytes += int64(len(it.Key()) + len(it.Value()))
		w.found++
		w.finish(t0, 1)
		t0 = time.Now()
		if reverse {
			ok = it.Prev()
		} else {
			ok = it.Next()
		}
	}
	return closeIter(it)
}

// closeIter closes it, reporting its iteration error first.
func closeIter(it Iter) error {
	return wrapOp("iterator", errors.Join(it.Error(), it.Close()))
}

// seek does n timed seeks to keys from gen, each on a new iterator (as
// LevelDB's db_bench does, so iterator creation is part of the cost), then
// calls Next SeekNexts times. A seek counts as found when it lands on the
// exact key.
//
// Bytes count the key and value of every entry the iterator lands on, the
// seek's and each Next's, and each of those values is read: a seek returns
// data as a Get does, so MB/s means the same as readrandom's. (db_bench
// counts only the entries before each Next, which reports 0 MB/s for the
// default seek_nexts=0.)
func (w *worker) seek(gen keyGen, n int64) error {
	for i := int64(0); i < n && !w.ph.failed.Load(); i++ {
		k := w.keyAt(gen.Next())
		t0 := time.Now()
		it, err := w.eng.NewIterator()
		if err != nil {
			return wrapOp("new iterator", err)
		}
		ok := it.SeekGE(k)
		if ok && bytes.Equal(it.Key(), k) {
			w.found++
		}
		for j := 0; ok; j++ {
			w.bytes += int64(len(it.Key()) + len(it.Value()))
			if j == w.o.SeekNexts {
				break
			}
			ok = it.Next()
		}
		err = closeIter(it)
		w.finish(t0, 1)
		if err != nil {
			return err
		}
	}
	return nil
}

// scanFrom reads up to count entries from the first key >= key idx
// (YCSB's scan; untimed: the caller times it).
func (w *worker) scanFrom(idx int64, count int) error {
	it, err := w.eng.NewIterator()
	if err != nil {
		return wrapOp("new iterator", err)
	}
	ok := it.SeekGE(w.keyAt(idx))
	if ok {
		w.found++
	}
	for j := 0; ok && j < count; j++ {
		w.bytes += int64(len(it.Key()) + len(it.Value()))
		ok = it.Next()
	}
	return closeIter(it)
}
