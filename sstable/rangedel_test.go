package sstable

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/internal/corruption"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/internal/rangedel"
)

func tomb(start, end string, seq keys.SeqNum) rangedel.Tombstone {
	return rangedel.Tombstone{Start: []byte(start), End: []byte(end), Seq: seq}
}

// buildWithRangeDels writes entries and the fragments of ts to a table.
func buildWithRangeDels(t testing.TB, entries []kv, ts []rangedel.Tombstone, opts WriterOptions) (*memFile, Properties) {
	t.Helper()
	f := &memFile{}
	w := NewWriter(f, opts)
	for _, e := range entries {
		require.NoError(t, w.Add(e.key, e.value))
	}
	w.SetRangeDels(rangedel.Build(ts))
	props, err := w.Finish()
	require.NoError(t, err)
	return f, props
}

// TestRangeDelsRoundTrip: the fragments a table is given come back from
// RangeDels, and the table's bounds cover them as well as the points.
func TestRangeDelsRoundTrip(t *testing.T) {
	entries := []kv{
		{keys.Make([]byte("d"), 5, keys.KindSet), []byte("v")},
		{keys.Make([]byte("e"), 4, keys.KindDelete), nil},
	}
	ts := []rangedel.Tombstone{tomb("a", "f", 9), tomb("c", "z", 7)}
	for _, opts := range []WriterOptions{{}, {Compression: SnappyCompression, BlockSize: 64}} {
		f, props := buildWithRangeDels(t, entries, ts, opts)
		r := openTable(t, f, ReaderOptions{})
		want := rangedel.Build(ts)
		require.Equal(t, want, r.RangeDels())
		require.Equal(t, uint64(4), props.NumRangeDels, "[a,c){9} [c,f){9,7} [f,z){7}")
		require.Equal(t, `"a"#9,RANGEDEL`, keys.String(props.Smallest))
		require.Equal(t, keys.RangeDeleteSentinel([]byte("z")), props.Largest, "exclusive end sentinel")
		require.Equal(t, keys.SeqNum(4), props.SmallestSeq)
		require.Equal(t, keys.SeqNum(9), props.LargestSeq)
		require.Equal(t, *r.Properties(), props)
		checkIterAll(t, r, entries) // the point iterator sees no tombstone
		v, seq, kind, found, err := r.Get([]byte("d"), keys.MaxSeqNum)
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, "v", string(v))
		require.Equal(t, keys.SeqNum(5), seq)
		require.Equal(t, keys.KindSet, kind)
	}
}

// TestRangeDelsOnlyTable: a table may hold tombstones and no point entry
// (a compaction whose points were all deleted); its bounds and sequence
// numbers come from the tombstones alone.
func TestRangeDelsOnlyTable(t *testing.T) {
	f, props := buildWithRangeDels(t, nil, []rangedel.Tombstone{tomb("k", "m", 3), tomb("b", "c", 8)}, WriterOptions{})
	r := openTable(t, f, ReaderOptions{})
	require.Equal(t, uint64(0), props.NumEntries)
	require.Equal(t, `"b"#8,RANGEDEL`, keys.String(props.Smallest))
	require.Equal(t, keys.RangeDeleteSentinel([]byte("m")), props.Largest)
	require.Equal(t, keys.SeqNum(3), props.SmallestSeq)
	require.Equal(t, keys.SeqNum(8), props.LargestSeq)
	require.Len(t, r.RangeDels(), 2)
	it := r.NewIter()
	require.False(t, it.First())
	require.NoError(t, it.Close())
}

