package sstable

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/lsmkv/lsmkv/internal/corruption"
	"github.com/lsmkv/lsmkv/internal/keys"
)

func ik(ukey string, seq keys.SeqNum) []byte { return keys.Make([]byte(ukey), seq, keys.KindSet) }

// TestBlockEncoding pins the block format on a small example: prefix
// compression, restart points and the restart array.
func TestBlockEncoding(t *testing.T) {
	var w blockWriter
	w.restartInterval = 2
	w.add(ik("ab", 1), []byte("x"))
	w.add(ik("abc", 1), nil)
	w.add(ik("abd", 1), []byte("yz"))
	got := w.finish()
	trailer := func() []byte { return binary.LittleEndian.AppendUint64(nil, keys.MakeTrailer(1, keys.KindSet)) }
	var want []byte
	want = append(want, 0, 10, 1) // restart: whole key "ab"+trailer
	want = append(append(append(want, "ab"...), trailer()...), 'x')
	want = append(want, 2, 9, 0) // shares "ab"
	want = append(append(want, 'c'), trailer()...)
	want = append(want, 0, 11, 2) // restart again (interval 2)
	want = append(append(append(want, "abd"...), trailer()...), "yz"...)
	want = binary.LittleEndian.AppendUint32(want, 0)
	want = binary.LittleEndian.AppendUint32(want, 26)
	want = binary.LittleEndian.AppendUint32(want, 2)
	if !bytes.Equal(got, want) {
		t.Fatalf("block\n%x\nwant\n%x", got, want)
	}
}

// TestBlockIterSeek checks seeks in one block for every restart interval.
func TestBlockIterSeek(t *testing.T) {
	var entries []kv
	for i := 0; i < 40; i++ {
		entries = append(entries, kv{ik(fmt.Sprintf("k%03d", i*2), 5), []byte(fmt.Sprint(i))})
	}
	tests := []struct {
		target  []byte
		wantGE  int // index into entries, len = end
		wantLT  int // -1 = before start
		comment string
	}{
		{ik("a", 1), 0, -1, "before all"},
		{ik("k000", 5), 0, -1, "exact first"},
		{ik("k000", 4), 1, 0, "older version of first"},
		{ik("k001", 9), 1, 0, "between"},
		{ik("k040", 6), 20, 19, "newer version sorts first"},
		{ik("k078", 5), 39, 38, "exact last"},
		{ik("z", 1), 40, 39, "after all"},
	}
	for _, interval := range []int{1, 2, 16, 100} {
		var w blockWriter
		w.restartInterval = interval
		for _, e := range entries {
			w.add(e.key, e.value)
		}
		block := w.finish()
		for _, tc := range tests {
			var it blockIter
			if err := it.init("t", 0, block, interval); err != nil {
				t.Fatal(err)
			}
			check := func(op string, ok bool, want int) {
				t.Helper()
				if want < 0 || want >= len(entries) {
					if ok || it.err != nil {
						t.Fatalf("interval %d: %s(%s) [%s] = %v (err %v), want none", interval, op, keys.String(tc.target), tc.comment, ok, it.err)
					}
					return
				}
				if !ok || !bytes.Equal(it.key, entries[want].key) || !bytes.Equal(it.val, entries[want].value) {
					t.Fatalf("interval %d: %s(%s) [%s] at %s, want %s", interval, op, keys.String(tc.target), tc.comment,
						keys.String(it.key), keys.String(entries[want].key))
				}
			}
			check("SeekGE", it.SeekGE(tc.target), tc.wantGE)
			check("SeekLT", it.SeekLT(tc.target), tc.wantLT)
		}
	}
}

// TestBlockIterCorrupt feeds hand-made bad blocks to the iterator: each must
// give a corruption error, not a panic or an entry.
func TestBlockIterCorrupt(t *testing.T) {
	u32 := func(vs ...uint32) []byte {
		var b []byte
		for _, v := range vs {
			b = binary.LittleEndian.AppendUint32(b, v)
		}
		return b
	}
	good := ik("key", 1)
	entry := func(shared, unshared, vlen byte, rest []byte) []byte {
		return append([]byte{shared, unshared, vlen}, rest...)
	}
	tests := []struct {
		name  string
		block []byte
	}{
		{"empty", nil},
		{"short", []byte{1, 2}},
		{"zero restarts", u32(0)},
		{"too many restarts", u32(0, 5)},
		{"restart past entries", append(entry(0, 11, 0, good), u32(100, 1)...)},
		{"restart shares a prefix", append(entry(3, 8, 0, good[3:]), u32(0, 1)...)},
		{"key overruns", append(entry(0, 50, 0, good), u32(0, 1)...)},
		{"value overruns", append(entry(0, 11, 50, good), u32(0, 1)...)},
		{"key too short", append(entry(0, 3, 0, []byte("abc")), u32(0, 1)...)},
		{"bad varint", append(bytes.Repeat([]byte{0xff}, 12), u32(0, 1)...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var it blockIter
			err := it.init("x.sst", 42, tc.block, dataRestartInterval)
			if err == nil {
				if it.First() {
					t.Fatalf("First succeeded at %s", keys.String(it.key))
				}
				err = it.err
			}
			var ce *corruption.Error
			if !errors.Is(err, corruption.ErrCorruption) || !errors.As(err, &ce) || ce.File != "x.sst" || ce.Offset != 42 {
				t.Fatalf("err = %v, want a corruption error naming x.sst at 42", err)
			}
		})
	}
}

