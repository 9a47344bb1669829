package manifest

import (
	"bytes"
	"github.com/lsmkv/lsmkv/internal/testseed"
	"github.com/stretchr/testify/require"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// testSeed returns the seed for a randomized test and logs it so that a
// failure can be replayed with -seed.
func testSeed(t testing.TB) uint64 {
	return testseed.Seed(t)
}

func ik(ukey string, seq keys.SeqNum) []byte { return keys.Make([]byte(ukey), seq, keys.KindSet) }

func meta(num uint64, smallest, largest string, sseq, lseq keys.SeqNum) FileMeta {
	return FileMeta{Num: num, Size: num * 100, Smallest: ik(smallest, lseq), Largest: ik(largest, sseq),
		SmallestSeq: sseq, LargestSeq: lseq}
}

func TestEditRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		e    VersionEdit
	}{
		{"empty", VersionEdit{}},
		{"scalars", VersionEdit{HasLogNum: true, LogNum: 7, HasNextFileNum: true, NextFileNum: 1 << 40,
			HasLastSeq: true, LastSeq: keys.MaxSeqNum}},
		{"zero scalars", VersionEdit{HasLogNum: true, HasNextFileNum: true, HasLastSeq: true}},
		{"deleted", VersionEdit{Deleted: []DeletedFile{{0, 1}, {6, 1<<64 - 1}}}},
		{"added", VersionEdit{Added: []NewFile{{0, meta(5, "a", "z", 1, 9)}, {NumLevels - 1, meta(6, "", "", 0, 0)}}}},
		{"everything", VersionEdit{HasLogNum: true, LogNum: 3, Deleted: []DeletedFile{{1, 2}},
			Added: []NewFile{{2, meta(9, "k", "k\xff", 4, 4)}}}},
		{"added with counts", VersionEdit{Added: []NewFile{{1, withCounts(meta(7, "a", "c", 1, 3), 10, 4, 0)},
			{2, withCounts(meta(8, "d", "e", 5, 6), 0, 0, 3)}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			enc := tc.e.Encode(nil)
			var got VersionEdit
			require.NoError(t, got.Decode(enc))
			require.Equal(t, tc.e, got)
			require.Equal(t, enc, got.Encode(nil), "encoding is canonical")
		})
	}
}

func randomEdit(rng *rand.Rand) VersionEdit {
	var e VersionEdit
	if rng.IntN(2) == 0 {
		e.HasLogNum, e.LogNum = true, rng.Uint64()>>rng.IntN(64)
	}
	if rng.IntN(2) == 0 {
		e.HasNextFileNum, e.NextFileNum = true, rng.Uint64()>>rng.IntN(64)
	}
	if rng.IntN(2) == 0 {
		e.HasLastSeq, e.LastSeq = true, keys.SeqNum(rng.Uint64N(uint64(keys.MaxSeqNum)+1))
	}
	for range rng.IntN(4) {
		e.Deleted = append(e.Deleted, DeletedFile{Level: rng.IntN(NumLevels), Num: rng.Uint64() >> rng.IntN(64)})
	}
	for range rng.IntN(4) {
		e.Added = append(e.Added, NewFile{Level: rng.IntN(NumLevels), Meta: randomMeta(rng)})
	}
	return e
}

func randomMeta(rng *rand.Rand) FileMeta {
	s := keys.SeqNum(rng.Uint64N(uint64(keys.MaxSeqNum) + 1))
	l := keys.SeqNum(rng.Uint64N(uint64(keys.MaxSeqNum) + 1))
	s, l = min(s, l), max(s, l)
	a := make([]byte, rng.IntN(20))
	b := make([]byte, rng.IntN(20))
	for i := range a {
		a[i] = byte(rng.IntN(4))
	}
	for i := range b {
		b[i] = byte(rng.IntN(4))
	}
	ka, kb := keys.Make(a, l, keys.KindSet), keys.Make(b, s, keys.KindDelete)
	if keys.Compare(ka, kb) > 0 {
		ka, kb = kb, ka
	}
	return FileMeta{Num: rng.Uint64(), Size: rng.Uint64() >> rng.IntN(64), Smallest: ka, Largest: kb,
		SmallestSeq: s, LargestSeq: l}
}

func TestEditRoundTripRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 0))
	for i := range 2000 {
		e := randomEdit(rng)
		var got VersionEdit
		require.NoError(t, got.Decode(e.Encode(nil)), "edit %d", i)
		require.Equal(t, e, got, "edit %d", i)
	}
}

func withCounts(m FileMeta, entries, deletions, rangeDels uint64) FileMeta {
	m.NumEntries, m.NumDeletions, m.NumRangeDels = entries, deletions, rangeDels
	return m
}

