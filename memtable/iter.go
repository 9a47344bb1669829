package memtable

import (
	"math"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// Iter walks a memtable's entries in internal-key order. It implements
// iterator.Iterator (checked in iface_test.go, so that this package does not
// import internal/iterator and everything it depends on).
//
// Key and Value alias the arena, so they do not allocate and, unlike the
// general iterator.Iterator contract promises, stay valid and unchanged as
// long as the memtable is referenced. Callers must not modify them.
//
// Next follows the level-0 link, O(1). Prev has no back-pointer to follow
// (keeping back-pointers consistent for lock-free readers is subtle), so it
// searches from the head for the current key's predecessor, O(log n).
//
// Concurrency: an Iter is used by one goroutine, but any number of Iters
// may run concurrently with each other and with the memtable's writer. Each
// step sees the entries published before it; entries added behind the
// iterator's position are simply not visited.
type Iter struct {
	m    *Memtable
	node uint32 // current node, nilOffset when not positioned
}

// SeekGE moves to the first entry whose internal key is >= ikey. An ikey
// shorter than a trailer is treated as a bare user key, which sorts before
// every entry for that user key.
func (it *Iter) SeekGE(ikey []byte) bool {
	ukey, trailer := splitSeekKey(ikey)
	_, it.node = it.m.seek(ukey, trailer, nil)
	return it.Valid()
}

// SeekLT moves to the last entry whose internal key is < ikey. A short ikey
// is treated as in SeekGE.
func (it *Iter) SeekLT(ikey []byte) bool {
	ukey, trailer := splitSeekKey(ikey)
	it.setFromLT(it.m.seek(ukey, trailer, nil))
	return it.Valid()
}

// First moves to the smallest entry.
func (it *Iter) First() bool {
	it.node = it.m.next(it.m.head, 0)
	return it.Valid()
}

// Last moves to the largest entry.
func (it *Iter) Last() bool {
	it.node = it.m.last()
	return it.Valid()
}

// Next moves to the following entry. On an unpositioned iterator it
// returns false.
func (it *Iter) Next() bool {
	if it.node == nilOffset {
		return false
	}
	it.node = it.m.next(it.node, 0)
	return it.Valid()
}

// Prev moves to the preceding entry, searching from the head. On an
// unpositioned iterator it returns false.
func (it *Iter) Prev() bool {
	if it.node == nilOffset {
		return false
	}
	k := it.m.key(it.node)
	it.setFromLT(it.m.seek(keys.UserKey(k), keys.Trailer(k), nil))
	return it.Valid()
}

// Valid reports whether the iterator is positioned at an entry.
func (it *Iter) Valid() bool { return it.node != nilOffset }

// Key returns the current entry's internal key, or nil if not Valid.
func (it *Iter) Key() []byte {
	if it.node == nilOffset {
		return nil
	}
	return it.m.key(it.node)
}

// Value returns the current entry's value, or nil if not Valid.
func (it *Iter) Value() []byte {
	if it.node == nilOffset {
		return nil
	}
	return it.m.value(it.node)
}

// Error always returns nil: a memtable cannot fail to read.
func (it *Iter) Error() error { return nil }

// Close unpositions the iterator. It always returns nil.
func (it *Iter) Close() error {
	it.node = nilOffset
	return nil
}

// setFromLT positions the iterator at seek's lt result, mapping the head
// (nothing smaller) to "not positioned".
func (it *Iter) setFromLT(lt, _ uint32) {
	if lt == it.m.head {
		lt = nilOffset
	}
	it.node = lt
}

// splitSeekKey splits ikey into the user key and trailer that seek takes.
func splitSeekKey(ikey []byte) (ukey []byte, trailer uint64) {
	if !keys.Valid(ikey) {
		// Larger than any real trailer (kinds stop at keys.KindMax), so it
		// sorts before every version of ikey as a user key.
		return ikey, math.MaxUint64
	}
	return keys.UserKey(ikey), keys.Trailer(ikey)
}
