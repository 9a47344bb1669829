package iterator

import "github.com/lsmkv/lsmkv/internal/keys"

// direction records which way an iterator last moved; the merging and
// visible iterators keep different invariants for each.
type direction int8

const (
	forward direction = iota
	backward
)

// Merging merges several child iterators, each in internal-key order, into
// one stream in internal-key order. The DB reads through one Merging over
// its memtables and tables.
//
// Positioned children sit in a binary heap ordered by their current key: a
// min-heap when moving forward, a max-heap when moving backward. The heap's
// root is the current entry; stepping moves only that child and restores the
// heap in O(log n) comparisons, with no allocation.
//
// Invariants (forward): every child not in the heap is exhausted; every
// child in the heap other than the root is at its first entry after the
// current one. Backward is the mirror image. Entries are ordered by
// (internal key, child index), so equal keys in several children, which the
// DB never produces, still come out in a fixed order: lower index first.
//
// Concurrency: not safe for concurrent use.
type Merging struct {
	iters []Iterator
	heap  []int // indices into iters of the positioned children
	dir   direction
	err   error // first child error; once set the iterator stays invalid
}

var _ Iterator = (*Merging)(nil)

// NewMerging returns an iterator over the union of iters. It owns them:
// Close closes them all.
func NewMerging(iters ...Iterator) *Merging {
	m := &Merging{}
	m.Init(iters, make([]int, 0, len(iters)))
	return m
}

// Init is NewMerging into storage the caller owns, with heap (empty, with
// room for len(iters)) as the heap's storage, so that an engine can
// allocate a merging iterator together with its other parts.
func (m *Merging) Init(iters []Iterator, heap []int) {
	*m = Merging{iters: iters, heap: heap[:0]}
}

// SeekGE moves to the first entry whose key is >= ikey.
func (m *Merging) SeekGE(ikey []byte) bool {
	for _, it := range m.iters {
		it.SeekGE(ikey)
	}
	return m.build(forward)
}

// SeekLT moves to the last entry whose key is < ikey.
func (m *Merging) SeekLT(ikey []byte) bool {
	for _, it := range m.iters {
		it.SeekLT(ikey)
	}
	return m.build(backward)
}

// First moves to the first entry.
func (m *Merging) First() bool {
	for _, it := range m.iters {
		it.First()
	}
	return m.build(forward)
}

// Last moves to the last entry.
func (m *Merging) Last() bool {
	for _, it := range m.iters {
		it.Last()
	}
	return m.build(backward)
}

// Next moves to the next entry. On an invalid iterator it returns false.
func (m *Merging) Next() bool {
	if !m.Valid() {
		return false
	}
	if m.dir == backward {
		m.switchToForward()
	}
	return m.step(m.iters[m.heap[0]].Next())
}

// Prev moves to the previous entry. On an invalid iterator it returns false.
func (m *Merging) Prev() bool {
	if !m.Valid() {
		return false
	}
	if m.dir == forward {
		m.switchToBackward()
	}
	return m.step(m.iters[m.heap[0]].Prev())
}

// Current returns the index (in NewMerging's arguments) of the child that
// holds the current entry, or -1 if not Valid.
func (m *Merging) Current() int {
	if !m.Valid() {
		return -1
	}
	return m.heap[0]
}

// SkipForward moves every child with index > after that is positioned
// before ikey to its first entry >= ikey, and restores the merged order.
// The DB iterator calls it to step over a range tombstone's span in one
// move: in the sources older than the tombstone's, everything under the
// span is deleted. REQUIRES: the last move was forward.
func (m *Merging) SkipForward(after int, ikey []byte) bool {
	for i := after + 1; i < len(m.iters); i++ {
		if it := m.iters[i]; it.Valid() && keys.Compare(it.Key(), ikey) < 0 {
			it.SeekGE(ikey)
		}
	}
	return m.build(forward)
}

// SkipBackward is the mirror of SkipForward: every child with index >
// after positioned at or after ikey moves to its last entry < ikey.
// REQUIRES: the last move was backward.
func (m *Merging) SkipBackward(after int, ikey []byte) bool {
	for i := after + 1; i < len(m.iters); i++ {
		if it := m.iters[i]; it.Valid() && keys.Compare(it.Key(), ikey) >= 0 {
			it.SeekLT(ikey)
		}
	}
	return m.build(backward)
}

