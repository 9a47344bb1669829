package lsmkv

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/manifest"
	"github.com/lsmkv/lsmkv/vfs"
	"github.com/lsmkv/lsmkv/wal"
)

// Regression tests for the contract defects of issue 9: misuse after Close,
// oversized batches, bad arguments, and damage reported where it is. The
// stale read under flush is in readrace_test.go.

// TestIssue9IteratorAfterClose: once the iterator or its DB is closed,
// every call on the iterator returns false/nil and Error wraps ErrClosed;
// never a panic, never keys from a closed DB.
func TestIssue9IteratorAfterClose(t *testing.T) {
	closers := map[string]func(db *DB, it *Iterator){
		"Iterator.Close": func(db *DB, it *Iterator) { require.NoError(t, it.Close()) },
		"DB.Close": func(db *DB, it *Iterator) {
			require.ErrorContains(t, db.Close(), "released 1 open iterator")
		},
	}
	// Where the data is: only in the memtable, or only in tables.
	setups := map[string]func(db *DB){
		"memtable": func(db *DB) {},
		"tables":   func(db *DB) { require.NoError(t, db.Flush()) },
	}
	calls := map[string]func(it *Iterator) bool{
		"First":  (*Iterator).First,
		"Last":   (*Iterator).Last,
		"Next":   (*Iterator).Next,
		"Prev":   (*Iterator).Prev,
		"SeekGE": func(it *Iterator) bool { return it.SeekGE([]byte("key000001")) },
		"SeekLT": func(it *Iterator) bool { return it.SeekLT([]byte("key000009")) },
		"Valid":  (*Iterator).Valid,
	}
	for cname, closeFn := range closers {
		for sname, setup := range setups {
			for call, fn := range calls {
				t.Run(cname+"/"+sname+"/"+call, func(t *testing.T) {
					db := openMem(t, vfs.NewMem(), nil)
					defer db.Close()
					writeKeys(t, db, 0, 10, "v")
					setup(db)
					it, err := db.NewIterator(nil)
					require.NoError(t, err)
					require.True(t, it.SeekGE([]byte(keyN(5))), "positioned before the close")
					closeFn(db, it)
					require.NotPanics(t, func() { require.False(t, fn(it)) })
					require.False(t, it.Valid())
					require.Nil(t, it.Key())
					require.Nil(t, it.Value())
					require.ErrorIs(t, it.Error(), ErrClosed)
					require.ErrorIs(t, it.Close(), ErrClosed, "a second Close")
					require.False(t, fn(it), "still closed after Close")
				})
			}
		}
	}
}

// TestIssue9OversizedBatchIsRefusedAndHarmless: a batch that crosses
// MaxBatchSize is refused at the entry that crosses it, Write returns
// ErrInvalidArgument without writing anything, and the DB stays usable.
// The limits are lowered so the test needs no gigabytes; the real limits'
// arithmetic is checked by TestIssue9BatchLimitsAreConsistent.
func TestIssue9OversizedBatchIsRefusedAndHarmless(t *testing.T) {
	for _, limit := range []struct {
		name string
		size *int64
	}{{"bytes", &batchSizeLimit}, {"memtable", &batchMemLimit}} {
		t.Run(limit.name, func(t *testing.T) {
			defer func(old int64) { *limit.size = old }(*limit.size)
			*limit.size = 64 << 10
			fs := vfs.NewMem()
			db := openMem(t, fs, nil)
			var b Batch
			value := make([]byte, 10<<10)
			n := 0
			for ; b.err == nil; n++ {
				require.Less(t, n, 100, "the batch never reached the limit")
				b.Put([]byte(keyN(n)), value)
			}
			require.ErrorIs(t, b.err, ErrInvalidArgument)
			require.Equal(t, n-1, b.Len(), "the entry that crossed the limit was not added")
			b.Put([]byte("later"), []byte("ignored"))
			require.Equal(t, n-1, b.Len(), "entries after the error are ignored")
			require.ErrorIs(t, db.Write(&b, nil), ErrInvalidArgument)

			// Fully usable afterwards, and nothing of the batch was written.
			require.NoError(t, db.Put([]byte("small"), []byte("ok")))
			require.NoError(t, db.Flush())
			require.NoError(t, db.Close())
			db = openMem(t, fs, nil)
			defer db.Close()
			require.Equal(t, map[string]string{"small": "ok"}, scanAll(t, db))

			b.Reset()
			b.Put([]byte("after-reset"), value)
			require.NoError(t, db.Write(&b, nil), "Reset clears the error")
		})
	}
}

