package vfs

import (
	"errors"
	"github.com/stretchr/testify/require"
	"os"
	"sync"
	"syscall"
	"testing"
)

// TestNthInjectorFailsOnce writes five chunks through an injector that
// fails the third Write with ENOSPC: only that write fails, it writes
// nothing, and later writes succeed.
func TestNthInjectorFailsOnce(t *testing.T) {
	inj := OnNth(OpWrite, 3, syscall.ENOSPC)
	fs := WithErrors(NewMem(), inj)
	f, err := fs.Create("f")
	require.NoError(t, err)
	for i, chunk := range []string{"a", "b", "c", "d", "e"} {
		_, err := f.Write([]byte(chunk))
		if i == 2 {
			require.ErrorIs(t, err, syscall.ENOSPC, "write %d", i+1)
		} else {
			require.NoError(t, err, "write %d", i+1)
		}
	}
	require.NoError(t, f.Close())
	require.Equal(t, "abde", readFile(t, fs, "f"))
	require.EqualValues(t, 5, inj.Calls())
	require.True(t, inj.Fired())
}

// TestNthInjectorCountsAcrossFiles checks that n counts calls of the op
// on every file, and that other ops are not counted.
func TestNthInjectorCountsAcrossFiles(t *testing.T) {
	inj := OnNth(OpSync, 2, syscall.EIO)
	fs := WithErrors(NewMem(), inj)
	a, err := fs.Create("a")
	require.NoError(t, err)
	b, err := fs.Create("b")
	require.NoError(t, err)
	require.NoError(t, a.Sync())
	require.ErrorIs(t, b.Sync(), syscall.EIO)
	require.NoError(t, a.Sync())
	require.EqualValues(t, 3, inj.Calls())
}

func TestNthInjectorDisabledPassesThrough(t *testing.T) {
	inj := OnNth(OpCreate, 1, syscall.EIO)
	inj.Disable()
	fs := WithErrors(NewMem(), inj)
	for _, name := range []string{"a", "b", "c"} {
		_, err := fs.Create(name)
		require.NoError(t, err, name)
	}
	require.False(t, inj.Fired())
	inj.Enable() // armed: the next Create is call 1
	_, err := fs.Create("d")
	require.ErrorIs(t, err, syscall.EIO)
	_, err = fs.Stat("d")
	require.ErrorIs(t, err, os.ErrNotExist, "a failed Create creates nothing")
}

// TestMatchInjector runs each op against a MemFS holding the files
// "db/000001.log", "db/000002.sst" and "db/CURRENT" behind a MatchInjector.
func TestMatchInjector(t *testing.T) {
	type call struct {
		desc string
		do   func(fs FS) error
		fail bool
	}
	syncFile := func(name string) func(FS) error {
		return func(fs FS) error {
			f, err := fs.Open(name)
			if err != nil {
				return err
			}
			defer f.Close()
			return f.Sync()
		}
	}
	tests := []struct {
		name    string
		pattern string
		ops     []Op
		calls   []call
	}{{
		name: "SyncOfLogsOnly", pattern: "*.log", ops: []Op{OpSync},
		calls: []call{
			{"sync log", syncFile("db/000001.log"), true},
			{"sync sst", syncFile("db/000002.sst"), false},
			{"stat log", func(fs FS) error { _, err := fs.Stat("db/000001.log"); return err }, false},
		},
	}, {
		name: "EveryOpOnCurrent", pattern: "CURRENT", ops: nil,
		calls: []call{
			{"open", func(fs FS) error { _, err := fs.Open("db/CURRENT"); return err }, true},
			{"create", func(fs FS) error { _, err := fs.Create("db/CURRENT"); return err }, true},
			{"rename onto", func(fs FS) error { return fs.Rename("db/000002.sst", "db/CURRENT") }, true},
			{"remove", func(fs FS) error { return fs.Remove("db/CURRENT") }, true},
			{"list db", func(fs FS) error { _, err := fs.List("db"); return err }, false},
			{"syncdir db", func(fs FS) error { return fs.SyncDir("db") }, false},
		},
	}, {
		name: "DirectoryOps", pattern: "db", ops: []Op{OpSyncDir, OpList, OpMkdir},
		calls: []call{
			{"syncdir", func(fs FS) error { return fs.SyncDir("db") }, true},
			{"list", func(fs FS) error { _, err := fs.List("db"); return err }, true},
			{"mkdir", func(fs FS) error { return fs.MkdirAll("db", 0o755) }, true},
			{"lock", func(fs FS) error {
				l, err := fs.Lock("db/LOCK")
				if err != nil {
					return err
				}
				return l.Close()
			}, false},
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := NewMem()
			require.NoError(t, mem.MkdirAll("db", 0o755))
			for _, n := range []string{"000001.log", "000002.sst", "CURRENT"} {
				writeFile(t, mem, "db/"+n, n)
			}
			inj := OnMatch(tc.pattern, tc.ops, syscall.EIO)
			fs := WithErrors(mem, inj)
			var wantInjected int64
			for _, c := range tc.calls {
				err := c.do(fs)
				if c.fail {
					wantInjected++
					require.ErrorIs(t, err, syscall.EIO, c.desc)
				} else {
					require.NoError(t, err, c.desc)
				}
			}
			require.EqualValues(t, wantInjected, inj.Injected())
			inj.Disable()
			for _, c := range tc.calls {
				require.NoError(t, c.do(fs), "disabled: %s", c.desc)
			}
		})
	}
}

