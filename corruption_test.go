package lsmkv

import (
	"errors"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/vfs"
)

// Corruption tests: damage one file of a closed DB, reopen, and require
// either an error wrapping ErrCorruption that names the damaged file, or
// (where the contract allows it: a torn tail of the newest WAL) exactly the
// expected data. Never a panic, never wrong or missing data.

// buildMultiWALDB leaves a closed DB whose data sits in two WALs, both
// needed by recovery: table creation fails, so the first memtable is never
// flushed and its WAL stays. It returns the acknowledged writes and the
// WAL paths, oldest first.
func buildMultiWALDB(t *testing.T, fs *vfs.MemFS) (map[string]string, []string) {
	t.Helper()
	inj := vfs.OnMatch("*.sst", []vfs.Op{vfs.OpCreate}, syscall.ENOSPC)
	db, err := Open("db", tinyOptions(vfs.WithErrors(fs, inj)))
	require.NoError(t, err)
	want := map[string]string{}
	for i := 0; ; i++ {
		require.Less(t, i, 10000, "writes never failed although flushes cannot create tables")
		k, v := keyN(i), valueN("w", i)
		if err := db.Put([]byte(k), []byte(v)); err != nil {
			require.ErrorIs(t, err, syscall.ENOSPC, "the failed flush's error stops writes")
			break
		}
		want[k] = v
	}
	db.Close() // reports the background error
	wals := filesOfKind(t, fs, "db", filename.Log)
	require.GreaterOrEqual(t, len(wals), 2, "%s", fs)
	return want, wals
}

func TestMultiWALRecovers(t *testing.T) {
	fs := vfs.NewMem()
	want, _ := buildMultiWALDB(t, fs)
	db := openMem(t, fs, corruptOpts(nil))
	defer db.Close()
	require.Equal(t, want, scanAll(t, db))
}

func TestCorruptOlderWALMiddle(t *testing.T) {
	fs := vfs.NewMem()
	buildMultiWALDB(t, fs)
	wals := filesOfKind(t, fs, "db", filename.Log)
	older := wals[0]
	data := readFile(t, fs, older)
	flipByte(t, fs, older, len(data)/2)
	_, err := Open("db", corruptOpts(fs))
	requireCorruption(t, err, older)
}

func TestTornOlderWALIsCorruption(t *testing.T) {
	fs := vfs.NewMem()
	buildMultiWALDB(t, fs)
	wals := filesOfKind(t, fs, "db", filename.Log)
	older := wals[0]
	data := readFile(t, fs, older)
	writeFile(t, fs, older, data[:len(data)-5])
	_, err := Open("db", corruptOpts(fs))
	requireCorruption(t, err, older)
}

func TestTornNewestWALDropsLastRecord(t *testing.T) {
	fs := vfs.NewMem()
	want, _ := buildMultiWALDB(t, fs)
	wals := filesOfKind(t, fs, "db", filename.Log)
	newest := wals[len(wals)-1]
	data := readFile(t, fs, newest)
	require.NotEmpty(t, data)
	// Find the last acknowledged key: it is the newest WAL's last record.
	last := 0
	for last < len(want) {
		if _, ok := want[keyN(last+1)]; !ok {
			break
		}
		last++
	}
	writeFile(t, fs, newest, data[:len(data)-4])
	db, err := Open("db", corruptOpts(fs))
	require.NoError(t, err)
	defer db.Close()
	delete(want, keyN(last))
	require.Equal(t, want, scanAll(t, db))
}

func TestDeleteCurrentWAL(t *testing.T) {
	fs := vfs.NewMem()
	buildMixedDB(t, fs)
	wals := filesOfKind(t, fs, "db", filename.Log)
	require.Len(t, wals, 1)
	require.NoError(t, fs.Remove(wals[0]))
	_, err := Open("db", corruptOpts(fs))
	requireCorruption(t, err, wals[0])
}

func TestDeleteListedTable(t *testing.T) {
	fs := vfs.NewMem()
	buildMixedDB(t, fs)
	tables := filesOfKind(t, fs, "db", filename.Table)
	require.NotEmpty(t, tables)
	victim := tables[len(tables)/2]
	require.NoError(t, fs.Remove(victim))
	_, err := Open("db", corruptOpts(fs))
	requireCorruption(t, err, victim)
	_, err = Open("db", &Options{FS: fs, ReadOnly: true})
	requireCorruption(t, err, victim)
}

