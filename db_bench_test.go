package lsmkv

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
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

func BenchmarkPut(b *testing.B) {
	for _, goroutines := range []int{1, 4} {
		b.Run(fmt.Sprintf("goroutines=%d", goroutines), func(b *testing.B) {
			db := openBenchDB(b)
			defer db.Close()
			value := make([]byte, 100)
			var next atomic.Uint64
			b.SetBytes(116)
			b.ReportAllocs()
			b.SetParallelism(goroutines)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var key []byte
				for pb.Next() {
					key = benchKey(key, rand.Uint64())
					next.Add(1)
					if err := db.Put(key, value); err != nil {
						b.Error(err)
						return
					}
				}
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
