package memtable

import (
	"bytes"
	"errors"
	"testing"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// FuzzMemtable interprets its input as a capacity and a list of Adds, runs
// them against a memtable and the model, and checks scans, structure, seeks
// and Gets. A memtable reads no on-disk bytes, so this is an operation fuzzer
// rather than a decoder fuzzer; a small capacity exercises ErrFull.
//
// Input: capacity byte c (arena of c*8 bytes), then per Add a header byte
// (bit 0 kind, bits 1-3 key length, bits 4-7 value length), a sequence
// number byte, then key and value bytes. Input past 300 Adds is ignored.
func FuzzMemtable(f *testing.F) {
	const maxFuzzOps = 300
	f.Add([]byte{0xff, 0x03, 1, 'a', 0x05, 2, 'b', 0x13, 3, 'a', 'v'})
	f.Add([]byte{4, 0x21, 9, 'x', 'y', 0x00, 9, 0x01, 8})
	f.Add([]byte{0, 0x01, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		m, md := New(int64(data[0])*8), &model{}
		seen := map[string]bool{} // user key + seq already added
		// The checks below are quadratic in the model, so cap the Adds.
		for ops, data := 0, data[1:]; len(data) >= 2 && ops < maxFuzzOps; ops++ {
			h, seq := data[0], keys.SeqNum(data[1])
			kind, klen, vlen := keys.Kind(h&1), int(h>>1&7), int(h>>4)
			data = data[2:]
			if klen+vlen > len(data) {
				break
			}
			ukey, value := data[:klen], data[klen:klen+vlen]
			data = data[klen+vlen:]
			id := string(keys.Make(ukey, seq, 0))
			if seen[id] {
				continue // REQUIRES: (ukey, seq) is new
			}
			size := m.Size()
			switch err := m.Add(seq, kind, ukey, value); {
			case err == nil:
				seen[id] = true
				md.add(seq, kind, ukey, value)
			case errors.Is(err, ErrFull):
				if m.Size() != size || size+EntrySize(klen, vlen) <= m.Capacity() {
					t.Fatalf("bad ErrFull: Size %d -> %d, EntrySize %d, Capacity %d", size, m.Size(), EntrySize(klen, vlen), m.Capacity())
				}
			default:
				t.Fatal(err)
			}
		}
		checkAgainstModel(t, m, md)
		checkStructure(t, m)
		checkEveryPosition(t, m, md)
	})
}

// checkEveryPosition seeks to and gets, at several snapshots, every key in
// the model, and to keys just around them.
func checkEveryPosition(t *testing.T, m *Memtable, md *model) {
	it := m.NewIter()
	for i, e := range md.entries {
		if !it.SeekGE(e.ikey) || !bytes.Equal(it.Key(), e.ikey) {
			t.Fatalf("SeekGE(%s) at %s", keys.String(e.ikey), keys.String(it.Key()))
		}
		it.Prev()
		checkAt(t, it, md, i-1, "Prev after SeekGE("+keys.String(e.ikey)+")")
		it.SeekLT(e.ikey)
		checkAt(t, it, md, i-1, "SeekLT("+keys.String(e.ikey)+")")
		ukey, seq := keys.UserKey(e.ikey), keys.Seq(e.ikey)
		for _, snap := range []keys.SeqNum{seq, seq + 1, max(seq, 1) - 1, keys.MaxSeqNum} {
			v, kind, ok := m.Get(ukey, snap)
			wv, wkind, wok := md.get(ukey, snap)
			if ok != wok || kind != wkind || !bytes.Equal(v, wv) {
				t.Fatalf("Get(%q, %d) = %q, %v, %v; want %q, %v, %v", ukey, snap, v, kind, ok, wv, wkind, wok)
			}
		}
	}
}
