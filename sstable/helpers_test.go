package sstable

import (
	"bytes"
	"fmt"
	"github.com/lsmkv/lsmkv/internal/testseed"
	"io"
	"math/rand"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// testSeed returns the seed for a randomized test and logs it so a failure
// can be replayed with -seed=N (or LSMKV_SEED=N).
func testSeed(t testing.TB) int64 {
	return int64(testseed.Seed(t))
}

// memFile is an in-memory vfs.File, enough for the writer and reader.
type memFile struct {
	mu     sync.Mutex
	data   []byte
	pos    int
	syncs  int
	reads  int // ReadAt calls
	closed bool
}

func (f *memFile) Read(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pos >= len(f.data) {
		return 0, io.EOF
	}
	n := copy(p, f.data[f.pos:])
	f.pos += n
	return n, nil
}

func (f *memFile) ReadAt(p []byte, off int64) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	if off < 0 {
		return 0, fmt.Errorf("negative offset %d", off)
	}
	if off >= int64(len(f.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f *memFile) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.data = append(f.data, p...)
	return len(p), nil
}

func (f *memFile) Sync() error  { f.syncs++; return nil }
func (f *memFile) Close() error { f.closed = true; return nil }
func (f *memFile) Stat() (os.FileInfo, error) {
	return memInfo(len(f.data)), nil
}

type memInfo int64

func (m memInfo) Name() string       { return "mem" }
func (m memInfo) Size() int64        { return int64(m) }
func (m memInfo) Mode() os.FileMode  { return 0o644 }
func (m memInfo) ModTime() time.Time { return time.Time{} }
func (m memInfo) IsDir() bool        { return false }
func (m memInfo) Sys() any           { return nil }

// kv is one model entry.
type kv struct{ key, value []byte }

// randomEntries returns n sorted, distinct entries: several versions of some
// user keys, tombstones, empty user keys and values, long keys and values.
func randomEntries(rng *rand.Rand, n int) []kv {
	seen := map[string]bool{}
	var out []kv
	for len(out) < n {
		ukey := randomUserKey(rng)
		for v := rng.Intn(3) + 1; v > 0 && len(out) < n; v-- {
			seq := keys.SeqNum(rng.Int63n(1 << 20))
			kind := keys.KindSet
			if rng.Intn(5) == 0 {
				kind = keys.KindDelete
			}
			ik := keys.Make(ukey, seq, kind)
			if seen[string(ik)] {
				continue
			}
			seen[string(ik)] = true
			out = append(out, kv{ik, randomValue(rng, kind)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return keys.Compare(out[i].key, out[j].key) < 0 })
	// Two entries may share user key and seq with different kinds. A DB
	// never writes that, but the format does not care: the trailers differ.
	return out
}

func randomUserKey(rng *rand.Rand) []byte {
	switch rng.Intn(20) {
	case 0:
		return nil // the empty user key
	case 1:
		return bytes.Repeat([]byte{byte('a' + rng.Intn(3))}, 100+rng.Intn(300)) // long
	case 2:
		return []byte{0xff, 0xff, byte(rng.Intn(256))} // exercises separator edge cases
	}
	return []byte(fmt.Sprintf("user%06d", rng.Intn(50000)))
}

func randomValue(rng *rand.Rand, kind keys.Kind) []byte {
	if kind == keys.KindDelete || rng.Intn(10) == 0 {
		return nil
	}
	n := rng.Intn(64)
	if rng.Intn(30) == 0 {
		n = 2000 + rng.Intn(3000) // larger than small blocks
	}
	v := make([]byte, n)
	if rng.Intn(2) == 0 {
		rng.Read(v) // incompressible
	} else {
		for i := range v {
			v[i] = "abcd"[rng.Intn(4)] // compressible
		}
	}
	return v
}

// buildTable writes entries to a new memFile and returns it with the
// properties.
func buildTable(t testing.TB, entries []kv, opts WriterOptions) (*memFile, Properties) {
	t.Helper()
	f := &memFile{}
	w := NewWriter(f, opts)
	for _, e := range entries {
		if err := w.Add(e.key, e.value); err != nil {
			t.Fatalf("Add(%s): %v", keys.String(e.key), err)
		}
	}
	props, err := w.Finish()
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	if f.syncs != 1 || f.closed {
		t.Fatalf("Finish: syncs=%d closed=%v, want 1 sync and an open file", f.syncs, f.closed)
	}
	return f, props
}

func openTable(t testing.TB, f *memFile, opts ReaderOptions) *Reader {
	t.Helper()
	if opts.Name == "" {
		opts.Name = "test.sst"
	}
	r, err := Open(f, int64(len(f.data)), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return r
}

// modelGet is the reference for Reader.Get.
func modelGet(entries []kv, ukey []byte, seq keys.SeqNum) (kv, bool) {
	seek := keys.AppendSeekKey(nil, ukey, seq)
	i := sort.Search(len(entries), func(i int) bool { return keys.Compare(entries[i].key, seek) >= 0 })
	if i < len(entries) && bytes.Equal(keys.UserKey(entries[i].key), ukey) {
		return entries[i], true
	}
	return kv{}, false
}

// craftTable writes n entries ("key000000"#1, ...) with restart intervals
// no Writer uses: dataInterval for data blocks and indexInterval for the
// index. The checksums are valid, as a crafted file's would be.
func craftTable(t testing.TB, n int, opts WriterOptions, dataInterval, indexInterval int) []byte {
	t.Helper()
	f := &memFile{}
	w := NewWriter(f, opts)
	w.data.restartInterval, w.index.restartInterval = dataInterval, indexInterval
	for i := 0; i < n; i++ {
		if err := w.Add(ik(fmt.Sprintf("key%06d", i), 1), nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Finish(); err != nil {
		t.Fatal(err)
	}
	return f.data
}

// longRunTable returns a table whose one data block holds n entries behind
// a single restart point.
func longRunTable(t testing.TB, n int) []byte {
	return craftTable(t, n, WriterOptions{BlockSize: 1 << 30, BloomBitsPerKey: -1}, n, indexRestartInterval)
}
