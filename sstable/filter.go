package sstable

import (
	"math"

	"github.com/cespare/xxhash/v2"
	"github.com/lsmkv/lsmkv/internal/corruption"
)

// The filter block is one bloom filter over the table's user keys
// (docs/format-sstable.md, "Filter block"):
//
//	bits[m bytes]  k (1 byte)
//
// A key's probes come from one xxhash64 by double hashing: h1 is the low 32
// bits, h2 the high 32 bits, and probe i sets bit (h1 + i*h2) mod 8m.

const (
	minFilterBits = 64 // keeps the false-positive rate sane for tiny tables
	maxFilterK    = 30
)

// filterHash is the per-key hash the writer keeps (8 bytes per key instead
// of the key itself).
func filterHash(ukey []byte) uint64 { return xxhash.Sum64(ukey) }

// filterK is the number of probes for bitsPerKey: round(bitsPerKey*ln2),
// clamped to [1, 30]; it minimises the false-positive rate.
func filterK(bitsPerKey int) int {
	k := int(math.Round(float64(bitsPerKey) * math.Ln2))
	return max(1, min(k, maxFilterK))
}

// buildFilter appends the filter block for hashes to dst.
// REQUIRES: bitsPerKey > 0.
func buildFilter(dst []byte, hashes []uint64, bitsPerKey int) []byte {
	nBits := max(len(hashes)*bitsPerKey, minFilterBits)
	nBytes := (nBits + 7) / 8
	nBits = nBytes * 8
	k := filterK(bitsPerKey)
	start := len(dst)
	dst = append(dst, make([]byte, nBytes)...)
	bits := dst[start:]
	for _, h := range hashes {
		h1, h2 := uint32(h), uint32(h>>32)
		for i := 0; i < k; i++ {
			pos := uint32((uint64(h1) + uint64(i)*uint64(h2)) % uint64(nBits))
			bits[pos/8] |= 1 << (pos % 8)
		}
	}
	return append(dst, byte(k))
}

// filter is a decoded filter block; it aliases the block.
type filter struct {
	bits  []byte
	nBits uint64
	k     int
}

func decodeFilter(name string, off int64, block []byte) (filter, error) {
	if len(block) < 2 {
		return filter{}, corruption.Errorf(name, off, "filter block of %d bytes is too short", len(block))
	}
	k := int(block[len(block)-1])
	if k < 1 || k > maxFilterK {
		return filter{}, corruption.Errorf(name, off, "filter block has %d probes, want 1..%d", k, maxFilterK)
	}
	bits := block[:len(block)-1]
	return filter{bits: bits, nBits: uint64(len(bits)) * 8, k: k}, nil
}

// mayContain reports whether the key with hash h may be in the set; false
// means it is certainly absent.
func (f *filter) mayContain(h uint64) bool {
	h1, h2 := uint32(h), uint32(h>>32)
	for i := 0; i < f.k; i++ {
		pos := (uint64(h1) + uint64(i)*uint64(h2)) % f.nBits
		if f.bits[pos/8]&(1<<(pos%8)) == 0 {
			return false
		}
	}
	return true
}
