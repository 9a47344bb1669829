package lsmkv

import (
	"bytes"
	"testing"

	"github.com/lsmkv/lsmkv/vfs"
	"github.com/stretchr/testify/require"
)

// TestTablesMatchMetricsAndLevels checks that Tables lists, level by level,
// the tables Metrics counts, with their sizes, that deeper levels are in
// key order without overlap, and that the memtable fields add up.
func TestTablesMatchMetricsAndLevels(t *testing.T) {
	fs := vfs.NewMem()
	db := openMem(t, fs, tinyOptions(fs))
	defer db.Close()
	writeKeys(t, db, 0, 3000, "v")
	require.NoError(t, db.Flush())
	require.NoError(t, db.Compact(nil, nil))
	writeKeys(t, db, 0, 300, "w") // some tables in L0 again, some in the memtable
	require.NoError(t, db.Flush())
	writeKeys(t, db, 300, 310, "w")

	tables := db.Tables()
	m := db.Metrics()
	require.Len(t, tables, len(m.Levels))
	deep := 0
	for level, ts := range tables {
		var size int64
		for i, ti := range ts {
			require.Equal(t, level, ti.Level)
			require.NotZero(t, ti.FileNum)
			require.LessOrEqual(t, string(ti.Smallest), string(ti.Largest))
			size += int64(ti.Size)
			if level > 0 && i > 0 {
				require.Negative(t, bytes.Compare(ts[i-1].Largest, ti.Smallest), "L%d tables overlap or are out of order", level)
			}
			if level == 0 && i > 0 {
				require.Greater(t, ts[i-1].LargestSeq, ti.LargestSeq, "L0 not newest first")
			}
		}
		require.Equal(t, m.Levels[level].NumFiles, len(ts), "L%d", level)
		require.Equal(t, m.Levels[level].Size, size, "L%d", level)
		if level > 0 {
			deep += len(ts)
		}
	}
	require.Positive(t, deep, "the compaction left no table below L0")

	require.Positive(t, m.MutableMemtableBytes)
	require.GreaterOrEqual(t, m.MemtableCapacity, m.MutableMemtableBytes)
	require.Len(t, m.FrozenMemtableBytes, m.MemtableCount-1)
	sum := m.MutableMemtableBytes
	for _, b := range m.FrozenMemtableBytes {
		sum += b
	}
	require.Equal(t, m.MemtableBytes, sum)
}
