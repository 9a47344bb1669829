package memtable

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// model is the reference a memtable is checked against: its entries in a
// slice sorted by keys.Compare.
type model struct {
	entries []modelEntry
}

type modelEntry struct {
	ikey, value []byte
}

func (md *model) add(seq keys.SeqNum, kind keys.Kind, ukey, value []byte) {
	e := modelEntry{keys.Make(ukey, seq, kind), slices.Clone(value)}
	i := md.seekGE(e.ikey)
	md.entries = slices.Insert(md.entries, i, e)
}

// seekGE returns the index of the first entry >= ikey (len if none).
func (md *model) seekGE(ikey []byte) int {
	return sort.Search(len(md.entries), func(i int) bool {
		return keys.Compare(md.entries[i].ikey, ikey) >= 0
	})
}

func (md *model) get(ukey []byte, seq keys.SeqNum) (value []byte, kind keys.Kind, ok bool) {
	for _, e := range md.entries { // sorted: the first match is the newest
		if bytes.Equal(keys.UserKey(e.ikey), ukey) && keys.Seq(e.ikey) <= seq {
			return e.value, keys.KindOf(e.ikey), true
		}
	}
	return nil, 0, false
}

// checkAgainstModel compares full scans in both directions with the model.
func checkAgainstModel(t testing.TB, m *Memtable, md *model) {
	t.Helper()
	if points := m.Len() - int(m.rdCount.Load()); points != len(md.entries) {
		t.Fatalf("%d point entries, model has %d", points, len(md.entries))
	}
	it := m.NewIter()
	i := 0
	for valid := it.First(); valid; valid = it.Next() {
		checkAt(t, it, md, i, "forward scan")
		i++
	}
	if i != len(md.entries) {
		t.Fatalf("forward scan saw %d entries, model has %d", i, len(md.entries))
	}
	for valid := it.Last(); valid; valid = it.Prev() {
		i--
		checkAt(t, it, md, i, "backward scan")
	}
	if i != 0 {
		t.Fatalf("backward scan missed %d entries", i)
	}
}

// checkAt checks that it is at model entry i, or invalid if i is out of range.
func checkAt(t testing.TB, it *Iter, md *model, i int, what string) {
	t.Helper()
	if i < 0 || i >= len(md.entries) {
		if it.Valid() {
			t.Fatalf("%s: at %s, want end", what, keys.String(it.Key()))
		}
		return
	}
	e := md.entries[i]
	if !it.Valid() {
		t.Fatalf("%s: at end, want %s", what, keys.String(e.ikey))
	}
	if !bytes.Equal(it.Key(), e.ikey) || !bytes.Equal(it.Value(), e.value) {
		t.Fatalf("%s: at %s=%q, want %s=%q", what, keys.String(it.Key()), it.Value(), keys.String(e.ikey), e.value)
	}
}

// TestRandomAgainstModel adds random entries (user keys repeat at different
// sequence numbers, both kinds) and checks scans, seeks, steps after seeks
// and Gets at random snapshots against the model.
func TestRandomAgainstModel(t *testing.T) {
	rng := testRand(t)
	for round := range 4 {
		n := []int{0, 1, 50, 3000}[round]
		m, md := New(1<<20), &model{}
		for i, seq := range rng.Perm(n) { // distinct sequence numbers, random order
			ukey, value := randUserKey(rng), randBytes(rng, rng.IntN(8))
			kind := keys.Kind(rng.IntN(2))
			if i == 0 {
				seq = int(keys.MaxSeqNum) // exercise the largest trailer too
			}
			if err := m.Add(keys.SeqNum(seq), kind, ukey, value); err != nil {
				t.Fatalf("Add: %v", err)
			}
			md.add(keys.SeqNum(seq), kind, ukey, value)
		}
		checkAgainstModel(t, m, md)
		checkStructure(t, m)
		checkSeeks(t, rng, m, md)
		checkGets(t, rng, m, md, n)
	}
}

func checkSeeks(t *testing.T, rng *rand.Rand, m *Memtable, md *model) {
	it := m.NewIter()
	for range 2000 {
		probe := keys.Make(randUserKey(rng), randSeq(rng), keys.Kind(rng.IntN(2)))
		if len(md.entries) > 0 && rng.IntN(2) == 0 {
			probe = md.entries[rng.IntN(len(md.entries))].ikey // an existing key
		}
		i := md.seekGE(probe)
		it.SeekGE(probe)
		checkAt(t, it, md, i, "SeekGE("+keys.String(probe)+")")
		walk(t, rng, it, md, i)

		it.SeekLT(probe)
		checkAt(t, it, md, i-1, "SeekLT("+keys.String(probe)+")")
		walk(t, rng, it, md, i-1)
	}
}

