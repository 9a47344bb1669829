package iterator

import (
	"github.com/stretchr/testify/require"
	"testing"

	"github.com/lsmkv/lsmkv/internal/keys"
)

func TestSlicePositions(t *testing.T) {
	kvs := []KV{
		{ikey("a", 5, keys.KindSet), []byte("a5")},
		{ikey("a", 3, keys.KindDelete), nil},
		{ikey("c", 4, keys.KindSet), []byte("c4")},
	}
	tests := []struct {
		name string
		op   func(s *Slice) bool
		want string // the current key as keys.String, "" if invalid
	}{
		{"First", (*Slice).First, `"a"#5,SET`},
		{"Last", (*Slice).Last, `"c"#4,SET`},
		{"SeekGE exact", func(s *Slice) bool { return s.SeekGE(ikey("a", 3, keys.KindDelete)) }, `"a"#3,DEL`},
		{"SeekGE between versions", func(s *Slice) bool { return s.SeekGE(ikey("a", 4, keys.KindSet)) }, `"a"#3,DEL`},
		{"SeekGE past end", func(s *Slice) bool { return s.SeekGE(ikey("d", 9, keys.KindSet)) }, ""},
		{"SeekLT exact", func(s *Slice) bool { return s.SeekLT(ikey("c", 4, keys.KindSet)) }, `"a"#3,DEL`},
		{"SeekLT before start", func(s *Slice) bool { return s.SeekLT(ikey("a", 5, keys.KindSet)) }, ""},
		{"Next from First", func(s *Slice) bool { s.First(); return s.Next() }, `"a"#3,DEL`},
		{"Prev from First", func(s *Slice) bool { s.First(); return s.Prev() }, ""},
		{"Next when exhausted stays invalid", func(s *Slice) bool { s.Last(); s.Next(); return s.Next() }, ""},
		{"Prev when exhausted stays invalid", func(s *Slice) bool { s.First(); s.Prev(); return s.Prev() }, ""},
		{"Next unpositioned", (*Slice).Next, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSlice(kvs)
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
	s := NewSlice(nil)
	require.False(t, s.First())
	require.False(t, s.Last())
	require.False(t, s.SeekGE(ikey("a", 1, keys.KindSet)))
	require.False(t, s.SeekLT(ikey("a", 1, keys.KindSet)))
	require.False(t, s.Closed())
	require.NoError(t, s.Close())
	require.True(t, s.Closed())
}

func TestSliceMatchesModel(t *testing.T) {
	rng := newRand(t)
	for round := 0; round < 20; round++ {
		want := randomEntries(rng, rng.Intn(40), 10)
		checkOps(t, rng, NewSlice(want), want, 300, 10, nil)
	}
}
