package lsmkv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/vfs"
)

// openDir opens dir on fs with tiny options, failing the test on error.
func openDir(t *testing.T, fs vfs.FS, dir string, readOnly bool) *DB {
	t.Helper()
	opts := tinyOptions(fs)
	opts.ReadOnly = readOnly
	db, err := Open(dir, opts)
	require.NoError(t, err)
	return db
}

// TestCheckpoint: a checkpoint of a DB with data in every place (L1+, L0,
// a frozen and the mutable memtable, a deletion, a range deletion) opens,
// read-write and read-only, with exactly the DB's contents, and shares
// its tables with the DB through hard links.
func TestCheckpoint(t *testing.T) {
	fs := vfs.NewMem()
	db := openDir(t, fs, "db", false)
	writeKeys(t, db, 0, 600, "a")
	require.NoError(t, db.Compact(nil, nil))
	writeKeys(t, db, 300, 400, "b")
	require.NoError(t, db.Flush())
	writeKeys(t, db, 380, 420, "c")
	require.NoError(t, db.Delete([]byte(keyN(5))))
	require.NoError(t, db.DeleteRange([]byte(keyN(10)), []byte(keyN(20))))
	want := scanAll(t, db)

	require.NoError(t, db.Checkpoint("cp"))
	writeKeys(t, db, 0, 50, "after") // not in the checkpoint
	require.NoError(t, db.Compact(nil, nil))

	tables := filesOfKind(t, fs, "cp", filename.Table)
	require.NotEmpty(t, tables)
	require.NotEmpty(t, filesOfKind(t, fs, "cp", filename.Log), "the unflushed writes come in WALs")
	for _, readOnly := range []bool{true, false} {
		cp := openDir(t, fs, "cp", readOnly)
		require.Equal(t, want, scanAll(t, cp), "readOnly=%v", readOnly)
		require.NoError(t, cp.Close())
	}
	// The checkpoint is a DB of its own: writing to it leaves the source
	// alone.
	cp := openDir(t, fs, "cp", false)
	writeKeys(t, cp, 0, 10, "cp")
	require.NoError(t, cp.Compact(nil, nil))
	require.NoError(t, cp.Close())
	require.Equal(t, valueN("after", 3), string(mustGet(t, db, keyN(3))))
	require.NoError(t, db.Close())
	leftovers, err := fs.List("")
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"db", "cp"}, leftovers, "no temporary directory left")
}

func mustGet(t *testing.T, db *DB, key string) []byte {
	t.Helper()
	v, err := db.Get([]byte(key))
	require.NoError(t, err)
	return v
}

// TestCheckpointLinksTables: on the OS file system the checkpoint's tables
// are hard links of the DB's (same inode), and survive the DB deleting
// its own names for them.
func TestCheckpointLinksTables(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(filepath.Join(dir, "db"), nil)
	require.NoError(t, err)
	writeKeys(t, db, 0, 1000, "a")
	require.NoError(t, db.Flush())
	cpDir := filepath.Join(dir, "cp")
	require.NoError(t, db.Checkpoint(cpDir))
	tables := filesOfKind(t, vfs.Default, cpDir, filename.Table)
	require.NotEmpty(t, tables)
	for _, p := range tables {
		a, err := os.Stat(p)
		require.NoError(t, err)
		b, err := os.Stat(filepath.Join(dir, "db", filepath.Base(p)))
		require.NoError(t, err)
		require.True(t, os.SameFile(a, b), "%s is not a hard link of the DB's table", p)
	}
	writeKeys(t, db, 0, 1000, "b")
	require.NoError(t, db.Compact(nil, nil)) // the DB drops its old tables
	require.NoError(t, db.Close())
	cp, err := Open(cpDir, nil)
	require.NoError(t, err)
	require.Equal(t, valueN("a", 7), string(mustGet(t, cp, keyN(7))))
	require.NoError(t, cp.Close())
}

func TestCheckpointInvalid(t *testing.T) {
	fs := vfs.NewMem()
	db := openDir(t, fs, "db", false)
	require.NoError(t, fs.MkdirAll("exists", 0o755))
	for _, dir := range []string{"", "exists", "db"} {
		err := db.Checkpoint(dir)
		require.ErrorIs(t, err, ErrInvalidArgument, "dir %q", dir)
	}
	names, err := fs.List("exists")
	require.NoError(t, err)
	require.Empty(t, names, "a refused checkpoint wrote nothing")
	require.NoError(t, db.Close())
	require.ErrorIs(t, db.Checkpoint("cp"), ErrClosed)
}

