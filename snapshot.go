package lsmkv

import (
	"sort"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// Snapshot is a consistent, read-only view of the DB as of its creation.
// Compactions keep every version of a key that a live snapshot can see, so
// close snapshots when done. Safe for concurrent use.
type Snapshot struct {
	db     *DB
	seq    keys.SeqNum
	closed bool // guarded by db.mu
}

// NewSnapshot returns a snapshot of the current state.
func (db *DB) NewSnapshot() *Snapshot {
	db.mu.Lock()
	defer db.mu.Unlock()
	s := &Snapshot{db: db, seq: keys.SeqNum(db.visibleSeq.Load())}
	if db.closed {
		s.closed = true
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
	if s.closed {
		return ErrClosed
	}
	s.closed = true
	delete(s.db.snapshots, s)
	return nil
}

func (s *Snapshot) check() error {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	if s.closed {
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
