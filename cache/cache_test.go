package cache

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"github.com/lsmkv/lsmkv/internal/testseed"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// testSeed returns the seed to use and logs it so a failure can be replayed
// with -seed.
func testSeed(t *testing.T) uint64 {
	return testseed.Seed(t)
}

// blockFor returns a block of length n whose bytes identify (f, off, ver),
// so a test can tell whether Get returned exactly what Set stored.
func blockFor(f, off, ver uint64, n int) []byte {
	b := make([]byte, n)
	var tag [24]byte
	binary.LittleEndian.PutUint64(tag[0:], f)
	binary.LittleEndian.PutUint64(tag[8:], off)
	binary.LittleEndian.PutUint64(tag[16:], ver)
	// Repeat the tag by doubling copies: cheap even for large blocks.
	for i := copy(b, tag[:]); i < n; i *= 2 {
		copy(b[i:], b[:i])
	}
	return b
}

// checkInvariants verifies every shard's documented invariants.
func checkInvariants(t *testing.T, c *Cache) {
	t.Helper()
	for i := range c.shards {
		if err := c.shards[i].check(); err != nil {
			t.Fatalf("shard %d: %v", i, err)
		}
	}
}

func (s *shard) check() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var size int64
	n := 0
	for e := s.lru.next; e != &s.lru; e = e.next {
		if e.next.prev != e {
			return fmt.Errorf("LRU list broken at %v", e.key)
		}
		if s.entries[e.key] != e {
			return fmt.Errorf("entry %v on LRU list but not in map", e.key)
		}
		size += e.charge
		n++
	}
	if n != len(s.entries) || size != s.size || s.size > s.capacity {
		return fmt.Errorf("list has %d entries/%d bytes, map %d, size %d, capacity %d",
			n, size, len(s.entries), s.size, s.capacity)
	}
	onFileLists := 0
	for f, head := range s.files {
		if head == nil || head.filePrev != nil {
			return fmt.Errorf("file %d: bad list head", f)
		}
		for e := head; e != nil; e = e.fileNext {
			if e.key.fileNum != f || s.entries[e.key] != e {
				return fmt.Errorf("file %d list holds stray entry %v", f, e.key)
			}
			onFileLists++
		}
	}
	if onFileLists != n {
		return fmt.Errorf("file lists hold %d entries, map %d", onFileLists, n)
	}
	return nil
}

// lruOrder lists the offsets in a one-shard cache, most recent first.
func lruOrder(c *Cache) []uint64 {
	s := &c.shards[0]
	var offs []uint64
	for e := s.lru.next; e != &s.lru; e = e.next {
		offs = append(offs, e.key.offset)
	}
	return offs
}

// TestEvictionOrder runs scripts against a one-shard cache with room for
// exactly three 100-byte blocks and checks hits and the final LRU order.
func TestEvictionOrder(t *testing.T) {
	const blockLen = 100
	type step struct {
		op      string // "set" or "get"
		off     uint64
		wantHit bool // for "get"
	}
	tests := []struct {
		name  string
		steps []step
		want  []uint64 // offsets, most recently used first
	}{
		{"FillNoEviction", []step{{"set", 1, false}, {"set", 2, false}, {"set", 3, false}}, []uint64{3, 2, 1}},
		{"OldestEvicted", []step{{"set", 1, false}, {"set", 2, false}, {"set", 3, false}, {"set", 4, false}, {"get", 1, false}}, []uint64{4, 3, 2}},
		{"GetRefreshes", []step{{"set", 1, false}, {"set", 2, false}, {"set", 3, false}, {"get", 1, true}, {"set", 4, false}, {"get", 2, false}}, []uint64{4, 1, 3}},
		{"SetRefreshes", []step{{"set", 1, false}, {"set", 2, false}, {"set", 3, false}, {"set", 1, false}, {"set", 4, false}}, []uint64{4, 1, 3}},
		{"MissDoesNotChangeOrder", []step{{"set", 1, false}, {"set", 2, false}, {"get", 9, false}}, []uint64{2, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := New(3 * (blockLen + EntryOverhead))
			if len(c.shards) != 1 {
				t.Fatalf("want 1 shard for a tiny cache, got %d", len(c.shards))
			}
			for i, s := range tc.steps {
				switch s.op {
				case "set":
					c.Set(7, s.off, blockFor(7, s.off, 0, blockLen))
				case "get":
					if _, hit := c.Get(7, s.off); hit != s.wantHit {
						t.Fatalf("step %d: Get(%d) hit=%v, want %v", i, s.off, hit, s.wantHit)
					}
				}
				checkInvariants(t, c)
			}
			if got := lruOrder(c); !slices.Equal(got, tc.want) {
				t.Fatalf("LRU order %v, want %v", got, tc.want)
			}
		})
	}
}

