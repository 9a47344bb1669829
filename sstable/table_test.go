package sstable

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"sort"
	"testing"

	"github.com/lsmkv/lsmkv/cache"
	"github.com/lsmkv/lsmkv/internal/keys"
)

// TestRoundTrip writes random tables under every option combination and
// reads them back every way, comparing with the sorted model.
func TestRoundTrip(t *testing.T) {
	seed := testSeed(t)
	n := 3000
	if testing.Short() || raceEnabled {
		n = 1000
	}
	for _, blockSize := range []int{64, 256, 4096} {
		for _, comp := range []Compression{NoCompression, SnappyCompression} {
			for _, bloom := range []int{10, -1} {
				name := fmt.Sprintf("block=%d/%s/bloom=%d", blockSize, comp, bloom)
				t.Run(name, func(t *testing.T) {
					rng := rand.New(rand.NewSource(seed))
					entries := randomEntries(rng, n)
					opts := WriterOptions{BlockSize: blockSize, Compression: comp, BloomBitsPerKey: bloom}
					f, props := buildTable(t, entries, opts)
					checkProperties(t, props, entries, opts)
					var c *cache.Cache
					if bloom > 0 {
						c = cache.New(1 << 20) // one half of the matrix uses a cache
					}
					r := openTable(t, f, ReaderOptions{Cache: c, FileNum: 7})
					defer r.Close()
					got := *r.Properties()
					if fmt.Sprint(got) != fmt.Sprint(props) {
						t.Fatalf("Properties at Open:\n%v\nwant\n%v", &got, &props)
					}
					checkIterAll(t, r, entries)
					checkSeeks(t, rng, r, entries)
					checkGets(t, rng, r, entries)
					checkLayout(t, r, props)
				})
			}
		}
	}
}

