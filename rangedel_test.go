package lsmkv

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/vfs"
)

// Range deletion tests: the contract (start inclusive, end exclusive, newer
// writes win, snapshots keep what they saw) in every layer a tombstone can
// live in, and the traps that lost data in Pebble and RocksDB.

// rangeDelStages moves the data written so far to each place a range
// tombstone and the keys it covers can be: still in the memtable, flushed
// to L0, compacted to the bottom, and recovered from the WAL by a reopen.
var rangeDelStages = []struct {
	name string
	move func(t *testing.T, db **DB, fs *vfs.MemFS, opts *Options)
}{
	{"memtable", func(*testing.T, **DB, *vfs.MemFS, *Options) {}},
	{"flushed", func(t *testing.T, db **DB, _ *vfs.MemFS, _ *Options) { require.NoError(t, (*db).Flush()) }},
	{"compacted", func(t *testing.T, db **DB, _ *vfs.MemFS, _ *Options) { require.NoError(t, (*db).Compact(nil, nil)) }},
	{"reopened", func(t *testing.T, db **DB, fs *vfs.MemFS, opts *Options) {
		require.NoError(t, (*db).Close())
		*db = openMem(t, fs, opts)
	}},
}

func TestDeleteRangeBasics(t *testing.T) {
	for _, stage := range rangeDelStages {
		t.Run(stage.name, func(t *testing.T) {
			fs := vfs.NewMem()
			opts := tinyOptions(nil)
			db := openMem(t, fs, opts)
			defer func() { db.Close() }()
			writeKeys(t, db, 0, 100, "v")
			require.NoError(t, db.Flush()) // the keys under the tombstone are in a table
			require.NoError(t, db.DeleteRange([]byte(keyN(10)), []byte(keyN(20))))
			require.NoError(t, db.Put([]byte(keyN(15)), []byte("after"))) // newer than the tombstone
			stage.move(t, &db, fs, opts)

			want := map[string]string{}
			for i := 0; i < 100; i++ {
				if i < 10 || i >= 20 {
					want[keyN(i)] = valueN("v", i)
				}
			}
			want[keyN(15)] = "after"
			require.Equal(t, want, scanAll(t, db))
			require.Equal(t, want, scanReverse(t, db))
			for i := 0; i < 100; i++ {
				v, err := db.Get([]byte(keyN(i)))
				if w, ok := want[keyN(i)]; ok {
					require.NoError(t, err, keyN(i))
					require.Equal(t, w, string(v))
				} else {
					require.ErrorIs(t, err, ErrNotFound, keyN(i))
				}
			}
		})
	}
}

// TestDeleteRangeSnapshot: a snapshot taken before the DeleteRange still
// reads every key it covers, through flushes and compactions.
func TestDeleteRangeSnapshot(t *testing.T) {
	db := openMem(t, vfs.NewMem(), tinyOptions(nil))
	defer db.Close()
	writeKeys(t, db, 0, 50, "v")
	snap := db.NewSnapshot()
	defer snap.Close()
	require.NoError(t, db.DeleteRange([]byte(keyN(0)), []byte(keyN(50))))
	require.NoError(t, db.Compact(nil, nil))
	require.Empty(t, scanAll(t, db))
	it, err := snap.NewIterator(nil)
	require.NoError(t, err)
	got := drain(t, it)
	require.NoError(t, it.Close())
	require.Len(t, got, 50)
	v, err := snap.Get([]byte(keyN(7)))
	require.NoError(t, err)
	require.Equal(t, valueN("v", 7), string(v))
}

func TestDeleteRangeInvalid(t *testing.T) {
	db := openMem(t, vfs.NewMem(), nil)
	defer db.Close()
	require.NoError(t, db.Put([]byte("b"), []byte("1")))
	for _, c := range [][2]string{{"b", "b"}, {"c", "a"}} {
		require.ErrorIs(t, db.DeleteRange([]byte(c[0]), []byte(c[1])), ErrInvalidArgument, "%q..%q", c[0], c[1])
	}
	require.ErrorIs(t, db.DeleteRange(make([]byte, MaxKeySize+1), nil), ErrInvalidArgument)
	require.ErrorIs(t, db.DeleteRange([]byte("a"), make([]byte, MaxKeySize+1)), ErrInvalidArgument)
	var b Batch
	b.Put([]byte("x"), []byte("1"))
	b.DeleteRange([]byte("z"), []byte("a"))
	require.ErrorIs(t, db.Write(&b, nil), ErrInvalidArgument, "nothing of the batch is written")
	_, err := db.Get([]byte("x"))
	require.ErrorIs(t, err, ErrNotFound)
	v, err := db.Get([]byte("b"))
	require.NoError(t, err)
	require.Equal(t, "1", string(v))
}

