package lsmkv

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/memtable"
	"github.com/lsmkv/lsmkv/vfs"
)

func TestOptionsZeroValueMeansDefaults(t *testing.T) {
	fs := vfs.NewMem()
	opts := &Options{FS: fs}
	db, err := Open("db", opts)
	require.NoError(t, err)
	require.Equal(t, Options{FS: fs}, *opts, "Open must not modify the caller's Options")
	want := Options{
		FS: fs, MemtableSize: DefaultMemtableSize, BlockSize: DefaultBlockSize,
		BloomBitsPerKey: DefaultBloomBitsPerKey, Compression: SnappyCompression,
		BlockCacheSize: DefaultBlockCacheSize, Compaction: LeveledCompaction,
		L0CompactionTrigger: DefaultL0CompactionTrigger, L0StopWritesTrigger: DefaultL0StopWritesTrigger,
		LevelSizeMultiplier: DefaultLevelSizeMultiplier, BaseLevelSize: DefaultBaseLevelSize,
		TargetFileSize: DefaultTargetFileSize, MaxOpenFiles: DefaultMaxOpenFiles,
	}
	got := db.opts
	got.Logger = nil
	require.Equal(t, want, got)
	require.NotNil(t, db.opts.Logger)
	require.NoError(t, db.Put([]byte("k"), []byte("v")))
	require.NoError(t, db.Close())
}

func TestOptionsInvalidRefusedWithNothingCreated(t *testing.T) {
	cases := []struct {
		name string
		opts Options
	}{
		{"negative MemtableSize", Options{MemtableSize: -1}},
		{"tiny MemtableSize", Options{MemtableSize: 100}},
		{"MemtableSize over one arena", Options{MemtableSize: memtable.MaxCapacity + 8}},
		{"huge BloomBitsPerKey", Options{BloomBitsPerKey: 100000}},
		{"BloomBitsPerKey just above the maximum", Options{BloomBitsPerKey: MaxBloomBitsPerKey + 1}},
		{"negative BlockSize", Options{BlockSize: -4096}},
		{"huge BlockSize", Options{BlockSize: 1 << 30}},
		{"negative L0CompactionTrigger", Options{L0CompactionTrigger: -1}},
		{"stop == compaction trigger", Options{L0CompactionTrigger: 4, L0StopWritesTrigger: 4}},
		{"stop < compaction trigger", Options{L0CompactionTrigger: 6, L0StopWritesTrigger: 5}},
		{"compaction trigger above default stop", Options{L0CompactionTrigger: DefaultL0StopWritesTrigger}},
		{"negative L0StopWritesTrigger", Options{L0StopWritesTrigger: -1}},
		{"LevelSizeMultiplier 1", Options{LevelSizeMultiplier: 1}},
		{"negative LevelSizeMultiplier", Options{LevelSizeMultiplier: -10}},
		{"negative BaseLevelSize", Options{BaseLevelSize: -1}},
		{"negative TargetFileSize", Options{TargetFileSize: -1}},
		{"negative MaxOpenFiles", Options{MaxOpenFiles: -1}},
		{"MaxOpenFiles below minimum", Options{MaxOpenFiles: 7}},
		{"unknown Compression", Options{Compression: NoCompression + 1}},
		{"negative Compression", Options{Compression: -1}},
		{"unknown CompactionStyle", Options{Compaction: TieredCompaction + 1}},
		{"negative CompactionStyle", Options{Compaction: -1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := vfs.NewMem()
			o := c.opts
			o.FS = fs
			db, err := Open("db", &o)
			if err == nil {
				db.Close()
			}
			require.ErrorIs(t, err, ErrInvalidArgument)
			require.True(t, errorHasPrefix(err, "lsmkv: "), "error %q lacks the lsmkv: prefix", err)
			names, lerr := fs.List("")
			require.NoError(t, lerr)
			require.Empty(t, names, "a refused Open created files")
		})
	}
	t.Run("OS", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "db")
		_, err := Open(dir, &Options{MemtableSize: -1})
		require.ErrorIs(t, err, ErrInvalidArgument)
		_, err = os.Stat(dir)
		require.ErrorIs(t, err, os.ErrNotExist)
	})
}

func errorHasPrefix(err error, prefix string) bool {
	return err != nil && len(err.Error()) >= len(prefix) && err.Error()[:len(prefix)] == prefix
}

// TestOptionsDisabledFeaturesWork checks the documented negative values:
// no bloom filters, no block cache.
func TestOptionsDisabledFeaturesWork(t *testing.T) {
	for _, mod := range []func(*Options){
		func(o *Options) { o.BloomBitsPerKey = -1 },
		func(o *Options) { o.BlockCacheSize = -1 },
		func(o *Options) { o.Compression = NoCompression },
		func(o *Options) { o.Compaction = TieredCompaction },
	} {
		fs := vfs.NewMem()
		opts := tinyOptions(fs)
		mod(opts)
		db, err := Open("db", opts)
		require.NoError(t, err)
		writeKeys(t, db, 0, 800, "v")
		require.NoError(t, db.Compact(nil, nil))
		got, err := db.Get([]byte(keyN(17)))
		require.NoError(t, err)
		require.Equal(t, valueN("v", 17), string(got))
		_, err = db.Get([]byte("absent"))
		require.True(t, errors.Is(err, ErrNotFound))
		require.Len(t, scanAll(t, db), 800)
		require.NoError(t, db.Close())
	}
}

