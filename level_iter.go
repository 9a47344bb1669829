package lsmkv

import (
	"sort"

	"github.com/lsmkv/lsmkv/internal/iterator"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/manifest"
)

// levelIter iterates over the tables of one level L1+: tables that are sorted by
// Smallest and do not overlap, so that their concatenation is in
// internal-key order. It opens a table only when it is positioned into it
// and closes it when it moves on, so a level with thousands of tables costs
// one open table at a time.
//
// Invariants: at most one table iterator is open (iter, for files[index]);
// iter is nil iff index is -1.
//
// Concurrency: not safe for concurrent use.
type levelIter struct {
	files []*manifest.FileMeta
	open  func(f *manifest.FileMeta) (iterator.Iterator, error)
	index int               // index in files of the open table, or -1
	iter  iterator.Iterator // the open table's iterator, or nil
	err   error             // first error from a table, open or Close; once set, stays
}

var _ iterator.Iterator = (*levelIter)(nil)

// newLevelIter returns an iterator over files, which must be sorted by Smallest
// and must not overlap (REQUIRES). open opens one table's iterator; levelIter
// closes every iterator it opens.
func newLevelIter(files []*manifest.FileMeta, open func(f *manifest.FileMeta) (iterator.Iterator, error)) *levelIter {
	l := &levelIter{}
	l.init(files, open)
	return l
}

// init is newLevelIter into storage the caller owns.
func (l *levelIter) init(files []*manifest.FileMeta, open func(f *manifest.FileMeta) (iterator.Iterator, error)) {
	*l = levelIter{files: files, open: open, index: -1}
}

// SeekGE moves to the first entry whose key is >= ikey. Only the first table
// whose Largest is >= ikey can hold it.
func (l *levelIter) SeekGE(ikey []byte) bool {
	i := sort.Search(len(l.files), func(i int) bool {
		return keys.Compare(l.files[i].Largest, ikey) >= 0
	})
	if !l.setFile(i) {
		return false
	}
	l.iter.SeekGE(ikey)
	return l.skipForward()
}

// SeekLT moves to the last entry whose key is < ikey. Only the last table
// whose Smallest is < ikey can hold it.
func (l *levelIter) SeekLT(ikey []byte) bool {
	i := sort.Search(len(l.files), func(i int) bool {
		return keys.Compare(l.files[i].Smallest, ikey) >= 0
	}) - 1
	if !l.setFile(i) {
		return false
	}
	l.iter.SeekLT(ikey)
	return l.skipBackward()
}

// First moves to the first entry of the first table.
func (l *levelIter) First() bool {
	if !l.setFile(0) {
		return false
	}
	l.iter.First()
	return l.skipForward()
}

// Last moves to the last entry of the last table.
func (l *levelIter) Last() bool {
	if !l.setFile(len(l.files) - 1) {
		return false
	}
	l.iter.Last()
	return l.skipBackward()
}

// Next moves to the next entry, into the next table if need be. On an
// invalid iterator it returns false.
func (l *levelIter) Next() bool {
	if !l.Valid() {
		return false
	}
	l.iter.Next()
	return l.skipForward()
}

// Prev moves to the previous entry, into the previous table if need be. On
// an invalid iterator it returns false.
func (l *levelIter) Prev() bool {
	if !l.Valid() {
		return false
	}
	l.iter.Prev()
	return l.skipBackward()
}

// skipForward moves past exhausted tables to the first entry of the next
// non-empty one. A table iterator that failed stops the walk, and its error
// becomes the level iterator's.
func (l *levelIter) skipForward() bool {
	for l.iter != nil && !l.iter.Valid() {
		if l.failed() || !l.setFile(l.index+1) {
			return false
		}
		l.iter.First()
	}
	return l.Valid()
}

// skipBackward is the mirror of skipForward.
func (l *levelIter) skipBackward() bool {
	for l.iter != nil && !l.iter.Valid() {
		if l.failed() || !l.setFile(l.index-1) {
			return false
		}
		l.iter.Last()
	}
	return l.Valid()
}

// failed records the open table's error, if any, and reports whether there
// was one.
func (l *levelIter) failed() bool {
	if err := l.iter.Error(); err != nil {
		if l.err == nil {
			l.err = err
		}
		return true
	}
	return false
}

// setFile makes files[i] the open table, reusing it if it is open already
// and closing the previous one otherwise. It reports whether a table is
// open; an index outside files closes the current table and leaves none.
func (l *levelIter) setFile(i int) bool {
	if l.err != nil {
		return false
	}
	if l.iter != nil && l.index == i {
		return true
	}
	l.closeCurrent()
	if l.err != nil || i < 0 || i >= len(l.files) {
		return false
	}
	it, err := l.open(l.files[i])
	if err != nil {
		l.err = err
		return false
	}
	l.index, l.iter = i, it
	return true
}

// closeCurrent closes the open table, if any, keeping the first error.
func (l *levelIter) closeCurrent() {
	if l.iter == nil {
		return
	}
	if err := l.iter.Close(); err != nil && l.err == nil {
		l.err = err
	}
	l.index, l.iter = -1, nil
}

// Valid reports whether the iterator is positioned at an entry.
func (l *levelIter) Valid() bool { return l.err == nil && l.iter != nil && l.iter.Valid() }

// Key returns the current internal key, or nil if not Valid.
func (l *levelIter) Key() []byte {
	if !l.Valid() {
		return nil
	}
	return l.iter.Key()
}

// Value returns the current value, or nil if not Valid.
func (l *levelIter) Value() []byte {
	if !l.Valid() {
		return nil
	}
	return l.iter.Value()
}

// Error returns the first error met: from a table iterator, from open or
// from closing a table.
func (l *levelIter) Error() error { return l.err }

// Close closes the open table, if any, and returns the first error met.
func (l *levelIter) Close() error {
	l.closeCurrent()
	return l.err
}
