package lsmkv

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/vfs"
)

// Lifecycle tests: Open creates, Close ends every call, locks, argument
// limits, leaks reported by Close, metrics, the table cache bound, snapshots
// and iterators across compactions, and concurrent use. Helpers shared by
// all the root package's tests are in helpers_test.go.

func TestOpenNilOptionsCreatesDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b", "db")
	db, err := Open(dir, nil)
	require.NoError(t, err)
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	require.True(t, fi.IsDir())
	require.NoError(t, db.Put([]byte("k"), []byte("v")))
	require.NoError(t, db.Close())

	db, err = Open(dir, nil)
	require.NoError(t, err)
	defer db.Close()
	got, err := db.Get([]byte("k"))
	require.NoError(t, err)
	require.Equal(t, "v", string(got))
}

func TestEveryCallAfterCloseReturnsErrClosed(t *testing.T) {
	db := openMem(t, vfs.NewMem(), tinyOptions(nil))
	require.NoError(t, db.Put([]byte("a"), []byte("1")))
	require.NoError(t, db.Close())

	var b Batch
	b.Put([]byte("x"), []byte("y"))
	calls := []struct {
		name string
		call func() error
	}{
		{"Close", db.Close},
		{"Put", func() error { return db.Put([]byte("a"), []byte("2")) }},
		{"Delete", func() error { return db.Delete([]byte("a")) }},
		{"Write", func() error { return db.Write(&b, nil) }},
		{"WriteEmpty", func() error { return db.Write(&Batch{}, nil) }},
		{"Get", func() error { _, err := db.Get([]byte("a")); return err }},
		{"NewIterator", func() error { _, err := db.NewIterator(nil); return err }},
		{"Flush", db.Flush},
		{"Compact", func() error { return db.Compact(nil, nil) }},
		{"Snapshot.Get", func() error { _, err := db.NewSnapshot().Get([]byte("a")); return err }},
		{"Snapshot.NewIterator", func() error { _, err := db.NewSnapshot().NewIterator(nil); return err }},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			require.ErrorIs(t, err, ErrClosed)
		})
	}
	require.NotPanics(t, func() { _ = db.Metrics().String() }, "Metrics has no error result; after Close it must still not panic")
	require.NotPanics(t, func() { _ = db.Tables() }, "Tables has no error result; after Close it must still not panic")
}

func TestCloseReleasesLeakedIteratorsAndSnapshots(t *testing.T) {
	fs := vfs.NewMem()
	db := openMem(t, fs, tinyOptions(nil))
	for i := 0; i < 50; i++ {
		require.NoError(t, db.Put([]byte(fmt.Sprintf("k%03d", i)), []byte("v")))
	}
	require.NoError(t, db.Flush())
	it1, err := db.NewIterator(nil)
	require.NoError(t, err)
	require.True(t, it1.First())
	it2, err := db.NewIterator(nil)
	require.NoError(t, err)
	closedIt, err := db.NewIterator(nil)
	require.NoError(t, err)
	require.NoError(t, closedIt.Close())
	s1, s2, s3 := db.NewSnapshot(), db.NewSnapshot(), db.NewSnapshot()
	require.NoError(t, s3.Close())

	err = db.Close()
	require.Error(t, err)
	require.Contains(t, err.Error(), "2 open iterator")
	require.Contains(t, err.Error(), "2 open snapshot")

	// Released: their own Close reports they are gone, and reads fail.
	require.ErrorIs(t, it1.Close(), ErrClosed)
	require.ErrorIs(t, it2.Close(), ErrClosed)
	require.ErrorIs(t, s1.Close(), ErrClosed)
	_, err = s2.Get([]byte("k001"))
	require.ErrorIs(t, err, ErrClosed)

	// The leaked versions did not keep anything from being reopened.
	db = openMem(t, fs, tinyOptions(nil))
	defer db.Close()
	got, err := db.Get([]byte("k049"))
	require.NoError(t, err)
	require.Equal(t, "v", string(got))
}

func TestSecondOpenIsLocked(t *testing.T) {
	t.Run("MemFS", func(t *testing.T) {
		fs := vfs.NewMem()
		db := openMem(t, fs, nil)
		_, err := Open("db", &Options{FS: fs})
		require.ErrorIs(t, err, ErrLocked)
		require.NoError(t, db.Put([]byte("k"), []byte("v")), "the failed Open must not disturb the open DB")
		require.NoError(t, db.Close())
		db = openMem(t, fs, nil)
		got, err := db.Get([]byte("k"))
		require.NoError(t, err)
		require.Equal(t, "v", string(got))
		require.NoError(t, db.Close())
	})
	t.Run("OS", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "db")
		db, err := Open(dir, &Options{FS: vfs.Default})
		require.NoError(t, err)
		_, err = Open(dir, nil)
		require.ErrorIs(t, err, ErrLocked)
		require.NoError(t, db.Close())
		db, err = Open(dir, nil)
		require.NoError(t, err)
		require.NoError(t, db.Close())
	})
}

