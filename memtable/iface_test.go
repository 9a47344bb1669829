package memtable_test

import (
	"github.com/lsmkv/lsmkv/internal/iterator"
	"github.com/lsmkv/lsmkv/memtable"
)

// *Iter must satisfy the iterator interface the DB merges over. The check
// lives in an external test package so that package memtable itself does not
// import internal/iterator (which depends on manifest and more).
var _ iterator.Iterator = (*memtable.Iter)(nil)
