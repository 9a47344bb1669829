package compaction

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/manifest"
)

// counted returns fm's table with entry and tombstone counts.
func counted(m *manifest.FileMeta, entries, deletions, rangeDels uint64) *manifest.FileMeta {
	m.NumEntries, m.NumDeletions, m.NumRangeDels = entries, deletions, rangeDels
	return m
}

// TestPickTombstoneDense: with every level under its target, a table whose
// tombstones lie over older data is compacted one level down, the one with
// the most data below first; without data below it is not.
func TestPickTombstoneDense(t *testing.T) {
	v := newVersion(t, map[int][]*manifest.FileMeta{
		1: {counted(fm(1, "a", "c", 10, 20, 29), 10, 8, 0), counted(fm(2, "d", "f", 10, 30, 39), 10, 0, 1),
			counted(fm(3, "x", "z", 10, 40, 49), 10, 9, 0)},
		3: {fm(4, "a", "b", 1000, 1, 1), fm(5, "d", "e", 5000, 2, 2)},
	})
	c := NewPicker(testOpts()).Pick(v)
	require.NotNil(t, c)
	require.Equal(t, []uint64{2}, nums(c.Inputs[0]), "the range tombstone table: most bytes below")
	require.Equal(t, 2, c.OutputLevel)
	require.Contains(t, c.Reason, "tombstones")

	// Table 3 is dense but has nothing below; table 1 is dense with data
	// below. Without table 2, table 1 is picked.
	v = newVersion(t, map[int][]*manifest.FileMeta{
		1: {counted(fm(1, "a", "c", 10, 20, 29), 10, 8, 0), counted(fm(3, "x", "z", 10, 40, 49), 10, 9, 0)},
		3: {fm(4, "a", "b", 1000, 1, 1)},
	})
	c = NewPicker(testOpts()).Pick(v)
	require.NotNil(t, c)
	require.Equal(t, []uint64{1}, nums(c.Inputs[0]))

	// A light table over data below is left alone.
	v = newVersion(t, map[int][]*manifest.FileMeta{
		1: {counted(fm(1, "a", "c", 10, 20, 29), 10, 2, 0)},
		3: {fm(4, "a", "b", 1000, 1, 1)},
	})
	require.Nil(t, NewPicker(testOpts()).Pick(v))
}

// TestPickElisionOnly: a tombstone-heavy table with nothing below is
// rewritten in place, unless a snapshot older than some of its entries
// still needs its tombstones.
func TestPickElisionOnly(t *testing.T) {
	v := newVersion(t, map[int][]*manifest.FileMeta{
		6: {fm(1, "a", "c", 10, 1, 9), counted(fm(2, "d", "f", 10, 20, 29), 10, 1, 2)},
	})
	p := NewPicker(testOpts())
	c := p.Pick(v)
	require.NotNil(t, c)
	require.Equal(t, []uint64{2}, nums(c.Inputs[0]))
	require.Equal(t, 6, c.Level)
	require.Equal(t, 6, c.OutputLevel)
	require.False(t, c.IsTrivialMove(), "an in-place rewrite is never a move")
	require.True(t, c.ElideRangeTombstone([]byte("d"), []byte("f")))

	for _, tc := range []struct {
		snaps []keys.SeqNum
		want  bool
	}{{[]keys.SeqNum{5}, false}, {[]keys.SeqNum{25}, false}, {[]keys.SeqNum{29}, true}, {[]keys.SeqNum{40}, true}} {
		p.SetSnapshots(tc.snaps)
		require.Equal(t, tc.want, p.Pick(v) != nil, "snapshots %v", tc.snaps)
	}
}
