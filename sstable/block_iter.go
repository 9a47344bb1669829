package sstable

import (
	"encoding/binary"

	"github.com/lsmkv/lsmkv/internal/corruption"
	"github.com/lsmkv/lsmkv/internal/keys"
)

// blockIter walks the entries of one decoded block (data or index). It
// distrusts the block: every varint, length and restart offset is checked
// before use, entries must line up with the restart points, and a restart
// run may hold at most maxRun entries; a violation sets err (a corruption
// error) instead of panicking. It checks key order only where SeekGE relies
// on it (the restart point after the one its search picked); the block
// checksum already guards against damage, and an unsorted block can only
// make seeks land on the wrong entry, never read out of bounds.
//
// Why runs are bounded: entries decode only forwards, so Prev decodes the
// current run again from its restart point. A run of n entries makes a
// backward walk cost n²/2 decodes: a crafted block (valid checksums) with
// 33,001 entries behind one restart took 544,549,502 decodes, 5.5 s. The
// writer has restarted data blocks every dataRestartInterval (16) entries and
// index blocks at every entry since format version 1, so a longer run is
// never the writer's and is rejected as corruption. We reject rather than
// cache the decoded run for Prev (as Pebble does): rejecting needs no memory
// and keeps every call allocation-free, while a cache would have to hold
// every key of the run, which a crafted run of long shared prefixes can
// inflate far beyond the block's size. With the bound, a positioning call
// decodes at most maxRun entries, plus one and the binary search over
// restart keys for SeekGE (FuzzBlock checks these bounds).
//
// Key and Value alias the block (restart entries) or keyBuf (prefix-compressed
// entries); they are valid until the next positioning call.
//
// Invariants, while valid: the current entry is entry nth (from 0) of the
// run that starts at restart point run and ends at offset runEnd; nth <
// maxRun.
//
// Concurrency: not safe for concurrent use.
type blockIter struct {
	data        []byte // the whole block
	restarts    int    // offset of the restart array, i.e. the end of the entries
	numRestarts int
	maxRun      int // most entries a restart run may hold
	run         int // restart run of the current entry
	nth         int // position of the current entry in its run; 0 at the restart point
	runEnd      int // offset where the run ends: the next restart point, or restarts
	offset      int // offset of the current entry
	nextOffset  int // offset just past the current entry
	key, val    []byte
	keyBuf      []byte // reused storage for prefix-compressed keys
	valid       bool
	err         error
	decoded     int // entries decoded since init: tests bound the work of a call with it

	name     string // file name and block offset, for error messages
	blockOff int64
}

// init points it at block, keeping keyBuf's storage. maxRun is the longest
// restart run the block may hold: dataRestartInterval or
// indexRestartInterval. An error means the block's restart array is
// malformed.
func (it *blockIter) init(name string, blockOff int64, block []byte, maxRun int) error {
	*it = blockIter{keyBuf: it.keyBuf[:0], name: name, blockOff: blockOff, data: block, maxRun: maxRun}
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
	it.decoded++
	p := it.data[off:it.restarts]
	var shared, unshared, vlen uint64
	var n1, n2, n3 int
	if len(p) >= 3 && p[0]|p[1]|p[2] < 0x80 {
		// The usual entry: all three lengths fit one byte each (LevelDB's
		// DecodeEntry fast path); a third of a seek's time went to the
		// general decoder.
		shared, unshared, vlen, n1, n2, n3 = uint64(p[0]), uint64(p[1]), uint64(p[2]), 1, 1, 1
	} else {
		if shared, n1 = binary.Uvarint(p); n1 <= 0 {
			return it.fail("bad shared length at %d", off)
		}
		if unshared, n2 = binary.Uvarint(p[n1:]); n2 <= 0 {
			return it.fail("bad unshared length at %d", off)
		}
		if vlen, n3 = binary.Uvarint(p[n1+n2:]); n3 <= 0 {
			return it.fail("bad value length at %d", off)
		}
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

// seekRun moves to restart point i, the first entry of run i.
func (it *blockIter) seekRun(i int) bool {
	it.run, it.nth = i, 0
	it.runEnd = it.restarts
	if i+1 < it.numRestarts {
		it.runEnd = it.restartAt(i + 1)
	}
	return it.decodeAt(it.restartAt(i), true)
}

// nextInRun moves to the next entry of the current run, which must not
// then hold more than maxRun entries.
func (it *blockIter) nextInRun() bool {
	if it.nth+1 >= it.maxRun {
		return it.fail("restart run %d is longer than the limit of %d (entry at %d)", it.run, it.maxRun, it.nextOffset)
	}
	it.nth++
	return it.decodeAt(it.nextOffset, false)
}

// lastInRun moves forward to the last entry of the current run, which must
// end exactly at the next restart point.
func (it *blockIter) lastInRun() bool {
	for it.valid && it.nextOffset < it.runEnd {
		it.nextInRun()
	}
	if it.valid && it.nextOffset != it.runEnd {
		return it.fail("entries do not line up with restart point %d at %d", it.run+1, it.runEnd)
	}
	return it.valid
}

func (it *blockIter) First() bool {
	if it.err != nil || it.restarts == 0 {
		it.valid = false
		return false
	}
	return it.seekRun(0)
}

func (it *blockIter) Last() bool {
	if it.err != nil || it.restarts == 0 {
		it.valid = false
		return false
	}
	return it.seekRun(it.numRestarts-1) && it.lastInRun()
}

func (it *blockIter) Next() bool {
	if !it.valid {
		return false
	}
	switch {
	case it.nextOffset < it.runEnd:
		return it.nextInRun()
	case it.nextOffset > it.runEnd:
		return it.fail("entries do not line up with restart point %d at %d", it.run+1, it.runEnd)
	case it.runEnd == it.restarts:
		it.valid = false // past the last entry
		return false
	}
	return it.seekRun(it.run + 1)
}

// Prev decodes the current run again from its restart point up to the
// entry before the current one, or the whole previous run: entries are only
// decodable forwards.
func (it *blockIter) Prev() bool {
	if !it.valid {
		return false
	}
	if it.nth > 0 {
		want := it.nth - 1
		ok := it.seekRun(it.run)
		for ok && it.nth < want {
			ok = it.nextInRun()
		}
		return ok
	}
	if it.run == 0 {
		it.valid = false // the first entry
		return false
	}
	return it.seekRun(it.run-1) && it.lastInRun()
}

// SeekGE moves to the first entry with key >= target.
// REQUIRES: keys.Valid(target).
func (it *blockIter) SeekGE(target []byte) bool {
	if it.err != nil || it.restarts == 0 {
		it.valid = false
		return false
	}
	// Binary search for the last restart whose key is < target; the answer
	// is at or after it, at the latest at the next restart point.
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
	if !it.seekRun(lo) {
		return false
	}
	for keys.Compare(it.key, target) < 0 {
		if it.run > lo {
			// In a sorted block restart point lo+1 is >= target; going
			// past it would make a damaged block cost a scan per seek.
			return it.fail("keys out of order at restart point %d", it.run)
		}
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