func TestEmptyKeysAndValues(t *testing.T) {
	fs := vfs.NewMem()
	db := openMem(t, fs, tinyOptions(nil))
	require.NoError(t, db.Put([]byte{}, []byte("empty-key")))
	require.NoError(t, db.Put([]byte("empty-value"), nil))
	check := func(db *DB) {
		t.Helper()
		got, err := db.Get(nil)
		require.NoError(t, err)
		require.Equal(t, "empty-key", string(got))
		got, err = db.Get([]byte("empty-value"))
		require.NoError(t, err)
		require.Empty(t, got)
		it, err := db.NewIterator(nil)
		require.NoError(t, err)
		require.True(t, it.First())
		require.Empty(t, it.Key())
		require.Equal(t, "empty-key", string(it.Value()))
		require.True(t, it.Next())
		require.Equal(t, "empty-value", string(it.Key()))
		require.Empty(t, it.Value())
		require.False(t, it.Next())
		require.NoError(t, it.Close())
	}
	check(db)
	require.NoError(t, db.Flush())
	check(db)
	require.NoError(t, db.Close())
	db = openMem(t, fs, tinyOptions(nil))
	check(db)
	require.NoError(t, db.Delete(nil))
	_, err := db.Get(nil)
	require.ErrorIs(t, err, ErrNotFound)
	require.NoError(t, db.Close())
}

func TestSnapshotPinsValuesThroughFlushAndCompaction(t *testing.T) {
	fs := vfs.NewMem()
	db := openMem(t, fs, tinyOptions(nil))
	defer db.Close()
	writeKeys(t, db, 0, 500, "old-")
	snap := db.NewSnapshot()
	old := scanAll(t, db)
	writeKeys(t, db, 0, 500, "new-")
	for i := 0; i < 500; i += 3 {
		require.NoError(t, db.Delete([]byte(keyN(i))))
	}
	require.NoError(t, db.Put([]byte("zz-new-key"), []byte("x")))
	require.NoError(t, db.Flush())
	require.NoError(t, db.Compact(nil, nil))

	for i := 0; i < 500; i++ {
		got, err := snap.Get([]byte(keyN(i)))
		require.NoError(t, err)
		require.Equal(t, valueN("old-", i), string(got))
	}
	_, err := snap.Get([]byte("zz-new-key"))
	require.ErrorIs(t, err, ErrNotFound)
	it, err := snap.NewIterator(nil)
	require.NoError(t, err)
	require.Equal(t, old, drain(t, it))
	require.NoError(t, it.Close())

	got, err := db.Get([]byte(keyN(1)))
	require.NoError(t, err)
	require.Equal(t, valueN("new-", 1), string(got))
	_, err = db.Get([]byte(keyN(3)))
	require.ErrorIs(t, err, ErrNotFound)
	require.NoError(t, snap.Close())
}

func TestIteratorSurvivesConcurrentCompactionAndPins(t *testing.T) {
	fs := vfs.NewMem()
	db := openMem(t, fs, tinyOptions(nil))
	defer db.Close()
	writeKeys(t, db, 0, 1000, "old-")
	require.NoError(t, db.Flush())
	want := scanAll(t, db)

	it, err := db.NewIterator(nil)
	require.NoError(t, err)
	got := map[string]string{}
	ok := it.First()
	for i := 0; ok && i < 300; i++ {
		got[string(it.Key())] = string(it.Value())
		ok = it.Next()
	}
	done := make(chan error, 1)
	go func() {
		for i := 0; i < 1000; i += 2 {
			if err := db.Put([]byte(keyN(i)), []byte("new")); err != nil {
				done <- err
				return
			}
		}
		done <- db.Compact(nil, nil)
	}()
	for ; ok; ok = it.Next() {
		got[string(it.Key())] = string(it.Value())
	}
	require.NoError(t, it.Error())
	require.NoError(t, <-done)
	require.Equal(t, want, got, "the iterator must see the state of its creation")

	require.Greater(t, db.Metrics().PinnedBytes, int64(0), "the iterator pins compacted-away tables")
	require.True(t, it.First())
	require.Equal(t, keyN(0), string(it.Key()))
	require.Equal(t, valueN("old-", 0), string(it.Value()))
	require.NoError(t, it.Close())
	require.Zero(t, db.Metrics().PinnedBytes)
	after := scanAll(t, db)
	require.Equal(t, "new", after[keyN(0)])
	require.Equal(t, valueN("old-", 1), after[keyN(1)])
}

