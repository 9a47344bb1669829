package lsmkv

import (
	"bytes"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/lsmkv/lsmkv/internal/iterator"
	"github.com/lsmkv/lsmkv/manifest"
)

// Iterator walks the DB's keys in order, in either direction, over a
// consistent state: the one when it was created, or its snapshot's. Every
// positioning method returns Valid(). Key and Value are valid until the next
// move. An Iterator is not safe for concurrent use; Close it when done,
// since it pins the tables it reads.
//
// Once the iterator or its DB is closed, every positioning method returns
// false, Valid is false, Key and Value return nil and Error wraps
// ErrClosed.
type Iterator struct {
	db      *DB
	vis     *dbIter
	version *manifest.Version
	// state is iterOpen until Close (iterClosed) or DB.Close (iterReleased).
	// Written under db.mu; read without it by every call, so a closed
	// iterator never touches vis again.
	state atomic.Int32
	// visClosed: vis was closed. Only the iterator's own goroutine (in
	// Close, or in the first call after DB.Close) closes vis: DB.Close may
	// run while that goroutine is inside a call, so it must not.
	visClosed bool
	// l0 is the number of L0 tables in the iterator's version: each
	// positioning call positions all of them, which readcompaction.go
	// charges for.
	l0 int
}

// Iterator states.
const (
	iterOpen     int32 = iota
	iterClosed         // by Iterator.Close
	iterReleased       // by DB.Close, before the iterator's own Close
)

// NewIterator returns an iterator over [opts.LowerBound, opts.UpperBound)
// as of opts.Snapshot (nil: now). A nil opts means the whole key space.
func (db *DB) NewIterator(opts *IterOptions) (*Iterator, error) {
	var o IterOptions
	if opts != nil {
		o = *opts
	}
	seq := readLatest
	if o.Snapshot != nil {
		if o.Snapshot.db != db {
			return nil, invalidf("IterOptions.Snapshot belongs to another DB")
		}
		if err := o.Snapshot.check(); err != nil {
			return nil, err
		}
		seq = o.Snapshot.seq
	}
	if o.LowerBound != nil && o.UpperBound != nil && bytes.Compare(o.LowerBound, o.UpperBound) > 0 {
		return nil, invalidf("IterOptions.LowerBound %q is above UpperBound %q", o.LowerBound, o.UpperBound)
	}
	rs, err := db.acquireReadState(seq)
	if err != nil {
		return nil, err
	}
	a := db.newIterAlloc(&rs)
	vo := dbIterOptions{Seq: rs.seq, LowerBound: o.LowerBound, UpperBound: o.UpperBound}
	if a.rd.any {
		vo.RangeDels, vo.Merging = &a.rd, &a.merging
	}
	a.vis = dbIter{in: &a.merging, opts: vo, seekKey: a.keyBufs[0][:0], savedKey: a.keyBufs[1][:0]}
	it := &a.it
	*it = Iterator{db: db, version: rs.version, vis: &a.vis, l0: len(rs.version.Levels[0])}
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.state != stateOpen {
		it.vis.Close()
		rs.release()
		return nil, ErrClosed
	}
	db.iterators[it] = struct{}{}
	return it, nil
}

// iterAlloc holds what NewIterator builds, allocated together: the
// Iterator, its visibility and merging iterators, the children and their
// range-deletion sources, and the level iterators (one per L0 table and
// per non-empty deeper level). A seek through a fresh iterator used to
// make some thirty allocations; this makes four.
type iterAlloc struct {
	it       Iterator
	vis      dbIter
	merging  iterator.Merging
	rd       rangeDels
	children []iterator.Iterator
	heap     []int
	levels   []levelIter
	// Initial storage for vis's key buffers, so that short keys cost no
	// allocation.
	keyBufs [2][64]byte
}

// newIterAlloc builds the internal iterators over rs: one per memtable,
// newest first, then one per L0 table, newest first, then one per
// non-empty level L1..L6.
func (db *DB) newIterAlloc(rs *readState) *iterAlloc {
	nTables := len(rs.version.Levels[0])
	for level := 1; level < manifest.NumLevels; level++ {
		if len(rs.version.Levels[level]) > 0 {
			nTables++
		}
	}
	n := 1 + len(rs.imm) + nTables
	a := &iterAlloc{
		children: make([]iterator.Iterator, 0, n),
		heap:     make([]int, 0, n),
		levels:   make([]levelIter, nTables),
	}
	a.rd = rangeDels{seq: rs.seq, sources: make([]rangeDelSource, 0, n)}
	add := func(it iterator.Iterator, src rangeDelSource) {
		a.children = append(a.children, it)
		a.rd.sources = append(a.rd.sources, src)
		a.rd.any = a.rd.any || src != nil
	}
	addMem := func(m *memEntry) {
		var src rangeDelSource
		if m.mt.HasRangeDels() {
			src = &listSource{l: m.mt.RangeDels()}
		}
		add(m.mt.NewIter(), src)
	}
	addMem(rs.mem)
	for i := len(rs.imm) - 1; i >= 0; i-- {
		addMem(rs.imm[i])
	}
	addLevel := func(files []*manifest.FileMeta) {
		l := &a.levels[len(a.children)-1-len(rs.imm)]
		l.init(files, db.tables.openIter)
		add(l, newTableSource(files, db.tables))
	}
	l0 := rs.version.Levels[0]
	for i := range l0 {
		// A one-table level iterator opens the table on first use and
		// reports an open error through Error.
		addLevel(l0[i : i+1 : i+1])
	}
	for level := 1; level < manifest.NumLevels; level++ {
		if files := rs.version.Levels[level]; len(files) > 0 {
			addLevel(files)
		}
	}
	a.merging.Init(a.children, a.heap)
	return a
}

