package bench

import (
	"math"
	"math/rand/v2"
	"strconv"
)

// keyGen yields key indexes in [0, n) for some key-space size n. Every
// generator is deterministic given its *rand.Rand, so a seed replays a run.
// Generators are not safe for concurrent use: each worker owns its own.
type keyGen interface {
	Next() int64
}

// sequential yields start, start+1, ... (db_bench's fillseq, readseq order).
type sequential struct{ next int64 }

// newSequential returns a generator starting at start.
func newSequential(start int64) *sequential { return &sequential{next: start} }

// Next returns the next index.
func (s *sequential) Next() int64 { s.next++; return s.next - 1 }

// uniform yields indexes uniformly in [lo, lo+n).
type uniform struct {
	r     *rand.Rand
	lo, n int64
}

// newUniform returns a uniform generator over [lo, lo+n). REQUIRES: n > 0.
func newUniform(r *rand.Rand, lo, n int64) *uniform { return &uniform{r: r, lo: lo, n: n} }

// Next returns the next index.
func (u *uniform) Next() int64 { return u.lo + u.r.Int64N(u.n) }

// zipfian yields indexes in [0, n) where index i has probability
// proportional to 1/(i+1)^theta, using the rejection-free method of Gray et
// al., "Quickly Generating Billion-Record Synthetic Databases" (SIGMOD 1994),
// as YCSB's ZipfianGenerator does.
//
// With scrambling (YCSB's ScrambledZipfianGenerator) the popular indexes are
// hashed across the key space, so hot keys are not all neighbours in one
// table; a few hash collisions make the hot set slightly smaller.
type zipfian struct {
	r        *rand.Rand
	scramble bool
	theta    float64
	n        int64
	zetan    float64 // zeta(n, theta) = sum_{i=1..n} 1/i^theta
	zeta2    float64
	alpha    float64
	eta      float64
	second   float64 // 1 + 0.5^theta: u*zetan below this draws index 1
}

// newZipfian returns a zipfian generator over [0, n).
// REQUIRES: n > 0 and 0 < theta < 1.
func newZipfian(r *rand.Rand, n int64, theta float64, scramble bool) *zipfian {
	z := &zipfian{r: r, scramble: scramble, theta: theta}
	z.zeta2 = zetaRange(0, 2, theta)
	z.alpha = 1 / (1 - theta)
	z.second = 1 + math.Pow(0.5, theta)
	z.resize(n)
	return z
}

// zetaRange returns sum_{i=from+1..to} 1/i^theta.
func zetaRange(from, to int64, theta float64) float64 {
	var s float64
	for i := from + 1; i <= to; i++ {
		s += 1 / math.Pow(float64(i), theta)
	}
	return s
}

// resize changes the key space to n, extending zeta incrementally when n
// grows (the common case for the latest generator, whose key space grows
// with inserts).
func (z *zipfian) resize(n int64) {
	if n > z.n {
		z.zetan += zetaRange(z.n, n, z.theta)
	} else {
		z.zetan = zetaRange(0, n, z.theta)
	}
	z.n = n
	z.eta = (1 - math.Pow(2/float64(n), 1-z.theta)) / (1 - z.zeta2/z.zetan)
}

// Next returns the next index.
func (z *zipfian) Next() int64 {
	u := z.r.Float64()
	uz := u * z.zetan
	var v int64
	switch {
	case uz < 1:
		v = 0
	case uz < z.second:
		v = 1
	default:
		v = int64(float64(z.n) * math.Pow(z.eta*u-z.eta+1, z.alpha))
	}
	v = min(v, z.n-1)
	if z.scramble {
		v = int64(fnv64(uint64(v)) % uint64(z.n))
	}
	return v
}

// fnv64 is FNV-1a over the 8 little-endian bytes of v, as in YCSB.
func fnv64(v uint64) uint64 {
	const offset, prime = 0xcbf29ce484222325, 1099511628211
	h := uint64(offset)
	for i := 0; i < 8; i++ {
		h ^= v & 0xff
		h *= prime
		v >>= 8
	}
	return h
}

// latest skews towards the most recently inserted keys, like YCSB's
// SkewedLatestGenerator: it draws a zipfian distance back from the newest
// key. count reports the current number of keys (keys are 0..count-1 and
// newer keys have larger indexes); it may grow between calls.
type latest struct {
	z     *zipfian
	count func() int64
}

// newLatest returns a latest generator. REQUIRES: count() > 0.
func newLatest(r *rand.Rand, theta float64, count func() int64) *latest {
	return &latest{z: newZipfian(r, count(), theta, false), count: count}
}

// Next returns the next index.
func (l *latest) Next() int64 {
	if n := l.count(); n != l.z.n {
		l.z.resize(n)
	}
	return l.z.n - 1 - l.z.Next()
}

// appendKey appends the key for index idx: its decimal digits, zero-padded
// on the left to size bytes, as db_bench formats keys. REQUIRES: the digits
// fit in size (Options.Validate checks this for every index a run uses).
func appendKey(dst []byte, idx int64, size int) []byte {
	var digits [20]byte
	d := strconv.AppendInt(digits[:0], idx, 10)
	for i := len(d); i < size; i++ {
		dst = append(dst, '0')
	}
	return append(dst, d...)
}

// appendMissingKey appends a key of the same size that no index maps to:
// appendKey's key with its last digit replaced by '.', so it sorts inside
// the key space (a bloom filter, not the table's key range, must reject it).
func appendMissingKey(dst []byte, idx int64, size int) []byte {
	dst = appendKey(dst, idx, size)
	dst[len(dst)-1] = '.'
	return dst
}
