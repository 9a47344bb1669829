package sstable

import (
	"encoding/binary"

	"github.com/lsmkv/lsmkv/internal/corruption"
	"github.com/lsmkv/lsmkv/internal/keys"
)

// blockIter walks the entries of one decoded block (data or index). It
// distrusts the block: every varint, length and restart offset is checked
// before use and a bad one sets err (a corruption error) instead of
// panicking. It does not check that keys are sorted; the block checksum
// already guards against damage, and an unsorted block can only make seeks
// land on the wrong entry, never read out of bounds.
//
// Key and Value alias the block (restart entries) or keyBuf (prefix-compressed
// entries); they are valid until the next positioning call.
//
// Concurrency: not safe for concurrent use.
type blockIter struct {
	data        []byte // the whole block
	restarts    int    // offset of the restart array, i.e. the end of the entries
	numRestarts int
	offset      int // offset of the current entry
	nextOffset  int // offset just past the current entry
	key, val    []byte
	keyBuf      []byte // reused storage for prefix-compressed keys
	valid       bool
	err         error

	name     string // file name and block offset, for error messages
	blockOff int64
}

// init points it at block, keeping keyBuf's storage. An error means the
// block's restart array is malformed.
func (it *blockIter) init(name string, blockOff int64, block []byte) error {
	*it = blockIter{keyBuf: it.keyBuf[:0], name: name, blockOff: blockOff, data: block}
	if len(block) < 4 {
		return it.corrupt("block of %d bytes is shorter than its restart count", len(block))
	}
	n := binary.LittleEndian.Uint32(block[len(block)-4:])
	if n == 0 || uint64(n) > uint64(len(block)-4)/4 {
		return it.corrupt("bad restart count %d for a %d-byte block", n, len(block))
	}
	it.numRestarts = int(n)
	it.restarts = len(block) - 4 - 4*int(n)
	return nil
}

func (it *blockIter) corrupt(format string, args ...any) error {
	it.valid = false
	it.err = corruption.Errorf(it.name, it.blockOff, "block: "+format, args...)
	return it.err
}

// fail is corrupt for the positioning methods, which report through Valid.
func (it *blockIter) fail(format string, args ...any) bool {
	it.corrupt(format, args...)
	return false
}

// restartAt returns the offset of restart point i, or -1 after setting err.
func (it *blockIter) restartAt(i int) int {
	off := binary.LittleEndian.Uint32(it.data[it.restarts+4*i:])
	if uint64(off) >= uint64(it.restarts) {
		it.corrupt("restart %d at offset %d is past the entries (%d bytes)", i, off, it.restarts)
		return -1
	}
	return int(off)
}

// decodeAt decodes the entry at off into key/val. At a restart point the
// entry must store its whole key; elsewhere it extends the current key.
func (it *blockIter) decodeAt(off int, restart bool) bool {
	if it.err != nil || off < 0 {
		it.valid = false
		return false
	}
	p := it.data[off:it.restarts]
	shared, n1 := binary.Uvarint(p)
	if n1 <= 0 {
		return it.fail("bad shared length at %d", off)
	}
	unshared, n2 := binary.Uvarint(p[n1:])
	if n2 <= 0 {
		return it.fail("bad unshared length at %d", off)
	}
	vlen, n3 := binary.Uvarint(p[n1+n2:])
	if n3 <= 0 {
		return it.fail("bad value length at %d", off)
	}
	p = p[n1+n2+n3:]
	switch {
	case restart && shared != 0:
		return it.fail("restart entry at %d shares %d bytes", off, shared)
	case !restart && shared > uint64(len(it.key)):
		return it.fail("entry at %d shares %d bytes of a %d-byte key", off, shared, len(it.key))
	case unshared > uint64(len(p)) || vlen > uint64(len(p))-unshared:
		return it.fail("entry at %d overruns the block", off)
	case shared+unshared < keys.TrailerLen:
		return it.fail("entry at %d has a %d-byte key, too short for an internal key", off, shared+unshared)
	}
	if shared == 0 {
		it.key = p[:unshared]
	} else {
		// it.key may alias keyBuf; append's memmove copes with the overlap.
		it.keyBuf = append(it.keyBuf[:0], it.key[:shared]...)
		it.keyBuf = append(it.keyBuf, p[:unshared]...)
		it.key = it.keyBuf
	}
	it.val = p[unshared : unshared+vlen]
	it.offset = off
	it.nextOffset = off + n1 + n2 + n3 + int(unshared+vlen)
	it.valid = true
	return true
}

func (it *blockIter) First() bool {
	if it.err != nil || it.restarts == 0 {
		it.valid = false
		return false
	}
	return it.decodeAt(it.restartAt(0), true)
}

func (it *blockIter) Last() bool {
	if it.err != nil || it.restarts == 0 {
		it.valid = false
		return false
	}
	if !it.decodeAt(it.restartAt(it.numRestarts-1), true) {
		return false
	}
	for it.nextOffset < it.restarts {
		if !it.decodeAt(it.nextOffset, false) {
			return false
		}
	}
	return true
}

func (it *blockIter) Next() bool {
	if !it.valid {
		return false
	}
	if it.nextOffset >= it.restarts {
		it.valid = false
		return false
	}
	return it.decodeAt(it.nextOffset, false)
}

// Prev re-decodes from the last restart point before the current entry:
// entries are only decodable forwards.
func (it *blockIter) Prev() bool {
	if !it.valid {
		return false
	}
	cur := it.offset
	// Find the last restart strictly before cur.
	lo, hi := 0, it.numRestarts // restarts [0,lo) are < cur; [hi,n) are >= cur
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		off := it.restartAt(mid)
		if off < 0 {
			return false
		}
		if off < cur {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		it.valid = false // cur was the first entry
		return false
	}
	if !it.decodeAt(it.restartAt(lo-1), true) {
		return false
	}
	for it.nextOffset < cur {
		if !it.decodeAt(it.nextOffset, false) {
			return false
		}
	}
	if it.nextOffset != cur {
		return it.fail("entries do not line up with restart points at %d", cur)
	}
	return true
}

// SeekGE moves to the first entry with key >= target.
// REQUIRES: keys.Valid(target).
func (it *blockIter) SeekGE(target []byte) bool {
	if it.err != nil || it.restarts == 0 {
		it.valid = false
		return false
	}
	// Binary search for the last restart whose key is < target; the answer
	// is at or after it.
	lo, hi := 0, it.numRestarts-1
	for lo < hi {
		mid := int(uint(lo+hi+1) >> 1)
		if !it.decodeAt(it.restartAt(mid), true) {
			return false
		}
		if keys.Compare(it.key, target) < 0 {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if !it.decodeAt(it.restartAt(lo), true) {
		return false
	}
	for keys.Compare(it.key, target) < 0 {
		if !it.Next() {
			return false
		}
	}
	return true
}

// SeekLT moves to the last entry with key < target.
// REQUIRES: keys.Valid(target).
func (it *blockIter) SeekLT(target []byte) bool {
	if it.SeekGE(target) {
		return it.Prev()
	}
	if it.err != nil {
		return false
	}
	return it.Last()
}

// count walks the block and returns its number of entries (for Layout).
func (it *blockIter) count() (int, error) {
	n := 0
	for ok := it.First(); ok; ok = it.Next() {
		n++
	}
	return n, it.err
}
