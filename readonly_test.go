package lsmkv

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/vfs"
)

func TestReadOnlyChangesNothing(t *testing.T) {
	fs := vfs.NewMem()
	want := buildMixedDB(t, fs)
	before := fsState(t, fs, "")

	opts := tinyOptions(fs)
	opts.ReadOnly = true
	db, err := Open("db", opts)
	require.NoError(t, err)
	require.Equal(t, want, scanAll(t, db))
	got, err := db.Get([]byte(keyN(390)))
	require.NoError(t, err)
	require.Equal(t, valueN("c", 390), string(got))
	_, err = db.Get([]byte(keyN(5)))
	require.ErrorIs(t, err, ErrNotFound)

	var b Batch
	b.Put([]byte("x"), []byte("y"))
	writes := map[string]func() error{
		"Put":        func() error { return db.Put([]byte("x"), []byte("y")) },
		"Delete":     func() error { return db.Delete([]byte(keyN(1))) },
		"Write":      func() error { return db.Write(&b, &WriteOptions{Sync: true}) },
		"WriteEmpty": func() error { return db.Write(&Batch{}, nil) },
		"Flush":      db.Flush,
		"Compact":    func() error { return db.Compact(nil, nil) },
	}
	for name, w := range writes {
		require.ErrorIs(t, w(), ErrReadOnly, name)
	}
	snap := db.NewSnapshot()
	it, err := snap.NewIterator(&IterOptions{LowerBound: []byte(keyN(100)), UpperBound: []byte(keyN(200))})
	require.NoError(t, err)
	require.Len(t, drain(t, it), 100)
	require.NoError(t, it.Close())
	require.NoError(t, snap.Close())
	require.Len(t, db.Metrics().Levels, 7)
	require.NoError(t, db.Close())

	require.Equal(t, before, fsState(t, fs, ""), "a read-only DB changed the directory")
}

// TestReadOnlyTornWALChangesNothing: recovery of a torn WAL tail must not
// repair the file when read-only.
func TestReadOnlyTornWALChangesNothing(t *testing.T) {
	fs := vfs.NewMem()
	want := buildMixedDB(t, fs)
	wals := filesOfKind(t, fs, "db", filename.Log)
	require.NotEmpty(t, wals)
	newest := wals[len(wals)-1]
	data := readFile(t, fs, newest)
	require.Greater(t, len(data), 10)
	writeFile(t, fs, newest, data[:len(data)-3])
	before := fsState(t, fs, "")

	opts := tinyOptions(fs)
	opts.ReadOnly = true
	db, err := Open("db", opts)
	require.NoError(t, err)
	got := scanAll(t, db)
	// The torn record was the last write, the deletion of keyN(5): it is
	// dropped, so the key's older value shows again.
	require.Equal(t, valueN("a", 5), got[keyN(5)])
	delete(got, keyN(5))
	require.Equal(t, want, got)
	require.NoError(t, db.Close())
	require.Equal(t, before, fsState(t, fs, ""), "a read-only DB changed the directory")
}

func TestReadOnlyMissingDBCreatesNothing(t *testing.T) {
	fs := vfs.NewMem()
	_, err := Open("db", &Options{FS: fs, ReadOnly: true})
	require.Error(t, err)
	names, err := fs.List("")
	require.NoError(t, err)
	require.Empty(t, names)

	dir := filepath.Join(t.TempDir(), "db")
	_, err = Open(dir, &Options{ReadOnly: true})
	require.Error(t, err)
	_, err = os.Stat(dir)
	require.ErrorIs(t, err, os.ErrNotExist)
}

// TestReadOnlyAfterCloseReturnsErrClosed: "after Close every call returns
// ErrClosed" holds for read-only DBs too.
func TestReadOnlyAfterCloseReturnsErrClosed(t *testing.T) {
	fs := vfs.NewMem()
	buildMixedDB(t, fs)
	db, err := Open("db", &Options{FS: fs, ReadOnly: true})
	require.NoError(t, err)
	require.NoError(t, db.Close())
	require.ErrorIs(t, db.Close(), ErrClosed)
	_, err = db.Get([]byte(keyN(1)))
	require.ErrorIs(t, err, ErrClosed)
	require.ErrorIs(t, db.Put([]byte("k"), []byte("v")), ErrClosed)
	require.ErrorIs(t, db.Flush(), ErrClosed)
	require.ErrorIs(t, db.Compact(nil, nil), ErrClosed)
}
