package lsmkv

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
)

// Benchmarks of the public API on the real file system (b.TempDir), with
// 16-byte keys and 100-byte values as in db_bench. Run with -benchmem:
// the targets are no allocation per Get beyond the returned copy and none
// per iterator step.

func benchKey(buf []byte, i uint64) []byte {
	buf = append(buf[:0], "key-"...)
	return binary.BigEndian.AppendUint64(append(buf, 0, 0, 0, 0), i)
}

func openBenchDB(b *testing.B) *DB {
	db, err := Open(b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	return db
}

// runGoroutines splits b.N operations over exactly n goroutines (unlike
// b.RunParallel, which starts a multiple of GOMAXPROCS).
func runGoroutines(b *testing.B, n int, op func(i int) error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for g := 0; g < n; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				if err := op(int(i)); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func BenchmarkPut(b *testing.B) {
	for _, goroutines := range []int{1, 4} {
		b.Run(fmt.Sprintf("goroutines=%d", goroutines), func(b *testing.B) {
			db := openBenchDB(b)
			defer db.Close()
			value := make([]byte, 100)
			b.SetBytes(116)
			b.ReportAllocs()
			runGoroutines(b, goroutines, func(int) error {
				return db.Put(benchKey(make([]byte, 0, 16), rand.Uint64()), value)
			})
		})
	}
}

func BenchmarkWriteBatch(b *testing.B) {
	db := openBenchDB(b)
	defer db.Close()
	value := make([]byte, 100)
	var batch Batch
	var key []byte
	b.SetBytes(100 * 116)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		batch.Reset()
		for j := 0; j < 100; j++ {
			key = benchKey(key, rand.Uint64())
			batch.Put(key, value)
		}
		if err := db.Write(&batch, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// filledDB writes n keys 0..n-1 and flushes, so reads come from tables.
func filledDB(b *testing.B, n int) *DB {
	db := openBenchDB(b)
	value := make([]byte, 100)
	var batch Batch
	var key []byte
	for i := 0; i < n; i++ {
		key = benchKey(key, uint64(i))
		batch.Put(key, value)
		if batch.Len() == 1000 {
			if err := db.Write(&batch, nil); err != nil {
				b.Fatal(err)
			}
			batch.Reset()
		}
	}
	if err := db.Write(&batch, nil); err != nil {
		b.Fatal(err)
	}
	if err := db.Flush(); err != nil {
		b.Fatal(err)
	}
	return db
}

func BenchmarkGet(b *testing.B) {
	const n = 200_000
	db := filledDB(b, n)
	defer db.Close()
	for _, tc := range []struct {
		name   string
		offset uint64
	}{{"present", 0}, {"absent", n}} {
		b.Run(tc.name, func(b *testing.B) {
			var key []byte
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				key = benchKey(key, tc.offset+uint64(rand.IntN(n)))
				_, err := db.Get(key)
				if tc.offset == 0 && err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkScan(b *testing.B) {
	const n = 200_000
	db := filledDB(b, n)
	defer db.Close()
	b.ReportAllocs()
	b.SetBytes(n * 116)
	for i := 0; i < b.N; i++ {
		it, err := db.NewIterator(nil)
		if err != nil {
			b.Fatal(err)
		}
		count := 0
		for ok := it.First(); ok; ok = it.Next() {
			count++
		}
		it.Close()
		if count != n {
			b.Fatalf("scanned %d keys, want %d", count, n)
		}
	}
}

// BenchmarkGetRangeTombstones is what live range tombstones cost a Get:
// 0, 1,000 or 100,000 tombstones over gaps between keys (so every Get still
// finds its key). A snapshot taken before them keeps compactions from
// dropping them, so they stay live in the tables the Gets probe.
func BenchmarkGetRangeTombstones(b *testing.B) {
	const n = 200_000
	for _, tombs := range []int{0, 1_000, 100_000} {
		b.Run(fmt.Sprintf("tombstones=%d", tombs), func(b *testing.B) {
			db := filledDB(b, n)
			defer db.Close()
			snap := db.NewSnapshot()
			defer snap.Close()
			var start []byte
			for i := 0; i < tombs; i++ {
				start = benchKey(start, uint64(i*(n/tombs)))
				// [key, key+"\x01") holds no key: keys have a fixed length.
				if err := db.DeleteRange(append(start, 0), append(start, 1)); err != nil {
					b.Fatal(err)
				}
			}
			if err := db.Flush(); err != nil {
				b.Fatal(err)
			}
			if got := db.Metrics().Levels; tombs > 0 && rangeTombstones(got) == 0 {
				b.Fatal("the tombstones are gone")
			}
			var key []byte
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				key = benchKey(key, uint64(rand.IntN(n)))
				if _, err := db.Get(key); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func rangeTombstones(levels []LevelMetrics) int64 {
	var t int64
	for _, l := range levels {
		t += l.RangeTombstones
	}
	return t
}

// BenchmarkSeek is db_bench's seekrandom: a new iterator per seek, as a
// point lookup through the iterator API would make, then Close.
func BenchmarkSeek(b *testing.B) {
	const n = 200_000
	db := filledDB(b, n)
	defer db.Close()
	var key []byte
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		key = benchKey(key, uint64(rand.IntN(n)))
		it, err := db.NewIterator(nil)
		if err != nil {
			b.Fatal(err)
		}
		if !it.SeekGE(key) {
			b.Fatal("seek found nothing")
		}
		if err := it.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPutSync shows group commit: with several goroutines writing
// synced, leaders share one fsync among the writers queued behind them, so
// syncs/op falls below 1.
func BenchmarkPutSync(b *testing.B) {
	for _, goroutines := range []int{1, 8} {
		b.Run(fmt.Sprintf("goroutines=%d", goroutines), func(b *testing.B) {
			db := openBenchDB(b)
			defer db.Close()
			value := make([]byte, 100)
			wo := &WriteOptions{Sync: true}
			b.ReportAllocs()
			runGoroutines(b, goroutines, func(int) error {
				var batch Batch
				batch.Put(benchKey(make([]byte, 0, 16), rand.Uint64()), value)
				return db.Write(&batch, wo)
			})
			b.ReportMetric(float64(db.Metrics().WALSyncs)/float64(b.N), "syncs/op")
		})
	}
}