// TestBlockIterRunBound checks the restart-run bound on blocks built with
// every interval up to one past it, as data blocks (16) and index blocks (1):
// runs up to the bound read in both directions, each Prev decoding at most
// the bound; a longer run is corruption naming the file and block offset,
// whichever way it is reached.
func TestBlockIterRunBound(t *testing.T) {
	var entries []kv
	for i := 0; i < 40; i++ {
		entries = append(entries, kv{ik(fmt.Sprintf("k%03d", i), 1), []byte(fmt.Sprint(i))})
	}
	for _, maxRun := range []int{dataRestartInterval, indexRestartInterval} {
		for interval := 1; interval <= maxRun+1; interval++ {
			w := blockWriter{restartInterval: interval}
			for _, e := range entries {
				w.add(e.key, e.value)
			}
			var it blockIter
			block := w.finish()
			if err := it.init("x.sst", 42, block, maxRun); err != nil {
				t.Fatal(err)
			}
			n := 0
			for ok := it.Last(); ok; ok = it.Prev() {
				if !bytes.Equal(it.key, entries[len(entries)-1-n].key) {
					t.Fatalf("maxRun %d, interval %d: Prev at %s", maxRun, interval, keys.String(it.key))
				}
				n++
			}
			if interval <= maxRun {
				if it.err != nil || n != len(entries) || it.decoded > len(entries)*interval {
					t.Fatalf("maxRun %d, interval %d: %d entries backwards with %d decodes, err %v; want %d entries, <= %d decodes",
						maxRun, interval, n, it.decoded, it.err, len(entries), len(entries)*interval)
				}
				continue
			}
			requireRunError(t, fmt.Sprintf("maxRun %d, interval %d: Last", maxRun, interval), it.err, "x.sst", 42)
			it.init("x.sst", 42, block, maxRun) // errors are sticky
			n = 0
			for ok := it.First(); ok; ok = it.Next() {
				n++
			}
			requireRunError(t, fmt.Sprintf("maxRun %d, interval %d: Next", maxRun, interval), it.err, "x.sst", 42)
			if n != maxRun {
				t.Fatalf("maxRun %d, interval %d: %d entries before the error, want %d", maxRun, interval, n, maxRun)
			}
		}
	}
}

// requireRunError checks that err is the corruption error for an overlong
// restart run in the block at off of file.
func requireRunError(t *testing.T, what string, err error, file string, off int64) {
	t.Helper()
	var ce *corruption.Error
	if !errors.Is(err, corruption.ErrCorruption) || !errors.As(err, &ce) || ce.File != file || ce.Offset != off ||
		!strings.Contains(err.Error(), "restart run") {
		t.Fatalf("%s: err = %v, want corruption of an overlong restart run in %s at %d", what, err, file, off)
	}
}

// TestIssue15LongRestartRun reads a crafted table (valid checksums) whose
// one data block holds 33,001 entries behind a single restart point. Walking
// it backwards used to decode the run again for every Prev: 544,549,502
// decodes, 5.5 s. Now every way into the block stops with a corruption error
// after at most dataRestartInterval decodes.
func TestIssue15LongRestartRun(t *testing.T) {
	data := longRunTable(t, 33001)
	r := openTable(t, &memFile{data: data}, ReaderOptions{Name: "crafted.sst"}) // the index is fine
	target := ik("key020000", 1)
	walks := map[string]func(it *Iter){
		"backward": func(it *Iter) {
			for ok := it.Last(); ok; ok = it.Prev() {
			}
		},
		"forward": func(it *Iter) {
			for ok := it.First(); ok; ok = it.Next() {
			}
		},
		"SeekGE": func(it *Iter) { it.SeekGE(target) },
		"SeekLT": func(it *Iter) { it.SeekLT(target) },
	}
	for name, walk := range walks {
		it := r.NewIter()
		walk(it)
		requireRunError(t, name, it.Error(), "crafted.sst", 0)
		if it.data.decoded > dataRestartInterval {
			t.Errorf("%s: %d entries decoded, want <= %d", name, it.data.decoded, dataRestartInterval)
		}
		it.Close()
	}
	_, _, _, _, err := r.Get(keys.UserKey(target), keys.MaxSeqNum)
	requireRunError(t, "Get", err, "crafted.sst", 0)
	_, err = r.Layout()
	requireRunError(t, "Layout", err, "crafted.sst", 0)
}