func TestTruncatedTable(t *testing.T) {
	fs := vfs.NewMem()
	buildMixedDB(t, fs)
	tables := filesOfKind(t, fs, "db", filename.Table)
	victim := tables[0]
	data := readFile(t, fs, victim)
	writeFile(t, fs, victim, data[:len(data)-1])
	_, err := Open("db", corruptOpts(fs))
	requireCorruption(t, err, victim)
}

func TestMissingManifest(t *testing.T) {
	fs := vfs.NewMem()
	buildMixedDB(t, fs)
	manifests := filesOfKind(t, fs, "db", filename.Manifest)
	require.Len(t, manifests, 1)
	require.NoError(t, fs.Remove(manifests[0]))
	_, err := Open("db", corruptOpts(fs))
	requireCorruption(t, err, "CURRENT")
}

func TestMissingCurrentWithData(t *testing.T) {
	fs := vfs.NewMem()
	buildMixedDB(t, fs)
	before := fsState(t, fs, "")
	require.NoError(t, fs.Remove("db/CURRENT"))
	delete(before, filepath.Join("db", "CURRENT"))
	_, err := Open("db", corruptOpts(fs))
	requireCorruption(t, err, "CURRENT")
	after := fsState(t, fs, "")
	delete(after, filepath.Join("db", "LOCK"))
	delete(before, filepath.Join("db", "LOCK"))
	require.Equal(t, before, after, "refusing to open must not change the files")
}

func TestGarbageCurrent(t *testing.T) {
	cases := map[string]string{
		"garbage":           "garbage\n",
		"empty":             "",
		"no newline":        "MANIFEST-000001",
		"missing manifest":  "MANIFEST-999999\n",
		"non-canonical":     "MANIFEST-1\n",
		"names a table":     "000001.sst\n",
		"binary":            "\x00\xff\x13\n",
		"trailing garbage":  "MANIFEST-000001\nxx",
		"very long garbage": string(make([]byte, 4096)),
	}
	fs := vfs.NewMem()
	buildMixedDB(t, fs)
	state := fsState(t, fs, "")
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			fs := memFromState(t, state)
			writeFile(t, fs, "db/CURRENT", []byte(content))
			_, err := Open("db", corruptOpts(fs))
			requireCorruption(t, err, "CURRENT")
		})
	}
}

// TestCorruptManifestAnywhere flips a byte at many offsets of the manifest;
// every reopen must fail with a corruption error naming it, or show exactly
// the DB's contents.
func TestCorruptManifestAnywhere(t *testing.T) {
	fs := vfs.NewMem()
	want := buildMixedDB(t, fs)
	state := fsState(t, fs, "")
	manifest := filesOfKind(t, fs, "db", filename.Manifest)[0]
	size := len(state[manifest])
	for _, off := range spreadOffsets(size, 24) {
		t.Run(fmt.Sprintf("off=%d", off), func(t *testing.T) {
			fs := memFromState(t, state)
			flipByte(t, fs, manifest, off)
			db, err := Open("db", corruptOpts(fs))
			if err != nil {
				requireCorruption(t, err, manifest)
				return
			}
			defer db.Close()
			require.Equal(t, want, scanAll(t, db), "a damaged manifest opened with different contents")
		})
	}
}

// TestCorruptTableDataBlock flips a byte in the first data block of the
// L0 table, which holds the newest versions of its keys: reads must report
// corruption rather than fall through to older versions below.
func TestCorruptTableDataBlock(t *testing.T) {
	fs := vfs.NewMem()
	want := buildMixedDB(t, fs)
	table := l0Table(t, fs)
	flipByte(t, fs, table, 40)
	db, err := Open("db", corruptOpts(fs))
	if err != nil {
		requireCorruption(t, err, table)
		return
	}
	defer db.Close()
	corrupt := checkReadsAgainst(t, db, want, table)
	require.Greater(t, corrupt, 0, "no read reported the damaged block")
}

// TestCorruptTableAnywhere flips a byte at many offsets of a table (data,
// index, filter, properties, footer) and checks that reads never return
// wrong or missing data.
func TestCorruptTableAnywhere(t *testing.T) {
	fs := vfs.NewMem()
	want := buildMixedDB(t, fs)
	state := fsState(t, fs, "")
	table := l0Table(t, fs)
	size := len(state[table])
	for _, off := range spreadOffsets(size, 20) {
		t.Run(fmt.Sprintf("off=%d", off), func(t *testing.T) {
			fs := memFromState(t, state)
			flipByte(t, fs, table, off)
			db, err := Open("db", corruptOpts(fs))
			if err != nil {
				requireCorruption(t, err, table)
				return
			}
			defer db.Close()
			checkReadsAgainst(t, db, want, table)
		})
	}
}

