package iterator_test

import (
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/internal/iterator"
	"github.com/lsmkv/lsmkv/internal/itertest"
	"github.com/lsmkv/lsmkv/internal/keys"
)

func TestMergingMatchesModel(t *testing.T) {
	rng := itertest.NewRand(t)
	for round := 0; round < 100; round++ {
		nkeys := 1 + rng.Intn(30)
		want := itertest.RandomEntries(rng, rng.Intn(200), nkeys)
		k := 1 + rng.Intn(8)
		m := iterator.NewMerging(itertest.Slices(itertest.SplitRandomly(rng, want, k))...)
		itertest.CheckOps(t, rng, m, want, 500, nkeys, nil)
		require.NoError(t, m.Close())
	}
}

// TestMergingEqualKeysLowerChildFirst checks the tie rule: entries with
// equal internal keys in several children come out ordered by child index
// in both directions, also across direction switches.
func TestMergingEqualKeysLowerChildFirst(t *testing.T) {
	rng := itertest.NewRand(t)
	for round := 0; round < 50; round++ {
		nkeys := 1 + rng.Intn(10)
		base := itertest.RandomEntries(rng, rng.Intn(60), nkeys)
		k := 2 + rng.Intn(4)
		children := make([][]iterator.KV, k)
		var want []iterator.KV // ordered by (key, child)
		for _, kv := range base {
			for c := 0; c < k; c++ {
				if rng.Intn(2) == 0 {
					dup := iterator.KV{kv.Key, []byte(fmt.Sprintf("%s/c%d", kv.Value, c))}
					children[c] = append(children[c], dup)
					want = append(want, dup)
				}
			}
		}
		itertest.CheckOps(t, rng, iterator.NewMerging(itertest.Slices(children)...), want, 500, nkeys, nil)
	}
}

func TestMergingEmpty(t *testing.T) {
	for _, m := range []*iterator.Merging{iterator.NewMerging(), iterator.NewMerging(iterator.NewSlice(nil), iterator.NewSlice(nil))} {
		require.False(t, m.First())
		require.False(t, m.Last())
		require.False(t, m.SeekGE(itertest.IKey("a", 1, keys.KindSet)))
		require.False(t, m.SeekLT(itertest.IKey("a", 1, keys.KindSet)))
		require.False(t, m.Next())
		require.False(t, m.Prev())
		require.NoError(t, m.Close())
	}
}

// TestMergingChildError fails one child after a random number of moves and
// checks that the error surfaces, stops the iteration and is returned by
// Close.
func TestMergingChildError(t *testing.T) {
	rng := itertest.NewRand(t)
	for round := 0; round < 50; round++ {
		want := itertest.RandomEntries(rng, 50+rng.Intn(50), 20)
		iters := itertest.Slices(itertest.SplitRandomly(rng, want, 4))
		bad := &itertest.FailingIter{Iterator: iters[rng.Intn(4)], FailAt: 1 + rng.Intn(30)}
		for i := range iters {
			if iters[i] == bad.Iterator {
				iters[i] = bad
			}
		}
		m := iterator.NewMerging(iters...)
		ok := m.First()
		for i := 0; ok && i < 200; i++ {
			if rng.Intn(3) == 0 {
				ok = m.Prev()
			} else {
				ok = m.Next()
			}
			if !ok && m.Error() == nil {
				ok = m.SeekGE(itertest.RandomSeekKey(rng, 20, len(want)))
			}
		}
		if bad.Err != nil {
			require.ErrorIs(t, m.Error(), itertest.ErrInjected)
			require.False(t, m.Valid())
			require.False(t, m.First(), "an error is sticky")
			require.ErrorIs(t, m.Close(), itertest.ErrInjected)
		}
	}
}

func TestMergingCloseClosesChildren(t *testing.T) {
	a, b := iterator.NewSlice(nil), iterator.NewSlice(nil)
	closeErr := errors.New("close failed")
	c := &itertest.FailingIter{Iterator: iterator.NewSlice(nil), FailAt: 1 << 30, CloseErr: closeErr}
	m := iterator.NewMerging(a, c, b)
	require.ErrorIs(t, m.Close(), closeErr)
	require.True(t, a.Closed())
	require.True(t, b.Closed())
}

// benchData caches benchmark inputs by size: building 100,000 entries takes
// longer than the benchmark, which the testing package runs several times.
var benchData = map[int][][]iterator.KV{}

// newBenchMerging returns a Merging over k children holding n entries.
func newBenchMerging(rng *rand.Rand, n, k int) *iterator.Merging {
	key := n*100 + k
	if benchData[key] == nil {
		benchData[key] = itertest.SplitRandomly(rng, itertest.RandomEntries(rng, n, n/4), k)
	}
	return iterator.NewMerging(itertest.Slices(benchData[key])...)
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

// TestMergingSkip: skipping the children after one moves them past a span
// and leaves the others where they are, in both directions.
func TestMergingSkip(t *testing.T) {
	mk := func(uk string, seq keys.SeqNum) iterator.KV {
		return iterator.KV{Key: keys.Make([]byte(uk), seq, keys.KindSet), Value: []byte(uk)}
	}
	children := func() *iterator.Merging {
		return iterator.NewMerging(
			iterator.NewSlice([]iterator.KV{mk("b", 9), mk("d", 9)}),
			iterator.NewSlice([]iterator.KV{mk("a", 5), mk("c", 5), mk("e", 5)}),
			iterator.NewSlice([]iterator.KV{mk("b", 1), mk("c", 1), mk("f", 1)}),
		)
	}
	walk := func(m *iterator.Merging, ok bool, step func() bool) string {
		var out []string
		for ; ok; ok = step() {
			out = append(out, fmt.Sprintf("%s@%d", keys.UserKey(m.Key()), m.Current()))
		}
		return strings.Join(out, " ")
	}
	m := children()
	require.True(t, m.SeekGE(keys.Make([]byte("b"), keys.MaxSeqNum, keys.KindMax)))
	require.Equal(t, 0, m.Current())
	// Skip children 1 and 2 to "e": child 0 keeps b and d.
	ok := m.SkipForward(0, keys.Make([]byte("e"), keys.MaxSeqNum, keys.KindMax))
	require.Equal(t, "b@0 d@0 e@1 f@2", walk(m, ok, m.Next))

	m = children()
	require.True(t, m.SeekLT(keys.Make([]byte("f"), keys.MaxSeqNum, keys.KindMax)))
	ok = m.SkipBackward(0, keys.Make([]byte("c"), keys.MaxSeqNum, keys.KindMax))
	require.Equal(t, "d@0 b@2 b@0 a@1", walk(m, ok, m.Prev)) // b#1 sorts after b#9
	require.Equal(t, -1, m.Current())
	require.NoError(t, m.Close())
}
