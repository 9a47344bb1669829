package vfs

import (
	"errors"
	"github.com/stretchr/testify/require"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// fsUnderTest returns a file system and an existing, empty directory in it.
type fsUnderTest func(t *testing.T) (FS, string)

func osUnderTest(t *testing.T) (FS, string) { return Default, t.TempDir() }

func memUnderTest(t *testing.T) (FS, string) {
	fs := NewMem()
	require.NoError(t, fs.MkdirAll("/tmp/db", 0o755))
	return fs, "/tmp/db"
}

// The same conformance suite runs against the OS and the MemFS, so the
// MemFS cannot drift from the behaviour the engine sees in production.
func TestConformanceDefault(t *testing.T) { runConformance(t, osUnderTest) }
func TestConformanceMem(t *testing.T)     { runConformance(t, memUnderTest) }

func runConformance(t *testing.T, newFS fsUnderTest) {
	tests := []struct {
		name string
		run  func(t *testing.T, fs FS, dir string)
	}{
		{"WriteReadBack", testWriteReadBack},
		{"CreateTruncates", testCreateTruncates},
		{"OpenIsReadOnly", testOpenIsReadOnly},
		{"MissingIsNotExist", testMissingIsNotExist},
		{"RenameReplaces", testRenameReplaces},
		{"RemoveAndListSorted", testRemoveAndListSorted},
		{"MkdirAllNested", testMkdirAllNested},
		{"LockExcludes", testLockExcludes},
		{"ClosedFileErrors", testClosedFileErrors},
		{"ConcurrentReadersOneWriter", testConcurrentReadersOneWriter},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs, dir := newFS(t)
			tc.run(t, fs, dir)
		})
	}
}

// writeFile creates name holding data, syncs it and closes it.
func writeFile(t *testing.T, fs FS, name, data string) {
	t.Helper()
	f, err := fs.Create(name)
	require.NoError(t, err)
	_, err = f.Write([]byte(data))
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	require.NoError(t, f.Close())
}

// readFile returns name's whole contents.
func readFile(t *testing.T, fs FS, name string) string {
	t.Helper()
	f, err := fs.Open(name)
	require.NoError(t, err)
	defer f.Close()
	b, err := io.ReadAll(f)
	require.NoError(t, err)
	return string(b)
}

func testWriteReadBack(t *testing.T, fs FS, dir string) {
	name := filepath.Join(dir, "000001.log")
	f, err := fs.Create(name)
	require.NoError(t, err)
	for _, s := range []string{"hello", "world"} {
		n, err := f.Write([]byte(s))
		require.NoError(t, err)
		require.Equal(t, len(s), n)
	}
	fi, err := f.Stat()
	require.NoError(t, err)
	require.EqualValues(t, 10, fi.Size())
	require.Equal(t, "000001.log", fi.Name())
	require.NoError(t, f.Close())

	require.Equal(t, "helloworld", readFile(t, fs, name))
	fi, err = fs.Stat(name)
	require.NoError(t, err)
	require.EqualValues(t, 10, fi.Size())
	require.False(t, fi.IsDir())

	g, err := fs.Open(name)
	require.NoError(t, err)
	defer g.Close()
	readAts := []struct {
		off     int64
		n       int
		want    string
		wantEOF bool
	}{
		{0, 5, "hello", false},
		{3, 4, "lowo", false},
		{8, 4, "ld", true},
		{10, 1, "", true},
		{99, 1, "", true},
	}
	for _, r := range readAts {
		p := make([]byte, r.n)
		n, err := g.ReadAt(p, r.off)
		require.Equal(t, r.want, string(p[:n]), "ReadAt(off=%d)", r.off)
		if r.wantEOF {
			require.ErrorIs(t, err, io.EOF, "ReadAt(off=%d)", r.off)
		} else {
			require.NoError(t, err, "ReadAt(off=%d)", r.off)
		}
	}
}

func testCreateTruncates(t *testing.T, fs FS, dir string) {
	name := filepath.Join(dir, "f")
	writeFile(t, fs, name, "old contents")
	writeFile(t, fs, name, "new")
	require.Equal(t, "new", readFile(t, fs, name))
}

func testOpenIsReadOnly(t *testing.T, fs FS, dir string) {
	name := filepath.Join(dir, "f")
	writeFile(t, fs, name, "abc")
	f, err := fs.Open(name)
	require.NoError(t, err)
	defer f.Close()
	_, err = f.Write([]byte("x"))
	require.Error(t, err)
	require.Equal(t, "abc", readFile(t, fs, name))
}

func testMissingIsNotExist(t *testing.T, fs FS, dir string) {
	missing := filepath.Join(dir, "missing")
	_, err := fs.Open(missing)
	require.ErrorIs(t, err, os.ErrNotExist)
	_, err = fs.Stat(missing)
	require.ErrorIs(t, err, os.ErrNotExist)
	require.ErrorIs(t, fs.Remove(missing), os.ErrNotExist)
	require.ErrorIs(t, fs.Rename(missing, filepath.Join(dir, "x")), os.ErrNotExist)
	_, err = fs.List(missing)
	require.ErrorIs(t, err, os.ErrNotExist)
	require.ErrorIs(t, fs.SyncDir(missing), os.ErrNotExist)
	_, err = fs.Create(filepath.Join(dir, "nodir", "f"))
	require.ErrorIs(t, err, os.ErrNotExist, "Create in a missing directory")
}

