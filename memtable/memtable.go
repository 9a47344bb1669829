package memtable

import (
	"bytes"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/internal/rangedel"
)

// ErrFull is returned by Add when the entry does not fit in the arena. The
// memtable is unchanged; the DB then rotates to a new memtable.
var ErrFull = errors.New("lsmkv/memtable: arena full")

// Memtable is a sorted, in-memory set of (internal key, value) entries: a
// skiplist stored in one arena. skiplist.go draws the node layout.
//
// Concurrency: Add must be called by one goroutine at a time. Get, NewIter,
// the iterators, Size, Capacity, Len and Empty may run in any number of
// goroutines concurrently with each other and with that writer.
//
// Invariants:
//   - at every level, the nodes linked from the head are in strictly
//     increasing keys.Compare order;
//   - a node is fully written before it is linked at level 0, and it is
//     linked at level i before level i+1;
//   - nothing in the arena is modified after it is published, except links.
type Memtable struct {
	arena *arena
	head  uint32 // offset of the head node: no key, tower of maxHeight links
	// rdHead heads the second skiplist, of range tombstones: start#seq keys
	// whose values are the end keys. Kept apart from the points so point
	// reads and iterators never step over them (Pebble does the same).
	rdHead uint32
	// height is the number of levels in use, 1..maxHeight. Only the writer
	// raises it; readers load it to know where to start a search.
	height atomic.Uint32
	count  atomic.Int64 // entries added, points and range tombstones
	rng    uint64       // tower-height generator state; writer only
	// hint is where the last point entry went in: at every level, the node
	// before it (or it) and the node after. An entry that sorts right
	// after the last one (keys written in order: a sequential fill, a
	// sorted batch) is inserted there without a search. Writer only;
	// hintOK is false until the first point Add.
	hint   splice
	hintOK bool

	rdCount atomic.Int64 // range tombstones added
	// rdCache is the fragmented view of the range tombstones, built by the
	// first reader that needs it and valid while rdCount still equals its
	// count: an Add of a range tombstone invalidates it by moving rdCount.
	rdCache atomic.Pointer[rdView]
}

// rdView is a fragmented view of the first count range tombstones (perhaps
// a few more, added while it was built: harmless, since every fragment
// carries sequence numbers that reads filter).
type rdView struct {
	count int64
	list  rangedel.List
}

// rngSeed seeds the tower-height generator. It is fixed so that the same
// sequence of Adds always builds the same skiplist, which makes randomized
// test failures replayable from their seed alone.
const rngSeed = 0x2545f4914f6cdd1d

// arenaOverhead is the fixed arena space every memtable spends before its
// first entry: the reserved nilOffset word and the head node. New adds it
// to the requested capacity, and Size and Capacity leave it out, so that
// New(EntrySize(k, v)) always has room for one such entry.
// It is kept a multiple of 8, so that Capacity is exactly the rounded
// request.
const arenaOverhead = (arenaAlign + 2*(nodeTowerOffset+maxHeight*linkSize) + 7) &^ 7

// MaxCapacity is the largest capacity New honours (larger requests are cut
// to it): node links are uint32 offsets into one arena. A writer must not
// expect a single memtable to take more entries than this, by EntrySize.
const MaxCapacity = (maxCapacity - arenaOverhead) &^ 7

// New returns an empty memtable with room for capacity bytes of entries, as
// measured by EntrySize. capacity is rounded up to a multiple of 8 and
// clamped so that the whole arena stays under 4 GiB (links are uint32
// offsets); Capacity reports the result. The arena is the only allocation:
// Add allocates nothing.
func New(capacity int64) *Memtable {
	m := &Memtable{arena: newArena(arenaSize(capacity)), rng: rngSeed}
	head, ok := m.allocNode(maxHeight, 0, 0)
	rdHead, rdOK := m.allocNode(maxHeight, 0, 0)
	_, padOK := m.arena.alloc(arenaOverhead - m.arena.size()) // to the multiple of 8
	if !ok || !rdOK || !padOK || m.arena.size() != arenaOverhead {
		panic("lsmkv/memtable: head nodes do not fit their reserved space") // unreachable
	}
	m.head, m.rdHead = head, rdHead
	m.height.Store(1)
	return m
}

// arenaSize returns the arena size New allocates for a requested capacity.
func arenaSize(capacity int64) int64 {
	c := min(max(capacity, 0), maxCapacity-arenaOverhead) + arenaOverhead
	return (c + 7) &^ 7 // maxCapacity is a multiple of 8, so this cannot exceed it
}

// EntrySize returns an upper bound on the arena bytes one Add with a user key
// of keyLen bytes and a value of valueLen bytes uses: a node with the tallest
// possible tower, the internal key and the value, rounded up for alignment.
// If Size()+EntrySize(k, v) <= Capacity(), such an Add cannot return ErrFull.
func EntrySize(keyLen, valueLen int) int64 {
	return nodeSize(maxHeight, int64(keyLen)+keys.TrailerLen, int64(valueLen))
}

// hintFits reports whether the entry ukey#trailer goes right after the
// last point entry added, between hint.prev[0] and hint.next[0]. That is
// enough for every level: at each level the hint's pair is adjacent, and
// brackets the level-0 pair, since a node at level i is at level 0 too.
func (m *Memtable) hintFits(ukey []byte, trailer uint64) bool {
	if !m.hintOK {
		return false
	}
	prev, next := m.hint.prev[0], m.hint.next[0]
	return compare(m.key(prev), ukey, trailer) < 0 &&
		(next == nilOffset || compare(m.key(next), ukey, trailer) > 0)
}

