package sstable

import "encoding/binary"

// blockWriter builds one block in the format shared by data and index
// blocks (docs/format-sstable.md, "Block"):
//
//	entry*  restart[0..n) uint32 LE  n uint32 LE
//	entry = uvarint shared | uvarint unshared | uvarint valueLen | key[shared:] | value
//
// Every restartInterval-th entry is a restart point: it stores its whole key
// (shared = 0), so a reader can binary-search the restart array and decode
// forward from there.
//
// REQUIRES: keys are added in strictly increasing order (the Writer checks).
type blockWriter struct {
	restartInterval int
	buf             []byte   // encoded entries so far
	restarts        []uint32 // offsets of the restart entries in buf
	counter         int      // entries since the last restart
	nEntries        int
	lastKey         []byte
}

func (b *blockWriter) reset() {
	b.buf = b.buf[:0]
	b.restarts = b.restarts[:0]
	b.counter = 0
	b.nEntries = 0
	b.lastKey = b.lastKey[:0]
}

func (b *blockWriter) empty() bool { return b.nEntries == 0 }

// estimatedSize is the size finish would return now.
func (b *blockWriter) estimatedSize() int {
	n := len(b.restarts)
	if n == 0 {
		n = 1 // finish always writes at least one restart
	}
	return len(b.buf) + 4*n + 4
}

func (b *blockWriter) add(key, value []byte) {
	shared := 0
	if b.counter < b.restartInterval && b.nEntries > 0 {
		shared = sharedPrefixLen(b.lastKey, key)
	} else {
		b.restarts = append(b.restarts, uint32(len(b.buf)))
		b.counter = 0
	}
	b.buf = binary.AppendUvarint(b.buf, uint64(shared))
	b.buf = binary.AppendUvarint(b.buf, uint64(len(key)-shared))
	b.buf = binary.AppendUvarint(b.buf, uint64(len(value)))
	b.buf = append(b.buf, key[shared:]...)
	b.buf = append(b.buf, value...)
	b.lastKey = append(b.lastKey[:0], key...)
	b.counter++
	b.nEntries++
}

// finish appends the restart array and returns the block. The result is
// valid until the next reset or add.
func (b *blockWriter) finish() []byte {
	if len(b.restarts) == 0 {
		// An empty block still has one restart (at offset 0) so that the
		// reader's format checks need no special case.
		b.restarts = append(b.restarts, 0)
	}
	for _, r := range b.restarts {
		b.buf = binary.LittleEndian.AppendUint32(b.buf, r)
	}
	b.buf = binary.LittleEndian.AppendUint32(b.buf, uint32(len(b.restarts)))
	return b.buf
}

func sharedPrefixLen(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}
