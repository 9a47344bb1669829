package cache

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkGetParallel measures warm hits from all procs at once.
func BenchmarkGetParallel(b *testing.B) {
	const blocks = 1024
	c := New(64 << 20)
	for i := range uint64(blocks) {
		c.Set(i%16, i*4096, make([]byte, 4096))
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := rand.Uint64()
		for pb.Next() {
			i++
			if _, ok := c.Get(i%blocks%16, i%blocks*4096); !ok {
				b.Fatal("miss on a warm cache")
			}
		}
	})
}

// BenchmarkZipfHitRatio replays a zipfian stream of block reads (a few hot
// blocks, a long tail) through a cache holding 10% of the blocks, filling
// on miss as a table reader would, and reports the hit ratio.
func BenchmarkZipfHitRatio(b *testing.B) {
	const blocks, blockLen = 100_000, 4096
	c := New(blocks / 10 * (blockLen + EntryOverhead))
	block := make([]byte, blockLen)
	zipf := rand.NewZipf(rand.New(rand.NewPCG(1, 2)), 1.1, 1, blocks-1)
	b.ReportAllocs()
	b.SetBytes(blockLen)
	for b.Loop() {
		k := zipf.Uint64()
		if _, ok := c.Get(k>>6, k*blockLen); !ok {
			c.Set(k>>6, k*blockLen, block)
		}
	}
	b.ReportMetric(c.Metrics().HitRatio(), "hit-ratio")
}

func BenchmarkSet(b *testing.B) {
	c := New(16 << 20)
	block := make([]byte, 4096)
	b.ReportAllocs()
	b.SetBytes(int64(len(block)))
	var i uint64
	for b.Loop() {
		i++
		c.Set(i%64, i*4096, block)
	}
}
