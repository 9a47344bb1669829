package lsmkv

import (
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/vfs"
)

// fastRetries shortens the retry delays for a test.
func fastRetries(t *testing.T) {
	minD, maxD := resumeMinDelay, resumeMaxDelay
	resumeMinDelay, resumeMaxDelay = time.Millisecond, 5*time.Millisecond
	t.Cleanup(func() { resumeMinDelay, resumeMaxDelay = minD, maxD })
}

// fullDisk injects err into the ops of files matching pattern while full
// is set: a disk that fills up and later has room again.
type fullDisk struct {
	full    atomic.Bool
	pattern string
	ops     []vfs.Op
	err     error
}

func (d *fullDisk) MaybeError(op vfs.Op, path string) error {
	if !d.full.Load() {
		return nil
	}
	if ok, _ := filepath.Match(d.pattern, filepath.Base(path)); !ok {
		return nil
	}
	for _, o := range d.ops {
		if o == op {
			return d.err
		}
	}
	return nil
}

// putUntil retries a Put until it succeeds or the deadline passes.
func putUntil(t *testing.T, db *DB, key, value string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := db.Put([]byte(key), []byte(value))
		if err == nil {
			return
		}
		require.ErrorIs(t, err, ErrWritesPaused, "while retrying")
		if time.Now().After(deadline) {
			t.Fatalf("writes did not resume: %v", err)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestResumeAfterFullDisk fills the disk at each place the engine writes
// (a WAL append, a flush's table, a compaction's table, a manifest edit),
// checks that writes stop with a retryable error while reads go on, frees
// the space, and checks that writes resume on their own, nothing
// acknowledged is lost, and the DB reopens cleanly.
func TestResumeAfterFullDisk(t *testing.T) {
	fastRetries(t)
	enospc := vfs.ShortWrite(syscall.ENOSPC) // half the bytes, then ENOSPC
	cases := []struct {
		name    string
		pattern string
		ops     []vfs.Op
		trigger func(t *testing.T, db *DB) error // the write that meets the full disk
	}{
		{"wal", "*.log", []vfs.Op{vfs.OpWrite}, func(t *testing.T, db *DB) error {
			return db.Put([]byte("key-failed"), []byte("never acknowledged"))
		}},
		{"flush", "*.sst", []vfs.Op{vfs.OpCreate, vfs.OpWrite}, func(t *testing.T, db *DB) error {
			return db.Flush()
		}},
		{"compaction", "*.sst", []vfs.Op{vfs.OpCreate, vfs.OpWrite}, func(t *testing.T, db *DB) error {
			return db.Compact(nil, nil)
		}},
		{"manifest", "MANIFEST-*", []vfs.Op{vfs.OpCreate, vfs.OpWrite}, func(t *testing.T, db *DB) error {
			return db.Flush()
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem := vfs.NewMem()
			disk := &fullDisk{pattern: tc.pattern, ops: tc.ops, err: enospc}
			if tc.name == "flush" || tc.name == "compaction" {
				disk.err = syscall.ENOSPC
			}
			opts := tinyOptions(vfs.WithErrors(mem, disk))
			opts.MemtableSize = 64 << 10 // no flush before the trigger
			db, err := Open("db", opts)
			require.NoError(t, err)
			writeKeys(t, db, 0, 200, "a")
			want := scanAll(t, db)

			disk.full.Store(true)
			err = tc.trigger(t, db)
			require.Error(t, err)
			require.True(t, errors.Is(err, syscall.ENOSPC), "%v", err)
			m := db.Metrics()
			require.Error(t, m.BackgroundError)
			require.True(t, m.BackgroundErrorRetryable)
			err = db.Put([]byte("key-refused"), []byte("x"))
			require.ErrorIs(t, err, ErrWritesPaused)
			require.ErrorIs(t, err, syscall.ENOSPC)
			require.Equal(t, want, scanAll(t, db), "reads go on while writes are paused")

			time.Sleep(20 * time.Millisecond) // several retries meet the full disk
			disk.full.Store(false)
			putUntil(t, db, keyN(500), "after")
			want[keyN(500)] = "after"
			// A synced write makes every WAL so far durable, the repaired
			// one too; a power loss now must leave a DB that opens, so the
			// repaired WAL, now an older one, must read clean.
			b := &Batch{}
			b.Put([]byte(keyN(501)), []byte("synced"))
			require.NoError(t, db.Write(b, &WriteOptions{Sync: true}))
			want[keyN(501)] = "synced"
			clone := openMem(t, mem.CrashClone(), tinyOptions(nil))
			require.Equal(t, want, scanAll(t, clone), "after a power loss")
			require.NoError(t, clone.Close())
			writeKeys(t, db, 200, 400, "b")
			for i := 200; i < 400; i++ {
				want[keyN(i)] = valueN("b", i)
			}
			require.NoError(t, db.Flush())
			require.NoError(t, db.Compact(nil, nil))
			m = db.Metrics()
			require.NoError(t, m.BackgroundError)
			require.Positive(t, m.Resumes)
			require.Equal(t, want, scanAll(t, db))
			require.NoError(t, db.Close())

			db = openMem(t, mem, tinyOptions(nil))
			require.Equal(t, want, scanAll(t, db), "after reopening")
			require.NoError(t, db.Close())
		})
	}
}

// TestStickyErrors: an I/O error, and a full disk reported by a sync, stop
// writes until the DB is reopened, even once the fault is gone.
func TestStickyErrors(t *testing.T) {
	fastRetries(t)
	cases := []struct {
		name    string
		pattern string
		op      vfs.Op
		err     error
		sync    bool
	}{
		{"wal-write-eio", "*.log", vfs.OpWrite, syscall.EIO, false},
		{"wal-sync-enospc", "*.log", vfs.OpSync, syscall.ENOSPC, true},
		{"table-sync-enospc", "*.sst", vfs.OpSync, syscall.ENOSPC, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem := vfs.NewMem()
			disk := &fullDisk{pattern: tc.pattern, ops: []vfs.Op{tc.op}, err: tc.err}
			db, err := Open("db", tinyOptions(vfs.WithErrors(mem, disk)))
			require.NoError(t, err)
			writeKeys(t, db, 0, 100, "a")
			disk.full.Store(true)
			b := &Batch{}
			b.Put([]byte("k"), []byte("v"))
			err = db.Write(b, &WriteOptions{Sync: tc.sync})
			if err == nil {
				err = db.Flush()
			}
			require.ErrorIs(t, err, tc.err)
			disk.full.Store(false)
			time.Sleep(20 * time.Millisecond)
			m := db.Metrics()
			require.Error(t, m.BackgroundError)
			require.False(t, m.BackgroundErrorRetryable)
			err = db.Put([]byte("k2"), []byte("v"))
			require.ErrorIs(t, err, tc.err)
			require.NotErrorIs(t, err, ErrWritesPaused)
			require.Zero(t, db.Metrics().Resumes)
			db.Close()
			db = openMem(t, mem, tinyOptions(nil))
			require.Equal(t, valueN("a", 7), string(mustGet(t, db, keyN(7))), "reopened")
			require.NoError(t, db.Close())
		})
	}
}

// TestRetryableClassification pins which errors are retried.
func TestRetryableClassification(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{syscall.ENOSPC, true},
		{syscall.EDQUOT, true},
		{vfs.ShortWrite(syscall.ENOSPC), true},
		{syscall.EIO, false},
		{vfs.SyncFailed(syscall.ENOSPC), false},
		{errors.New("no space left on device"), false}, // only the errno counts
	} {
		require.Equal(t, tc.want, retryable(tc.err), "%v", tc.err)
	}
	require.True(t, strings.Contains(ErrWritesPaused.Error(), "retryable"))
}
