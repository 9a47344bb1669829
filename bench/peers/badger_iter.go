package main

import (
	"bytes"
	"errors"

	"github.com/dgraph-io/badger/v4"
)

// badgerIter gives Badger's one-directional iterators bench.Iter's
// two-directional API. It keeps a forward and a reverse iterator over one
// read transaction, created on first use, and cur is whichever positioned
// last. Changing direction re-seeks the other iterator to the current key
// and steps past it, as LevelDB's merging iterator does.
//
// Values are fetched lazily (PrefetchValues off), as the other engines do.
type badgerIter struct {
	txn      *badger.Txn
	fwd, rev *badger.Iterator
	cur      *badger.Iterator
	val      []byte // Value's buffer, reused
	err      error
}

func (it *badgerIter) forward() *badger.Iterator {
	if it.fwd == nil {
		it.fwd = it.txn.NewIterator(badger.IteratorOptions{})
	}
	it.cur = it.fwd
	return it.fwd
}

func (it *badgerIter) reverse() *badger.Iterator {
	if it.rev == nil {
		it.rev = it.txn.NewIterator(badger.IteratorOptions{Reverse: true})
	}
	it.cur = it.rev
	return it.rev
}

func (it *badgerIter) First() bool {
	it.forward().Rewind()
	return it.Valid()
}

func (it *badgerIter) Last() bool {
	it.reverse().Rewind()
	return it.Valid()
}

// SeekGE positions at the first key >= k: Badger's forward Seek.
func (it *badgerIter) SeekGE(k []byte) bool {
	it.forward().Seek(k)
	return it.Valid()
}

func (it *badgerIter) Next() bool {
	if !it.Valid() {
		return false
	}
	if it.cur == it.rev {
		it.turn(it.forward())
	} else {
		it.fwd.Next()
	}
	return it.Valid()
}

func (it *badgerIter) Prev() bool {
	if !it.Valid() {
		return false
	}
	if it.cur == it.fwd {
		it.turn(it.reverse())
	} else {
		it.rev.Next() // a reverse iterator's Next moves to smaller keys
	}
	return it.Valid()
}

// turn moves to to the entry after the current key in to's direction:
// Seek lands on the current key itself (it exists in the same snapshot),
// and one step passes it.
func (it *badgerIter) turn(to *badger.Iterator) {
	from := it.fwd
	if to == it.fwd {
		from = it.rev
	}
	k := from.Item().KeyCopy(nil)
	to.Seek(k)
	if to.Valid() && bytes.Equal(to.Item().Key(), k) {
		to.Next()
	}
}

func (it *badgerIter) Valid() bool { return it.cur != nil && it.cur.Valid() }

func (it *badgerIter) Key() []byte { return it.cur.Item().Key() }

func (it *badgerIter) Value() []byte {
	v, err := it.cur.Item().ValueCopy(it.val[:0])
	if err != nil {
		it.err = errors.Join(it.err, err)
		return nil
	}
	it.val = v
	return v
}

func (it *badgerIter) Error() error { return it.err }

func (it *badgerIter) Close() error {
	for _, i := range []*badger.Iterator{it.fwd, it.rev} {
		if i != nil {
			i.Close()
		}
	}
	it.txn.Discard()
	return it.err
}