// TestRangeDelBlockDamage: a range-deletion block that decodes but breaks
// the writer's guarantees is corruption naming the file and block.
func TestRangeDelBlockDamage(t *testing.T) {
	good := encodeRangeDels(rangedel.Build([]rangedel.Tombstone{tomb("a", "c", 2), tomb("b", "d", 5)}))
	overlap := func() []byte {
		var b blockWriter
		b.restartInterval = rangeDelRestartInterval
		b.add(keys.Make([]byte("a"), 2, keys.KindRangeDelete), []byte("c"))
		b.add(keys.Make([]byte("b"), 2, keys.KindRangeDelete), []byte("d"))
		return b.finish()
	}()
	notRangeDel := func() []byte {
		var b blockWriter
		b.restartInterval = rangeDelRestartInterval
		b.add(keys.Make([]byte("a"), 2, keys.KindSet), []byte("c"))
		return b.finish()
	}()
	cases := map[string]struct {
		block []byte
		n     uint64
	}{
		"count mismatch": {good, 7},
		"overlap":        {overlap, 2},
		"point entry":    {notRangeDel, 1},
		"garbage":        {[]byte{1, 2, 3}, 1},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := decodeRangeDels("x.sst", 100, c.block, c.n)
			require.ErrorIs(t, err, corruption.ErrCorruption)
			var ce *corruption.Error
			require.True(t, errors.As(err, &ce))
			require.Equal(t, "x.sst", ce.File)
		})
	}
	l, err := decodeRangeDels("x.sst", 100, good, 4)
	require.NoError(t, err)
	require.Empty(t, l.Check())
}

// TestReadsFormatV1: tables written before the range-deletion block (format
// 1, testdata/golden-v1.sst, the golden file as it was) still read.
func TestReadsFormatV1(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "golden-v1.sst"))
	require.NoError(t, err)
	r := openTable(t, &memFile{data: data}, ReaderOptions{})
	require.Equal(t, uint32(1), r.Properties().FormatVersion)
	require.Nil(t, r.RangeDels())
	checkIterAll(t, r, goldenEntries())
}

func FuzzRangeDelBlock(f *testing.F) {
	f.Add(encodeRangeDels(rangedel.Build([]rangedel.Tombstone{tomb("a", "c", 2), tomb("b", "d", 5)})), uint8(4))
	f.Add(encodeRangeDels(rangedel.Build([]rangedel.Tombstone{tomb("", "\xff", 1)})), uint8(1))
	f.Add([]byte{}, uint8(0))
	f.Fuzz(func(t *testing.T, block []byte, n uint8) {
		l, err := decodeRangeDels("fuzz.sst", 0, block, uint64(n))
		if err != nil {
			require.ErrorIs(t, err, corruption.ErrCorruption)
			return
		}
		require.Empty(t, l.Check())
		// What decodes re-encodes to the same fragments.
		again, err := decodeRangeDels("fuzz.sst", 0, encodeRangeDels(l), uint64(n))
		require.NoError(t, err)
		require.Equal(t, fmt.Sprint(l), fmt.Sprint(again))
	})
}

// TestRangeDelExampleInDoc checks the range-deletion block example of
// docs/format-sstable.md.
func TestRangeDelExampleInDoc(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "format-sstable.md"))
	require.NoError(t, err)
	s := string(doc)
	const begin, end = "<!-- rangedel-example-begin -->", "<!-- rangedel-example-end -->"
	i, j := strings.Index(s, begin), strings.Index(s, end)
	require.True(t, i >= 0 && j > i, "example markers not found")
	want, err := parseDocHex(strings.NewReplacer(begin, "<!-- worked-example-begin -->", end, "<!-- worked-example-end -->").Replace(s[i : j+len(end)]))
	require.NoError(t, err)
	got := encodeRangeDels(rangedel.Build([]rangedel.Tombstone{tomb("a", "c", 5), tomb("b", "d", 7)}))
	require.Equal(t, hexDump(want), hexDump(got))
}

// TestLayoutListsRangeDelBlock: the layout kvtool prints includes the
// range-deletion block, in file order, with its entries.
func TestLayoutListsRangeDelBlock(t *testing.T) {
	f, _ := buildWithRangeDels(t, []kv{{keys.Make([]byte("d"), 5, keys.KindSet), []byte("v")}},
		[]rangedel.Tombstone{tomb("a", "f", 9), tomb("c", "z", 7)}, WriterOptions{})
	r := openTable(t, f, ReaderOptions{})
	blocks, err := r.Layout()
	require.NoError(t, err)
	var kinds []string
	for _, b := range blocks {
		kinds = append(kinds, b.Kind.String())
		if b.Kind == RangeDelBlock {
			require.Equal(t, 4, b.Entries)
		}
	}
	require.Equal(t, []string{"data", "rangedel", "filter", "index", "properties"}, kinds)
}
