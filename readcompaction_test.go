package lsmkv

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/vfs"
)

// l0Setup writes keys into L1 and then leaves two L0 tables, below the
// trigger of three, so that nothing size-triggered is due.
func l0Setup(t *testing.T) (*DB, map[string]string) {
	t.Helper()
	opts := tinyOptions(vfs.NewMem())
	opts.L0CompactionTrigger = 3
	db, err := Open("db", opts)
	require.NoError(t, err)
	writeKeys(t, db, 0, 300, "a")
	require.NoError(t, db.Compact(nil, nil))
	for round := range 2 {
		writeKeys(t, db, round*100, round*100+100, "b")
		require.NoError(t, db.Flush())
	}
	require.Equal(t, 2, db.Metrics().Levels[0].NumFiles)
	return db, scanAll(t, db)
}

// seek positions a fresh iterator n times.
func seek(t *testing.T, db *DB, n int) {
	t.Helper()
	it, err := db.NewIterator(nil)
	require.NoError(t, err)
	for i := range n {
		it.SeekGE([]byte(keyN(i % 300)))
	}
	require.NoError(t, it.Close())
}

// TestReadTriggeredCompaction: seeks that keep positioning the same two L0
// tables compact them into L1 once they have paid for it, and not before.
func TestReadTriggeredCompaction(t *testing.T) {
	db, want := l0Setup(t)
	defer db.Close()
	budget := db.l0Reads.budget.Load()
	perSeek := int64(2 * seekCharge)
	require.Equal(t, int64(minSeeks*perSeek), budget, "tiny tables: the minSeeks floor sets the budget")

	left := (budget - db.l0Reads.debt.Load()) / perSeek // l0Setup's scan paid one
	seek(t, db, int(left)-1)
	require.Equal(t, budget-perSeek, db.l0Reads.debt.Load())
	time.Sleep(10 * time.Millisecond) // a compaction would have had time to start
	require.Equal(t, 2, db.Metrics().Levels[0].NumFiles, "one seek short of the budget")
	require.Zero(t, db.Metrics().ReadCompactions)

	seek(t, db, 1)
	waitFor(t, "the read-triggered compaction", func() bool { return db.Metrics().Levels[0].NumFiles == 0 })
	m := db.Metrics()
	require.Equal(t, int64(1), m.ReadCompactions)
	require.Contains(t, m.String(), "1 read-triggered")
	require.Equal(t, want, scanAll(t, db))
	require.Zero(t, db.l0Reads.debt.Load(), "the account starts over once L0 changed")
}

// TestReadTriggeredCompactionNotForGets: Gets are not charged (their bloom
// filters skip L0 tables), and a flush that changes L0 without a
// compaction keeps the debt.
func TestReadTriggeredCompactionNotForGets(t *testing.T) {
	db, _ := l0Setup(t)
	defer db.Close()
	before := db.l0Reads.debt.Load() // l0Setup's scan
	for i := range 5000 {
		_, err := db.Get([]byte(keyN(i % 300)))
		require.NoError(t, err)
	}
	require.Equal(t, before, db.l0Reads.debt.Load())

	seek(t, db, 10)
	require.Equal(t, before+10*2*seekCharge, db.l0Reads.debt.Load())
	writeKeys(t, db, 0, 10, "c")
	require.NoError(t, db.Flush()) // a third L0 table: a size-triggered compaction
	// It takes the oldest table and the new one, which overlap, and
	// leaves the other.
	waitFor(t, "the size-triggered compaction", func() bool { return db.Metrics().Levels[0].NumFiles < 3 })
	require.Zero(t, db.Metrics().ReadCompactions)
	require.Zero(t, db.l0Reads.debt.Load())
}
