package lsmkv

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/internal/rangedel"
	"github.com/lsmkv/lsmkv/manifest"
	"github.com/lsmkv/lsmkv/vfs"
)

// bottomHeavyDB writes n keys with many small tables and compacts them all
// to the bottom level.
func bottomHeavyDB(t *testing.T, fs *vfs.MemFS, n int) *DB {
	t.Helper()
	opts := tinyOptions(nil)
	opts.TargetFileSize = 2 << 10
	db := openMem(t, fs, opts)
	writeKeys(t, db, 0, n, "v")
	require.NoError(t, db.Compact(nil, nil))
	return db
}

// waitFor polls cond until it holds, failing after a generous deadline;
// background work (here the compaction goroutine) has no completion signal.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestDeleteOnlyCompactionDropsCoveredTables: after a DeleteRange over most
// keys reaches a table, the bottom tables it wholly covers are dropped
// without being read or rewritten, and their files are deleted.
func TestDeleteOnlyCompactionDropsCoveredTables(t *testing.T) {
	fs := vfs.NewMem()
	db := bottomHeavyDB(t, fs, 2000)
	defer db.Close()
	before := len(filesOfKind(t, fs, "db", filename.Table))
	require.Greater(t, before, 20)

	require.NoError(t, db.DeleteRange([]byte(keyN(100)), []byte(keyN(1900))))
	require.NoError(t, db.Flush())
	waitFor(t, "a delete-only compaction", func() bool { return db.Metrics().DeleteOnlyTables > 0 })

	m := db.Metrics()
	require.Greater(t, m.DeleteOnlyBytes, int64(0))
	// The dropped tables' files go (the tombstone's own table was added).
	// Waited for, not checked once: an ordinary compaction may run right
	// after the drop, and its output exists before its inputs are deleted.
	waitFor(t, "the dropped tables' files to be deleted", func() bool {
		return len(filesOfKind(t, fs, "db", filename.Table)) <= before-int(m.DeleteOnlyTables)+1
	})
	got := scanAll(t, db)
	require.Len(t, got, 200)
	require.Equal(t, valueN("v", 99), got[keyN(99)])
	require.Equal(t, valueN("v", 1900), got[keyN(1900)])
}

// TestDeleteOnlyCompactionRespectsSnapshots: a snapshot taken before the
// DeleteRange still reads the covered tables, so none may be dropped; once
// it is released the space comes back (by delete-only drops, or by an
// elision-only rewrite where compactions already merged the tombstone into
// the tables it covers).
func TestDeleteOnlyCompactionRespectsSnapshots(t *testing.T) {
	fs := vfs.NewMem()
	db := bottomHeavyDB(t, fs, 1000)
	defer db.Close()
	full := tableBytes(db)
	snap := db.NewSnapshot()
	require.NoError(t, db.DeleteRange([]byte(keyN(0)), []byte(keyN(1000))))
	require.NoError(t, db.Flush())
	require.NoError(t, db.Flush()) // a second pass of the compaction goroutine
	require.Equal(t, int64(0), db.Metrics().DeleteOnlyTables)
	it, err := snap.NewIterator(nil)
	require.NoError(t, err)
	require.Len(t, drain(t, it), 1000)
	require.NoError(t, it.Close())
	require.NoError(t, snap.Close())
	waitFor(t, "the space once the snapshot is gone", func() bool { return tableBytes(db) < full/10 })
	require.Empty(t, scanAll(t, db))
}

// tableBytes returns the bytes of the tables in the current version.
func tableBytes(db *DB) int64 {
	var n int64
	for _, l := range db.Metrics().Levels {
		n += l.Size
	}
	return n
}

