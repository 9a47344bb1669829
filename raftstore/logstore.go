package raftstore

import (
	"errors"
	"fmt"
	"math"

	"github.com/hashicorp/raft"
	"github.com/lsmkv/lsmkv"
)

// FirstIndex returns the first index in the log, 0 if it is empty.
func (s *Store) FirstIndex() (uint64, error) {
	if err := s.readable(); err != nil {
		return 0, err
	}
	return s.bounds.first.Load(), nil
}

// LastIndex returns the last index in the log, 0 if it is empty.
func (s *Store) LastIndex() (uint64, error) {
	if err := s.readable(); err != nil {
		return 0, err
	}
	return s.bounds.last.Load(), nil
}

func (s *Store) readable() error {
	if s.closed.Load() {
		return errClosed
	}
	return s.refreshIfStale()
}

// GetLog reads entry index into l. An absent entry is raft.ErrLogNotFound
// itself, not wrapped: raft compares it with ==.
func (s *Store) GetLog(index uint64, l *raft.Log) error {
	v, err := s.db.Get(logKey(index))
	if err != nil {
		if errors.Is(err, lsmkv.ErrNotFound) {
			return raft.ErrLogNotFound
		}
		return fmt.Errorf("raftstore: get log %d: %w", index, err)
	}
	// v is Get's own copy, so the entry's Data may alias it.
	return decodeLog(index, v, l)
}

// StoreLog stores one entry.
func (s *Store) StoreLog(l *raft.Log) error {
	return s.StoreLogs([]*raft.Log{l})
}