func testRenameReplaces(t *testing.T, fs FS, dir string) {
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	writeFile(t, fs, a, "A")
	writeFile(t, fs, b, "B")
	require.NoError(t, fs.Rename(a, b))
	require.Equal(t, "A", readFile(t, fs, b))
	_, err := fs.Stat(a)
	require.ErrorIs(t, err, os.ErrNotExist)
	names, err := fs.List(dir)
	require.NoError(t, err)
	require.Equal(t, []string{"b"}, names)
}

func testRemoveAndListSorted(t *testing.T, fs FS, dir string) {
	for _, n := range []string{"c", "MANIFEST-000003", "a", "000012.sst", "b"} {
		writeFile(t, fs, filepath.Join(dir, n), n)
	}
	require.NoError(t, fs.Remove(filepath.Join(dir, "b")))
	names, err := fs.List(dir)
	require.NoError(t, err)
	require.Equal(t, []string{"000012.sst", "MANIFEST-000003", "a", "c"}, names)
	require.NoError(t, fs.SyncDir(dir))
}

func testMkdirAllNested(t *testing.T, fs FS, dir string) {
	deep := filepath.Join(dir, "x", "y", "z")
	require.NoError(t, fs.MkdirAll(deep, 0o755))
	require.NoError(t, fs.MkdirAll(deep, 0o755), "MkdirAll of an existing dir")
	writeFile(t, fs, filepath.Join(deep, "f"), "deep")
	require.Equal(t, "deep", readFile(t, fs, filepath.Join(deep, "f")))
	names, err := fs.List(filepath.Join(dir, "x", "y"))
	require.NoError(t, err)
	require.Equal(t, []string{"z"}, names)
	fi, err := fs.Stat(filepath.Join(dir, "x"))
	require.NoError(t, err)
	require.True(t, fi.IsDir())
	require.NoError(t, fs.SyncDir(deep))
}

func testLockExcludes(t *testing.T, fs FS, dir string) {
	name := filepath.Join(dir, "LOCK")
	l1, err := fs.Lock(name)
	require.NoError(t, err)
	_, err = fs.Lock(name)
	require.Error(t, err, "second Lock while the first is held")
	_, err = fs.Lock(filepath.Join(dir, ".", "LOCK"))
	require.Error(t, err, "second Lock under an unclean path")
	require.NoError(t, l1.Close())
	l2, err := fs.Lock(name)
	require.NoError(t, err, "Lock after Close")
	require.NoError(t, l2.Close())
	_, err = fs.Stat(name)
	require.NoError(t, err, "Lock creates the file")
}

func testClosedFileErrors(t *testing.T, fs FS, dir string) {
	f, err := fs.Create(filepath.Join(dir, "f"))
	require.NoError(t, err)
	require.NoError(t, f.Close())
	_, err = f.Write([]byte("x"))
	require.ErrorIs(t, err, os.ErrClosed)
	_, err = f.ReadAt(make([]byte, 1), 0)
	require.ErrorIs(t, err, os.ErrClosed)
	require.ErrorIs(t, f.Sync(), os.ErrClosed)
	require.ErrorIs(t, f.Close(), os.ErrClosed)
}

// patternByte is the byte at offset i of the file the writer below builds,
// so a reader can check any range it reads without sharing state.
func patternByte(i int64) byte { return byte(i*7 + i/251) }

// testConcurrentReadersOneWriter has one goroutine append while others
// ReadAt ranges that Stat says exist; run under -race it checks the locking.
func testConcurrentReadersOneWriter(t *testing.T, fs FS, dir string) {
	const chunks, chunkLen, readers = 200, 97, 4
	name := filepath.Join(dir, "f")
	w, err := fs.Create(name)
	require.NoError(t, err)
	defer w.Close()
	r, err := fs.Open(name)
	require.NoError(t, err)
	defer r.Close()

	var wg sync.WaitGroup
	errs := make(chan error, readers+1)
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		errs <- appendPattern(w, chunks, chunkLen)
	}()
	for range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- readPattern(r, done)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func appendPattern(w File, chunks, chunkLen int) error {
	var off int64
	for c := range chunks {
		p := make([]byte, chunkLen)
		for i := range p {
			p[i] = patternByte(off + int64(i))
		}
		if _, err := w.Write(p); err != nil {
			return err
		}
		off += int64(chunkLen)
		if c%10 == 0 {
			if err := w.Sync(); err != nil {
				return err
			}
		}
	}
	return nil
}

// readPattern reads the tail of the file until done is closed, checking
// every byte against patternByte.
func readPattern(r File, done <-chan struct{}) error {
	buf := make([]byte, 64)
	for {
		select {
		case <-done:
			return nil
		default:
		}
		fi, err := r.Stat()
		if err != nil {
			return err
		}
		off := max(fi.Size()-int64(len(buf)), 0)
		n, err := r.ReadAt(buf, off)
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		for i := range n {
			if buf[i] != patternByte(off+int64(i)) {
				return errors.New("read a byte the writer never wrote")
			}
		}
	}
}