// step restores the heap after the root child moved; ok is what its move
// returned.
func (m *Merging) step(ok bool) bool {
	if ok {
		m.down(0)
		return true
	}
	if err := m.iters[m.heap[0]].Error(); err != nil {
		m.err = err
		return false
	}
	// The root child is exhausted: replace it by the last leaf.
	last := len(m.heap) - 1
	m.heap[0] = m.heap[last]
	m.heap = m.heap[:last]
	if last > 0 {
		m.down(0)
	}
	return m.Valid()
}

// switchToForward turns a backward iterator around. Every child other than
// the current one is behind the current entry; re-seek each to the first
// entry after it in (key, index) order. The current child then steps
// forward as usual in Next.
func (m *Merging) switchToForward() {
	cur := m.heap[0]
	key := m.iters[cur].Key() // stays valid: only other children move
	for i, it := range m.iters {
		if i == cur {
			continue
		}
		if it.SeekGE(key) && i < cur && keys.Compare(it.Key(), key) == 0 {
			it.Next()
		}
	}
	// The current child is now the smallest, so it is the new root.
	m.build(forward)
}

// switchToBackward is the mirror of switchToForward: each other child goes
// to the last entry before the current one in (key, index) order.
func (m *Merging) switchToBackward() {
	cur := m.heap[0]
	key := m.iters[cur].Key()
	for i, it := range m.iters {
		switch {
		case i == cur:
		case i > cur:
			it.SeekLT(key)
		case !it.SeekGE(key):
			// No entry >= key: the child's last entry is the one wanted.
			if it.Error() == nil {
				it.Last()
			}
		case keys.Compare(it.Key(), key) != 0:
			it.Prev()
		}
		// Otherwise child i < cur holds an equal key, which comes first.
	}
	m.build(backward)
}

// build collects the positioned children into a heap for direction dir
// and records the first child error.
func (m *Merging) build(dir direction) bool {
	m.dir = dir
	m.heap = m.heap[:0]
	for i, it := range m.iters {
		if it.Valid() {
			m.heap = append(m.heap, i)
		} else if err := it.Error(); err != nil && m.err == nil {
			m.err = err
		}
	}
	for i := len(m.heap)/2 - 1; i >= 0; i-- {
		m.down(i)
	}
	return m.Valid()
}

// less orders heap slots a and b: by key, then by child index, both
// reversed when moving backward.
func (m *Merging) less(a, b int) bool {
	ia, ib := m.heap[a], m.heap[b]
	c := keys.Compare(m.iters[ia].Key(), m.iters[ib].Key())
	if c == 0 {
		c = ia - ib
	}
	if m.dir == backward {
		return c > 0
	}
	return c < 0
}

// down moves the entry at slot i down the heap until neither child slot
// sorts before it.
func (m *Merging) down(i int) {
	n := len(m.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		j := l
		if r := l + 1; r < n && m.less(r, l) {
			j = r
		}
		if !m.less(j, i) {
			return
		}
		m.heap[i], m.heap[j] = m.heap[j], m.heap[i]
		i = j
	}
}

// Valid reports whether the iterator is positioned at an entry.
func (m *Merging) Valid() bool { return m.err == nil && len(m.heap) > 0 }

// Key returns the current internal key, or nil if not Valid.
func (m *Merging) Key() []byte {
	if !m.Valid() {
		return nil
	}
	return m.iters[m.heap[0]].Key()
}

// Value returns the current value, or nil if not Valid.
func (m *Merging) Value() []byte {
	if !m.Valid() {
		return nil
	}
	return m.iters[m.heap[0]].Value()
}

// Error returns the first error met by any child.
func (m *Merging) Error() error { return m.err }

// Close closes every child and returns the first error, preferring an
// earlier iteration error to a Close error.
func (m *Merging) Close() error {
	err := m.err
	for _, it := range m.iters {
		if cerr := it.Close(); err == nil {
			err = cerr
		}
	}
	m.heap = m.heap[:0]
	return err
}