// TestDeleteRangeInBatchIsAtomic: a batch's DeleteRange and Puts apply
// together, in order: a Put after the DeleteRange in the batch survives it.
func TestDeleteRangeInBatchIsAtomic(t *testing.T) {
	db := openMem(t, vfs.NewMem(), nil)
	defer db.Close()
	writeKeys(t, db, 0, 10, "v")
	var b Batch
	b.Put([]byte(keyN(3)), []byte("before"))
	b.DeleteRange([]byte(keyN(2)), []byte(keyN(6)))
	b.Put([]byte(keyN(4)), []byte("after"))
	require.NoError(t, db.Write(&b, nil))
	got := scanAll(t, db)
	require.NotContains(t, got, keyN(3), "the Put before the DeleteRange in the batch is deleted")
	require.Equal(t, "after", got[keyN(4)])
	require.Len(t, got, 10-4+1)
}

// TestIssue2752TableBoundsCoverTombstones (RocksDB #2752, CockroachDB
// #18371): a flushed table whose range tombstone reaches past its point
// keys must record bounds that cover the tombstone; otherwise compaction
// picking overlooks the older data the tombstone covers, and it comes back.
func TestIssue2752TableBoundsCoverTombstones(t *testing.T) {
	fs := vfs.NewMem()
	db := openMem(t, fs, tinyOptions(nil))
	defer db.Close()
	writeKeys(t, db, 0, 400, "v")
	require.NoError(t, db.Compact(nil, nil)) // the keys now sit at the bottom
	// One point at the start, and a tombstone covering far beyond it.
	require.NoError(t, db.Put([]byte(keyN(0)), []byte("new")))
	require.NoError(t, db.DeleteRange([]byte(keyN(1)), []byte(keyN(399))))
	require.NoError(t, db.Flush())
	v := db.rs.version // current: no concurrent change while the test holds it
	for _, f := range v.Levels[0] {
		require.Equal(t, keyN(399), string(f.LargestUserKey()), "the L0 table's bounds reach the tombstone's end")
		require.True(t, f.LargestExclusive())
	}
	require.NoError(t, db.Compact(nil, nil))
	got := scanAll(t, db)
	require.Equal(t, map[string]string{keyN(0): "new", keyN(399): valueN("v", 399)}, got)
}

// TestIssue2015TruncationAtOutputBoundaries (Pebble #2015/#2017): when a
// compaction cuts its output into several tables, each takes the part of a
// wide tombstone between its cuts; together they must still cover every
// key the tombstone deleted, through later compactions.
func TestIssue2015TruncationAtOutputBoundaries(t *testing.T) {
	opts := tinyOptions(nil)
	opts.TargetFileSize = 1 << 10 // many small outputs
	fs := vfs.NewMem()
	db := openMem(t, fs, opts)
	defer db.Close()
	writeKeys(t, db, 0, 600, "old")
	require.NoError(t, db.Compact(nil, nil))
	snap := db.NewSnapshot() // keeps the old values below, so the tombstone must stay
	require.NoError(t, db.DeleteRange([]byte(keyN(50)), []byte(keyN(550))))
	for i := 0; i < 600; i += 7 { // points among the tombstone, to cut outputs there
		if i < 50 || i >= 550 || i%2 == 0 {
			require.NoError(t, db.Put([]byte(keyN(i)), []byte(fmt.Sprintf("new%d", i))))
		}
	}
	for range 3 {
		require.NoError(t, db.Compact(nil, nil))
	}
	got := scanAll(t, db)
	for i := 0; i < 600; i++ {
		k := keyN(i)
		switch {
		case i%7 == 0 && (i < 50 || i >= 550 || i%2 == 0):
			require.Equal(t, fmt.Sprintf("new%d", i), got[k], k)
		case i >= 50 && i < 550:
			require.NotContains(t, got, k, "deleted by the tombstone")
		default:
			require.Equal(t, valueN("old", i), got[k], k)
		}
	}
	require.NoError(t, snap.Close())
	require.NoError(t, db.Compact(nil, nil))
	require.Equal(t, got, scanAll(t, db), "dropping the snapshot changes nothing visible")
}

// scanReverse returns the whole DB read from Last to First.
func scanReverse(t *testing.T, db *DB) map[string]string {
	t.Helper()
	it, err := db.NewIterator(nil)
	require.NoError(t, err)
	m := map[string]string{}
	for ok := it.Last(); ok; ok = it.Prev() {
		m[string(it.Key())] = string(it.Value())
	}
	require.NoError(t, it.Error())
	require.NoError(t, it.Close())
	return m
}
