package sstable

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"testing"

	"github.com/lsmkv/lsmkv/internal/checksum"
	"github.com/lsmkv/lsmkv/internal/corruption"
	"github.com/lsmkv/lsmkv/internal/keys"
)

// Fuzz targets for every decoder of on-disk bytes. Each is seeded with valid
// encodings; run one with e.g.
//
//	go test -run='^$' -fuzz=FuzzOpen -fuzztime=30s ./sstable

// seedTables returns a few valid tables covering the options.
func seedTables(f *testing.F) [][]byte {
	var out [][]byte
	for _, opts := range []WriterOptions{
		{},
		{BlockSize: 64, Compression: SnappyCompression},
		{BlockSize: 128, BloomBitsPerKey: -1},
	} {
		var entries []kv
		for i := 0; i < 20; i++ {
			entries = append(entries, kv{ik(fmt.Sprintf("k%02d", i), keys.SeqNum(i)), bytes.Repeat([]byte{'v'}, i)})
		}
		tf, _ := buildTable(f, entries, opts)
		out = append(out, tf.data)
	}
	empty, _ := buildTable(f, nil, WriterOptions{})
	out = append(out, empty.data, workedExample(f))
	if golden, err := os.ReadFile(filepath.Join("testdata", "golden.sst")); err == nil {
		out = append(out, golden)
	}
	return out
}

func requireCorruption(t *testing.T, err error) {
	t.Helper()
	if err != nil && !errors.Is(err, corruption.ErrCorruption) {
		t.Fatalf("error %v does not wrap ErrCorruption", err)
	}
}

func FuzzFooter(f *testing.F) {
	for _, tbl := range seedTables(f) {
		f.Add(tbl[len(tbl)-footerLen:])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ft, err := decodeFooter("fuzz", 0, b)
		requireCorruption(t, err)
		if err == nil && !bytes.Equal(ft.encode(nil), b) {
			t.Fatalf("footer %x decodes to %+v, which re-encodes differently", b, ft)
		}
	})
}

// FuzzBlock drives the block iterator over arbitrary bytes, read both as a
// data block and as an index block (restart runs of at most 16 and 1
// entries). Besides never panicking and reporting only corruption, each
// positioning call must stay within its bound on decoded entries, so that a
// crafted block cannot make iteration quadratic (issue 15).
func FuzzBlock(f *testing.F) {
	for _, interval := range []int{1, 2, 16} {
		var w blockWriter
		w.restartInterval = interval
		for i := 0; i < 20; i++ {
			w.add(ik(fmt.Sprintf("key%03d", i*7), keys.SeqNum(i)), []byte(fmt.Sprint(i)))
		}
		f.Add(bytes.Clone(w.finish()))
	}
	for _, b := range blockSeeds() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzBlockIter(t, b, dataRestartInterval)
		fuzzBlockIter(t, b, indexRestartInterval)
	})
}

// fuzzBlockIter walks block b (runs of at most maxRun entries) forwards,
// backwards and by seeks, checking the errors and the work of every call.
func fuzzBlockIter(t *testing.T, b []byte, maxRun int) {
	var it blockIter
	if err := it.init("fuzz", 0, b, maxRun); err != nil {
		requireCorruption(t, err)
		return
	}
	search := bits.Len(uint(it.numRestarts - 1)) // SeekGE's binary search
	// step makes one call and checks it decoded at most limit entries.
	step := func(op string, limit int, call func() bool) bool {
		before := it.decoded
		ok := call()
		if n := it.decoded - before; n > limit {
			t.Fatalf("maxRun %d: %s decoded %d entries, bound %d", maxRun, op, n, limit)
		}
		requireCorruption(t, it.err)
		return ok
	}
	var fwd [][]byte
	for ok := step("First", 1, it.First); ok && len(fwd) < 10000; ok = step("Next", 1, it.Next) {
		fwd = append(fwd, bytes.Clone(it.key))
	}
	it.err = nil
	for ok := step("Last", maxRun, it.Last); ok && len(fwd) < 20000; ok = step("Prev", maxRun, it.Prev) {
		fwd = append(fwd, bytes.Clone(it.key))
	}
	for _, k := range fwd[:min(len(fwd), 50)] {
		it.err = nil
		if step("SeekGE", search+maxRun+1, func() bool { return it.SeekGE(k) }) && keys.Compare(it.key, k) < 0 {
			// An unsorted (damaged) block may mislead the search, but
			// the scan never stops before the target.
			t.Fatalf("SeekGE(%x) stopped at smaller key %x", k, it.key)
		}
		it.err = nil
		step("SeekLT", search+2*maxRun+1, func() bool { return it.SeekLT(k) })
	}
}