// modelLRU is the obviously correct reference: a slice, most recent first.
type modelLRU struct {
	capacity int64
	items    []modelItem
}

type modelItem struct {
	off   uint64
	block []byte
}

func (m *modelLRU) find(off uint64) int {
	return slices.IndexFunc(m.items, func(it modelItem) bool { return it.off == off })
}

func (m *modelLRU) get(off uint64) ([]byte, bool) {
	i := m.find(off)
	if i < 0 {
		return nil, false
	}
	it := m.items[i]
	m.items = slices.Insert(slices.Delete(m.items, i, i+1), 0, it)
	return it.block, true
}

func (m *modelLRU) set(off uint64, block []byte) {
	if i := m.find(off); i >= 0 {
		m.items = slices.Delete(m.items, i, i+1)
	}
	if int64(len(block))+EntryOverhead > m.capacity {
		return
	}
	m.items = slices.Insert(m.items, 0, modelItem{off, block})
	for m.size() > m.capacity {
		m.items = m.items[:len(m.items)-1]
	}
}

func (m *modelLRU) size() int64 {
	var n int64
	for _, it := range m.items {
		n += int64(len(it.block)) + EntryOverhead
	}
	return n
}

// TestMatchesModelLRU drives a one-shard cache and the model with the same
// random operations; every Get must agree, byte for byte.
func TestMatchesModelLRU(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 0))
	const capacity = 20 << 10
	c := New(capacity)
	m := &modelLRU{capacity: capacity}
	for i := range 20000 {
		off := rng.Uint64N(64)
		if rng.IntN(3) == 0 {
			n := rng.IntN(2000)
			if rng.IntN(100) == 0 {
				n = capacity // too big to cache
			}
			b := blockFor(1, off, uint64(i), n)
			c.Set(1, off, b)
			m.set(off, b)
		} else {
			got, hit := c.Get(1, off)
			want, wantHit := m.get(off)
			if hit != wantHit || !bytes.Equal(got, want) {
				t.Fatalf("op %d: Get(%d) hit=%v, model hit=%v (or bytes differ)", i, off, hit, wantHit)
			}
		}
		if i%500 == 0 {
			checkInvariants(t, c)
		}
		if got := c.Metrics().Size; got != m.size() || got > capacity {
			t.Fatalf("op %d: size %d, model %d, capacity %d", i, got, m.size(), capacity)
		}
	}
}

// TestCapacityNeverExceeded uses a multi-shard cache and random block
// sizes, some larger than a shard, and checks the byte bound after every
// Set and that every hit returns the latest block stored for the key.
func TestCapacityNeverExceeded(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 1))
	const capacity = 4 << 20
	c := New(capacity)
	if len(c.shards) < 2 {
		t.Fatalf("want several shards, got %d", len(c.shards))
	}
	latest := map[key][]byte{}
	for i := range 5000 {
		k := key{rng.Uint64N(8), rng.Uint64N(256) * 4096}
		if rng.IntN(2) == 0 {
			n := rng.IntN(16 << 10)
			if rng.IntN(50) == 0 {
				n = 300 << 10 // larger than a 256 KiB shard
			}
			b := blockFor(k.fileNum, k.offset, uint64(i), n)
			c.Set(k.fileNum, k.offset, b)
			latest[k] = b
			if m := c.Metrics(); m.Size > capacity {
				t.Fatalf("op %d: size %d > capacity %d", i, m.Size, capacity)
			}
		} else if got, hit := c.Get(k.fileNum, k.offset); hit && !bytes.Equal(got, latest[k]) {
			t.Fatalf("op %d: Get(%v) returned a stale or foreign block", i, k)
		}
	}
	checkInvariants(t, c)
}

func TestEvictFile(t *testing.T) {
	c := New(8 << 20)
	for f := uint64(1); f <= 3; f++ {
		for off := uint64(0); off < 100; off++ {
			c.Set(f, off*4096, blockFor(f, off, 0, 1000))
		}
	}
	c.EvictFile(2)
	c.EvictFile(99) // unknown file: no-op
	checkInvariants(t, c)
	for f := uint64(1); f <= 3; f++ {
		for off := uint64(0); off < 100; off++ {
			if _, hit := c.Get(f, off*4096); hit != (f != 2) {
				t.Fatalf("Get(%d, %d) hit=%v after EvictFile(2)", f, off*4096, hit)
			}
		}
	}
	m := c.Metrics()
	if m.Count != 200 || m.Size != 200*(1000+EntryOverhead) {
		t.Fatalf("after EvictFile: count %d size %d, want 200 and %d", m.Count, m.Size, 200*(1000+EntryOverhead))
	}
}