// TestCheckpointUnderLoad takes checkpoints while a writer, flushes and
// compactions run. Each checkpoint must hold every write acknowledged
// before Checkpoint was called, and be a prefix of the writer's history:
// the writer writes key i's i-th version in order, so a checkpoint must
// hold versions 0..n-1 for some n >= the acknowledged count.
func TestCheckpointUnderLoad(t *testing.T) {
	fs := vfs.NewMem()
	db := openDir(t, fs, "db", false)
	var acked atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := db.Put([]byte(keyN(i%500)), []byte(fmt.Sprintf("%s/v%d", keyN(i%500), i))); err != nil {
				t.Error(err)
				return
			}
			acked.Store(int64(i + 1))
		}
	}()
	const rounds = 8
	ackedAt := make([]int64, rounds)
	for r := range rounds {
		for acked.Load() < int64(r+1)*400 {
			runtime.Gosched() // let the writer run
		}
		ackedAt[r] = acked.Load()
		require.NoError(t, db.Checkpoint(fmt.Sprintf("cp%d", r)))
	}
	close(stop)
	wg.Wait()
	require.NoError(t, db.Close())

	for r := range rounds {
		cp := openDir(t, fs, fmt.Sprintf("cp%d", r), true)
		got := scanAll(t, cp)
		require.NoError(t, cp.Close())
		// The newest version of each key tells how far the checkpoint got.
		n := int64(0)
		for _, v := range got {
			var i int64
			_, err := fmt.Sscanf(v[strings.Index(v, "/v")+2:], "%d", &i)
			require.NoError(t, err)
			n = max(n, i+1)
		}
		require.GreaterOrEqual(t, n, ackedAt[r], "checkpoint %d lost acknowledged writes", r)
		for i := max(0, n-500); i < n; i++ {
			k := keyN(int(i % 500))
			require.Equal(t, fmt.Sprintf("%s/v%d", k, i), got[k], "checkpoint %d is not a prefix", r)
		}
	}
}

// TestCheckpointPowerLoss cuts the power (a CrashClone) at every file
// operation of a checkpoint: the source DB must open intact, and the
// destination must be absent or open with the whole checkpoint.
func TestCheckpointPowerLoss(t *testing.T) {
	for _, link := range []bool{true, false} {
		t.Run(fmt.Sprintf("link=%v", link), func(t *testing.T) {
			for n := int64(1); ; n++ {
				if done := checkpointCrashAt(t, n, link); done {
					t.Logf("%d crash points", n-1)
					return
				}
			}
		})
	}
}

// noLinkFS hides MemFS's Link, so the checkpoint copies its tables.
type noLinkFS struct{ vfs.FS }

// checkpointCrashAt runs a checkpoint that loses power at its n-th file
// operation and checks the clone; it reports whether the checkpoint got
// through n operations without reaching the n-th.
func checkpointCrashAt(t *testing.T, n int64, link bool) (done bool) {
	mem := vfs.NewMem()
	var base vfs.FS = mem
	if !link {
		base = noLinkFS{mem}
	}
	var armed atomic.Bool
	var calls atomic.Int64
	var clone *vfs.MemFS
	crash := errors.New("power lost")
	fs := vfs.WithErrors(base, vfs.InjectorFunc(func(op vfs.Op, path string) error {
		if !armed.Load() || !strings.HasPrefix(path, "cp") {
			return nil
		}
		if calls.Add(1) == n {
			clone = mem.CrashClone()
			return crash
		}
		return nil
	}))
	db := openDir(t, fs, "db", false)
	writeKeys(t, db, 0, 300, "a")
	require.NoError(t, db.Flush())
	writeKeys(t, db, 200, 250, "b")
	b := &Batch{}
	b.Put([]byte("synced"), []byte("1"))
	require.NoError(t, db.Write(b, &WriteOptions{Sync: true})) // the WAL is durable up to here
	want := scanAll(t, db)
	armed.Store(true)
	err := db.Checkpoint("cp")
	armed.Store(false)
	require.NoError(t, db.Close())
	if clone == nil {
		require.NoError(t, err)
		return true
	}
	// The checkpoint may have gone on past the failed operation (a failed
	// link falls back to a copy); the clone is what the power loss left.

	src := openDir(t, clone, "db", true)
	require.Equal(t, want, scanAll(t, src), "crash %d: the source lost data", n)
	require.NoError(t, src.Close())
	if _, err := clone.Stat("cp"); errors.Is(err, os.ErrNotExist) {
		return false
	}
	cp := openDir(t, clone, "cp", true)
	require.Equal(t, want, scanAll(t, cp), "crash %d: a partial checkpoint", n)
	require.NoError(t, cp.Close())
	return false
}