func checkProperties(t *testing.T, p Properties, entries []kv, opts WriterOptions) {
	t.Helper()
	var want Properties
	want.NumEntries = uint64(len(entries))
	want.SmallestSeq = keys.MaxSeqNum
	for _, e := range entries {
		if keys.KindOf(e.key) == keys.KindDelete {
			want.NumDeletions++
		}
		want.RawKeyBytes += uint64(len(e.key))
		want.RawValueBytes += uint64(len(e.value))
		want.SmallestSeq = min(want.SmallestSeq, keys.Seq(e.key))
		want.LargestSeq = max(want.LargestSeq, keys.Seq(e.key))
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"NumEntries", p.NumEntries, want.NumEntries},
		{"NumDeletions", p.NumDeletions, want.NumDeletions},
		{"RawKeyBytes", p.RawKeyBytes, want.RawKeyBytes},
		{"RawValueBytes", p.RawValueBytes, want.RawValueBytes},
		{"SmallestSeq", p.SmallestSeq, want.SmallestSeq},
		{"LargestSeq", p.LargestSeq, want.LargestSeq},
		{"Smallest", keys.String(p.Smallest), keys.String(entries[0].key)},
		{"Largest", keys.String(p.Largest), keys.String(entries[len(entries)-1].key)},
		{"Compression", p.Compression, opts.Compression},
		{"BlockSize", p.BlockSize, opts.BlockSize},
		{"BloomBitsPerKey", p.BloomBitsPerKey, max(opts.BloomBitsPerKey, 0)},
		{"FormatVersion", p.FormatVersion, FormatVersion},
		{"FilterBytes>0", p.FilterBytes > 0, opts.BloomBitsPerKey > 0},
		{"sizes add up", p.DataBytes+p.IndexBytes+p.FilterBytes < p.FileSize, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

// checkIterAll walks the table forwards and backwards.
func checkIterAll(t *testing.T, r *Reader, entries []kv) {
	t.Helper()
	checkIterAllWith(t, r.NewIter(), entries)
	checkIterAllWith(t, r.NewScanIter(), entries)
}

func checkIterAllWith(t *testing.T, it *Iter, entries []kv) {
	t.Helper()
	defer it.Close()
	i := 0
	for ok := it.First(); ok; ok = it.Next() {
		expectEntry(t, "forward", it, entries, i)
		i++
	}
	if it.Error() != nil || i != len(entries) {
		t.Fatalf("forward: %d entries, err %v; want %d", i, it.Error(), len(entries))
	}
	i = len(entries) - 1
	for ok := it.Last(); ok; ok = it.Prev() {
		expectEntry(t, "backward", it, entries, i)
		i--
	}
	if it.Error() != nil || i != -1 {
		t.Fatalf("backward: stopped at %d, err %v", i, it.Error())
	}
}

func expectEntry(t *testing.T, what string, it *Iter, entries []kv, i int) {
	t.Helper()
	if i < 0 || i >= len(entries) {
		if it.Valid() {
			t.Fatalf("%s: at %s, want the end (model index %d)", what, keys.String(it.Key()), i)
		}
		return
	}
	if !it.Valid() {
		t.Fatalf("%s: invalid (err %v), want entry %d %s", what, it.Error(), i, keys.String(entries[i].key))
	}
	if !bytes.Equal(it.Key(), entries[i].key) || !bytes.Equal(it.Value(), entries[i].value) {
		t.Fatalf("%s: got %s=%q, want entry %d %s=%q", what, keys.String(it.Key()), it.Value(),
			i, keys.String(entries[i].key), entries[i].value)
	}
}

// seekTargets mixes existing keys, other versions of existing user keys and
// unrelated keys.
func seekTargets(rng *rand.Rand, entries []kv, n int) [][]byte {
	var out [][]byte
	for len(out) < n {
		e := entries[rng.Intn(len(entries))].key
		switch rng.Intn(4) {
		case 0:
			out = append(out, e)
		case 1:
			out = append(out, keys.Make(keys.UserKey(e), keys.SeqNum(rng.Int63n(1<<20)), keys.KindMax))
		case 2:
			out = append(out, keys.Make(randomUserKey(rng), keys.SeqNum(rng.Int63n(1<<20)), keys.KindSet))
		default:
			out = append(out, keys.Make([]byte{byte(rng.Intn(256))}, keys.MaxSeqNum, keys.KindDelete))
		}
	}
	return out
}

func checkSeeks(t *testing.T, rng *rand.Rand, r *Reader, entries []kv) {
	t.Helper()
	checkSeeksWith(t, rng, r.NewIter(), entries)
	checkSeeksWith(t, rng, r.NewScanIter(), entries)
}

func checkSeeksWith(t *testing.T, rng *rand.Rand, it *Iter, entries []kv) {
	t.Helper()
	defer it.Close()
	for _, target := range seekTargets(rng, entries, 500) {
		i := sort.Search(len(entries), func(i int) bool { return keys.Compare(entries[i].key, target) >= 0 })
		it.SeekGE(target)
		expectEntry(t, "SeekGE "+keys.String(target), it, entries, i)
		// A short random walk from there must follow the model.
		for step := 0; step < 4 && it.Valid(); step++ {
			if rng.Intn(2) == 0 {
				it.Next()
				i++
			} else {
				it.Prev()
				i--
			}
			expectEntry(t, "walk after SeekGE", it, entries, i)
		}
		it.SeekLT(target)
		expectEntry(t, "SeekLT "+keys.String(target), it, entries,
			sort.Search(len(entries), func(i int) bool { return keys.Compare(entries[i].key, target) >= 0 })-1)
	}
	if it.Error() != nil {
		t.Fatal(it.Error())
	}
}

func checkGets(t *testing.T, rng *rand.Rand, r *Reader, entries []kv) {
	t.Helper()
	for _, target := range seekTargets(rng, entries, 1000) {
		ukey := keys.UserKey(target)
		seq := keys.SeqNum(rng.Int63n(1 << 20))
		if rng.Intn(4) == 0 {
			seq = keys.MaxSeqNum
		}
		want, wantFound := modelGet(entries, ukey, seq)
		v, _, kind, found, err := r.Get(ukey, seq)
		if err != nil {
			t.Fatalf("Get(%q, %d): %v", ukey, seq, err)
		}
		if found != wantFound || found && (kind != keys.KindOf(want.key) || !bytes.Equal(v, want.value)) {
			t.Fatalf("Get(%q, %d) = %q, %v, %v; want %s=%q, %v", ukey, seq, v, kind, found,
				keys.String(want.key), want.value, wantFound)
		}
		if wantFound && !r.MayContain(ukey) {
			t.Fatalf("MayContain(%q) = false for a present key", ukey)
		}
	}
}

func checkLayout(t *testing.T, r *Reader, props Properties) {
	t.Helper()
	blocks, err := r.Layout()
	if err != nil {
		t.Fatal(err)
	}
	var entries, data, end uint64
	for _, b := range blocks {
		if b.Offset != end {
			t.Fatalf("block %+v does not start where the previous ended (%d)", b, end)
		}
		end = b.Offset + b.Length + blockTrailerLen
		if b.Kind == DataBlock {
			entries += uint64(b.Entries)
			data++
		}
	}
	if entries != props.NumEntries || data != props.NumDataBlocks || end+footerLen != props.FileSize {
		t.Fatalf("layout: %d entries in %d blocks ending at %d; props %v", entries, data, end, &props)
	}
}

func TestAddOutOfOrder(t *testing.T) {
	a1 := keys.Make([]byte("a"), 1, keys.KindSet)
	a2 := keys.Make([]byte("a"), 2, keys.KindSet)
	b1 := keys.Make([]byte("b"), 1, keys.KindSet)
	tests := []struct {
		name   string
		first  []byte
		second []byte
	}{
		{"equal", b1, b1},
		{"smaller user key", b1, a1},
		{"older then newer version", a1, a2},
		{"not an internal key", a1, []byte("short")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &memFile{}
			w := NewWriter(f, WriterOptions{})
			if err := w.Add(tc.first, nil); err != nil {
				t.Fatal(err)
			}
			if err := w.Add(tc.second, nil); err == nil {
				t.Fatalf("Add(%s) after %s succeeded", keys.String(tc.second), keys.String(tc.first))
			}
			// The rejected key left the writer usable and unchanged.
			c := keys.Make([]byte("c"), 1, keys.KindSet)
			if err := w.Add(c, []byte("v")); err != nil {
				t.Fatal(err)
			}
			if _, err := w.Finish(); err != nil {
				t.Fatal(err)
			}
			r := openTable(t, f, ReaderOptions{})
			checkIterAll(t, r, []kv{{tc.first, nil}, {c, []byte("v")}})
		})
	}
	w := NewWriter(&memFile{}, WriterOptions{})
	if err := w.Add(b1, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Add(a1, nil); !errors.Is(err, ErrOutOfOrder) {
		t.Fatalf("err = %v, want ErrOutOfOrder", err)
	}
}

func TestEmptyTable(t *testing.T) {
	f, props := buildTable(t, nil, WriterOptions{})
	if props.NumEntries != 0 || props.NumDataBlocks != 0 {
		t.Fatalf("props %v", &props)
	}
	r := openTable(t, f, ReaderOptions{})
	it := r.NewIter()
	if it.First() || it.Last() || it.SeekGE(keys.Make(nil, 1, keys.KindSet)) || it.SeekLT(keys.Make([]byte("z"), 1, keys.KindSet)) {
		t.Fatal("iterator over an empty table is valid")
	}
	if _, _, _, found, err := r.Get([]byte("a"), keys.MaxSeqNum); found || err != nil {
		t.Fatalf("Get: found=%v err=%v", found, err)
	}
}

func TestEstimatedSize(t *testing.T) {
	f := &memFile{}
	w := NewWriter(f, WriterOptions{BlockSize: 256})
	prev := uint64(0)
	for i := 0; i < 200; i++ {
		if err := w.Add(keys.Make([]byte(fmt.Sprintf("k%04d", i)), 1, keys.KindSet), make([]byte, 20)); err != nil {
			t.Fatal(err)
		}
		est := w.EstimatedSize()
		if est < prev || est < uint64(len(f.data)) {
			t.Fatalf("EstimatedSize %d after %d: went down, or below the %d bytes written", est, prev, len(f.data))
		}
		prev = est
	}
	props, err := w.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if prev > props.FileSize || props.FileSize != uint64(len(f.data)) {
		t.Fatalf("EstimatedSize %d, FileSize %d, written %d", prev, props.FileSize, len(f.data))
	}
}

// TestScanIterBypassesCache: a scan iterator reads every block without
// putting any in the block cache or counting it as a cache miss, and reads
// ahead: far fewer file reads than blocks.
func TestScanIterBypassesCache(t *testing.T) {
	entries := randomEntries(rand.New(rand.NewSource(testSeed(t))), 10000)
	f, _ := buildTable(t, entries, WriterOptions{BlockSize: 256, Compression: SnappyCompression})
	c := cache.New(1 << 20)
	stats := &ReadStats{}
	r := openTable(t, f, ReaderOptions{Cache: c, FileNum: 3, Stats: stats})
	defer r.Close()
	layout, err := r.Layout()
	if err != nil {
		t.Fatal(err)
	}
	var blocks, dataBytes int
	for _, b := range layout {
		if b.Kind == DataBlock {
			blocks++
			dataBytes += int(b.Length) + blockTrailerLen
		}
	}
	it := r.NewScanIter()
	reads := f.reads
	n := 0
	for ok := it.First(); ok; ok = it.Next() {
		n++
	}
	if err := it.Close(); err != nil || n != len(entries) {
		t.Fatalf("scan: %d of %d entries, %v", n, len(entries), err)
	}
	if dataBytes < 2*scanReadahead {
		t.Fatalf("table of %d data bytes is too small to need several chunks", dataBytes)
	}
	if want := dataBytes/scanReadahead + 1; f.reads-reads > want {
		t.Fatalf("a forward scan of %d blocks (%d bytes) made %d reads; want at most %d",
			blocks, dataBytes, f.reads-reads, want)
	}
	checkIterAllWith(t, r.NewScanIter(), entries) // backwards too
	if m := c.Metrics(); m.Count != 0 || stats.BlockReads.Load() != 0 || stats.BlockCacheHits.Load() != 0 {
		t.Fatalf("scan: cache holds %d blocks, stats %d reads %d hits; want none",
			m.Count, stats.BlockReads.Load(), stats.BlockCacheHits.Load())
	}
	checkIterAllWith(t, r.NewIter(), entries)
	if c.Metrics().Count == 0 {
		t.Fatal("NewIter did not fill the cache: the check above proves nothing")
	}
}

// TestIterReadsAhead: an Iter scanning forwards soon reads many blocks at
// a time, and still fills the cache; one that seeks about reads a block at
// a time.
func TestIterReadsAhead(t *testing.T) {
	for _, comp := range []Compression{NoCompression, SnappyCompression} {
		t.Run(comp.String(), func(t *testing.T) {
			entries := randomEntries(rand.New(rand.NewSource(testSeed(t))), 10000)
			f, _ := buildTable(t, entries, WriterOptions{BlockSize: 256, Compression: comp})
			c := cache.New(64 << 20)
			stats := &ReadStats{}
			r := openTable(t, f, ReaderOptions{Cache: c, FileNum: 3, Stats: stats})
			defer r.Close()
			reads := f.reads
			checkIterAllWith(t, r.NewIter(), entries)
			blocks := stats.BlockReads.Load()
			if got := f.reads - reads; got*10 > int(blocks) {
				t.Fatalf("a scan of %d blocks made %d reads; want fewer than a tenth", blocks, got)
			}
			if m := c.Metrics(); m.Count != int64(blocks) || m.Size > 2*int64(len(f.data)) {
				t.Fatalf("cache holds %d blocks of %d bytes after reading %d blocks of a %d-byte file",
					m.Count, m.Size, blocks, len(f.data))
			}
		})
	}
}

// TestConcurrentReads runs Gets and iterators on one Reader from several
// goroutines (meaningful under -race).
func TestConcurrentReads(t *testing.T) {
	seed := testSeed(t)
	entries := randomEntries(rand.New(rand.NewSource(seed)), 2000)
	f, _ := buildTable(t, entries, WriterOptions{BlockSize: 256, Compression: SnappyCompression})
	r := openTable(t, f, ReaderOptions{Cache: cache.New(64 << 10), FileNum: 3, Stats: &ReadStats{}})
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func(g int) {
			rng := rand.New(rand.NewSource(seed + int64(g)))
			for i := 0; i < 500; i++ {
				e := entries[rng.Intn(len(entries))]
				want, _ := modelGet(entries, keys.UserKey(e.key), keys.MaxSeqNum)
				v, _, _, found, err := r.Get(keys.UserKey(e.key), keys.MaxSeqNum)
				if err != nil || !found || !bytes.Equal(v, want.value) {
					errs <- fmt.Errorf("goroutine %d: Get(%s) = %q, %v, %v", g, keys.String(e.key), v, found, err)
					return
				}
			}
			it := r.NewIter()
			n := 0
			for ok := it.First(); ok; ok = it.Next() {
				n++
			}
			if n != len(entries) || it.Close() != nil {
				errs <- fmt.Errorf("goroutine %d: iterated %d of %d entries", g, n, len(entries))
				return
			}
			errs <- nil
		}(g)
	}
	for g := 0; g < 4; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