// TestEditCountsTag: tables with counts use the tag that carries them, and
// a table without (recorded before counts were) keeps the old tag, so its
// bytes are unchanged.
func TestEditCountsTag(t *testing.T) {
	old := (&VersionEdit{Added: []NewFile{{1, meta(5, "a", "b", 1, 2)}}}).Encode(nil)
	require.Equal(t, byte(tagNewFile), old[0])
	counted := (&VersionEdit{Added: []NewFile{{1, withCounts(meta(5, "a", "b", 1, 2), 2, 0, 0)}}}).Encode(nil)
	require.Equal(t, byte(tagNewFileStats), counted[0])
}

func TestEditDecodeErrors(t *testing.T) {
	valid := (&VersionEdit{Added: []NewFile{{1, meta(5, "a", "b", 1, 2)}}}).Encode(nil)
	badKeys := meta(5, "b", "a", 1, 2)
	tests := []struct {
		name string
		b    []byte
		want string
	}{
		{"unknown tag", []byte{99, 1}, "unknown tag 99"},
		{"tag zero", []byte{0}, "unknown tag 0"},
		{"truncated tag", []byte{0x80}, "uvarint for tag"},
		{"truncated value", []byte{tagLogNum}, "log number"},
		{"uvarint overflow", append([]byte{tagLogNum}, bytes.Repeat([]byte{0xff}, 10)...), "log number"},
		{"repeated log number", []byte{tagLogNum, 1, tagLogNum, 2}, "repeated log number"},
		{"repeated next file", []byte{tagNextFileNum, 1, tagNextFileNum, 2}, "repeated next file"},
		{"repeated last seq", []byte{tagLastSeq, 1, tagLastSeq, 2}, "repeated last seq"},
		{"seq too big", []byte{tagLastSeq, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, "56-bit"},
		{"deleted bad level", []byte{tagDeletedFile, NumLevels, 1}, "level 7 out of range"},
		{"added bad level", append([]byte{tagNewFile, NumLevels}, valid[2:]...), "level 7 out of range"},
		{"truncated new file", valid[:len(valid)-1], "largest sequence number"},
		{"key length past end", []byte{tagNewFile, 0, 1, 1, 50, 1}, "smallest key length 50 exceeds"},
		{"short key", (&VersionEdit{Added: []NewFile{{0, FileMeta{Smallest: []byte("abc"), Largest: ik("a", 1)}}}}).Encode(nil), "shorter than 8"},
		{"smallest after largest", (&VersionEdit{Added: []NewFile{{0, badKeys}}}).Encode(nil), "sorts after largest"},
		{"more deletions than entries", (&VersionEdit{Added: []NewFile{{0, withCounts(meta(5, "a", "b", 1, 2), 1, 2, 0)}}}).Encode(nil), "2 point tombstones among 1 entries"},
		{"seq range reversed", (&VersionEdit{Added: []NewFile{{0, FileMeta{Smallest: ik("a", 1), Largest: ik("b", 1), SmallestSeq: 3, LargestSeq: 2}}}}).Encode(nil), "smallest seq 3 > largest seq 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := VersionEdit{HasLogNum: true, LogNum: 1} // Decode must reset it
			err := e.Decode(tc.b)
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
			require.True(t, strings.HasPrefix(err.Error(), "lsmkv/manifest: "), err.Error())
			require.Equal(t, VersionEdit{}, e, "a failed Decode leaves a zero edit")
		})
	}
}

// TestEditDecodeTruncations checks that every proper prefix of a valid
// encoding either decodes (it ends on a field boundary) or fails cleanly.
func TestEditDecodeTruncations(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 1))
	for range 200 {
		e := randomEdit(rng)
		enc := e.Encode(nil)
		for n := range len(enc) {
			var got VersionEdit
			_ = got.Decode(enc[:n]) // must not panic
		}
	}
}

func TestEditDecodeDoesNotAlias(t *testing.T) {
	enc := (&VersionEdit{Added: []NewFile{{0, meta(5, "a", "b", 1, 2)}}}).Encode(nil)
	var e VersionEdit
	require.NoError(t, e.Decode(enc))
	for i := range enc {
		enc[i] = 0xee
	}
	require.Equal(t, ik("a", 2), e.Added[0].Meta.Smallest)
}

func FuzzDecodeEdit(f *testing.F) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		e := randomEdit(rng)
		f.Add(e.Encode(nil))
	}
	f.Add(docExampleEdit().Encode(nil))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var e VersionEdit
		if e.Decode(b) != nil {
			return
		}
		enc := e.Encode(nil)
		var e2 VersionEdit
		if err := e2.Decode(enc); err != nil {
			t.Fatalf("re-decoding a decoded edit failed: %v", err)
		}
		require.Equal(t, e, e2)
		require.Equal(t, enc, e2.Encode(nil))
	})
}