// Add inserts the entry (ukey#seq,kind) -> value, copying key and value into
// the arena. It returns ErrFull, adding nothing, if the entry does not fit,
// and an error if seq exceeds keys.MaxSeqNum or kind is not a known kind.
// A range tombstone (KindRangeDelete) goes to the second skiplist, with
// ukey its start and value its end.
//
// REQUIRES: no other Add runs concurrently (the DB serialises writes); no
// entry with the same ukey and seq was added before.
func (m *Memtable) Add(seq keys.SeqNum, kind keys.Kind, ukey, value []byte) error {
	if seq > keys.MaxSeqNum {
		return fmt.Errorf("lsmkv/memtable: sequence number %d exceeds the maximum %d", seq, keys.MaxSeqNum)
	}
	head := m.head
	switch kind {
	case keys.KindSet, keys.KindDelete:
	case keys.KindRangeDelete:
		head = m.rdHead
	default:
		return fmt.Errorf("lsmkv/memtable: invalid kind %v", kind)
	}
	trailer := keys.MakeTrailer(seq, kind)

	// Find, at every level, the nodes the new one goes between. Levels
	// above the current height start empty: head -> nil.
	var sp splice
	if head == m.head && m.hintFits(ukey, trailer) {
		sp = m.hint
	} else {
		for i := range sp.prev {
			sp.prev[i] = head
		}
		m.seekIn(head, ukey, trailer, &sp)
	}

	height := m.randomHeight()
	n, ok := m.newNode(height, ukey, trailer, value)
	if !ok {
		return ErrFull
	}
	// The node is not reachable yet, so the order of these stores does not
	// matter to readers.
	for i := 0; i < height; i++ {
		m.setNext(n, i, sp.next[i])
	}
	// Publish bottom-up: a reader that finds n at level i can always
	// continue down to level 0 from it.
	for i := 0; i < height; i++ {
		m.setNext(sp.prev[i], i, n)
	}
	if uint32(height) > m.height.Load() {
		m.height.Store(uint32(height))
	}
	if kind == keys.KindRangeDelete {
		m.rdCount.Add(1)
	} else {
		// The new node is now the one before the next entry's place at
		// the levels it reaches; above them nothing changed.
		m.hint, m.hintOK = sp, true
		for i := 0; i < height; i++ {
			m.hint.prev[i] = n
		}
	}
	m.count.Add(1)
	return nil
}

// RangeDels returns the memtable's range tombstones, fragmented. The list
// is cached until the next range tombstone is added, so readers share one
// build; it is immutable and aliases the arena.
func (m *Memtable) RangeDels() rangedel.List {
	n := m.rdCount.Load() // before the walk: a stale count only costs a rebuild
	if n == 0 {
		return nil
	}
	if c := m.rdCache.Load(); c != nil && c.count == n {
		return c.list
	}
	var ts []rangedel.Tombstone
	for x := m.next(m.rdHead, 0); x != nilOffset; x = m.next(x, 0) {
		k := m.key(x)
		ts = append(ts, rangedel.Tombstone{Start: keys.UserKey(k), End: m.value(x), Seq: keys.Seq(k)})
	}
	l := rangedel.Build(ts)
	m.rdCache.Store(&rdView{count: n, list: l})
	return l
}

// HasRangeDels reports whether any range tombstone was added.
func (m *Memtable) HasRangeDels() bool { return m.rdCount.Load() > 0 }

// Get returns the value and kind of the newest entry for ukey whose sequence
// number is <= seq; ok is false if there is none. A KindDelete entry is
// returned like any other (kind tells the caller it is a tombstone). value
// aliases the arena: it never changes but must not be modified.
func (m *Memtable) Get(ukey []byte, seq keys.SeqNum) (value []byte, kind keys.Kind, ok bool) {
	value, _, kind, ok = m.Lookup(ukey, seq)
	return value, kind, ok
}

// Lookup is Get that also returns the entry's sequence number, which a
// reader compares with the range tombstones covering ukey.
func (m *Memtable) Lookup(ukey []byte, seq keys.SeqNum) (value []byte, entrySeq keys.SeqNum, kind keys.Kind, ok bool) {
	seq = min(seq, keys.MaxSeqNum)
	_, n := m.seek(ukey, keys.MakeTrailer(seq, keys.KindMax), nil)
	if n == nilOffset {
		return nil, 0, 0, false
	}
	k := m.key(n)
	if !bytes.Equal(keys.UserKey(k), ukey) {
		return nil, 0, 0, false
	}
	return m.value(n), keys.Seq(k), keys.KindOf(k), true
}

// NewIter returns an unpositioned iterator over the memtable. It sees every
// entry published before each of its positioning calls.
func (m *Memtable) NewIter() *Iter { return &Iter{m: m} }

// Size returns the arena bytes used by entries; it is 0 for an empty
// memtable (the fixed head-node overhead is not counted). The DB compares it
// with its memtable size limit.
func (m *Memtable) Size() int64 { return m.arena.size() - arenaOverhead }

// Capacity returns the arena bytes available for entries: Size() never
// exceeds it.
func (m *Memtable) Capacity() int64 { return m.arena.capacity() - arenaOverhead }

// Len returns the number of entries added.
func (m *Memtable) Len() int { return int(m.count.Load()) }

// Empty reports whether no entry has been added.
func (m *Memtable) Empty() bool { return m.Len() == 0 }

// randomHeight returns a tower height in 1..maxHeight, where each extra
// level has probability 1/4, as in LevelDB. REQUIRES: writer only.
func (m *Memtable) randomHeight() int {
	r := m.nextRandom()
	h := 1
	for h < maxHeight && r&3 == 0 {
		h++
		r >>= 2
	}
	return h
}

// nextRandom is splitmix64: tiny, allocation-free and good enough to pick
// tower heights.
func (m *Memtable) nextRandom() uint64 {
	m.rng += 0x9e3779b97f4a7c15
	z := m.rng
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