func TestSetReplacesAndOversizeDropsOld(t *testing.T) {
	c := New(64 << 10)
	c.Set(1, 0, []byte("old"))
	c.Set(1, 0, []byte("new!"))
	if got, _ := c.Get(1, 0); string(got) != "new!" {
		t.Fatalf("Get = %q, want the replacement", got)
	}
	if m := c.Metrics(); m.Count != 1 || m.Size != 4+EntryOverhead {
		t.Fatalf("count %d size %d after replace", m.Count, m.Size)
	}
	c.Set(1, 0, make([]byte, 64<<10)) // too big: not cached, old dropped
	if _, hit := c.Get(1, 0); hit {
		t.Fatal("stale block served after an oversize Set")
	}
	checkInvariants(t, c)
}

func TestZeroAndNilCacheHoldNothing(t *testing.T) {
	for _, capacity := range []int64{0, -1} {
		c := New(capacity)
		c.Set(1, 0, []byte("x"))
		c.Set(1, 1, nil)
		if _, hit := c.Get(1, 0); hit {
			t.Fatalf("New(%d) cached a block", capacity)
		}
		want := Metrics{Misses: 1}
		if m := c.Metrics(); m != want {
			t.Fatalf("New(%d).Metrics() = %+v, want %+v", capacity, m, want)
		}
	}
	var c *Cache
	c.Set(1, 0, []byte("x"))
	c.EvictFile(1)
	if _, hit := c.Get(1, 0); hit || c.Metrics() != (Metrics{}) {
		t.Fatal("nil cache cached a block or counted")
	}
}

func TestMetricsCounts(t *testing.T) {
	c := New(1 << 20)
	c.Set(1, 0, make([]byte, 10))
	c.Get(1, 0)
	c.Get(1, 0)
	c.Get(1, 4096)
	want := Metrics{Hits: 2, Misses: 1, Size: 10 + EntryOverhead, Count: 1, Capacity: 1 << 20}
	if m := c.Metrics(); m != want {
		t.Fatalf("Metrics() = %+v, want %+v", m, want)
	}
	if r := c.Metrics().HitRatio(); r != 2.0/3 {
		t.Fatalf("HitRatio = %v", r)
	}
}

func TestGetHitDoesNotAllocate(t *testing.T) {
	c := New(1 << 20)
	c.Set(3, 8192, make([]byte, 4096))
	allocs := testing.AllocsPerRun(1000, func() {
		if _, ok := c.Get(3, 8192); !ok {
			t.Fatal("miss")
		}
	})
	if allocs != 0 {
		t.Fatalf("Get hit allocated %v times per run", allocs)
	}
}

func TestShardCount(t *testing.T) {
	tests := []struct {
		capacity int64
		procs    int
		want     int
	}{
		{0, 2, 1},
		{100 << 10, 2, 1},
		{512 << 10, 2, 2},
		{4 << 20, 2, 16},
		{1 << 30, 1, 16},
		{1 << 30, 8, 32},
		{1 << 30, 12, 64},
		{8 << 20, 16, 32},
	}
	for _, tc := range tests {
		if got := shardCount(tc.capacity, tc.procs); got != tc.want {
			t.Errorf("shardCount(%d, %d) = %d, want %d", tc.capacity, tc.procs, got, tc.want)
		}
	}
}

// TestConcurrent runs Set, Get and EvictFile from several goroutines; run
// under -race it checks the locking, and every hit must return the bytes
// some Set stored for that key.
func TestConcurrent(t *testing.T) {
	seed := testSeed(t)
	c := New(2 << 20)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(g)))
			for range 5000 {
				f, off := rng.Uint64N(4), rng.Uint64N(128)
				switch r := rng.IntN(100); {
				case r < 40:
					c.Set(f, off, blockFor(f, off, 0, rng.IntN(8<<10)))
				case r < 99:
					if b, hit := c.Get(f, off); hit && !bytes.Equal(b, blockFor(f, off, 0, len(b))) {
						t.Errorf("Get(%d, %d) returned foreign bytes", f, off)
						return
					}
				default:
					c.EvictFile(f)
				}
			}
		}()
	}
	wg.Wait()
	checkInvariants(t, c)
	if m := c.Metrics(); m.Size > m.Capacity {
		t.Fatalf("size %d > capacity %d", m.Size, m.Capacity)
	}
}
