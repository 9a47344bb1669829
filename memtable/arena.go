package memtable

import (
	"math"
	"sync/atomic"
	"unsafe"
)

// Arena limits. Node links are uint32 offsets, so the arena can never be
// larger than what a uint32 can address.
const (
	// arenaAlign is the alignment of every allocation. Links are accessed
	// with 32-bit atomic operations, which need 4-byte-aligned addresses.
	arenaAlign = 4
	// nilOffset is the offset that means "no node". The first arenaAlign
	// bytes of the arena are reserved so that no node ever lives there.
	nilOffset = 0
	// maxCapacity is the largest arena: every offset must fit in a uint32.
	maxCapacity = math.MaxUint32 &^ 7
)

// arena is a fixed-size block of memory handed out by a bump pointer.
//
// Concurrency: alloc and the plain writes into fresh allocations are done by
// the single writer only. size, loadUint32 and reads of published bytes may
// be called from any goroutine. Memory is never freed or reused, so a byte
// that a reader can reach never changes again (links excepted; those are
// always accessed atomically).
type arena struct {
	// buf is allocated once and never reallocated, so slices into it stay
	// valid for the memtable's whole life.
	buf []byte
	// used is the number of bytes handed out (the bump pointer). It is
	// atomic only so that other goroutines can read Size.
	used atomic.Uint64
}

// newArena returns an arena of capacity bytes. The backing store is a []uint64 viewed as bytes, which guarantees the
// 8-byte base alignment that the atomic link accesses rely on.
// REQUIRES: capacity is a multiple of 8 in [8, maxCapacity].
func newArena(capacity int64) *arena {
	words := make([]uint64, capacity/8)
	a := &arena{buf: unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), len(words)*8)}
	a.used.Store(arenaAlign) // reserve offset 0 for nilOffset
	return a
}

// alloc reserves size bytes and returns their offset. ok is false, and
// nothing is reserved, if they do not fit. REQUIRES: single writer;
// size is a multiple of arenaAlign.
func (a *arena) alloc(size int64) (offset uint32, ok bool) {
	used := a.used.Load()
	if size < 0 || uint64(size) > uint64(len(a.buf))-used {
		return 0, false
	}
	a.used.Store(used + uint64(size))
	return uint32(used), true
}

// size returns the number of bytes handed out so far.
func (a *arena) size() int64 { return int64(a.used.Load()) }

// capacity returns the arena's total size in bytes.
func (a *arena) capacity() int64 { return int64(len(a.buf)) }

// uint32At returns a pointer to the 4 bytes at offset. It checks bounds
// (without reading the bytes, which would race with atomic writers), so a
// bad offset panics instead of corrupting memory.
// REQUIRES: offset is a multiple of arenaAlign.
func (a *arena) uint32At(offset uint32) *uint32 {
	if uint64(offset)+4 > uint64(len(a.buf)) {
		panic("lsmkv/memtable: arena offset out of range")
	}
	return (*uint32)(unsafe.Pointer(&a.buf[offset]))
}

// loadUint32 atomically reads the uint32 at offset.
func (a *arena) loadUint32(offset uint32) uint32 {
	return atomic.LoadUint32(a.uint32At(offset))
}

// storeUint32 atomically writes the uint32 at offset. The store is a
// release: every write made before it is visible to a reader whose
// loadUint32 observes the new value.
func (a *arena) storeUint32(offset, v uint32) {
	atomic.StoreUint32(a.uint32At(offset), v)
}

// alignUp rounds n up to a multiple of arenaAlign.
func alignUp(n int64) int64 {
	return (n + arenaAlign - 1) &^ (arenaAlign - 1)
}