// TestOptionsEnumStringUnknown: the String methods of the option enums are
// what a log line or an error message prints; an out-of-range value (the
// very thing validate reports) must print, not panic.
func TestOptionsEnumStringUnknown(t *testing.T) {
	require.NotPanics(t, func() { _ = Compression(42).String() })
	require.NotPanics(t, func() { _ = Compression(-1).String() })
	require.NotPanics(t, func() { _ = CompactionStyle(42).String() })
	require.NotPanics(t, func() { _ = CompactionStyle(-1).String() })
}

func TestSizeLimitsRefuseAndWriteNothing(t *testing.T) {
	bigKey := bytes.Repeat([]byte("k"), MaxKeySize+1)
	bigValue := make([]byte, MaxValueSize+1)
	cases := []struct {
		name  string
		write func(db *DB) error
	}{
		{"PutKey", func(db *DB) error { return db.Put(bigKey, []byte("v")) }},
		{"PutValue", func(db *DB) error { return db.Put([]byte("k"), bigValue) }},
		{"DeleteKey", func(db *DB) error { return db.Delete(bigKey) }},
		{"BatchLast", func(db *DB) error {
			var b Batch
			b.Put([]byte("ok1"), []byte("v"))
			b.Delete([]byte("present"))
			b.Put([]byte("ok2"), bigValue)
			return db.Write(&b, nil)
		}},
		{"BatchFirst", func(db *DB) error {
			var b Batch
			b.Put(bigKey, nil)
			b.Put([]byte("ok1"), []byte("v"))
			b.Delete([]byte("present"))
			return db.Write(&b, &WriteOptions{Sync: true})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := vfs.NewMem()
			db := openMem(t, fs, nil)
			require.NoError(t, db.Put([]byte("present"), []byte("p")))
			before := db.Metrics().WALBytes
			err := c.write(db)
			require.ErrorIs(t, err, ErrInvalidArgument)
			require.Equal(t, before, db.Metrics().WALBytes, "a refused write reached the WAL")
			checkOnlyPresent := func(db *DB) {
				t.Helper()
				require.Equal(t, map[string]string{"present": "p"}, scanAll(t, db))
			}
			checkOnlyPresent(db)
			require.NoError(t, db.Put([]byte("after"), []byte("a")), "a refused write must not stop later ones")
			require.NoError(t, db.Delete([]byte("after")))
			require.NoError(t, db.Close())
			db = openMem(t, fs, nil)
			checkOnlyPresent(db)
			require.NoError(t, db.Close())
		})
	}
}

func TestSizeLimitsAllowMaximum(t *testing.T) {
	fs := vfs.NewMem()
	db := openMem(t, fs, &Options{MemtableSize: 64 << 10, Compression: NoCompression})
	key := bytes.Repeat([]byte("k"), MaxKeySize)
	value := bytes.Repeat([]byte("v"), 1000)
	require.NoError(t, db.Put(key, value))
	require.NoError(t, db.Put([]byte("small"), []byte("s")))
	require.NoError(t, db.Close()) // the reopen writes the memtable to a table
	db = openMem(t, fs, &Options{MemtableSize: 64 << 10, Compression: NoCompression})
	defer db.Close()
	got, err := db.Get(key)
	require.NoError(t, err)
	require.True(t, bytes.Equal(value, got))
}

func TestMetricsShape(t *testing.T) {
	db := openMem(t, vfs.NewMem(), tinyOptions(nil))
	defer db.Close()
	writeKeys(t, db, 0, 2000, "v")
	require.NoError(t, db.Compact(nil, nil))
	m := db.Metrics()
	require.Len(t, m.Levels, 7)
	require.Greater(t, m.WriteAmplification(), 1.0)
	require.Greater(t, m.Flushes, int64(0))
	require.Greater(t, m.Compactions, int64(0))
	s := m.String()
	for i := 0; i < 7; i++ {
		require.Contains(t, s, fmt.Sprintf("L%d", i))
	}
	var files int
	for _, l := range m.Levels {
		files += l.NumFiles
	}
	require.Greater(t, files, 0)
	require.Zero(t, m.Levels[0].NumFiles, "Compact(nil, nil) leaves L0 empty")
}

func TestMaxOpenFilesBoundsTableCache(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 7))
	opts := tinyOptions(nil)
	opts.MaxOpenFiles = 8
	db := openMem(t, vfs.NewMem(), opts)
	defer db.Close()
	const n = 2600
	writeKeys(t, db, 0, n, "value-")
	require.NoError(t, db.Compact(nil, nil))
	var tables int
	for _, l := range db.Metrics().Levels {
		tables += l.NumFiles
	}
	require.Greater(t, tables, 12, "the test needs many more tables than MaxOpenFiles")

	var wg sync.WaitGroup
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			it, err := db.NewIterator(nil)
			if !assertNoErr(t, err) {
				return
			}
			i := 0
			for ok := it.First(); ok; ok = it.Next() {
				if string(it.Key()) != keyN(i) {
					t.Errorf("scan: key %d is %q", i, it.Key())
					break
				}
				i++
			}
			assertNoErr(t, it.Close())
			if i != n {
				t.Errorf("scan saw %d keys, want %d", i, n)
			}
		}()
	}
	for i := 0; i < 600; i++ {
		k := rng.IntN(n)
		got, err := db.Get([]byte(keyN(k)))
		require.NoError(t, err)
		require.Equal(t, valueN("value-", k), string(got))
		require.LessOrEqual(t, db.Metrics().OpenTables, 8)
	}
	wg.Wait()
	require.LessOrEqual(t, db.Metrics().OpenTables, 8)
}
