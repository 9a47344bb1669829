package lsmkv

import (
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/internal/testseed"
	"github.com/lsmkv/lsmkv/vfs"
)

// Helpers shared by the root package's tests: opening DBs on an in-memory
// FS, standard keys and values, whole-DB scans, and reading, writing and
// damaging files.

// corruptOpts keeps background compactions from racing the reads under
// test: with these triggers a reopen leaves L0 alone.
func corruptOpts(fs vfs.FS) *Options {
	o := tinyOptions(fs)
	o.L0CompactionTrigger, o.L0StopWritesTrigger = 8, 16
	return o
}

func requireCorruption(t *testing.T, err error, file string) {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, ErrCorruption)
	require.Contains(t, err.Error(), filepath.Base(file), "the error must name the damaged file")
}

// memFromState builds a MemFS holding the files of state (see fsState).
func memFromState(t *testing.T, state map[string]string) *vfs.MemFS {
	t.Helper()
	fs := vfs.NewMem()
	for path, data := range state {
		require.NoError(t, fs.MkdirAll(filepath.Dir(path), 0o755))
		writeFile(t, fs, path, []byte(data))
	}
	require.NoError(t, fs.SyncDir("db"))
	return fs
}

func flipByte(t *testing.T, fs vfs.FS, path string, off int) {
	t.Helper()
	data := readFile(t, fs, path)
	require.Less(t, off, len(data))
	data[off] ^= 0x5a
	writeFile(t, fs, path, data)
}

// fsState returns every file under dir with its contents, to compare the
// state of a MemFS before and after something that must not change it.
func fsState(t *testing.T, fs vfs.FS, dir string) map[string]string {
	t.Helper()
	names, err := fs.List(dir)
	require.NoError(t, err)
	state := map[string]string{}
	for _, name := range names {
		path := filepath.Join(dir, name)
		fi, err := fs.Stat(path)
		require.NoError(t, err)
		if fi.IsDir() {
			for k, v := range fsState(t, fs, path) {
				state[k] = v
			}
			continue
		}
		state[path] = string(readFile(t, fs, path))
	}
	return state
}

func readFile(t *testing.T, fs vfs.FS, path string) []byte {
	t.Helper()
	f, err := fs.Open(path)
	require.NoError(t, err)
	defer f.Close()
	data, err := io.ReadAll(f)
	require.NoError(t, err)
	return data
}

// writeFile replaces path's contents with data, synced.
func writeFile(t *testing.T, fs vfs.FS, path string, data []byte) {
	t.Helper()
	f, err := fs.Create(path)
	require.NoError(t, err)
	_, err = f.Write(data)
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	require.NoError(t, f.Close())
}

// testSeed returns the seed to use and logs it so a failure can be replayed
// with -seed.
func testSeed(t *testing.T) uint64 {
	return testseed.Seed(t)
}

// tinyOptions makes flushes and compactions happen every few hundred writes.
func tinyOptions(fs vfs.FS) *Options {
	return &Options{
		FS:                  fs,
		MemtableSize:        8 << 10,
		BlockSize:           256,
		TargetFileSize:      8 << 10,
		BaseLevelSize:       32 << 10,
		L0CompactionTrigger: 2,
		L0StopWritesTrigger: 8,
		LevelSizeMultiplier: 4,
		BlockCacheSize:      64 << 10,
		MaxOpenFiles:        16,
	}
}

func openMem(t *testing.T, fs *vfs.MemFS, opts *Options) *DB {
	t.Helper()
	if opts == nil {
		opts = &Options{}
	}
	opts.FS = fs
	db, err := Open("db", opts)
	require.NoError(t, err)
	return db
}

func keyN(i int) string { return fmt.Sprintf("key%06d", i) }

// valueN is the value writeKeys gives key i: prefix, i and 32 bytes that
// do not compress, so that tables have realistic sizes.
func valueN(prefix string, i int) string {
	rng := rand.New(rand.NewPCG(uint64(i), uint64(len(prefix))))
	b := make([]byte, 32)
	for j := range b {
		b[j] = byte('a' + rng.IntN(26))
	}
	return fmt.Sprintf("%s%d-%s", prefix, i, b)
}

// writeKeys puts keyN(i) = valueN(prefix, i) for i in [from, to).
func writeKeys(t *testing.T, db *DB, from, to int, prefix string) {
	t.Helper()
	for i := from; i < to; i++ {
		require.NoError(t, db.Put([]byte(keyN(i)), []byte(valueN(prefix, i))))
	}
}

// scanAll returns the whole DB as a map, failing the test on an error.
func scanAll(t *testing.T, db *DB) map[string]string {
	t.Helper()
	it, err := db.NewIterator(nil)
	require.NoError(t, err)
	m := drain(t, it)
	require.NoError(t, it.Close())
	return m
}

// drain reads it from First to the end, failing the test on an error.
func drain(t *testing.T, it *Iterator) map[string]string {
	t.Helper()
	m := map[string]string{}
	for ok := it.First(); ok; ok = it.Next() {
		m[string(it.Key())] = string(it.Value())
	}
	require.NoError(t, it.Error())
	return m
}

// drainErr is drain for goroutines: it reports errors with t.Errorf and
// closes the iterator.
func drainErr(t *testing.T, it *Iterator) map[string]string {
	m := map[string]string{}
	for ok := it.First(); ok; ok = it.Next() {
		m[string(it.Key())] = string(it.Value())
	}
	assertNoErr(t, it.Error())
	assertNoErr(t, it.Close())
	return m
}

func assertNoErr(t *testing.T, err error) bool {
	if err != nil {
		t.Errorf("unexpected error: %v", err)
		return false
	}
	return true
}

// buildMixedDB leaves a closed DB in fs's "db" with data in deeper levels,
// in L0 and in an unflushed WAL (including a deletion of a flushed key), and
// returns its contents.
func buildMixedDB(t *testing.T, fs *vfs.MemFS) map[string]string {
	t.Helper()
	db := openMem(t, fs, tinyOptions(nil))
	writeKeys(t, db, 0, 600, "a")
	require.NoError(t, db.Compact(nil, nil))
	writeKeys(t, db, 300, 400, "b")
	require.NoError(t, db.Flush())
	writeKeys(t, db, 380, 420, "c")
	require.NoError(t, db.Delete([]byte(keyN(5))))
	want := scanAll(t, db)
	require.NoError(t, db.Close())
	return want
}

// filesOfKind returns the paths of dir's files of kind k, in number order.
func filesOfKind(t *testing.T, fs vfs.FS, dir string, k filename.Kind) []string {
	t.Helper()
	names, err := fs.List(dir)
	require.NoError(t, err)
	var out []string
	for _, name := range names { // List is sorted and numbers are zero-padded
		if kind, _, ok := filename.Parse(name); ok && kind == k {
			out = append(out, filepath.Join(dir, name))
		}
	}
	return out
}
