package iterator

import (
	"sort"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// KV is one (internal key, value) pair, as held by a Slice iterator.
type KV struct {
	Key   []byte // an internal key (see internal/keys)
	Value []byte
}

// Slice is an Iterator over an in-memory slice of pairs. It is the simplest
// possible Iterator and exists for tests: it stands in for a memtable or an
// SSTable when testing the iterators built on top of them.
//
// Invariants: kvs is sorted by keys.Compare on Key, without duplicates;
// -1 <= pos <= len(kvs), and the iterator is Valid iff 0 <= pos < len(kvs).
//
// Concurrency: not safe for concurrent use. The pairs are not copied, so the
// caller must not modify them while the iterator is in use.
type Slice struct {
	kvs    []KV
	pos    int
	closed bool
}

var _ Iterator = (*Slice)(nil)

// NewSlice returns an iterator over kvs, which must be sorted by keys.Compare
// on Key (REQUIRES). The iterator starts unpositioned.
func NewSlice(kvs []KV) *Slice { return &Slice{kvs: kvs, pos: -1} }

// SeekGE moves to the first pair whose key is >= ikey.
func (s *Slice) SeekGE(ikey []byte) bool {
	s.pos = sort.Search(len(s.kvs), func(i int) bool {
		return keys.Compare(s.kvs[i].Key, ikey) >= 0
	})
	return s.Valid()
}

// SeekLT moves to the last pair whose key is < ikey.
func (s *Slice) SeekLT(ikey []byte) bool {
	s.pos = sort.Search(len(s.kvs), func(i int) bool {
		return keys.Compare(s.kvs[i].Key, ikey) >= 0
	}) - 1
	return s.Valid()
}

// First moves to the first pair.
func (s *Slice) First() bool { s.pos = 0; return s.Valid() }

// Last moves to the last pair.
func (s *Slice) Last() bool { s.pos = len(s.kvs) - 1; return s.Valid() }

// Next moves to the next pair. On an invalid iterator it returns false and
// stays invalid, like every iterator in this package.
func (s *Slice) Next() bool {
	if !s.Valid() {
		return false
	}
	s.pos++
	return s.Valid()
}

// Prev moves to the previous pair; see Next for an invalid iterator.
func (s *Slice) Prev() bool {
	if !s.Valid() {
		return false
	}
	s.pos--
	return s.Valid()
}

// Valid reports whether the iterator is positioned at a pair.
func (s *Slice) Valid() bool { return s.pos >= 0 && s.pos < len(s.kvs) }

// Key returns the current internal key, or nil if the iterator is not Valid.
func (s *Slice) Key() []byte {
	if !s.Valid() {
		return nil
	}
	return s.kvs[s.pos].Key
}

// Value returns the current value, or nil if the iterator is not Valid.
func (s *Slice) Value() []byte {
	if !s.Valid() {
		return nil
	}
	return s.kvs[s.pos].Value
}

// Error always returns nil: a slice cannot fail.
func (s *Slice) Error() error { return nil }

// Close marks the iterator closed; it never fails.
func (s *Slice) Close() error {
	s.closed = true
	s.pos = -1
	return nil
}

// Closed reports whether Close was called, so tests can check that the
// iterators built on top of a Slice close their children.
func (s *Slice) Closed() bool { return s.closed }