// blockSeeds returns valid blocks that stress the format (restart intervals
// 1, 2 and 16, empty user keys and values, long shared prefixes, an empty
// block) and damaged blocks that reach each of blockIter's error paths.
func blockSeeds() [][]byte {
	var out [][]byte
	add := func(b []byte) { out = append(out, bytes.Clone(b)) }

	// build writes entries with the given restart interval.
	build := func(interval int, entries []kv) []byte {
		w := blockWriter{restartInterval: interval}
		for _, e := range entries {
			w.add(e.key, e.value)
		}
		return bytes.Clone(w.finish())
	}
	// raw assembles a block from hand-encoded entries and restart offsets;
	// count is the stored restart count.
	raw := func(entries []byte, restarts []uint32, count uint32) []byte {
		b := bytes.Clone(entries)
		for _, r := range restarts {
			b = binary.LittleEndian.AppendUint32(b, r)
		}
		return binary.LittleEndian.AppendUint32(b, count)
	}
	// entry hand-encodes one entry with arbitrary (possibly lying) lengths.
	entry := func(dst []byte, shared, unshared, vlen uint64, key, val []byte) []byte {
		dst = binary.AppendUvarint(dst, shared)
		dst = binary.AppendUvarint(dst, unshared)
		dst = binary.AppendUvarint(dst, vlen)
		return append(append(dst, key...), val...)
	}
	// split returns the entries and the restart offsets of a valid block.
	split := func(b []byte) ([]byte, []uint32) {
		n := int(binary.LittleEndian.Uint32(b[len(b)-4:]))
		start := len(b) - 4 - 4*n
		var rs []uint32
		for i := 0; i < n; i++ {
			rs = append(rs, binary.LittleEndian.Uint32(b[start+4*i:]))
		}
		return b[:start], rs
	}

	// Valid blocks.
	var small []kv // short keys, some empty values
	for i := 0; i < 6; i++ {
		var v []byte
		if i%2 == 1 {
			v = []byte(fmt.Sprint(i))
		}
		small = append(small, kv{ik(fmt.Sprintf("k%d", i), keys.SeqNum(i)), v})
	}
	long := bytes.Repeat([]byte("p"), 300) // shared lengths need 2-byte varints
	var prefixed []kv
	for i := 0; i < 20; i++ {
		prefixed = append(prefixed, kv{ik(string(long)+fmt.Sprintf("%02d", i), 1), bytes.Repeat([]byte{'v'}, 130*(i%2))})
	}
	emptyKeys := []kv{ // empty user key, versions of it, then one more key
		{ik("", 9), nil}, {ik("", 3), []byte("x")}, {ik("", 1), nil}, {ik("a", 1), nil},
	}
	valid := map[string][]byte{}
	for _, interval := range []int{1, 2, 16} {
		for name, es := range map[string][]kv{"small": small, "prefixed": prefixed, "empty": emptyKeys} {
			b := build(interval, es)
			valid[fmt.Sprint(name, interval)] = b
			add(b)
		}
	}
	add(build(16, nil)) // empty block: one restart at 0, no entries
	add(build(1, []kv{{ik("only", 1), nil}}))

	// Restart runs longer than the writer makes (issue 15): one entry too
	// many for a data block, runs of 40, a run of 32 after one of 16 (the
	// restart point between them dropped), and the crafted case of 33,001
	// entries behind one restart point.
	var run []kv
	for i := 0; i < 33001; i++ {
		run = append(run, kv{ik(fmt.Sprintf("key%06d", i), 1), nil})
	}
	add(build(17, run[:17]))
	add(build(40, run[:100]))
	if es, r := split(build(16, run[:64])); len(r) == 4 {
		add(raw(es, []uint32{r[0], r[1], r[3]}, 3))
	}
	add(build(len(run), run))

	// Too short for the restart count, and restart counts that do not fit.
	for n := 0; n < 4; n++ {
		add(make([]byte, n))
	}
	add(raw(nil, nil, 0))
	add(raw(nil, nil, 1))
	add(raw(nil, []uint32{0}, 2))
	add(raw(nil, []uint32{0}, 1)) // restart array covers the whole block
	add(raw(nil, []uint32{0}, 0xffffffff))
	s2 := valid["small2"]
	ents, rs := split(s2)
	add(raw(ents, rs, 0))
	add(raw(ents, rs, uint32(len(rs)+1)))                       // count one too large: entries end early
	add(raw(ents, rs, uint32((len(s2)-4)/4+1)))                 // count larger than the block allows
	add(raw(ents, rs, uint32((len(s2)-4)/4)))                   // restart array swallows all entries
	add(raw(ents, rs, uint32(len(rs)-1)))                       // count one too small: last restart read as entry bytes
	add(raw(ents[:len(ents)-1], rs, uint32(len(rs))))           // last value cut short
	add(raw(append(bytes.Clone(ents), 0), rs, uint32(len(rs)))) // trailing garbage: truncated entry

	// Restart offsets out of range, pointing mid-entry, unsorted.
	patchRestart := func(b []byte, i int, v uint32) []byte {
		es, r := split(b)
		r = append([]uint32(nil), r...)
		r[i] = v
		return raw(es, r, uint32(len(r)))
	}
	for _, name := range []string{"small1", "small2", "prefixed2", "prefixed16", "empty2"} {
		b := valid[name]
		es, r := split(b)
		last := len(r) - 1
		add(patchRestart(b, 0, uint32(len(es))))      // exactly at the restart array
		add(patchRestart(b, last, uint32(len(es))))   // likewise for the last one
		add(patchRestart(b, last, 0xffffffff))        // far out of range
		add(patchRestart(b, 0, 1))                    // mid-entry
		add(patchRestart(b, last, r[last]+1))         // mid-entry
		add(patchRestart(b, last, uint32(len(es)-1))) // last byte of the entries
		if len(r) > 1 {
			add(patchRestart(b, 1, r[1]+3))  // mid-entry, past the varints
			add(patchRestart(b, 1, 0))       // duplicates restart 0
			add(patchRestart(b, 0, r[last])) // unsorted
			rev := append([]uint32(nil), r...)
			for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
				rev[i], rev[j] = rev[j], rev[i]
			}
			add(raw(es, rev, uint32(len(rev))))
		}
		// A restart at the non-restart entry after restart 0 (it has
		// shared != 0), and restart 0 dropped entirely.
		var it blockIter
		if it.init("seed", 0, b, dataRestartInterval) == nil && it.First() && it.Next() && r[min(1, last)] != uint32(it.offset) {
			add(patchRestart(b, min(1, last), uint32(it.offset)))
		}
		if len(r) > 1 {
			add(raw(es, r[1:], uint32(len(r)-1)))
		}
		// Every truncation of the entries, keeping the restart array.
		if name == "small2" || name == "empty2" {
			for cut := 0; cut < len(es); cut++ {
				add(raw(es[:cut], r, uint32(len(r))))
			}
		}
	}

	// Hand-encoded entries reaching each check in decodeAt.
	k0 := ik("", 1) // empty user key: the shortest valid internal key
	ka, kab, kz := ik("a", 1), ik("ab", 1), ik("z", 1)
	one := func(e []byte) []byte { return raw(e, []uint32{0}, 1) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	two := func(first, second []byte, restarts ...uint32) []byte {
		if len(restarts) == 0 {
			restarts = []uint32{0}
		}
		return raw(cat(first, second), restarts, uint32(len(restarts)))
	}
	first := entry(nil, 0, uint64(len(kab)), 1, kab, []byte("v"))
	add(one(entry(nil, 0, 0, 0, nil, nil)))                                              // empty internal key
	add(one(entry(nil, 0, 7, 0, k0[:7], nil)))                                           // 7-byte key
	add(one(entry(nil, 0, 8, 0, k0, nil)))                                               // empty user key, empty value
	add(one(entry(nil, 3, 8, 0, k0, nil)))                                               // restart entry shares bytes
	add(one(entry(nil, 0, 200, 0, k0, nil)))                                             // unshared past the end
	add(one(entry(nil, 0, 9, 0, k0, nil)))                                               // unshared one byte past the end
	add(one(entry(nil, 0, 8, 200, k0, []byte("v"))))                                     // value past the end
	add(one(entry(nil, 0, 8, 1, k0, nil)))                                               // value one byte past the end
	add(one(entry(nil, 0, 1<<63, 1<<63, k0, nil)))                                       // lengths that overflow when added
	add(one(entry(nil, 0, 8, 1<<64-1, k0, nil)))                                         // value length overflows
	add(one(entry(nil, 0, 1<<64-1, 9, k0, nil)))                                         // unshared overflows
	add(one([]byte{0x80}))                                                               // truncated shared varint
	add(one([]byte{0x00, 0x80}))                                                         // truncated unshared varint
	add(one([]byte{0x00, 0x08, 0x80}))                                                   // truncated value varint
	add(one([]byte{0x00, 0x08}))                                                         // missing value varint
	add(one([]byte{0x00}))                                                               // missing unshared varint
	add(one(bytes.Repeat([]byte{0xff}, 11)))                                             // overlong shared varint
	add(one(cat([]byte{0x00}, bytes.Repeat([]byte{0xff}, 11))))                          // overlong unshared varint
	add(one(cat([]byte{0x00, 0x08}, bytes.Repeat([]byte{0xff}, 10))))                    // overlong value varint
	add(one(cat([]byte{0x80, 0x00, 0x08, 0x00}, k0)))                                    // non-minimal shared varint
	add(two(first, entry(nil, 200, 1, 0, []byte("c"), nil)))                             // shares more than the previous key
	add(two(first, entry(nil, uint64(len(kab))+1, 0, 0, nil, nil)))                      // shares one byte more
	add(two(first, entry(nil, uint64(len(kab)), 0, 0, nil, nil)))                        // whole previous key: a duplicate
	add(two(first, entry(nil, 1, uint64(len(ka))-1, 0, ka[1:], nil)))                    // shares a prefix, then sorts lower
	add(two(first, entry(nil, 1, 6, 0, k0[:6], nil)))                                    // 7-byte key from sharing
	add(two(first, entry(nil, 1, 100, 0, k0, nil)))                                      // unshared past the end after sharing
	add(two(first, entry(nil, 1, uint64(len(k0)), 100, k0, nil)))                        // value past the end after sharing
	add(two(first, []byte{0x01, 0x80}))                                                  // truncated second entry
	add(two(first, entry(nil, 0, uint64(len(ka)), 0, ka, nil), 0, uint32(len(first))))   // second restart sorts lower
	add(two(first, entry(nil, 2, uint64(len(k0)), 0, k0, nil), 0, uint32(len(first))))   // restart that shares
	add(two(first, entry(nil, 0, uint64(len(ka)), 0, ka, nil), 0, uint32(len(first)+1))) // restart mid-entry
	// A bad entry between two good restarts: Last succeeds, then Prev's
	// forward re-decode from restart 0 hits the bad entry.
	bad := entry(nil, 200, 1, 0, []byte("c"), nil)
	add(raw(cat(first, bad, entry(nil, 0, uint64(len(kz)), 0, kz, nil)), []uint32{0, uint32(len(first) + len(bad))}, 2))
	// A decodable entry hidden inside another's value, with a restart
	// pointing at it: Prev finds entries that do not line up.
	hidden := entry(nil, 0, uint64(len(kz)), 0, kz, nil)
	outer := entry(nil, 0, uint64(len(ka)), uint64(len(hidden)), ka, hidden)
	mid := uint32(len(outer) - len(hidden))
	add(two(outer, entry(nil, 0, uint64(len(kz))+1, 0, ik("zz", 1), nil), 0, mid))
	add(two(outer, entry(nil, 1, 8, 0, k0, nil), 0, mid, uint32(len(outer))))
	return out
}