// StoreLogs stores the entries as one batch, synced unless Options.NoSync:
// after a crash all of them are there or none is. A call whose encoding
// exceeds lsmkv.MaxBatchSize (1 GiB), or with an entry over
// lsmkv.MaxValueSize (64 MiB), is refused whole with an error wrapping
// lsmkv.ErrInvalidArgument: splitting it would give up atomicity, and raft
// never sends that much in one call (MaxAppendEntries entries).
func (s *Store) StoreLogs(logs []*raft.Log) error {
	if s.closed.Load() {
		return errClosed // even when there is nothing to store, as Close promises
	}
	if len(logs) == 0 {
		return nil
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.errIfStaleLocked(); err != nil {
		return err
	}
	b := &s.batch
	b.Reset()
	lo, hi := uint64(math.MaxUint64), uint64(0)
	var key [logKeyLen]byte
	size := 0
	for _, l := range logs {
		s.buf = appendLog(s.buf[:0], l)
		b.Put(appendLogKey(key[:0], l.Index), s.buf) // copies both
		lo, hi = min(lo, l.Index), max(hi, l.Index)
		size += logKeyLen + len(s.buf)
	}
	err := s.db.Write(b, &s.wopts)
	s.releaseBuffers(size)
	if err != nil {
		return fmt.Errorf("raftstore: store logs %d-%d: %w", lo, hi, err)
	}
	if s.bounds.has {
		lo, hi = min(lo, s.bounds.first.Load()), max(hi, s.bounds.last.Load())
	}
	s.bounds.set(true, lo, hi)
	return nil
}

// releaseBuffers drops buffers a huge call grew, so that one large
// snapshot-sized append does not pin its memory for the store's life.
func (s *Store) releaseBuffers(batchBytes int) {
	const keep = 4 << 20
	s.batch.Reset()
	if batchBytes > keep {
		s.batch = lsmkv.Batch{}
	}
	if cap(s.buf) > keep {
		s.buf = nil
	}
}

// pointDeleteLimit is the largest number of indexes DeleteRange deletes
// with point tombstones rather than one range tombstone. lsmkv rebuilds
// its memtable's fragmented list of range tombstones on the first read
// after each new one, at a cost that grows with the number of range
// tombstones in the memtable; raft's truncations after a snapshot are few
// and large (one range tombstone each), but its follower-side conflict
// deletes and raftbench's DeleteRange are many and small, and a handful of
// point tombstones costs a read nothing extra.
const pointDeleteLimit = 32

// DeleteRange deletes the entries with from <= index <= to, in one synced
// batch: up to pointDeleteLimit indexes as point deletes, more as one
// range tombstone, whatever the number of entries. The range is first
// clipped to [FirstIndex, LastIndex], outside which the log holds nothing;
// a range that holds no entry (or from > to) writes nothing.
func (s *Store) DeleteRange(from, to uint64) error {
	if s.closed.Load() {
		return errClosed // even for a range that would delete nothing
	}
	if from > to {
		return nil
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.errIfStaleLocked(); err != nil {
		return err
	}
	bd := &s.bounds
	first, last := bd.first.Load(), bd.last.Load()
	if !bd.has || to < first || from > last {
		return nil
	}
	lo, hi := max(from, first), min(to, last) // hi <= last, so hi+1 may overflow only at MaxUint64
	end := logUpper
	if hi < math.MaxUint64 {
		end = logKey(hi + 1)
	}
	var b lsmkv.Batch
	if hi-lo < pointDeleteLimit {
		var key [logKeyLen]byte
		for i := range hi - lo + 1 {
			b.Delete(appendLogKey(key[:0], lo+i)) // copies the key
		}
	} else {
		b.DeleteRange(logKey(lo), end)
	}
	// The new bounds are found before the write (the entries outside
	// [lo, hi] do not change: wmu keeps other writers out) and published
	// before it, so a reader never gets a first or last index that points
	// at an entry already deleted. Until the write lands, the bounds are
	// narrower than the log, which is harmless: the entries between are
	// about to go. A failed write marks them stale, to be recomputed.
	has, newFirst, newLast, err := s.boundsAfterDelete(lo, hi, end)
	if err != nil {
		return fmt.Errorf("raftstore: delete logs %d-%d: finding the new bounds: %w", from, to, err)
	}
	bd.set(has, newFirst, newLast)
	if err := s.db.Write(&b, &s.wopts); err != nil {
		bd.stale.Store(true)
		return fmt.Errorf("raftstore: delete logs %d-%d: %w", from, to, err)
	}
	return nil
}

// boundsAfterDelete returns the bounds the log will have once [min, max]
// is deleted; end is the deletion's exclusive end key. A new first entry
// is found by a seek that starts past the deleted range, and a new last
// one by a reverse seek that stops before it, so neither steps over the
// entries being deleted (nor, after the write, over their tombstones).
// REQUIRES: s.wmu held.
func (s *Store) boundsAfterDelete(min, max uint64, end []byte) (has bool, first, last uint64, err error) {
	first, last = s.bounds.first.Load(), s.bounds.last.Load()
	switch {
	case min <= first && max >= last:
		return false, 0, 0, nil
	case min <= first:
		idx, ok, err := s.seekIndex(end, logUpper, true)
		if err != nil {
			return false, 0, 0, err
		}
		if !ok {
			return false, 0, 0, fmt.Errorf("raftstore: no entry after logs %d-%d though %d is last: %w",
				min, max, last, lsmkv.ErrCorruption)
		}
		return true, idx, last, nil
	case max >= last:
		idx, ok, err := s.seekIndex(logLower, logKey(min), false)
		if err != nil {
			return false, 0, 0, err
		}
		if !ok {
			return false, 0, 0, fmt.Errorf("raftstore: no entry before logs %d-%d though %d is first: %w",
				min, max, first, lsmkv.ErrCorruption)
		}
		return true, first, idx, nil
	}
	return true, first, last, nil // a hole in the middle moves neither bound
}

// errIfStaleLocked recomputes stale bounds before a write relies on them.
func (s *Store) errIfStaleLocked() error {
	if s.bounds.stale.Load() {
		return s.loadBounds()
	}
	return nil
}
