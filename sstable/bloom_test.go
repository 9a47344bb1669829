package sstable

import (
	"fmt"
	"testing"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// TestBloomFalsePositiveRate measures the filter at 10 bits/key on a large
// fixed key set. Theory gives about 0.8%; the assertion leaves room but
// catches a broken hash or probe sequence (those give tens of percent).
func TestBloomFalsePositiveRate(t *testing.T) {
	n := 100000
	if testing.Short() || raceEnabled {
		n = 30000 // ~230 expected false positives at 10 bits/key: still a stable estimate
	}
	for _, bits := range []int{10, 20} {
		hashes := make([]uint64, n)
		for i := range hashes {
			hashes[i] = filterHash([]byte(fmt.Sprintf("present-%d", i)))
		}
		block := buildFilter(nil, hashes, bits)
		f, err := decodeFilter("f", 0, block)
		if err != nil {
			t.Fatal(err)
		}
		for i, h := range hashes {
			if !f.mayContain(h) {
				t.Fatalf("bits=%d: false negative for key %d", bits, i)
			}
		}
		fp := 0
		for i := 0; i < n; i++ {
			if f.mayContain(filterHash([]byte(fmt.Sprintf("absent-%d", i)))) {
				fp++
			}
		}
		rate := float64(fp) / float64(n)
		t.Logf("bits/key=%d k=%d: false-positive rate %.3f%% over %d absent keys", bits, f.k, 100*rate, n)
		limit := map[int]float64{10: 0.02, 20: 0.001}[bits]
		if rate > limit {
			t.Fatalf("bits/key=%d: false-positive rate %.3f%% > %.3f%%", bits, 100*rate, 100*limit)
		}
	}
}

// TestBloomSkipsBlocks checks that Get on absent keys almost never reads a
// data block when the table has a filter, and always does without one.
func TestBloomSkipsBlocks(t *testing.T) {
	var entries []kv
	for i := 0; i < 10000; i++ {
		entries = append(entries, kv{ik(fmt.Sprintf("key%08d", 2*i), 1), []byte("v")})
	}
	for _, bloom := range []int{10, -1} {
		f, _ := buildTable(t, entries, WriterOptions{BloomBitsPerKey: bloom})
		var stats ReadStats
		r := openTable(t, f, ReaderOptions{Stats: &stats})
		const lookups = 10000
		for i := 0; i < lookups; i++ {
			ukey := []byte(fmt.Sprintf("key%08d", 2*i+1)) // between present keys
			if _, _, _, found, err := r.Get(ukey, keys.MaxSeqNum); found || err != nil {
				t.Fatalf("Get(%s): found=%v err=%v", ukey, found, err)
			}
		}
		reads := stats.BlockReads.Load()
		t.Logf("bloom=%d: %d data block reads for %d absent keys (filter checks %d, negatives %d)",
			bloom, reads, lookups, stats.FilterChecks.Load(), stats.FilterNegatives.Load())
		if bloom > 0 {
			if reads > lookups/100 || stats.FilterChecks.Load() != lookups || stats.FilterNegatives.Load() != lookups-reads {
				t.Fatalf("with a filter: %d block reads, %d checks, %d negatives", reads, stats.FilterChecks.Load(), stats.FilterNegatives.Load())
			}
		} else if reads != lookups || stats.FilterChecks.Load() != 0 {
			t.Fatalf("without a filter: %d block reads, %d filter checks; want %d, 0", reads, stats.FilterChecks.Load(), lookups)
		}
	}
}
