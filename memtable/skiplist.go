package memtable

import (
	"bytes"
	"encoding/binary"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// Node layout in the arena (in-memory only, never written to disk). All
// offsets are relative to the node's start, which is 4-byte aligned:
//
//	+--------+----------+--------+---------------------+--------------+-------+
//	| keyLen | valueLen | height | next[0..height-1]   | internal key | value |
//	| uint32 | uint32   | uint32 | height × uint32     | keyLen bytes | bytes |
//	+--------+----------+--------+---------------------+--------------+-------+
//
// keyLen, valueLen and height are written once, before the node is
// published, and read with plain loads. next[i] is the arena offset of the
// following node at level i (nilOffset at the end) and is only accessed
// atomically, because the writer updates it while readers walk the list.
const (
	nodeKeyLenOffset   = 0
	nodeValueLenOffset = 4
	nodeHeightOffset   = 8
	nodeTowerOffset    = 12
	linkSize           = 4
	// maxHeight is the tallest tower. With p = 1/4 the list stays
	// O(log n) up to about 4^12 = 16M entries, more than an arena holds
	// at typical entry sizes.
	maxHeight = 12
)

// splice records, for every level, the nodes between which a key goes.
type splice struct {
	prev [maxHeight]uint32
	next [maxHeight]uint32
}

// nodeSize returns the arena bytes for a node of the given tower height,
// internal key length and value length, rounded up to arenaAlign.
func nodeSize(height int, keyLen, valueLen int64) int64 {
	return alignUp(nodeTowerOffset + int64(height)*linkSize + keyLen + valueLen)
}

// allocNode allocates a node with room for a keyLen-byte internal key and a
// valueLen-byte value and writes its header. Its links are zero (nilOffset)
// because the arena starts zeroed and is never reused. ok is false if it
// does not fit.
func (m *Memtable) allocNode(height int, keyLen, valueLen int64) (uint32, bool) {
	n, ok := m.arena.alloc(nodeSize(height, keyLen, valueLen))
	if !ok {
		return nilOffset, false
	}
	buf := m.arena.buf
	binary.LittleEndian.PutUint32(buf[n+nodeKeyLenOffset:], uint32(keyLen))
	binary.LittleEndian.PutUint32(buf[n+nodeValueLenOffset:], uint32(valueLen))
	binary.LittleEndian.PutUint32(buf[n+nodeHeightOffset:], uint32(height))
	return n, true
}

// newNode allocates a node and writes its header, its internal key
// (ukey + trailer) and its value. ok is false if it does not fit.
func (m *Memtable) newNode(height int, ukey []byte, trailer uint64, value []byte) (uint32, bool) {
	n, ok := m.allocNode(height, int64(len(ukey))+keys.TrailerLen, int64(len(value)))
	if !ok {
		return nilOffset, false
	}
	k := m.key(n)
	copy(k, ukey)
	binary.LittleEndian.PutUint64(k[len(ukey):], trailer)
	copy(m.value(n), value)
	return n, true
}

// key returns node n's internal key. Its capacity is clipped so that a caller
// appending to it cannot overwrite the value.
func (m *Memtable) key(n uint32) []byte {
	buf := m.arena.buf
	keyLen := binary.LittleEndian.Uint32(buf[n+nodeKeyLenOffset:])
	height := binary.LittleEndian.Uint32(buf[n+nodeHeightOffset:])
	start := n + nodeTowerOffset + height*linkSize
	return buf[start : start+keyLen : start+keyLen]
}

// value returns node n's value, capacity clipped like key's.
func (m *Memtable) value(n uint32) []byte {
	buf := m.arena.buf
	keyLen := binary.LittleEndian.Uint32(buf[n+nodeKeyLenOffset:])
	valueLen := binary.LittleEndian.Uint32(buf[n+nodeValueLenOffset:])
	height := binary.LittleEndian.Uint32(buf[n+nodeHeightOffset:])
	start := n + nodeTowerOffset + height*linkSize + keyLen
	return buf[start : start+valueLen : start+valueLen]
}

// next atomically loads node n's successor at level.
func (m *Memtable) next(n uint32, level int) uint32 {
	return m.arena.loadUint32(n + nodeTowerOffset + uint32(level)*linkSize)
}

// setNext atomically sets node n's successor at level. REQUIRES: writer only.
func (m *Memtable) setNext(n uint32, level int, to uint32) {
	m.arena.storeUint32(n+nodeTowerOffset+uint32(level)*linkSize, to)
}

// seek finds the internal key (ukey, trailer): lt is the last node whose key
// is smaller (m.head if none) and ge the first node whose key is greater or
// equal (nilOffset if none). If sp is not nil, it also records lt and ge at
// every level in use; entries for higher levels are left as they are.
//
// It is safe to run concurrently with Add: nodes are only ever inserted, and
// a level-i link always points at a node already linked at level i-1, so
// descending from any node a reader reached stays correct.
func (m *Memtable) seek(ukey []byte, trailer uint64, sp *splice) (lt, ge uint32) {
	return m.seekIn(m.head, ukey, trailer, sp)
}

// seekIn is seek in the skiplist that starts at head: the points' or the
// range tombstones'.
func (m *Memtable) seekIn(head uint32, ukey []byte, trailer uint64, sp *splice) (lt, ge uint32) {
	x := head
	var next uint32 // nilOffset
	for level := int(m.height.Load()) - 1; level >= 0; level-- {
		next = m.next(x, level)
		for next != nilOffset && compare(m.key(next), ukey, trailer) < 0 {
			x = next
			next = m.next(x, level)
		}
		if sp != nil {
			sp.prev[level], sp.next[level] = x, next
		}
	}
	return x, next
}

// last returns the node with the largest key, or nilOffset if the list is
// empty.
func (m *Memtable) last() uint32 {
	x := m.head
	for level := int(m.height.Load()) - 1; level >= 0; level-- {
		for next := m.next(x, level); next != nilOffset; next = m.next(x, level) {
			x = next
		}
	}
	if x == m.head {
		return nilOffset
	}
	return x
}

// compare orders the internal key ikey against the internal key made of
// ukey and trailer. It equals keys.Compare(ikey, keys.Append(nil, ukey,
// ...)) but does not build the second key, so Get and seeks never allocate.
// REQUIRES: keys.Valid(ikey).
func compare(ikey, ukey []byte, trailer uint64) int {
	if c := bytes.Compare(keys.UserKey(ikey), ukey); c != 0 {
		return c
	}
	switch t := keys.Trailer(ikey); {
	case t > trailer:
		return -1
	case t < trailer:
		return 1
	}
	return 0
}
