package sstable

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
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

// FuzzBlock drives the block iterator (data and index blocks) over
// arbitrary bytes.
func FuzzBlock(f *testing.F) {
	for _, interval := range []int{1, 2, 16} {
		var w blockWriter
		w.restartInterval = interval
		for i := 0; i < 20; i++ {
			w.add(ik(fmt.Sprintf("key%03d", i*7), keys.SeqNum(i)), []byte(fmt.Sprint(i)))
		}
		f.Add(bytes.Clone(w.finish()))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var it blockIter
		if err := it.init("fuzz", 0, b); err != nil {
			requireCorruption(t, err)
			return
		}
		var fwd [][]byte
		for ok := it.First(); ok && len(fwd) < 10000; ok = it.Next() {
			fwd = append(fwd, bytes.Clone(it.key))
		}
		requireCorruption(t, it.err)
		it.err = nil
		for ok := it.Last(); ok && len(fwd) < 20000; ok = it.Prev() {
			fwd = append(fwd, bytes.Clone(it.key))
		}
		requireCorruption(t, it.err)
		for _, k := range fwd[:min(len(fwd), 50)] {
			it.err = nil
			if it.SeekGE(k) && keys.Compare(it.key, k) < 0 {
				// An unsorted (damaged) block may mislead the search, but
				// the linear scan never stops before the target.
				t.Fatalf("SeekGE(%x) stopped at smaller key %x", k, it.key)
			}
			requireCorruption(t, it.err)
			it.err = nil
			it.SeekLT(k)
			requireCorruption(t, it.err)
		}
	})
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
		for ok := it.Last(); ok; ok = it.Prev() {
		}
		requireCorruption(t, it.Error())
		for _, k := range ukeys[:min(len(ukeys), 50)] {
			_, _, _, err := r.Get(k, keys.MaxSeqNum)
			requireCorruption(t, err)
			it.SeekGE(keys.Make(k, 5, keys.KindSet))
			it.SeekLT(keys.Make(k, 5, keys.KindSet))
			requireCorruption(t, it.Error())
		}
		_, err = r.Layout()
		requireCorruption(t, err)
	})
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
		for ok := it.Last(); ok; ok = it.Prev() {
		}
		requireCorruption(t, it.Error())
		for _, k := range ukeys[:min(len(ukeys), 50)] {
			_, _, _, err := r.Get(k, keys.MaxSeqNum)
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