func FuzzProperties(f *testing.F) {
	for _, tbl := range seedTables(f) {
		r, err := Open(&memFile{data: tbl}, int64(len(tbl)), ReaderOptions{})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(encodeProperties(nil, r.Properties()))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodeProperties("fuzz", 0, b)
		requireCorruption(t, err)
		if err != nil {
			return
		}
		// Whatever decoded must survive a round trip unchanged.
		p2, err := decodeProperties("fuzz", 0, encodeProperties(nil, &p))
		if err != nil || fmt.Sprint(p) != fmt.Sprint(p2) {
			t.Fatalf("round trip: %v, %v; want %v", p2, err, p)
		}
	})
}

func FuzzFilter(f *testing.F) {
	f.Add(buildFilter(nil, []uint64{filterHash([]byte("a")), filterHash([]byte("b"))}, 10))
	f.Add([]byte{0, 31})
	f.Fuzz(func(t *testing.T, b []byte) {
		flt, err := decodeFilter("fuzz", 0, b)
		requireCorruption(t, err)
		if err == nil {
			flt.mayContain(filterHash(b))
		}
	})
}

// FuzzOpen opens arbitrary file contents and reads everything it can. It
// must never panic, and every error must be a corruption error (the
// in-memory file cannot fail).
func FuzzOpen(f *testing.F) {
	for _, tbl := range seedTables(f) {
		f.Add(tbl)
	}
	// Valid checksums, restart runs too long (issue 15): in a data block,
	// and in the index.
	f.Add(longRunTable(f, 17))
	f.Add(craftTable(f, 100, WriterOptions{BlockSize: 128}, dataRestartInterval, 2))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Open(&memFile{data: b}, int64(len(b)), ReaderOptions{Name: "fuzz"})
		if err != nil {
			requireCorruption(t, err)
			return
		}
		it := r.NewIter()
		var ukeys [][]byte
		for ok := it.First(); ok && len(ukeys) < 10000; ok = it.Next() {
			ukeys = append(ukeys, bytes.Clone(keys.UserKey(it.Key())))
		}
		requireCorruption(t, it.Error())
		requireSameScan(t, r, ukeys, it.Error())
		for ok := it.Last(); ok; ok = it.Prev() {
		}
		requireCorruption(t, it.Error())
		for _, k := range ukeys[:min(len(ukeys), 50)] {
			_, _, _, _, err := r.Get(k, keys.MaxSeqNum)
			requireCorruption(t, err)
			it.SeekGE(keys.Make(k, 5, keys.KindSet))
			it.SeekLT(keys.Make(k, 5, keys.KindSet))
			requireCorruption(t, it.Error())
		}
		_, err = r.Layout()
		requireCorruption(t, err)
	})
}

