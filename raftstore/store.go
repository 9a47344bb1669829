package raftstore

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/raft"
	"github.com/lsmkv/lsmkv"
)

// Store is an lsmkv DB used as a raft log store and stable store. Open
// one per raft node and pass it to raft.NewRaft as both stores.
type Store struct {
	db    *lsmkv.DB
	wopts lsmkv.WriteOptions

	// wmu serialises the log's writes (StoreLogs, DeleteRange) with the
	// updates of the bounds they make, so the bounds always describe the
	// DB: bounds.go.
	wmu    sync.Mutex
	bounds bounds
	batch  lsmkv.Batch // StoreLogs' batch, reused under wmu
	buf    []byte      // StoreLogs' encoding buffer, reused under wmu

	closed atomic.Bool
}

// Compile-time checks that Store is what raft.NewRaft takes.
var (
	_ raft.LogStore    = (*Store)(nil)
	_ raft.StableStore = (*Store)(nil)
	_ io.Closer        = (*Store)(nil)
)

// errNotRaftStore is returned by Open for a DB that holds keys but no
// format marker: some other program's data.
var errNotRaftStore = errors.New("raftstore: the DB holds data but no raftstore format marker")

// Open opens (creating it if needed) the store in dir. A nil opts means
// the defaults. Open reads the first and last log index with two bounded
// seeks, whatever the number of entries.
func Open(dir string, opts *Options) (*Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	db, err := lsmkv.Open(dir, o.DB)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, wopts: lsmkv.WriteOptions{Sync: !o.NoSync}}
	if err := s.checkFormat(o.DB != nil && o.DB.ReadOnly); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.loadBounds(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// checkFormat checks the format marker, writing it into an empty DB. A
// read-only DB that is empty is left without one.
func (s *Store) checkFormat(readOnly bool) error {
	v, err := s.db.Get(formatKey)
	switch {
	case err == nil:
		if len(v) != 1 || v[0] != formatVersion {
			return fmt.Errorf("raftstore: unknown format version %x (this code reads %d)", v, formatVersion)
		}
		return nil
	case !errors.Is(err, lsmkv.ErrNotFound):
		return err
	}
	empty, err := s.dbEmpty()
	if err != nil {
		return err
	}
	if !empty {
		return errNotRaftStore
	}
	if readOnly {
		return nil
	}
	var b lsmkv.Batch
	b.Put(formatKey, []byte{formatVersion})
	// Synced whatever NoSync says: a marker lost to power loss while the
	// log survived would make the next Open refuse the directory.
	return s.db.Write(&b, &lsmkv.WriteOptions{Sync: true})
}

func (s *Store) dbEmpty() (bool, error) {
	it, err := s.db.NewIterator(nil)
	if err != nil {
		return false, err
	}
	found := it.First()
	if err := it.Error(); err != nil {
		it.Close()
		return false, err
	}
	return !found, it.Close()
}

// Close closes the DB. Every method called afterwards returns an error
// wrapping lsmkv.ErrClosed.
func (s *Store) Close() error {
	s.closed.Store(true)
	return s.db.Close()
}

// errClosed is what the methods that answer from memory return after
// Close; the others get lsmkv's own error.
var errClosed = fmt.Errorf("raftstore: store closed: %w", lsmkv.ErrClosed)
