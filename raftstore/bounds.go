package raftstore

import (
	"fmt"
	"sync/atomic"

	"github.com/lsmkv/lsmkv"
)

// bounds caches the first and last log index, so that FirstIndex and
// LastIndex answer from memory: after a truncation, a seek from the start
// of the log space would have to step over the range tombstone (and, in
// older tables, over the deleted entries themselves) on every call.
//
// Writers hold Store.wmu while they write and update the bounds, so the
// bounds describe what the DB holds once the write returns, and a reader,
// which loads the atomics without a lock, never gets an index whose entry
// is gone: StoreLogs widens them after its write, DeleteRange narrows
// them before its own (logstore.go). stale is set when a DeleteRange
// narrowed them but its write failed, so they may no longer match the DB:
// the next FirstIndex, LastIndex or write recomputes them.
type bounds struct {
	has         bool // under wmu: the log holds at least one entry
	first, last atomic.Uint64
	stale       atomic.Bool
}

// set records the bounds; empty log: has false, both 0 as raft expects.
func (b *bounds) set(has bool, first, last uint64) {
	if !has {
		first, last = 0, 0
	}
	b.has = has
	b.first.Store(first)
	b.last.Store(last)
	b.stale.Store(false)
}

// loadBounds reads the first and last log index with one bounded
// iterator: First and Last seek straight to the ends of the log space.
func (s *Store) loadBounds() error {
	it, err := s.db.NewIterator(&lsmkv.IterOptions{LowerBound: logLower, UpperBound: logUpper})
	if err != nil {
		return err
	}
	defer it.Close()
	if !it.First() {
		if err := it.Error(); err != nil {
			return err
		}
		s.bounds.set(false, 0, 0)
		return nil
	}
	first, err := parseLogKey(it.Key())
	if err != nil {
		return err
	}
	if !it.Last() {
		// The iterator reads one state, so First found a key Last must
		// find too: only an error gets here.
		if err := it.Error(); err != nil {
			return err
		}
		return fmt.Errorf("raftstore: log space has a first key but no last: %w", lsmkv.ErrCorruption)
	}
	last, err := parseLogKey(it.Key())
	if err != nil {
		return err
	}
	s.bounds.set(true, first, last)
	return nil
}

// seekIndex returns the first (forward) or last log index in
// [lower, upper), which must be within the log space.
func (s *Store) seekIndex(lower, upper []byte, forward bool) (uint64, bool, error) {
	it, err := s.db.NewIterator(&lsmkv.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return 0, false, err
	}
	defer it.Close()
	var ok bool
	if forward {
		ok = it.First()
	} else {
		ok = it.Last()
	}
	if !ok {
		return 0, false, it.Error()
	}
	idx, err := parseLogKey(it.Key())
	return idx, err == nil, err
}

// refreshIfStale recomputes the bounds after a failed recomputation.
func (s *Store) refreshIfStale() error {
	if !s.bounds.stale.Load() {
		return nil
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if !s.bounds.stale.Load() {
		return nil
	}
	return s.loadBounds()
}