// requireSameScan checks that a scan iterator (the compaction's) reads the
// same keys as NewIter did, and fails where it failed.
func requireSameScan(t *testing.T, r *Reader, ukeys [][]byte, iterErr error) {
	t.Helper()
	it := r.NewScanIter()
	defer it.Close()
	i := 0
	for ok := it.First(); ok && i < len(ukeys); ok = it.Next() {
		if !bytes.Equal(keys.UserKey(it.Key()), ukeys[i]) {
			t.Fatalf("scan entry %d is %q, NewIter read %q", i, keys.UserKey(it.Key()), ukeys[i])
		}
		i++
	}
	if i < len(ukeys) || (len(ukeys) < 10000 && (iterErr == nil) != (it.Error() == nil)) {
		t.Fatalf("scan read %d entries (error %v), NewIter %d (error %v)", i, it.Error(), len(ukeys), iterErr)
	}
	requireCorruption(t, it.Error())
}

// FuzzOpenResealed patches bytes of a valid table and then recomputes every
// checksum (from the original layout), so that the damage gets past the
// checksums and reaches the block, index, filter and properties decoders
// through Open and the iterators, as a malicious file would.
func FuzzOpenResealed(f *testing.F) {
	tables := seedTables(f)
	f.Add(uint8(0), uint16(0), []byte{0x7f})
	f.Add(uint8(1), uint16(40), []byte{0xff, 0xff, 0xff})
	f.Add(uint8(2), uint16(200), []byte{0, 0, 0, 0})
	f.Add(uint8(4), uint16(0x3f), []byte{5, 9})
	f.Fuzz(func(t *testing.T, which uint8, off uint16, patch []byte) {
		orig := tables[int(which)%len(tables)]
		b := bytes.Clone(orig)
		copy(b[min(int(off), len(b)):], patch)
		reseal(t, orig, b)
		r, err := Open(&memFile{data: b}, int64(len(b)), ReaderOptions{Name: "fuzz"})
		if err != nil {
			requireCorruption(t, err)
			return
		}
		it := r.NewIter()
		var ukeys [][]byte
		for ok := it.First(); ok && len(ukeys) < 10000; ok = it.Next() {
			ukeys = append(ukeys, bytes.Clone(keys.UserKey(it.Key())))
		}
		requireCorruption(t, it.Error())
		requireSameScan(t, r, ukeys, it.Error())
		for ok := it.Last(); ok; ok = it.Prev() {
		}
		requireCorruption(t, it.Error())
		for _, k := range ukeys[:min(len(ukeys), 50)] {
			_, _, _, _, err := r.Get(k, keys.MaxSeqNum)
			requireCorruption(t, err)
			it.SeekLT(keys.Make(k, 5, keys.KindSet))
			requireCorruption(t, it.Error())
		}
		_, err = r.Layout()
		requireCorruption(t, err)
	})
}

// reseal rewrites the block and footer checksums of damaged (a patched copy
// of orig) where orig's blocks were.
func reseal(t *testing.T, orig, damaged []byte) {
	r, err := Open(&memFile{data: orig}, int64(len(orig)), ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := r.Layout()
	if err != nil {
		t.Fatal(err)
	}
	for _, bl := range blocks {
		end := bl.Offset + bl.Length
		binary.LittleEndian.PutUint32(damaged[end+1:], checksum.Sum(damaged[bl.Offset:end+1]))
	}
	ft := damaged[len(damaged)-footerLen:]
	binary.LittleEndian.PutUint32(ft[52:], checksum.Sum(ft[:52]))
}