// TestIssue9BatchLimitsAreConsistent: the real limits, without building a
// gigabyte batch (an untouched zero slice costs no memory): the entry that
// would take a batch over MaxBatchSize is refused, and any batch Put
// accepts fits one WAL record even after group commit merges batches.
func TestIssue9BatchLimitsAreConsistent(t *testing.T) {
	require.LessOrEqual(t, MaxBatchSize, wal.MaxPayloadLen)
	require.LessOrEqual(t, maxGroupBytes, MaxBatchSize, "a merged group stays under the WAL's limit")
	require.EqualValues(t, MaxBatchSize, batchSizeLimit)

	// Spare capacity, so appends do not copy the gigabyte.
	b := Batch{data: make([]byte, MaxBatchSize-100, MaxBatchSize+100), count: 1}
	b.Put([]byte("k"), make([]byte, 80)) // kind, key length, key, value length, value: 84 bytes
	require.NoError(t, b.err)
	require.Equal(t, MaxBatchSize-16, len(b.data))
	b.Put([]byte("k"), make([]byte, 12)) // 16 bytes: exactly at the limit
	require.NoError(t, b.err)
	b.Delete([]byte("k"))
	require.ErrorIs(t, b.err, ErrInvalidArgument)
	require.Contains(t, b.err.Error(), "MaxBatchSize")
	require.Equal(t, MaxBatchSize, len(b.data))
}

// TestIssue9MisuseIsInvalidArgument: each misuse gets an error wrapping
// ErrInvalidArgument, and nothing is written.
func TestIssue9MisuseIsInvalidArgument(t *testing.T) {
	fs := vfs.NewMem()
	db := openMem(t, fs, nil)
	defer db.Close()
	require.NoError(t, db.Put([]byte("a"), []byte("1")))
	other := openMem(t, vfs.NewMem(), nil)
	defer other.Close()
	foreign := other.NewSnapshot()
	defer foreign.Close()

	cases := map[string]func() error{
		"snapshot of another DB": func() error {
			_, err := db.NewIterator(&IterOptions{Snapshot: foreign})
			return err
		},
		"Get of an oversized key": func() error {
			_, err := db.Get(make([]byte, MaxKeySize+1))
			return err
		},
		"Snapshot.Get of an oversized key": func() error {
			s := db.NewSnapshot()
			defer s.Close()
			_, err := s.Get(make([]byte, MaxKeySize+1))
			return err
		},
		"LowerBound above UpperBound": func() error {
			_, err := db.NewIterator(&IterOptions{LowerBound: []byte("b"), UpperBound: []byte("a")})
			return err
		},
	}
	for name, call := range cases {
		t.Run(name, func(t *testing.T) { require.ErrorIs(t, call(), ErrInvalidArgument) })
	}
	it, err := db.NewIterator(&IterOptions{LowerBound: []byte("a"), UpperBound: []byte("a")})
	require.NoError(t, err, "equal bounds are a valid, empty range")
	require.False(t, it.First())
	require.NoError(t, it.Close())
}

