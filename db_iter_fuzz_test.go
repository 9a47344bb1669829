package lsmkv

import (
	"testing"

	"github.com/lsmkv/lsmkv/internal/iterator"
	"github.com/lsmkv/lsmkv/internal/itertest"
	"github.com/lsmkv/lsmkv/internal/keys"
)

// FuzzDBIterMatchesModel lets the fuzzer write both the data and the moves
// of a dbIter model test. dbIter decodes no on-disk bytes, so this
// fuzz target hunts logic bugs instead: odd mixes of versions, tombstones,
// snapshots, bounds and direction switches.
//
// Input layout: byte 0 picks the number of user keys, byte 1 the snapshot
// (255: MaxSeqNum), byte 2 the bounds, byte 3 the number of children; then
// one byte per entry up to a 0xff byte, then one byte per move.
func FuzzDBIterMatchesModel(f *testing.F) {
	f.Add([]byte{4, 255, 0, 1, 0, 1, 2, 3, 0xff, 8, 0, 0, 0, 9, 3, 3, 3})
	f.Add([]byte{3, 5, 0x21, 2, 0x80, 1, 0x81, 2, 0x42, 0x02, 0xff, 6, 3, 0, 7, 0, 9, 0, 3, 16, 27})
	f.Add([]byte{8, 9, 0x13, 3, 1, 2, 3, 0x84, 4, 0x44, 5, 6, 7, 0x87, 0xff, 6, 3, 3, 0, 0, 16, 3, 17, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 4 {
			return
		}
		nkeys := int(data[0]%16) + 1
		opts := dbIterOptions{Seq: keys.SeqNum(data[1])}
		if data[1] == 255 {
			opts.Seq = keys.MaxSeqNum
		}
		if b := data[2]; b&0x0f != 0 {
			opts.LowerBound = fuzzUserKey(int(b&0x0f)-1, nkeys)
		}
		if b := data[2] >> 4; b != 0 {
			opts.UpperBound = fuzzUserKey(int(b)-1, nkeys)
		}
		children := make([][]iterator.KV, int(data[3]%4)+1)
		var all []iterator.KV
		data = data[4:]
		for len(data) > 0 && data[0] != 0xff && len(all) < 200 {
			// Entry i has seq i+1; bits: 0-3 user key, 5-6 child, 7 tombstone.
			b := data[0]
			kind := keys.KindSet
			if b&0x80 != 0 {
				kind = keys.KindDelete
			}
			seq := keys.SeqNum(len(all) + 1)
			kv := iterator.KV{Key: keys.Make(itertest.UserKey(int(b&0x0f)%nkeys), seq, kind), Value: []byte{byte(seq)}}
			all = append(all, kv)
			c := int(b>>5&3) % len(children)
			children[c] = append(children[c], kv)
			data = data[1:]
		}
		for _, c := range children {
			itertest.SortKVs(c)
		}
		ops := make([]dbIterOp, 0, len(data))
		for _, b := range data {
			ops = append(ops, dbIterOp{kind: int(b % 10), key: fuzzUserKey(int(b/10), nkeys)})
		}
		v := newDBIter(iterator.NewMerging(itertest.Slices(children)...), opts)
		checkDBIterOps(t, v, newDBIterModel(all, opts), ops)
		if err := v.Close(); err != nil {
			t.Fatal(err)
		}
	})
}

// fuzzUserKey maps n to a user key in, between or around the key space.
func fuzzUserKey(n, nkeys int) []byte {
	k := itertest.UserKey(n/2%(nkeys+2) - 1)
	if n%2 == 1 {
		k = append(k, 'x')
	}
	return k
}
