package iterator_test

import (
	"github.com/stretchr/testify/require"
	"testing"

	"github.com/lsmkv/lsmkv/internal/iterator"
	"github.com/lsmkv/lsmkv/internal/itertest"
	"github.com/lsmkv/lsmkv/internal/keys"
)

func TestSlicePositions(t *testing.T) {
	kvs := []iterator.KV{
		{itertest.IKey("a", 5, keys.KindSet), []byte("a5")},
		{itertest.IKey("a", 3, keys.KindDelete), nil},
		{itertest.IKey("c", 4, keys.KindSet), []byte("c4")},
	}
	tests := []struct {
		name string
		op   func(s *iterator.Slice) bool
		want string // the current key as keys.String, "" if invalid
	}{
		{"First", (*iterator.Slice).First, `"a"#5,SET`},
		{"Last", (*iterator.Slice).Last, `"c"#4,SET`},
		{"SeekGE exact", func(s *iterator.Slice) bool { return s.SeekGE(itertest.IKey("a", 3, keys.KindDelete)) }, `"a"#3,DEL`},
		{"SeekGE between versions", func(s *iterator.Slice) bool { return s.SeekGE(itertest.IKey("a", 4, keys.KindSet)) }, `"a"#3,DEL`},
		{"SeekGE past end", func(s *iterator.Slice) bool { return s.SeekGE(itertest.IKey("d", 9, keys.KindSet)) }, ""},
		{"SeekLT exact", func(s *iterator.Slice) bool { return s.SeekLT(itertest.IKey("c", 4, keys.KindSet)) }, `"a"#3,DEL`},
		{"SeekLT before start", func(s *iterator.Slice) bool { return s.SeekLT(itertest.IKey("a", 5, keys.KindSet)) }, ""},
		{"Next from First", func(s *iterator.Slice) bool { s.First(); return s.Next() }, `"a"#3,DEL`},
		{"Prev from First", func(s *iterator.Slice) bool { s.First(); return s.Prev() }, ""},
		{"Next when exhausted stays invalid", func(s *iterator.Slice) bool { s.Last(); s.Next(); return s.Next() }, ""},
		{"Prev when exhausted stays invalid", func(s *iterator.Slice) bool { s.First(); s.Prev(); return s.Prev() }, ""},
		{"Next unpositioned", (*iterator.Slice).Next, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := iterator.NewSlice(kvs)
			ok := tt.op(s)
			require.Equal(t, tt.want != "", ok)
			require.Equal(t, ok, s.Valid())
			if ok {
				require.Equal(t, tt.want, keys.String(s.Key()))
			} else {
				require.Nil(t, s.Key())
				require.Nil(t, s.Value())
			}
			require.NoError(t, s.Error())
		})
	}
}

func TestSliceEmptyAndClose(t *testing.T) {
	s := iterator.NewSlice(nil)
	require.False(t, s.First())
	require.False(t, s.Last())
	require.False(t, s.SeekGE(itertest.IKey("a", 1, keys.KindSet)))
	require.False(t, s.SeekLT(itertest.IKey("a", 1, keys.KindSet)))
	require.False(t, s.Closed())
	require.NoError(t, s.Close())
	require.True(t, s.Closed())
}

func TestSliceMatchesModel(t *testing.T) {
	rng := itertest.NewRand(t)
	for round := 0; round < 20; round++ {
		want := itertest.RandomEntries(rng, rng.Intn(40), 10)
		itertest.CheckOps(t, rng, iterator.NewSlice(want), want, 300, 10, nil)
	}
}