func TestWholeDeleted(t *testing.T) {
	table := func(lo, hi string, exclusive bool, sseq, lseq keys.SeqNum) *manifest.FileMeta {
		f := &manifest.FileMeta{Smallest: keys.Make([]byte(lo), lseq, keys.KindSet),
			Largest: keys.Make([]byte(hi), sseq, keys.KindSet), SmallestSeq: sseq, LargestSeq: lseq}
		if exclusive {
			f.Largest = keys.RangeDeleteSentinel([]byte(hi))
		}
		return f
	}
	tombs := rangedel.Build([]rangedel.Tombstone{
		{Start: []byte("b"), End: []byte("f"), Seq: 50},
		{Start: []byte("f"), End: []byte("m"), Seq: 60},
		{Start: []byte("p"), End: []byte("t"), Seq: 70},
	})
	tests := []struct {
		name  string
		t     *manifest.FileMeta
		snaps []keys.SeqNum
		want  bool
	}{
		{"inside one fragment", table("c", "d", false, 1, 10), nil, true},
		{"across adjacent fragments", table("c", "k", false, 1, 10), nil, true},
		{"across a gap", table("k", "q", false, 1, 10), nil, false},
		{"largest at the end, inclusive", table("c", "m", false, 1, 10), nil, false},
		{"largest at the end, exclusive", table("c", "m", true, 1, 10), nil, true},
		{"starts before the tombstones", table("a", "c", false, 1, 10), nil, false},
		{"data newer than the tombstone", table("c", "d", false, 1, 55), nil, false},
		{"newer than the first fragment only", table("c", "k", false, 1, 55), nil, false},
		{"snapshot between data and tombstone", table("c", "d", false, 5, 10), []keys.SeqNum{20}, false},
		{"snapshot before the data", table("c", "d", false, 5, 10), []keys.SeqNum{3}, true},
		{"snapshot after the tombstone", table("c", "d", false, 5, 10), []keys.SeqNum{50}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, wholeDeleted(tc.t, tombs, tc.snaps))
		})
	}
}

// TestDeleteRangeReclaimsSpace deletes 90% of a 1M-key DB with one
// DeleteRange and checks that the table bytes and files shrink without a
// manual compaction: delete-only compactions drop the tables the tombstone
// wholly covers, and tombstone-aware picking rewrites the two partly
// covered ends. It logs how long that took (no assertion on time).
func TestDeleteRangeReclaimsSpace(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	fs := vfs.NewMem()
	db := openMem(t, fs, &Options{})
	defer db.Close()
	var b Batch
	rng := rand.New(rand.NewPCG(1, 2))
	value := make([]byte, 100) // random, so tables are as big as the data
	for i := 0; i < n; i++ {
		for j := range value {
			value[j] = byte(rng.Uint32())
		}
		b.Put([]byte(keyN(i)), value)
		if b.Len() == 1000 || i == n-1 {
			require.NoError(t, db.Write(&b, nil))
			b.Reset()
		}
	}
	require.NoError(t, db.Compact(nil, nil))
	before, filesBefore := tableBytes(db), len(filesOfKind(t, fs, "db", filename.Table))

	lo, hi := n/20, n/20+n*9/10
	start := time.Now()
	require.NoError(t, db.DeleteRange([]byte(keyN(lo)), []byte(keyN(hi))))
	require.NoError(t, db.Flush())
	waitFor(t, "the deleted space to come back", func() bool { return tableBytes(db) < before/5 })
	took := time.Since(start)
	after, filesAfter := tableBytes(db), len(filesOfKind(t, fs, "db", filename.Table))
	m := db.Metrics()
	t.Logf("%d keys: table bytes %d -> %d, files %d -> %d in %v (delete-only dropped %d tables, %d bytes; %d compactions)",
		n, before, after, filesBefore, filesAfter, took.Round(time.Millisecond), m.DeleteOnlyTables, m.DeleteOnlyBytes, m.Compactions)
	require.Less(t, filesAfter, filesBefore/5)
	require.Greater(t, m.DeleteOnlyTables, int64(0))

	for _, i := range []int{0, lo - 1, hi, n - 1} {
		_, err := db.Get([]byte(keyN(i)))
		require.NoError(t, err, keyN(i))
	}
	for _, i := range []int{lo, n / 2, hi - 1} {
		_, err := db.Get([]byte(keyN(i)))
		require.ErrorIs(t, err, ErrNotFound, keyN(i))
	}
}