// TestSeparator checks the index key helpers against their contract.
func TestSeparator(t *testing.T) {
	max := func(u string) []byte { return keys.Make([]byte(u), keys.MaxSeqNum, keys.KindMax) }
	tests := []struct {
		a, b, want []byte
	}{
		{ik("abcd", 3), ik("abzz", 9), max("abd")},
		{ik("abc", 3), ik("abd", 9), ik("abc", 3)}, // 'c'+1 == 'd': no room
		{ik("abc", 3), ik("abc", 1), ik("abc", 3)}, // same user key
		{ik("ab", 3), ik("abc", 1), ik("ab", 3)},   // prefix
		{ik("a\xff", 3), ik("b", 1), ik("a\xff", 3)},
		{ik("", 3), ik("b", 1), ik("", 3)},
		{ik("apple", 2), ik("banana", 1), ik("apple", 2)}, // 'a'+1 == 'b'
		{ik("apple", 2), ik("cherry", 1), max("b")},
	}
	for _, tc := range tests {
		got := appendSeparator(nil, tc.a, tc.b)
		if !bytes.Equal(got, tc.want) {
			t.Errorf("separator(%s, %s) = %s, want %s", keys.String(tc.a), keys.String(tc.b), keys.String(got), keys.String(tc.want))
		}
		if keys.Compare(tc.a, got) > 0 || keys.Compare(got, tc.b) >= 0 {
			t.Errorf("separator(%s, %s) = %s is out of range", keys.String(tc.a), keys.String(tc.b), keys.String(got))
		}
	}
	succ := []struct{ a, want []byte }{
		{ik("abc", 1), max("b")},
		{ik("\xff\xffa", 1), max("\xff\xffb")},
		{ik("\xff", 1), ik("\xff", 1)},
		{ik("", 1), ik("", 1)},
	}
	for _, tc := range succ {
		got := appendSuccessor(nil, tc.a)
		if !bytes.Equal(got, tc.want) || keys.Compare(got, tc.a) < 0 {
			t.Errorf("successor(%s) = %s, want %s", keys.String(tc.a), keys.String(got), keys.String(tc.want))
		}
	}
}

func TestFilterK(t *testing.T) {
	for _, tc := range []struct{ bits, k int }{{1, 1}, {2, 1}, {3, 2}, {10, 7}, {16, 11}, {100, 30}} {
		if got := filterK(tc.bits); got != tc.k {
			t.Errorf("filterK(%d) = %d, want %d", tc.bits, got, tc.k)
		}
	}
}

func TestFooterRoundTrip(t *testing.T) {
	in := footer{index: handle{10, 20}, filter: handle{30, 0}, properties: handle{1 << 40, 7}, version: FormatVersion}
	b := in.encode(nil)
	if len(b) != footerLen || string(b[56:]) != "lsmkvsst" {
		t.Fatalf("footer %x: want %d bytes ending in the magic", b, footerLen)
	}
	out, err := decodeFooter("f", 0, b)
	if err != nil || out != in {
		t.Fatalf("decode = %+v, %v; want %+v", out, err, in)
	}
	for i := range b {
		bad := bytes.Clone(b)
		bad[i] ^= 0x10
		if _, err := decodeFooter("f", 0, bad); !errors.Is(err, corruption.ErrCorruption) {
			t.Fatalf("flipping byte %d: err = %v", i, err)
		}
	}
}

func TestPropertiesRoundTrip(t *testing.T) {
	in := Properties{NumEntries: 1, NumDeletions: 2, RawKeyBytes: 3, RawValueBytes: 4, NumDataBlocks: 5,
		DataBytes: 6, IndexBytes: 7, FilterBytes: 8, Smallest: ik("a", 9), Largest: ik("b", 10),
		SmallestSeq: 11, LargestSeq: keys.MaxSeqNum, Compression: SnappyCompression, BloomBitsPerKey: 13,
		BlockSize: 1 << 20, FormatVersion: FormatVersion}
	enc := encodeProperties(nil, &in)
	out, err := decodeProperties("p", 0, enc)
	if err != nil || fmt.Sprint(out) != fmt.Sprint(in) {
		t.Fatalf("decode = %v, %v; want %v", out, err, in)
	}
	// A field from a newer writer (unknown tag) is skipped.
	enc = putField(enc, 99, []byte("future"))
	if out, err = decodeProperties("p", 0, enc); err != nil || out.NumEntries != 1 {
		t.Fatalf("with unknown tag: %v, %v", out, err)
	}
	for n := 1; n < len(enc); n++ {
		if _, err := decodeProperties("p", 0, enc[:len(enc)-n]); err == nil && n < 8 {
			t.Fatalf("truncated by %d: no error", n)
		}
	}
}
