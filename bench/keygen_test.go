package bench

import (
	"slices"
	"sort"
	"testing"
)

func TestAppendKey(t *testing.T) {
	for _, tc := range []struct {
		idx  int64
		size int
		want string
	}{
		{0, 16, "0000000000000000"},
		{42, 16, "0000000000000042"},
		{123456, 6, "123456"},
		{7, 1, "7"},
	} {
		if got := string(appendKey([]byte("p"), tc.idx, tc.size)); got != "p"+tc.want {
			t.Errorf("appendKey(%d, %d) = %q, want %q", tc.idx, tc.size, got, "p"+tc.want)
		}
	}
	miss := string(appendMissingKey(nil, 42, 16))
	if miss != "000000000000004." {
		t.Errorf("missing key = %q", miss)
	}
}

// Keys sort in index order, which readseq and the latest generator rely on.
func TestKeysSortInIndexOrder(t *testing.T) {
	var keys []string
	for i := int64(0); i < 2000; i += 7 {
		keys = append(keys, string(appendKey(nil, i, 8)))
	}
	if !sort.StringsAreSorted(keys) {
		t.Fatal("keys not sorted by index")
	}
}

func TestSequential(t *testing.T) {
	g := newSequential(5)
	for want := int64(5); want < 100; want++ {
		if got := g.Next(); got != want {
			t.Fatalf("Next = %d, want %d", got, want)
		}
	}
}

// A chi-square test over 20 cells: with 19 degrees of freedom the 99.9%
// quantile is about 43.8.
func TestUniformChiSquare(t *testing.T) {
	const cells, draws, n = 20, 100000, 1000
	g := newUniform(fixedRand(1), 10, n)
	var count [cells]int
	for range draws {
		v := g.Next()
		if v < 10 || v >= 10+n {
			t.Fatalf("value %d outside [10, %d)", v, 10+n)
		}
		count[(v-10)*cells/n]++
	}
	exp := float64(draws) / cells
	chi := 0.0
	for _, c := range count {
		chi += (float64(c) - exp) * (float64(c) - exp) / exp
	}
	if chi > 43.8 {
		t.Errorf("chi-square = %.1f over %v", chi, count)
	}
}

// topShare returns the share of draws that went to the most frequent 1%
// of n keys, and the keys sorted by frequency.
func topShare(t *testing.T, g keyGen, n int64, draws int) (float64, []int64) {
	t.Helper()
	freq := make([]int, n)
	for range draws {
		v := g.Next()
		if v < 0 || v >= n {
			t.Fatalf("value %d outside [0, %d)", v, n)
		}
		freq[v]++
	}
	byFreq := make([]int64, n)
	for i := range byFreq {
		byFreq[i] = int64(i)
	}
	slices.SortStableFunc(byFreq, func(a, b int64) int { return freq[b] - freq[a] })
	top := 0
	for _, k := range byFreq[:n/100] {
		top += freq[k]
	}
	return float64(top) / float64(draws), byFreq
}

func TestZipfianSkew(t *testing.T) {
	const n, draws = 10000, 200000
	// For theta 0.99 the top 1% of keys carry about 53% of the mass.
	for _, scramble := range []bool{false, true} {
		share, byFreq := topShare(t, newZipfian(fixedRand(2), n, 0.99, scramble), n, draws)
		if share < 0.45 || share > 0.62 {
			t.Errorf("scramble=%v: top 1%% share = %.3f, want about 0.53", scramble, share)
		}
		hotLow := 0 // hottest 10 keys that are among the lowest 1% of indexes
		for _, k := range byFreq[:10] {
			if k < n/100 {
				hotLow++
			}
		}
		if !scramble && hotLow != 10 {
			t.Errorf("unscrambled: only %d of the 10 hottest keys are the lowest indexes", hotLow)
		}
		if scramble && hotLow > 3 {
			t.Errorf("scrambled: %d of the 10 hottest keys are the lowest indexes: not spread", hotLow)
		}
	}
}

func TestLatestFollowsInserts(t *testing.T) {
	count := int64(10000)
	g := newLatest(fixedRand(3), 0.99, func() int64 { return count })
	share, byFreq := topShare(t, g, count, 100000)
	if share < 0.45 {
		t.Errorf("top 1%% share = %.3f, want > 0.45", share)
	}
	if byFreq[0] != count-1 {
		t.Errorf("hottest key = %d, want the newest, %d", byFreq[0], count-1)
	}
	count += 5000 // inserts happened: the newest keys must now be drawn
	newer := 0
	for range 1000 {
		v := g.Next()
		if v >= count {
			t.Fatalf("value %d beyond key count %d", v, count)
		}
		if v >= 10000 {
			newer++
		}
	}
	if newer < 850 { // expected about 890: H(5000)/H(15000)
		t.Errorf("only %d of 1000 draws among the 5000 new keys", newer)
	}
}

// Growing incrementally must give the same zeta as computing from scratch.
func TestZipfianResizeMatchesFresh(t *testing.T) {
	z := newZipfian(fixedRand(4), 100, 0.9, false)
	z.resize(5000)
	fresh := newZipfian(fixedRand(4), 5000, 0.9, false)
	if d := z.zetan - fresh.zetan; d > 1e-9 || d < -1e-9 {
		t.Errorf("zeta after resize %.12f, fresh %.12f", z.zetan, fresh.zetan)
	}
}

func BenchmarkZipfianNext(b *testing.B) {
	b.ReportAllocs()
	z := newZipfian(fixedRand(1), 1_000_000, 0.99, true)
	for b.Loop() {
		z.Next()
	}
}
