package raftstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/lsmkv/lsmkv"
)

// ErrKeyNotFound is returned, unwrapped, by Get and GetUint64 for an
// absent key. Its text is exactly "not found" because raft recognises the
// error by its text (err.Error() == "not found"), as raft-boltdb's
// ErrKeyNotFound does.
var ErrKeyNotFound = errors.New("not found")

// stableBatches recycles the one-entry batches of Set and SetUint64.
var stableBatches = sync.Pool{New: func() any { return new(lsmkv.Batch) }}

// Set stores val under key, synced unless Options.NoSync.
func (s *Store) Set(key, val []byte) error {
	b := stableBatches.Get().(*lsmkv.Batch)
	b.Reset()
	b.Put(stableKey(key), val)
	err := s.db.Write(b, &s.wopts)
	if len(val) <= 64<<10 { // do not pin huge buffers in the pool
		stableBatches.Put(b)
	}
	if err != nil {
		return fmt.Errorf("raftstore: set %q: %w", key, err)
	}
	return nil
}

// Get returns the value of key, or ErrKeyNotFound.
func (s *Store) Get(key []byte) ([]byte, error) {
	v, err := s.db.Get(stableKey(key))
	if err != nil {
		if errors.Is(err, lsmkv.ErrNotFound) {
			return nil, ErrKeyNotFound
		}
		return nil, fmt.Errorf("raftstore: get %q: %w", key, err)
	}
	return v, nil
}

// SetUint64 stores val under key as 8 big-endian bytes, as raft-boltdb
// does.
func (s *Store) SetUint64(key []byte, val uint64) error {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], val)
	return s.Set(key, buf[:])
}

// GetUint64 returns the value SetUint64 stored under key, or
// ErrKeyNotFound. A value that is not 8 bytes long is corruption.
func (s *Store) GetUint64(key []byte) (uint64, error) {
	v, err := s.Get(key)
	if err != nil {
		return 0, err
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("raftstore: GetUint64 %q: value of %d bytes, not 8: %w", key, len(v), lsmkv.ErrCorruption)
	}
	return binary.BigEndian.Uint64(v), nil
}
