package bench

import "math/rand/v2"

// Value generator constants, from db_bench's RandomGenerator.
const (
	valuePoolSize  = 1 << 20 // bytes of pregenerated values
	valuePieceSize = 100     // compressibility is set per piece
)

// valueGen hands out values whose compressibility is controlled, like
// db_bench's RandomGenerator: its pool is made of 100-byte pieces, each
// holding ratio*100 random printable bytes repeated to fill the piece, so a
// compressor that finds repeats shrinks values to about ratio of their size.
// Not safe for concurrent use: each worker owns one (see Fork).
type valueGen struct {
	pool []byte
	pos  int
}

// newValueGen builds a pool of at least max(1MiB, valueSize) bytes.
// REQUIRES: 0 < ratio <= 1.
func newValueGen(r *rand.Rand, ratio float64, valueSize int) *valueGen {
	size := max(valuePoolSize, valueSize)
	pool := make([]byte, 0, size+valuePieceSize)
	for len(pool) < size {
		pool = appendCompressible(pool, r, ratio, valuePieceSize)
	}
	return &valueGen{pool: pool[:size]}
}

// appendCompressible appends n bytes made of int(n*ratio) random printable
// bytes repeated, the last repeat cut short.
func appendCompressible(dst []byte, r *rand.Rand, ratio float64, n int) []byte {
	raw := max(1, int(float64(n)*ratio))
	start := len(dst)
	for i := 0; i < raw; i += 8 {
		// One 64-bit draw makes 8 printable bytes (' '..'~'); the modulo
		// bias is irrelevant to a benchmark and makes pools 8x cheaper.
		x := r.Uint64()
		for j := 0; j < 8 && i+j < raw; j++ {
			dst = append(dst, ' '+byte(x&0xff)%95)
			x >>= 8
		}
	}
	for len(dst)-start < n {
		dst = append(dst, dst[start:start+min(raw, n-(len(dst)-start))]...)
	}
	return dst
}

// Fork returns a generator sharing g's pool (read-only, so forks may be
// used by different goroutines) that starts at offset pos, so that
// workers do not all write the same values.
func (g *valueGen) Fork(pos int) *valueGen {
	return &valueGen{pool: g.pool, pos: pos % len(g.pool)}
}

// Next returns the next n bytes of the pool. The slice aliases the pool:
// callers must not modify it. REQUIRES: n <= the valueSize given to
// newValueGen.
func (g *valueGen) Next(n int) []byte {
	if g.pos+n > len(g.pool) {
		g.pos = 0
	}
	v := g.pool[g.pos : g.pos+n]
	g.pos += n
	return v
}
