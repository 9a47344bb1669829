package sstable

import (
	"github.com/lsmkv/lsmkv/internal/iterator"
)

// Iter walks a table's entries in internal-key order. It is a two-level
// iterator: a blockIter over the index picks the data block, a second
// blockIter walks inside it, and both move on together across block
// boundaries in either direction.
//
// Key and Value are valid until the next positioning call. An error (a
// corrupt or unreadable block) makes the Iter invalid and is reported by
// Error; the Iter stays invalid until a new positioning call.
//
// Concurrency: an Iter is not safe for concurrent use; several Iters over
// one Reader are.
type Iter struct {
	r       *Reader
	index   blockIter
	data    blockIter
	dataOff int64      // offset of the data block loaded in data; -1 if none
	scan    *readahead // NewScanIter's: blocks come from here, not the cache
	seq     sequential // NewIter's: when to read ahead of a forward scan
	err     error
	// keyArr is data's first key buffer, so that a short-lived Iter over
	// short keys makes no allocation of its own.
	keyArr [64]byte
}

var _ iterator.Iterator = (*Iter)(nil)

// NewIter returns an unpositioned iterator over the table. Data blocks go
// through the block cache.
func (r *Reader) NewIter() *Iter {
	it := &Iter{}
	r.InitIter(it)
	return it
}

// InitIter is NewIter into storage the caller owns (so that the engine can
// allocate an Iter together with its own wrapper).
func (r *Reader) InitIter(it *Iter) {
	*it = Iter{r: r, dataOff: -1}
	it.data.keyBuf = it.keyArr[:0]
	it.err = it.index.init(r.opts.Name, int64(r.footer.index.offset), r.index, indexRestartInterval)
}

// NewScanIter returns an unpositioned iterator for one pass over the table
// (a compaction's input). It bypasses the block cache, which would
// otherwise fill with blocks read once and evict the blocks readers use
// (LevelDB's fill_cache=false), and it reads ahead in scanReadahead chunks,
// one read for many blocks. Going backwards works, but reads a chunk per
// block.
func (r *Reader) NewScanIter() *Iter {
	it := r.NewIter()
	it.scan = &readahead{}
	return it
}

// loadBlock points data at the block the index is on; false if the index is
// exhausted or the block cannot be read.
func (it *Iter) loadBlock() bool {
	it.data.valid = false
	if !it.index.valid {
		return false
	}
	h, _ := decodeHandle(it.index.val) // checked at Open
	if int64(h.offset) == it.dataOff && it.data.err == nil {
		return true
	}
	var block []byte
	var err error
	if it.scan != nil {
		block, err = it.r.scanBlock(h, it.scan)
	} else {
		block, err = it.r.iterBlock(h, &it.seq)
	}
	if err == nil {
		err = it.data.init(it.r.opts.Name, int64(h.offset), block, dataRestartInterval)
	}
	if err != nil {
		it.err, it.dataOff = err, -1
		return false
	}
	it.dataOff = int64(h.offset)
	return true
}

// skipForward moves to the first entry of the following blocks while data
// is exhausted.
func (it *Iter) skipForward() bool {
	for !it.data.valid {
		if it.data.err != nil || !it.index.Next() || !it.loadBlock() {
			return false
		}
		it.data.First()
	}
	return true
}

// skipBackward moves to the last entry of the preceding blocks while data
// is exhausted.
func (it *Iter) skipBackward() bool {
	for !it.data.valid {
		if it.data.err != nil || !it.index.Prev() || !it.loadBlock() {
			return false
		}
		it.data.Last()
	}
	return true
}

// reset clears a previous error so that a new positioning call can retry.
func (it *Iter) reset() bool {
	if it.index.err != nil || it.index.data == nil {
		return false // the index itself is bad: nothing to retry
	}
	it.err, it.data.err = nil, nil
	it.data.valid = false
	return true
}

// SeekGE moves to the first entry with key >= ikey.
func (it *Iter) SeekGE(ikey []byte) bool {
	if !it.reset() || !it.index.SeekGE(ikey) || !it.loadBlock() {
		return false
	}
	it.data.SeekGE(ikey)
	return it.skipForward()
}

// SeekLT moves to the last entry with key < ikey.
func (it *Iter) SeekLT(ikey []byte) bool {
	if !it.reset() {
		return false
	}
	// The block after the last entry < ikey's block has a separator >= ikey,
	// so start at the first such block, or the last block if there is none.
	if !it.index.SeekGE(ikey) && (it.index.err != nil || !it.index.Last()) {
		return false
	}
	if !it.loadBlock() {
		return false
	}
	it.data.SeekLT(ikey)
	return it.skipBackward()
}

// First moves to the first entry.
func (it *Iter) First() bool {
	if !it.reset() || !it.index.First() || !it.loadBlock() {
		return false
	}
	it.data.First()
	return it.skipForward()
}

// Last moves to the last entry.
func (it *Iter) Last() bool {
	if !it.reset() || !it.index.Last() || !it.loadBlock() {
		return false
	}
	it.data.Last()
	return it.skipBackward()
}

// Next moves to the next entry.
func (it *Iter) Next() bool {
	if !it.Valid() {
		return false
	}
	it.data.Next()
	return it.skipForward()
}

// Prev moves to the previous entry.
func (it *Iter) Prev() bool {
	if !it.Valid() {
		return false
	}
	it.data.Prev()
	return it.skipBackward()
}

// Valid reports whether the Iter is on an entry.
func (it *Iter) Valid() bool { return it.err == nil && it.data.valid }

// Key returns the current internal key. REQUIRES: Valid().
func (it *Iter) Key() []byte { return it.data.key }

// Value returns the current value. REQUIRES: Valid().
func (it *Iter) Value() []byte { return it.data.val }

// Error returns the error that made the Iter invalid, if any.
func (it *Iter) Error() error {
	switch {
	case it.err != nil:
		return it.err
	case it.index.err != nil:
		return it.index.err
	}
	return it.data.err
}

// Close releases the Iter. It does not close the Reader.
func (it *Iter) Close() error {
	err := it.Error()
	*it = Iter{r: it.r, dataOff: -1}
	return err
}