// First moves to the first key.
func (it *Iterator) First() bool { return it.position() && it.vis.First() }

// Last moves to the last key.
func (it *Iterator) Last() bool { return it.position() && it.vis.Last() }

// SeekGE moves to the first key >= key.
func (it *Iterator) SeekGE(key []byte) bool { return it.position() && it.vis.SeekGE(key) }

// SeekLT moves to the last key < key.
func (it *Iterator) SeekLT(key []byte) bool { return it.position() && it.vis.SeekLT(key) }

// position is open for the calls that position every child iterator
// afresh: they are charged for the L0 tables they will position.
func (it *Iterator) position() bool {
	if !it.open() {
		return false
	}
	it.db.chargeL0Reads(it.l0)
	return true
}

// Next moves to the next key.
func (it *Iterator) Next() bool { return it.open() && it.vis.Next() }

// Prev moves to the previous key.
func (it *Iterator) Prev() bool { return it.open() && it.vis.Prev() }

// Valid reports whether the iterator is at a key.
func (it *Iterator) Valid() bool { return it.open() && it.vis.Valid() }

// Key returns the current key, valid until the next move. Its capacity is
// its length: appending to it copies it rather than writing into the
// engine's memory.
func (it *Iterator) Key() []byte {
	if !it.open() {
		return nil
	}
	k := it.vis.Key()
	return k[:len(k):len(k)]
}

// Value returns the current value, valid until the next move. Its
// capacity is its length, as for Key.
func (it *Iterator) Value() []byte {
	if !it.open() {
		return nil
	}
	v := it.vis.Value()
	return v[:len(v):len(v)]
}

// Error returns the first error met (for example a corrupt block), or an
// error wrapping ErrClosed once the iterator or its DB is closed.
func (it *Iterator) Error() error {
	switch it.state.Load() {
	case iterClosed:
		return errIterClosed
	case iterReleased:
		it.closeVis()
		return errIterReleased
	}
	return it.vis.Error()
}

var (
	errIterClosed   = fmt.Errorf("lsmkv: iterator used after its Close: %w", ErrClosed)
	errIterReleased = fmt.Errorf("lsmkv: iterator used after DB.Close released it: %w", ErrClosed)
)

// open reports whether the iterator may be used. The first call after
// DB.Close released the iterator closes its internal iterators here, on the
// iterator's own goroutine.
func (it *Iterator) open() bool {
	switch it.state.Load() {
	case iterOpen:
		return true
	case iterReleased:
		it.closeVis()
	}
	return false
}

// closeVis closes the internal iterators once. Iterator's goroutine only.
func (it *Iterator) closeVis() error {
	if it.visClosed {
		return nil
	}
	it.visClosed = true
	return errors.Join(it.vis.Close(), it.vis.Error())
}

// Close releases the iterator's tables. Closing twice, or after DB.Close
// released the iterator, returns ErrClosed.
func (it *Iterator) Close() error {
	it.db.mu.Lock()
	defer it.db.mu.Unlock()
	if it.state.Load() != iterOpen {
		it.closeVis()
		return ErrClosed
	}
	err := it.closeVis()
	it.state.Store(iterClosed)
	it.unregister()
	if !it.db.isCurrent(it.version) {
		it.db.deleteObsoleteFiles() // the old version may have been the last to need some tables
	}
	return err
}

// releaseByClose marks an iterator DB.Close found open. It leaves vis to
// the iterator's goroutine (see visClosed). REQUIRES: db.mu held.
func (it *Iterator) releaseByClose() {
	if it.state.Load() != iterOpen {
		return
	}
	it.state.Store(iterReleased)
	it.unregister()
}

// unregister drops the iterator from the DB and its version reference.
// REQUIRES: db.mu held.
func (it *Iterator) unregister() {
	delete(it.db.iterators, it)
	it.version.Unref()
}
