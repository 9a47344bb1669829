package memtable

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/lsmkv/lsmkv/internal/keys"
)

const (
	benchEntries  = 1 << 20
	benchKeyLen   = 16
	benchValueLen = 100
)

var benchData = sync.OnceValues(func() ([][]byte, *Memtable) {
	rng := rand.New(rand.NewPCG(1, 2))
	ks := make([][]byte, benchEntries)
	for i := range ks {
		ks[i] = randBytes(rng, benchKeyLen)
	}
	m := New(benchEntries * EntrySize(benchKeyLen, benchValueLen))
	value := make([]byte, benchValueLen)
	for i, k := range ks {
		if err := m.Add(keys.SeqNum(i), keys.KindSet, k, value); err != nil {
			panic(err)
		}
	}
	return ks, m
})

// BenchmarkInsert adds 16-byte keys with 100-byte values, in random order
// and in key order (a sequential fill or a sorted batch, where the insert
// hint saves the search), starting a fresh memtable (outside the timer)
// every 1M entries.
func BenchmarkInsert(b *testing.B) {
	random, _ := benchData()
	sorted := slices.SortedFunc(slices.Values(random), bytes.Compare)
	for _, bc := range []struct {
		name string
		keys [][]byte
	}{{"random", random}, {"sorted", sorted}} {
		b.Run(bc.name, func(b *testing.B) {
			capacity := benchEntries * EntrySize(benchKeyLen, benchValueLen)
			value := make([]byte, benchValueLen)
			m := New(capacity)
			b.ReportAllocs()
			b.SetBytes(benchKeyLen + benchValueLen)
			b.ResetTimer()
			for i := range b.N {
				j := i % benchEntries
				if j == 0 && i > 0 {
					b.StopTimer()
					m = New(capacity)
					b.StartTimer()
				}
				if err := m.Add(keys.SeqNum(i), keys.KindSet, bc.keys[j], value); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGet looks up random present keys in a 1M-entry memtable.
func BenchmarkGet(b *testing.B) {
	ks, m := benchData()
	rng := rand.New(rand.NewPCG(3, 4))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, _, ok := m.Get(ks[rng.IntN(benchEntries)], keys.MaxSeqNum); !ok {
			b.Fatal("key not found")
		}
	}
}

// BenchmarkIterNext scans a 1M-entry memtable, restarting at the end.
func BenchmarkIterNext(b *testing.B) {
	_, m := benchData()
	it := m.NewIter()
	it.First()
	b.ReportAllocs()
	b.SetBytes(benchKeyLen + keys.TrailerLen + benchValueLen)
	b.ResetTimer()
	for range b.N {
		if !it.Next() {
			it.First()
		}
	}
}

// BenchmarkIterPrev shows the cost of Prev's search from the head.
func BenchmarkIterPrev(b *testing.B) {
	_, m := benchData()
	it := m.NewIter()
	it.Last()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if !it.Prev() {
			it.Last()
		}
	}
}
