package lsmkv

import (
	"sort"
	"sync/atomic"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// Snapshot is a consistent, read-only view of the DB as of its creation.
// Compactions keep every version of a key that a live snapshot can see, so
// close snapshots when done. Safe for concurrent use.
type Snapshot struct {
	db  *DB
	seq keys.SeqNum
	// closed is set by Close or DB.Close, under db.mu; reads check it
	// without taking db.mu, so snapshot reads do not contend with writers.
	closed atomic.Bool
}

// NewSnapshot returns a snapshot of the current state. On a closed DB it
// returns a snapshot whose every call returns ErrClosed.
//
// The sequence number is taken under mu, where the snapshot is also
// registered: a flush or compaction that lists the snapshots (under mu)
// either sees this one or read only entries at or below its number, so the
// versions it needs survive either way.
func (db *DB) NewSnapshot() *Snapshot {
	db.mu.Lock()
	defer db.mu.Unlock()
	s := &Snapshot{db: db, seq: keys.SeqNum(db.visibleSeq.Load())}
	if db.state != stateOpen {
		s.closed.Store(true)
		return s
	}
	db.snapshots[s] = struct{}{}
	return s
}

// Get returns the value key had when the snapshot was taken.
func (s *Snapshot) Get(key []byte) ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.db.get(key, s.seq)
}

// NewIterator iterates over the snapshot's state; opts.Snapshot is ignored.
func (s *Snapshot) NewIterator(opts *IterOptions) (*Iterator, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	var o IterOptions
	if opts != nil {
		o = *opts
	}
	o.Snapshot = s
	return s.db.NewIterator(&o)
}

// Close releases the snapshot. Later calls on it return ErrClosed.
func (s *Snapshot) Close() error {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	if s.closed.Load() {
		return ErrClosed
	}
	s.closed.Store(true)
	delete(s.db.snapshots, s)
	// Tables the snapshot kept may now be dropped by a delete-only pass.
	s.db.deleteOnlyDue = true
	s.db.bgCond.Broadcast()
	return nil
}

// check returns ErrClosed once the snapshot or its DB is closed. A read
// racing the snapshot's own Close may still complete: the caller closed
// what it was using, and the state it reads is pinned for the read.
func (s *Snapshot) check() error {
	if s.closed.Load() {
		return ErrClosed
	}
	return nil
}

// snapshotSeqs returns the sequence numbers of live snapshots, ascending.
// REQUIRES: mu held.
func (db *DB) snapshotSeqs() []keys.SeqNum {
	seqs := make([]keys.SeqNum, 0, len(db.snapshots))
	for s := range db.snapshots {
		seqs = append(seqs, s.seq)
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	return seqs
}