// walk takes a few random Next/Prev steps from model position i.
func walk(t *testing.T, rng *rand.Rand, it *Iter, md *model, i int) {
	for range rng.IntN(5) {
		if i < 0 || i >= len(md.entries) {
			return // stepping off the end leaves the iterator unpositioned
		}
		if rng.IntN(2) == 0 {
			it.Next()
			i++
			checkAt(t, it, md, i, "Next")
		} else {
			it.Prev()
			i--
			checkAt(t, it, md, i, "Prev")
		}
	}
}

func checkGets(t *testing.T, rng *rand.Rand, m *Memtable, md *model, n int) {
	for range 2000 {
		ukey := randUserKey(rng)
		seq := keys.SeqNum(rng.IntN(n + 2))
		if rng.IntN(10) == 0 {
			seq = keys.MaxSeqNum
		}
		value, kind, ok := m.Get(ukey, seq)
		wValue, wKind, wOK := md.get(ukey, seq)
		if ok != wOK || kind != wKind || !bytes.Equal(value, wValue) {
			t.Fatalf("Get(%q, %d) = %q, %v, %v; want %q, %v, %v", ukey, seq, value, kind, ok, wValue, wKind, wOK)
		}
	}
}

// TestErrFull fills a small arena and checks that ErrFull changes nothing,
// that an Add within EntrySize of the remaining space never fails, and that
// the full memtable still matches the model.
func TestErrFull(t *testing.T) {
	rng := testRand(t)
	m, md := New(4096), &model{}
	fulls := 0
	for seq := keys.SeqNum(1); fulls < 20; seq++ {
		ukey, value := randBytes(rng, rng.IntN(20)), randBytes(rng, rng.IntN(100))
		if fulls > 10 { // once nearly full, try the smallest entries too
			ukey, value = nil, nil
		}
		size, length := m.Size(), m.Len()
		fits := size+EntrySize(len(ukey), len(value)) <= m.Capacity()
		err := m.Add(seq, keys.KindSet, ukey, value)
		switch {
		case err == nil:
			md.add(seq, keys.KindSet, ukey, value)
		case errors.Is(err, ErrFull):
			fulls++
			if fits {
				t.Fatalf("ErrFull with Size %d + EntrySize %d <= Capacity %d", size, EntrySize(len(ukey), len(value)), m.Capacity())
			}
			if m.Size() != size || m.Len() != length {
				t.Fatalf("ErrFull changed Size %d -> %d, Len %d -> %d", size, m.Size(), length, m.Len())
			}
		default:
			t.Fatalf("Add: %v", err)
		}
		if m.Size() > m.Capacity() {
			t.Fatalf("Size %d > Capacity %d", m.Size(), m.Capacity())
		}
	}
	if md.entries == nil {
		t.Fatal("nothing fit in the arena")
	}
	checkAgainstModel(t, m, md)
	checkStructure(t, m)
}

// TestInsertOrders adds entries in the orders the insert hint is for
// (ascending runs) and against it, mixed with range tombstones, which go
// to the other list and must not disturb the hint, and checks the
// skiplist's structure and contents after each pattern.
func TestInsertOrders(t *testing.T) {
	const n = 3000
	key := func(i int) []byte { return []byte(fmt.Sprintf("k%06d", i)) }
	cases := []struct {
		name string
		next func(rng *rand.Rand, i int) (ukey int, seq keys.SeqNum)
	}{
		{"ascending", func(_ *rand.Rand, i int) (int, keys.SeqNum) { return i, keys.SeqNum(i + 1) }},
		{"descending", func(_ *rand.Rand, i int) (int, keys.SeqNum) { return n - i, keys.SeqNum(i + 1) }},
		// One key, newer versions first in key order: each Add goes
		// before the last one.
		{"one-key-rising-seq", func(_ *rand.Rand, i int) (int, keys.SeqNum) { return 7, keys.SeqNum(i + 1) }},
		{"one-key-falling-seq", func(_ *rand.Rand, i int) (int, keys.SeqNum) { return 7, keys.SeqNum(n - i) }},
		{"ascending-runs", func(rng *rand.Rand, i int) (int, keys.SeqNum) {
			return (i/50)*7919%n + i%50, keys.SeqNum(i + 1)
		}},
		{"ascending-then-random", func(rng *rand.Rand, i int) (int, keys.SeqNum) {
			if i%10 == 9 {
				return rng.IntN(2 * n), keys.SeqNum(i + 1)
			}
			return i, keys.SeqNum(i + 1)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rng := testRand(t)
			m := New(8 << 20)
			md := &model{}
			for i := 0; i < n; i++ {
				k, seq := tc.next(rng, i)
				v := []byte(fmt.Sprint(i))
				if i%97 == 0 {
					if err := m.Add(seq, keys.KindRangeDelete, key(k), key(k+3)); err != nil {
						t.Fatal(err)
					}
					continue
				}
				if err := m.Add(seq, keys.KindSet, key(k), v); err != nil {
					t.Fatal(err)
				}
				md.add(seq, keys.KindSet, key(k), v)
			}
			checkStructure(t, m)
			checkAgainstModel(t, m, md)
		})
	}
}
