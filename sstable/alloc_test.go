package sstable

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/lsmkv/lsmkv/cache"
	"github.com/lsmkv/lsmkv/internal/keys"
)

// TestGetNoAllocsWarmCache checks that Get allocates nothing once the data
// blocks are cached, for present and absent keys.
func TestGetNoAllocsWarmCache(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	var entries []kv
	for i := 0; i < 2000; i++ {
		entries = append(entries, kv{ik(fmt.Sprintf("key%06d", i), 1), []byte(fmt.Sprintf("value%d", i))})
	}
	f, _ := buildTable(t, entries, WriterOptions{BlockSize: 512, Compression: SnappyCompression})
	r := openTable(t, f, ReaderOptions{Cache: cache.New(1 << 20), FileNum: 1, Stats: &ReadStats{}})
	ukeys := make([][]byte, len(entries))
	for i, e := range entries {
		ukeys[i] = keys.UserKey(e.key)
		if v, _, _, found, err := r.Get(ukeys[i], keys.MaxSeqNum); !found || err != nil || !bytes.Equal(v, e.value) {
			t.Fatalf("warm-up Get(%s): %q %v %v", ukeys[i], v, found, err)
		}
	}
	absent := []byte("key000500x")
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		r.Get(ukeys[i%len(ukeys)], keys.MaxSeqNum)
		r.Get(absent, keys.MaxSeqNum)
		i++
	})
	if allocs != 0 {
		t.Fatalf("Get allocates %.2f times per call on a warm cache, want 0", allocs)
	}
}
