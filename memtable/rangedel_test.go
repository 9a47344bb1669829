package memtable

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// TestRangeDelsApartFromPoints: range tombstones go to their own skiplist,
// so point reads and iterators never see them, and RangeDels returns them
// fragmented.
func TestRangeDelsApartFromPoints(t *testing.T) {
	m := New(1 << 20)
	require.False(t, m.HasRangeDels())
	require.Nil(t, m.RangeDels())
	require.NoError(t, m.Add(1, keys.KindSet, []byte("b"), []byte("v")))
	require.NoError(t, m.Add(2, keys.KindRangeDelete, []byte("a"), []byte("m")))
	require.NoError(t, m.Add(3, keys.KindRangeDelete, []byte("f"), []byte("z")))
	require.True(t, m.HasRangeDels())
	require.Equal(t, 3, m.Len())

	it := m.NewIter()
	var got []string
	for ok := it.First(); ok; ok = it.Next() {
		got = append(got, keys.String(it.Key()))
	}
	require.Equal(t, []string{`"b"#1,SET`}, got)
	_, _, ok := m.Get([]byte("a"), keys.MaxSeqNum)
	require.False(t, ok, "a range tombstone's start is not a point entry")

	l := m.RangeDels()
	require.Empty(t, l.Check())
	require.Len(t, l, 3)
	require.Equal(t, keys.SeqNum(3), l.Covering([]byte("g"), keys.MaxSeqNum))
	require.Equal(t, keys.SeqNum(2), l.Covering([]byte("g"), 2))
	require.Equal(t, keys.SeqNum(0), l.Covering([]byte("g"), 1))
	require.Equal(t, keys.SeqNum(0), l.Covering([]byte("z"), keys.MaxSeqNum), "end is exclusive")
}

// TestRangeDelsCacheInvalidated: the cached fragments are rebuilt after
// each new range tombstone, and shared until then.
func TestRangeDelsCacheInvalidated(t *testing.T) {
	m := New(1 << 20)
	require.NoError(t, m.Add(1, keys.KindRangeDelete, []byte("a"), []byte("c")))
	first := m.RangeDels()
	require.Equal(t, &first[0], &m.RangeDels()[0], "no new tombstone: the cached list is shared")
	require.NoError(t, m.Add(2, keys.KindSet, []byte("x"), nil))
	require.Equal(t, &first[0], &m.RangeDels()[0], "a point write does not invalidate the cache")
	require.NoError(t, m.Add(3, keys.KindRangeDelete, []byte("b"), []byte("d")))
	require.Len(t, m.RangeDels(), 3, "[a,b) [b,c) [c,d)")
}

// TestRangeDelsConcurrentReaders builds fragments while the writer adds
// tombstones; under -race this checks the lock-free publication.
func TestRangeDelsConcurrentReaders(t *testing.T) {
	m := New(4 << 20)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				l := m.RangeDels()
				if msg := l.Check(); msg != "" {
					t.Error(msg)
					return
				}
			}
		}()
	}
	for i := 1; i <= 2000; i++ {
		start := []byte(fmt.Sprintf("k%04d", i%97))
		end := []byte(fmt.Sprintf("k%04d", i%97+1+i%5))
		require.NoError(t, m.Add(keys.SeqNum(i), keys.KindRangeDelete, start, end))
	}
	close(stop)
	wg.Wait()
	require.Equal(t, keys.SeqNum(2000), m.RangeDels().Covering([]byte("k0060"), keys.MaxSeqNum))
}
