package keys

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCompareOrder(t *testing.T) {
	// Sorted by user key ascending, then sequence number descending, then
	// kind descending: the newest version of a key comes first.
	want := [][]byte{
		Make([]byte(""), 3, KindSet),
		Make([]byte("a"), 9, KindSet),
		Make([]byte("a"), 9, KindDelete),
		Make([]byte("a"), 2, KindSet),
		Make([]byte("ab"), MaxSeqNum, KindSet),
		Make([]byte("ab"), 0, KindDelete),
		Make([]byte("b"), 1, KindSet),
	}
	got := make([][]byte, len(want))
	for i, j := range []int{6, 2, 4, 0, 5, 1, 3} {
		got[i] = want[j]
	}
	sort.Slice(got, func(i, j int) bool { return Compare(got[i], got[j]) < 0 })
	require.Equal(t, want, got)
}

func TestSeekKeyLandsOnNewestVisible(t *testing.T) {
	seek := AppendSeekKey(nil, []byte("k"), 5)
	require.Less(t, Compare(seek, Make([]byte("k"), 5, KindSet)), 1)
	require.Less(t, Compare(seek, Make([]byte("k"), 5, KindDelete)), 0)
	require.Greater(t, Compare(seek, Make([]byte("k"), 6, KindSet)), 0)
}

func TestDecode(t *testing.T) {
	tests := []struct {
		in   []byte
		ukey string
		seq  SeqNum
		kind Kind
		ok   bool
	}{
		{Make([]byte("user"), 42, KindSet), "user", 42, KindSet, true},
		{Make(nil, MaxSeqNum, KindDelete), "", MaxSeqNum, KindDelete, true},
		{[]byte{1, 2, 3}, "", 0, 0, false},
		{nil, "", 0, 0, false},
	}
	for _, tc := range tests {
		ukey, seq, kind, ok := Decode(tc.in)
		require.Equal(t, tc.ok, ok)
		require.Equal(t, tc.ukey, string(ukey))
		require.Equal(t, tc.seq, seq)
		require.Equal(t, tc.kind, kind)
	}
}

func TestEncodingBytes(t *testing.T) {
	// "a" at seq 1, SET: trailer 1<<8|1 = 0x101, little-endian.
	require.Equal(t, []byte{'a', 0x01, 0x01, 0, 0, 0, 0, 0, 0}, Make([]byte("a"), 1, KindSet))
	require.Equal(t, `"a"#1,SET`, String(Make([]byte("a"), 1, KindSet)))
	require.Equal(t, "KIND(7)", Kind(7).String())
}