func TestIssue9OpenBadPathIsInvalidArgument(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plain-file")
	require.NoError(t, os.WriteFile(file, []byte("not a DB"), 0o644))
	for _, ro := range []bool{false, true} {
		_, err := Open("", &Options{ReadOnly: ro})
		require.ErrorIs(t, err, ErrInvalidArgument)
		_, err = Open(file, &Options{ReadOnly: ro})
		require.ErrorIs(t, err, ErrInvalidArgument)
		require.ErrorContains(t, err, file, "the error names the path")
	}
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Equal(t, "not a DB", string(data))
	_, err = Open(filepath.Join(dir, "db"), &Options{BloomBitsPerKey: MaxBloomBitsPerKey})
	require.NoError(t, err, "the documented maximum is accepted")
}

// TestIssue9MissingCurrentIsCorruptionEvenReadOnly: a directory with tables
// but no CURRENT is a DB that lost CURRENT, whatever the open mode says.
func TestIssue9MissingCurrentIsCorruptionEvenReadOnly(t *testing.T) {
	fs := vfs.NewMem()
	buildMixedDB(t, fs)
	require.NoError(t, fs.Remove("db/CURRENT"))
	for _, ro := range []bool{false, true} {
		_, err := Open("db", &Options{FS: fs, ReadOnly: ro})
		requireCorruption(t, err, "CURRENT")
	}
	_, err := Open("empty", &Options{FS: fs, ReadOnly: true})
	require.Error(t, err)
	require.NotErrorIs(t, err, ErrCorruption, "an empty place is no database, not a damaged one")
}

// TestIssue9TruncatedManifestIsNamed: with a MANIFEST cut back to an older
// prefix of its edits, Open blames the files the old edits list, and must
// also name the manifest and where its readable records end, read-write and
// read-only, without changing any file.
func TestIssue9TruncatedManifestIsNamed(t *testing.T) {
	fs := vfs.NewMem()
	db := openMem(t, fs, tinyOptions(nil))
	for round := range 6 {
		writeKeys(t, db, round*100, round*100+150, fmt.Sprint(round))
		require.NoError(t, db.Flush())
	}
	require.NoError(t, db.Close())
	path := filesOfKind(t, fs, "db", filename.Manifest)[0]
	var offs []int64
	_, err := manifest.ReadEdits(fs, path, func(off int64, _ *manifest.VersionEdit) error {
		offs = append(offs, off)
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, len(offs), 3)
	data := readFile(t, fs, path)
	cut := offs[2] // keep the snapshot and one edit
	writeFile(t, fs, path, data[:cut])
	before := fsState(t, fs, "db")
	delete(before, filepath.Join("db", "LOCK"))
	for _, ro := range []bool{false, true} {
		_, err := Open("db", &Options{FS: fs, ReadOnly: ro})
		require.ErrorIs(t, err, ErrCorruption)
		msg := err.Error()
		require.Contains(t, msg, fmt.Sprintf("%s holds readable records up to offset %d", path, cut), "ro=%v: %s", ro, msg)
		require.True(t, strings.Contains(msg, "missing"), msg)
	}
	after := fsState(t, fs, "db")
	delete(after, filepath.Join("db", "LOCK"))
	require.True(t, maps.Equal(before, after), "a refused Open changes no file")
}

// TestIssue9ManifestDamageSaysManifest: a flipped byte in the MANIFEST is
// reported by the manifest layer, with the reader's error kept in the chain.
func TestIssue9ManifestDamageSaysManifest(t *testing.T) {
	fs := vfs.NewMem()
	buildMixedDB(t, fs)
	path := filesOfKind(t, fs, "db", filename.Manifest)[0]
	flipByte(t, fs, path, 20)
	_, err := Open("db", &Options{FS: fs})
	requireCorruption(t, err, path)
	require.Contains(t, err.Error(), "lsmkv/manifest: corruption in "+path)
	require.NotContains(t, err.Error(), "lsmkv/wal")
	var ce interface{ Unwrap() error }
	require.True(t, errors.As(err, &ce))
}
