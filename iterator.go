package lsmkv

import (
	"errors"

	"github.com/lsmkv/lsmkv/internal/iterator"
	"github.com/lsmkv/lsmkv/manifest"
)

// Iterator walks the DB's keys in order, in either direction, over a
// consistent state: the one when it was created, or its snapshot's. Every
// positioning method returns Valid(). Key and Value are valid until the next
// move. An Iterator is not safe for concurrent use; Close it when done,
// since it pins the tables it reads.
type Iterator struct {
	db      *DB
	vis     *iterator.Visible
	version *manifest.Version
	closed  bool // guarded by db.mu
	// closeVis: releaseLocked must still close vis (Close by DB.Close).
	closeVis bool
}

// NewIterator returns an iterator over [opts.LowerBound, opts.UpperBound)
// as of opts.Snapshot (nil: now). A nil opts means the whole key space.
func (db *DB) NewIterator(opts *IterOptions) (*Iterator, error) {
	var o IterOptions
	if opts != nil {
		o = *opts
	}
	seq := readLatest
	if o.Snapshot != nil {
		if err := o.Snapshot.check(); err != nil {
			return nil, err
		}
		seq = o.Snapshot.seq
	}
	rs, err := db.acquireReadState(seq)
	if err != nil {
		return nil, err
	}
	children := db.readStateIters(&rs)
	it := &Iterator{
		db:       db,
		closeVis: true,
		version:  rs.version,
		vis: iterator.NewVisible(iterator.NewMerging(children...), iterator.VisibleOptions{
			Seq: rs.seq, LowerBound: o.LowerBound, UpperBound: o.UpperBound,
		}),
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		it.vis.Close()
		rs.release()
		return nil, ErrClosed
	}
	db.iterators[it] = struct{}{}
	return it, nil
}

// readStateIters returns one internal iterator per memtable and L0 table
// and one per deeper level, newest first. Tables open lazily.
func (db *DB) readStateIters(rs *readState) []iterator.Iterator {
	iters := []iterator.Iterator{rs.mem.mt.NewIter()}
	for i := len(rs.imm) - 1; i >= 0; i-- {
		iters = append(iters, rs.imm[i].mt.NewIter())
	}
	for _, f := range rs.version.Levels[0] {
		// A one-table level iterator opens the table on first use and
		// reports an open error through Error.
		iters = append(iters, iterator.NewLevel([]*manifest.FileMeta{f}, db.tables.newIter))
	}
	for level := 1; level < manifest.NumLevels; level++ {
		if files := rs.version.Levels[level]; len(files) > 0 {
			iters = append(iters, iterator.NewLevel(files, db.tables.newIter))
		}
	}
	return iters
}

// First moves to the first key.
func (it *Iterator) First() bool { return it.vis.First() }

// Last moves to the last key.
func (it *Iterator) Last() bool { return it.vis.Last() }

// SeekGE moves to the first key >= key.
func (it *Iterator) SeekGE(key []byte) bool { return it.vis.SeekGE(key) }

// SeekLT moves to the last key < key.
func (it *Iterator) SeekLT(key []byte) bool { return it.vis.SeekLT(key) }

// Next moves to the next key.
func (it *Iterator) Next() bool { return it.vis.Next() }

// Prev moves to the previous key.
func (it *Iterator) Prev() bool { return it.vis.Prev() }

// Valid reports whether the iterator is at a key.
func (it *Iterator) Valid() bool { return it.vis.Valid() }

// Key returns the current key, valid until the next move.
func (it *Iterator) Key() []byte { return it.vis.Key() }

// Value returns the current value, valid until the next move.
func (it *Iterator) Value() []byte { return it.vis.Value() }

// Error returns the first error met (for example a corrupt block).
func (it *Iterator) Error() error { return it.vis.Error() }

// Close releases the iterator's tables. Closing twice returns ErrClosed.
func (it *Iterator) Close() error {
	it.db.mu.Lock()
	defer it.db.mu.Unlock()
	if it.closed {
		return ErrClosed
	}
	err := it.vis.Close()
	it.closeVis = false
	it.releaseLocked()
	if !it.db.isCurrent(it.version) {
		it.db.deleteObsoleteFiles() // the old version may have been the last to need some tables
	}
	return errors.Join(err, it.vis.Error())
}

// releaseLocked drops the iterator's version. REQUIRES: db.mu held.
func (it *Iterator) releaseLocked() {
	if it.closed {
		return
	}
	it.closed = true
	if it.closeVis {
		it.vis.Close()
	}
	delete(it.db.iterators, it)
	it.version.Unref()
}