func TestInjectorFuncAndFileOps(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	closes := 0
	fail := errors.New("boom")
	inj := InjectorFunc(func(op Op, path string) error {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, op.String()+" "+path)
		if op == OpClose {
			closes++
		}
		if op == OpClose && closes == 1 {
			return fail
		}
		return nil
	})
	fs := WithErrors(NewMem(), inj)
	f, err := fs.Create("f")
	require.NoError(t, err)
	_, err = f.Write([]byte("xy"))
	require.NoError(t, err)
	_, err = f.ReadAt(make([]byte, 1), 0)
	require.NoError(t, err)
	_, err = f.Read(make([]byte, 1))
	require.NoError(t, err)
	_, err = f.Stat()
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	require.ErrorIs(t, f.Close(), fail)
	// The failed Close still closed the underlying file.
	require.ErrorIs(t, f.Close(), os.ErrClosed)
	want := []string{"create f", "write f", "read f", "read f", "stat f", "sync f", "close f", "close f"}
	require.Equal(t, want, seen)
}

func TestOpString(t *testing.T) {
	tests := []struct {
		op   Op
		want string
	}{{OpCreate, "create"}, {OpSyncDir, "syncdir"}, {OpClose, "close"}, {Op(99), "Op(99)"}}
	for _, tc := range tests {
		require.Equal(t, tc.want, tc.op.String())
	}
}

func TestOnMatchBadPatternPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("OnMatch with a bad pattern did not panic")
		}
	}()
	OnMatch("[", nil, syscall.EIO)
}

// TestInjectorsConcurrent toggles injectors while goroutines call through
// them; under -race it checks they are safe for concurrent use, and the
// Nth injector fires exactly once however the calls interleave.
func TestInjectorsConcurrent(t *testing.T) {
	nth := OnNth(OpStat, 50, syscall.EIO)
	match := OnMatch("x*", []Op{OpStat}, syscall.ENOSPC)
	mem := NewMem()
	writeFile(t, mem, "a", "")
	writeFile(t, mem, "xa", "")
	nthFS, matchFS := WithErrors(mem, nth), WithErrors(mem, match)
	var wg sync.WaitGroup
	var nthFailures sync.Map
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				if _, err := nthFS.Stat("a"); errors.Is(err, syscall.EIO) {
					nthFailures.Store(g*1000+i, true)
				}
				_, _ = matchFS.Stat("xa")
				if i%10 == 0 {
					match.Disable()
					match.Enable()
				}
			}
		}()
	}
	wg.Wait()
	n := 0
	nthFailures.Range(func(any, any) bool { n++; return true })
	require.Equal(t, 1, n, "Nth failures")
	require.EqualValues(t, 400, nth.Calls())
}

// TestShortWrite: a Write failed with a ShortWrite error writes the first
// half of its bytes, reports how many, and wraps the errno; other ops
// failed with it have no effect; the next Write is not short.
func TestShortWrite(t *testing.T) {
	inj := OnMatch("f", []Op{OpWrite, OpSync}, ShortWrite(syscall.ENOSPC))
	fs := WithErrors(NewMem(), inj)
	f, err := fs.Create("f")
	require.NoError(t, err)
	n, err := f.Write([]byte("abcdefg"))
	require.ErrorIs(t, err, syscall.ENOSPC)
	require.Equal(t, 3, n)
	require.Contains(t, err.Error(), "short write")
	require.Contains(t, err.Error(), "wrote 3 of 7 bytes")
	require.ErrorIs(t, f.Sync(), syscall.ENOSPC)
	inj.Disable()
	n, err = f.Write([]byte("xy"))
	require.NoError(t, err)
	require.Equal(t, 2, n)
	require.NoError(t, f.Close())
	require.Equal(t, "abcxy", readFile(t, fs, "f"))
	require.EqualValues(t, 2, inj.Injected())
}