// TestConcurrentUse runs writers, readers, iterators and snapshots on
// disjoint key ranges while Flush and Compact run, then checks each range
// against its goroutine's model.
func TestConcurrentUse(t *testing.T) {
	seed := testSeed(t)
	fs := vfs.NewMem()
	opts := tinyOptions(nil)
	db := openMem(t, fs, opts)
	const workers, steps = 4, 400
	models := make([]map[string]string, workers)
	stop := make(chan struct{})
	var bg sync.WaitGroup
	bg.Add(1)
	go func() {
		defer bg.Done()
		flushAndCompactUntil(t, db, stop)
	}()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			models[w] = concurrentWorker(t, db, rand.New(rand.NewPCG(seed, uint64(w))), fmt.Sprintf("w%d/", w), steps)
		}(w)
	}
	wg.Wait()
	close(stop)
	bg.Wait()
	if t.Failed() {
		db.Close()
		return
	}
	check := func(db *DB) {
		all := scanAll(t, db)
		want := map[string]string{}
		for _, m := range models {
			for k, v := range m {
				want[k] = v
			}
		}
		require.NotEmpty(t, want)
		require.Equal(t, want, all)
	}
	check(db)
	require.NoError(t, db.Close())
	db = openMem(t, fs, opts)
	check(db)
	require.NoError(t, db.Close())
}

// flushAndCompactUntil alternates Flush and Compact until stop is closed.
func flushAndCompactUntil(t *testing.T, db *DB, stop <-chan struct{}) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		var err error
		if i%3 == 2 {
			err = db.Compact(nil, nil)
		} else {
			err = db.Flush()
		}
		if !assertNoErr(t, err) {
			return
		}
	}
}

// concurrentWorker does random operations on keys starting with prefix and
// returns the model of what it wrote. It reports failures with t.Errorf.
func concurrentWorker(t *testing.T, db *DB, rng *rand.Rand, prefix string, steps int) map[string]string {
	m := map[string]string{}
	type snapModel struct {
		s *Snapshot
		m map[string]string
	}
	var snaps []snapModel
	defer func() {
		for _, s := range snaps {
			s.s.Close()
		}
	}()
	key := func() string { return fmt.Sprintf("%sk%03d", prefix, rng.IntN(200)) }
	for i := 0; i < steps && !t.Failed(); i++ {
		switch op := rng.IntN(20); {
		case op < 9:
			k, v := key(), fmt.Sprintf("%d-%s", i, strings.Repeat("x", rng.IntN(100)))
			if assertNoErr(t, db.Put([]byte(k), []byte(v))) {
				m[k] = v
			}
		case op < 11:
			k := key()
			if assertNoErr(t, db.Delete([]byte(k))) {
				delete(m, k)
			}
		case op < 15:
			k := key()
			checkGetModel(t, db.Get, m, k)
		case op < 17:
			it, err := db.NewIterator(&IterOptions{LowerBound: []byte(prefix), UpperBound: []byte(prefix + "\xff")})
			if assertNoErr(t, err) {
				if got := drainErr(t, it); !mapsEqual(got, m) {
					t.Errorf("%s: iterator saw %d keys, model has %d", prefix, len(got), len(m))
				}
			}
		case op < 18 && len(snaps) < 3:
			snaps = append(snaps, snapModel{db.NewSnapshot(), cloneMap(m)})
		default:
			if len(snaps) == 0 {
				continue
			}
			j := rng.IntN(len(snaps))
			checkGetModel(t, snaps[j].s.Get, snaps[j].m, key())
			if rng.IntN(3) == 0 {
				assertNoErr(t, snaps[j].s.Close())
				snaps = append(snaps[:j], snaps[j+1:]...)
			}
		}
	}
	return m
}

// ---- helpers shared by the reliability tests ----

func checkGetModel(t *testing.T, get func([]byte) ([]byte, error), m map[string]string, k string) {
	got, err := get([]byte(k))
	want, ok := m[k]
	switch {
	case !ok && !errors.Is(err, ErrNotFound):
		t.Errorf("Get(%s) = %q, %v; want ErrNotFound", k, got, err)
	case ok && (err != nil || string(got) != want):
		t.Errorf("Get(%s) = %q, %v; want %q", k, got, err, want)
	}
}

func cloneMap(m map[string]string) map[string]string {
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestCloseDuringCompact: once Close returns, a Compact still running in
// another goroutine must not touch the directory (the lock is released, so
// another DB may own it by now), and it returns nil or ErrClosed.
func TestCloseDuringCompact(t *testing.T) {
	fs := vfs.NewMem()
	opts := tinyOptions(nil)
	opts.L0CompactionTrigger, opts.L0StopWritesTrigger = 30, 40
	db := openMem(t, fs, opts)
	writeKeys(t, db, 0, 2000, "v")
	want := scanAll(t, db)
	done := make(chan error, 1)
	go func() { done <- db.Compact(nil, nil) }()
	for started := false; !started; {
		db.mu.Lock()
		started = db.compacting
		db.mu.Unlock()
		runtime.Gosched()
	}
	closeErr := db.Close()
	after, lerr := fs.List("db")
	require.NoError(t, lerr)
	err := <-done
	now, lerr := fs.List("db")
	require.NoError(t, lerr)
	require.Equal(t, after, now, "files were created or removed after Close returned (Compact returned %v)", err)
	require.True(t, err == nil || errors.Is(err, ErrClosed), "Compact concurrent with Close returned %v", err)
	require.NoError(t, closeErr)

	db = openMem(t, fs, opts)
	defer db.Close()
	require.Equal(t, want, scanAll(t, db))
}
