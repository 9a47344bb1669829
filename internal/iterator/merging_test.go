package iterator

import (
	"errors"
	"fmt"
	"github.com/stretchr/testify/require"
	"math/rand"
	"testing"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// splitRandomly deals kvs out to k sorted children at random.
func splitRandomly(rng *rand.Rand, kvs []KV, k int) [][]KV {
	children := make([][]KV, k)
	for _, kv := range kvs {
		i := rng.Intn(k)
		children[i] = append(children[i], kv)
	}
	return children
}

func slices(children [][]KV) []Iterator {
	iters := make([]Iterator, len(children))
	for i, c := range children {
		iters[i] = NewSlice(c)
	}
	return iters
}

func TestMergingMatchesModel(t *testing.T) {
	rng := newRand(t)
	for round := 0; round < 100; round++ {
		nkeys := 1 + rng.Intn(30)
		want := randomEntries(rng, rng.Intn(200), nkeys)
		k := 1 + rng.Intn(8)
		m := NewMerging(slices(splitRandomly(rng, want, k))...)
		checkOps(t, rng, m, want, 500, nkeys, nil)
		require.NoError(t, m.Close())
	}
}

// TestMergingEqualKeysLowerChildFirst checks the tie rule: entries with
// equal internal keys in several children come out ordered by child index
// in both directions, also across direction switches.
func TestMergingEqualKeysLowerChildFirst(t *testing.T) {
	rng := newRand(t)
	for round := 0; round < 50; round++ {
		nkeys := 1 + rng.Intn(10)
		base := randomEntries(rng, rng.Intn(60), nkeys)
		k := 2 + rng.Intn(4)
		children := make([][]KV, k)
		var want []KV // ordered by (key, child)
		for _, kv := range base {
			for c := 0; c < k; c++ {
				if rng.Intn(2) == 0 {
					dup := KV{kv.Key, []byte(fmt.Sprintf("%s/c%d", kv.Value, c))}
					children[c] = append(children[c], dup)
					want = append(want, dup)
				}
			}
		}
		checkOps(t, rng, NewMerging(slices(children)...), want, 500, nkeys, nil)
	}
}

func TestMergingEmpty(t *testing.T) {
	for _, m := range []*Merging{NewMerging(), NewMerging(NewSlice(nil), NewSlice(nil))} {
		require.False(t, m.First())
		require.False(t, m.Last())
		require.False(t, m.SeekGE(ikey("a", 1, keys.KindSet)))
		require.False(t, m.SeekLT(ikey("a", 1, keys.KindSet)))
		require.False(t, m.Next())
		require.False(t, m.Prev())
		require.NoError(t, m.Close())
	}
}

// TestMergingChildError fails one child after a random number of moves and
// checks that the error surfaces, stops the iteration and is returned by
// Close.
func TestMergingChildError(t *testing.T) {
	rng := newRand(t)
	for round := 0; round < 50; round++ {
		want := randomEntries(rng, 50+rng.Intn(50), 20)
		iters := slices(splitRandomly(rng, want, 4))
		bad := &failingIter{Iterator: iters[rng.Intn(4)], failAt: 1 + rng.Intn(30)}
		for i := range iters {
			if iters[i] == bad.Iterator {
				iters[i] = bad
			}
		}
		m := NewMerging(iters...)
		ok := m.First()
		for i := 0; ok && i < 200; i++ {
			if rng.Intn(3) == 0 {
				ok = m.Prev()
			} else {
				ok = m.Next()
			}
			if !ok && m.Error() == nil {
				ok = m.SeekGE(randomSeekKey(rng, 20, len(want)))
			}
		}
		if bad.err != nil {
			require.ErrorIs(t, m.Error(), errInjected)
			require.False(t, m.Valid())
			require.False(t, m.First(), "an error is sticky")
			require.ErrorIs(t, m.Close(), errInjected)
		}
	}
}

func TestMergingCloseClosesChildren(t *testing.T) {
	a, b := NewSlice(nil), NewSlice(nil)
	closeErr := errors.New("close failed")
	c := &failingIter{Iterator: NewSlice(nil), failAt: 1 << 30, closeErr: closeErr}
	m := NewMerging(a, c, b)
	require.ErrorIs(t, m.Close(), closeErr)
	require.True(t, a.Closed())
	require.True(t, b.Closed())
}

// benchData caches benchmark inputs by size: building 100,000 entries takes
// longer than the benchmark, which the testing package runs several times.
var benchData = map[int][][]KV{}

// newBenchMerging returns a Merging over k children holding n entries.
func newBenchMerging(rng *rand.Rand, n, k int) *Merging {
	key := n*100 + k
	if benchData[key] == nil {
		benchData[key] = splitRandomly(rng, randomEntries(rng, n, n/4), k)
	}
	return NewMerging(slices(benchData[key])...)
}

func TestMergingNoAllocPerStep(t *testing.T) {
	m := newBenchMerging(rand.New(rand.NewSource(1)), 1000, 8)
	m.First()
	next := testing.AllocsPerRun(1000, func() {
		if !m.Next() {
			m.First()
		}
	})
	require.Zero(t, next, "allocations per Next")
	m.Last()
	prev := testing.AllocsPerRun(1000, func() {
		if !m.Prev() {
			m.Last()
		}
	})
	require.Zero(t, prev, "allocations per Prev")
}

func BenchmarkMergingNext(b *testing.B) {
	m := newBenchMerging(rand.New(rand.NewSource(1)), 100000, 8)
	b.ReportAllocs()
	b.ResetTimer()
	m.First()
	for i := 0; i < b.N; i++ {
		if !m.Next() {
			m.First()
		}
	}
}
