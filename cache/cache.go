package cache

import (
	"math/bits"
	"runtime"
)

const (
	// EntryOverhead is charged against the capacity for each cached block on
	// top of its length: roughly the entry struct plus its map slot, so a
	// cache full of tiny blocks still respects its memory budget.
	EntryOverhead = 128

	// minShardCapacity keeps shards big enough to hold many blocks: a small
	// cache gets fewer shards rather than shards too small to hold a block.
	minShardCapacity = 256 << 10
)

// Cache is a sharded, byte-bounded LRU cache of blocks. See the package
// comment for ownership rules. Safe for concurrent use; a nil *Cache caches
// nothing.
type Cache struct {
	capacity int64
	mask     uint64 // len(shards)-1; len(shards) is a power of two
	shards   []shard
}

// Metrics is a snapshot of a Cache's counters.
type Metrics struct {
	Hits     int64 // Get calls that found the block
	Misses   int64 // Get calls that did not
	Size     int64 // bytes charged: block lengths plus EntryOverhead each
	Count    int64 // blocks cached
	Capacity int64 // the capacity given to New, or 0 if it was negative
}

// HitRatio returns Hits/(Hits+Misses), or 0 before any Get.
func (m Metrics) HitRatio() float64 {
	if m.Hits+m.Misses == 0 {
		return 0
	}
	return float64(m.Hits) / float64(m.Hits+m.Misses)
}

// New returns a cache holding at most capacity bytes (see EntryOverhead).
// A capacity <= 0 gives a cache that holds nothing but still counts misses.
func New(capacity int64) *Cache {
	capacity = max(capacity, 0)
	n := shardCount(capacity, runtime.GOMAXPROCS(0))
	c := &Cache{capacity: capacity, mask: uint64(n - 1), shards: make([]shard, n)}
	// Share out the capacity exactly, so the shards' sum is the capacity.
	for i := range c.shards {
		extra := int64(0)
		if int64(i) < capacity%int64(n) {
			extra = 1
		}
		c.shards[i].init(capacity/int64(n) + extra)
	}
	return c
}

// shardCount picks a power of two near 4*procs, at least 16, so contention
// stays low on big machines; then halves it while shards would be smaller
// than minShardCapacity.
func shardCount(capacity int64, procs int) int {
	n := max(16, 1<<bits.Len(uint(4*procs-1)))
	for n > 1 && capacity/int64(n) < minShardCapacity {
		n /= 2
	}
	return n
}

// shardFor returns the shard owning k. Block offsets are multiples of
// similar sizes, so the key is mixed (a murmur3 finaliser) before masking.
func (c *Cache) shardFor(k key) *shard {
	h := k.fileNum*0x9e3779b97f4a7c15 ^ k.offset
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return &c.shards[h&c.mask]
}

// Get returns the block cached for (fileNum, offset) and marks it most
// recently used. The returned slice must not be modified. A hit does not
// allocate.
func (c *Cache) Get(fileNum, offset uint64) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	k := key{fileNum, offset}
	return c.shardFor(k).get(k)
}

// Set caches block for (fileNum, offset), replacing any block there, and
// evicts least recently used blocks of the same shard until the shard is
// within its capacity. A block whose charge exceeds the shard's capacity is
// not cached (and any old block under that key is dropped).
//
// REQUIRES: the caller does not modify block after Set.
func (c *Cache) Set(fileNum, offset uint64, block []byte) {
	if c == nil {
		return
	}
	k := key{fileNum, offset}
	c.shardFor(k).set(k, block)
}

// EvictFile drops every block of table fileNum, for when it is deleted.
func (c *Cache) EvictFile(fileNum uint64) {
	if c == nil {
		return
	}
	for i := range c.shards {
		c.shards[i].evictFile(fileNum)
	}
}

// Metrics returns the current counters. Shards are read one after another,
// so under concurrent use the snapshot is not atomic across shards.
func (c *Cache) Metrics() Metrics {
	if c == nil {
		return Metrics{}
	}
	m := Metrics{Capacity: c.capacity}
	for i := range c.shards {
		s := &c.shards[i]
		m.Hits += s.hits.Load()
		m.Misses += s.misses.Load()
		s.mu.Lock()
		m.Size += s.size
		m.Count += int64(len(s.entries))
		s.mu.Unlock()
	}
	return m
}
