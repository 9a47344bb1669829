package sstable

import (
	"bytes"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/lsmkv/lsmkv/cache"
	"github.com/lsmkv/lsmkv/internal/keys"
)

// benchKey appends the user key for i: "key" + 16 zero-padded digits.
func benchKey(dst []byte, i int) []byte {
	dst = append(dst, "key"...)
	var digits [16]byte
	for j := len(digits) - 1; j >= 0; j-- {
		digits[j] = byte('0' + i%10)
		i /= 10
	}
	return append(dst, digits[:]...)
}

// benchValue fills a value that snappy can compress about 2:1.
func benchValue(rng *rand.Rand, n int) []byte {
	v := make([]byte, n)
	for i := range v {
		v[i] = "abcdefghijklmnop"[rng.Intn(16)]
	}
	return v
}

var benchTable struct {
	once sync.Once
	dir  string
	path string
	n    int
	err  error
}

// benchReader opens the shared benchmark table: 1M keys with 36-byte values
// (about 66 MiB), or 100k with -short. It is built once per process.
func benchReader(b *testing.B, c *cache.Cache) *Reader {
	bt := &benchTable
	bt.once.Do(func() {
		bt.n = 1 << 20
		if testing.Short() {
			bt.n = 100000
		}
		if bt.dir, bt.err = os.MkdirTemp("", "sstable-bench"); bt.err != nil {
			return
		}
		bt.path = filepath.Join(bt.dir, "000001.sst")
		bt.err = writeBenchTable(bt.path, bt.n, WriterOptions{})
	})
	if bt.err != nil {
		b.Fatal(bt.err)
	}
	f, err := os.Open(bt.path)
	if err != nil {
		b.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		b.Fatal(err)
	}
	r, err := Open(f, st.Size(), ReaderOptions{Name: bt.path, FileNum: 1, Cache: c, Stats: &ReadStats{}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close() })
	return r
}

func writeBenchTable(path string, n int, opts WriterOptions) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := NewWriter(f, opts)
	rng := rand.New(rand.NewSource(1))
	value := benchValue(rng, 36)
	var ikey []byte
	for i := 0; i < n; i++ {
		ikey = keys.Append(benchKey(ikey[:0], i), nil, keys.SeqNum(i+1), keys.KindSet)
		if err := w.Add(ikey, value); err != nil {
			return err
		}
	}
	_, err = w.Finish()
	return err
}

// warmCache loads every data block into the cache and zeroes the stats.
func warmCache(r *Reader, n int) {
	var key []byte
	for i := 0; i < n; i += 16 { // blocks hold ~60 entries
		r.Get(benchKey(key[:0], i), keys.MaxSeqNum)
	}
	r.opts.Stats.BlockReads.Store(0)
}

// BenchmarkGet measures point lookups of present keys with every block in
// the cache. Target: 0 allocs/op.
func BenchmarkGet(b *testing.B) {
	r := benchReader(b, cache.New(256<<20))
	n := benchTable.n
	var key []byte
	warmCache(r, n)
	rng := rand.New(rand.NewSource(2))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		key = benchKey(key[:0], rng.Intn(n))
		if _, _, _, found, err := r.Get(key, keys.MaxSeqNum); !found || err != nil {
			b.Fatalf("Get(%s): %v %v", key, found, err)
		}
	}
	reportReads(b, r)
}

// reportReads reports data blocks read from the file per op (0 when warm).
func reportReads(b *testing.B, r *Reader) {
	b.ReportMetric(float64(r.opts.Stats.BlockReads.Load())/float64(b.N), "filereads/op")
}

// BenchmarkGetAbsent measures lookups of absent keys, which the bloom filter
// answers without touching a data block (except false positives).
func BenchmarkGetAbsent(b *testing.B) {
	r := benchReader(b, cache.New(256<<20))
	n := benchTable.n
	warmCache(r, n) // for the filter's false positives
	rng := rand.New(rand.NewSource(3))
	var key []byte
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		key = append(benchKey(key[:0], rng.Intn(n)), 'x')
		if _, _, _, found, err := r.Get(key, keys.MaxSeqNum); found || err != nil {
			b.Fatalf("Get(%s): %v %v", key, found, err)
		}
	}
	reportReads(b, r)
}

// BenchmarkIter measures one step of a table iterator with every block in
// the cache, forwards (Next) and backwards (Prev); an op that runs off the
// end starts again with First or Last. Target: 0 allocs/op.
func BenchmarkIter(b *testing.B) {
	r := benchReader(b, cache.New(256<<20))
	warmCache(r, benchTable.n)
	for _, dir := range []struct {
		name        string
		step, start func(*Iter) bool
	}{
		{"Next", (*Iter).Next, (*Iter).First},
		{"Prev", (*Iter).Prev, (*Iter).Last},
	} {
		b.Run(dir.name, func(b *testing.B) {
			it := r.NewIter()
			defer it.Close()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if !dir.step(it) && !dir.start(it) {
					b.Fatalf("restart: %v", it.Error())
				}
			}
		})
	}
}

// BenchmarkLongRestartRun iterates backwards over a crafted table whose one
// data block holds 33,001 entries behind a single restart point (issue 15).
// Before the reader bounded restart runs, each Prev re-decoded the run from
// its start, so this took quadratic time; now the block is rejected as
// corrupt after at most dataRestartInterval entries.
func BenchmarkLongRestartRun(b *testing.B) {
	data := longRunTable(b, 33001)
	r, err := Open(&memFile{data: data}, int64(len(data)), ReaderOptions{Name: "crafted.sst"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	steps := 0
	for i := 0; i < b.N; i++ {
		it := r.NewIter()
		for ok := it.Last(); ok; ok = it.Prev() {
			steps++
		}
		it.Close()
	}
	b.ReportMetric(float64(steps)/float64(b.N), "entries/op")
}

const benchWriterEntries = 100000

// benchWriterBytes is the raw key+value bytes one BenchmarkWriter op adds.
const benchWriterBytes = benchWriterEntries * (19 + keys.TrailerLen + 36)

// BenchmarkWriter measures table building to a real file, with and without
// snappy; compare MB/s with BenchmarkRawCopy, the ceiling.
func BenchmarkWriter(b *testing.B) {
	for _, c := range []Compression{NoCompression, SnappyCompression} {
		b.Run(c.String(), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "w.sst")
			b.SetBytes(benchWriterBytes)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := writeBenchTable(path, benchWriterEntries, WriterOptions{Compression: c}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRawCopy copies as many bytes as BenchmarkWriter adds straight to
// a file and syncs it: the I/O ceiling for the writer.
func BenchmarkRawCopy(b *testing.B) {
	src := bytes.Repeat([]byte("0123456789abcdef"), benchWriterBytes/16)
	path := filepath.Join(b.TempDir(), "raw")
	b.SetBytes(int64(len(src)))
	for i := 0; i < b.N; i++ {
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(f, bytes.NewReader(src)); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}

// TestMain removes the benchmark table after the run.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchTable.dir != "" {
		os.RemoveAll(benchTable.dir)
	}
	os.Exit(code)
}
