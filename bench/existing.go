package bench

import (
	"fmt"
	"math"
)

// loadExisting learns what the store of a UseExistingDB run holds.
//
// Space amplification divides the store's size by the live user data in
// it, and that data need not be this run's keys 0..Num-1: the store may
// have been filled with another -num, grown by YCSB inserts or partly
// deleted. So one untimed scan, before the first phase, marks which of
// keys 0..Num-1 are present and adds up the bytes of everything else; the
// phases then track their changes as on a store they filled themselves.
// YCSB inserts go after the largest key found, so that they add keys
// rather than overwrite ones counted already.
//
// Live bytes stay exact if the entries among keys 0..Num-1 have this
// run's value size (the store was filled by kvbench with the same
// -value_size); otherwise each such entry that a phase overwrites or
// deletes leaves its size difference in the count.
//
// The engine is reopened after the scan, so the first phase does not find
// the engine's caches warmed by it.
func (r *runner) loadExisting() error {
	total, tracked, maxIdx, err := r.scanExisting()
	if err != nil {
		return err
	}
	r.otherBytes = total - tracked*int64(r.o.KeySize+r.o.ValueSize)
	r.keyStart = max(r.o.Num, maxIdx+1)
	if need := len(fmt.Sprint(r.keyStart + r.o.Reads)); need > r.o.KeySize {
		return fmt.Errorf("keys up to %d exist: key_size %d cannot hold YCSB inserts after them (want %d)", maxIdx, r.o.KeySize, need)
	}
	r.keyCount.Store(r.keyStart)
	if err := r.eng.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	if r.eng, err = r.open(r.o.Engine); err != nil {
		return fmt.Errorf("reopen: %w", err)
	}
	return nil
}

// scanExisting reads every entry once and marks keys 0..Num-1 in r.live.
// It returns the bytes of all entries, the number it marked, and the
// largest key index found (-1 if none).
func (r *runner) scanExisting() (total, tracked, maxIdx int64, err error) {
	it, err := r.eng.NewIterator()
	if err != nil {
		return 0, 0, 0, wrapOp("new iterator", err)
	}
	maxIdx = -1
	for ok := it.First(); ok; ok = it.Next() {
		k := it.Key()
		total += int64(len(k) + len(it.Value()))
		idx, isKey := parseKey(k, r.o.KeySize)
		if !isKey {
			continue
		}
		maxIdx = max(maxIdx, idx)
		if idx < r.o.Num {
			r.live.set(idx, true)
			tracked++
		}
	}
	return total, tracked, maxIdx, closeIter(it)
}

// parseKey inverts appendKey: it returns the index of a key of exactly
// size zero-padded decimal digits, or false for any other key.
func parseKey(k []byte, size int) (int64, bool) {
	if len(k) != size || size == 0 {
		return 0, false
	}
	var idx int64
	for _, c := range k {
		if c < '0' || c > '9' || idx > (math.MaxInt64-9)/10 {
			return 0, false
		}
		idx = idx*10 + int64(c-'0')
	}
	return idx, true
}