// checkReadsAgainst gets every key of want and scans the DB: each read
// returns the expected data or an error wrapping ErrCorruption naming
// file. It returns how many Gets reported corruption.
func checkReadsAgainst(t *testing.T, db *DB, want map[string]string, file string) int {
	t.Helper()
	corrupt := 0
	for k, v := range want {
		got, err := db.Get([]byte(k))
		if err != nil {
			requireCorruption(t, err, file)
			corrupt++
			continue
		}
		require.Equal(t, v, string(got), "Get(%s) returned wrong data", k)
	}
	_, err := db.Get([]byte("absent-key"))
	if !errors.Is(err, ErrNotFound) {
		requireCorruption(t, err, file)
	}
	it, err := db.NewIterator(nil)
	require.NoError(t, err)
	seen := map[string]string{}
	for ok := it.First(); ok; ok = it.Next() {
		seen[string(it.Key())] = string(it.Value())
	}
	if err := it.Error(); err != nil {
		requireCorruption(t, err, file)
		for k, v := range seen {
			require.Equal(t, want[k], v, "scan returned wrong data for %s before failing", k)
		}
	} else {
		require.Equal(t, want, seen, "a scan over a damaged table succeeded with different contents")
	}
	it.Close()
	return corrupt
}

// l0Table returns the path of the DB's newest L0 table (the one holding the
// most recent versions).
func l0Table(t *testing.T, fs *vfs.MemFS) string {
	t.Helper()
	db := openMem(t, fs, &Options{ReadOnly: true})
	v := db.vs.Current()
	require.NotEmpty(t, v.Levels[0])
	newest := v.Levels[0][0]
	for _, f := range v.Levels[0] {
		if f.LargestSeq > newest.LargestSeq {
			newest = f
		}
	}
	num := newest.Num
	v.Unref()
	require.NoError(t, db.Close())
	return filename.Path("db", filename.Table, num)
}

// spreadOffsets returns n offsets spread over [0, size), always including
// the last few bytes (where footers and tails live).
func spreadOffsets(size, n int) []int {
	seen := map[int]bool{}
	var offs []int
	add := func(o int) {
		if o >= 0 && o < size && !seen[o] {
			seen[o] = true
			offs = append(offs, o)
		}
	}
	for i := 0; i < n; i++ {
		add(i * size / n)
	}
	for i := 1; i <= 4; i++ {
		add(size - i)
	}
	return offs
}

// TestReadFaultsAreReported: an EIO while opening or reading a table makes
// the read fail with that error, never look like a missing key or return
// an older version; once the disk recovers, the same reads succeed (a
// failed table open is not cached).
func TestReadFaultsAreReported(t *testing.T) {
	for _, op := range []vfs.Op{vfs.OpOpen, vfs.OpRead} {
		t.Run(op.String(), func(t *testing.T) {
			fs := vfs.NewMem()
			want := buildMixedDB(t, fs)
			inj := vfs.OnMatch("*.sst", []vfs.Op{op}, syscall.EIO)
			inj.Disable()
			opts := corruptOpts(vfs.WithErrors(fs, inj))
			opts.BlockCacheSize = -1
			db, err := Open("db", opts)
			require.NoError(t, err)
			defer db.Close()
			inj.Enable()
			failed := 0
			for k, v := range want {
				got, err := db.Get([]byte(k))
				if err != nil {
					require.ErrorIs(t, err, syscall.EIO, "Get(%s)", k)
					failed++
					continue
				}
				require.Equal(t, v, string(got), "Get(%s) with a failing disk", k)
			}
			require.Greater(t, failed, 0)
			it, err := db.NewIterator(nil)
			require.NoError(t, err)
			for ok := it.First(); ok; ok = it.Next() {
				require.Equal(t, want[string(it.Key())], string(it.Value()))
			}
			require.ErrorIs(t, it.Error(), syscall.EIO)
			it.Close()

			inj.Disable()
			require.Equal(t, want, scanAll(t, db))
			for k, v := range want {
				got, err := db.Get([]byte(k))
				require.NoError(t, err)
				require.Equal(t, v, string(got))
			}
		})
	}
}
