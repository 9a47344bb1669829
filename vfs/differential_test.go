package vfs

import (
	"errors"
	"fmt"
	"github.com/lsmkv/lsmkv/internal/testseed"
	"github.com/stretchr/testify/require"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

func testSeed(t *testing.T) uint64 {
	return testseed.Seed(t)
}

// diffSide is one file system under the differential test, with the open
// writable handle (if any) for each name.
type diffSide struct {
	fs      FS
	dir     string
	handles map[string]File
}

// TestMemMatchesOS applies the same random creates, writes, syncs,
// renames and removes to the OS and to a MemFS, and after every step
// checks that both hold the same files with the same bytes and that every
// operation failed (with the same os sentinel) on both or on neither.
//
// The test keeps at most one writable handle per name and closes it when
// its name is removed or replaced, which keeps clear of the documented
// differences (MemFS appends; its Create makes a new inode).
func TestMemMatchesOS(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 0))
	mem := NewMem()
	require.NoError(t, mem.MkdirAll("/db", 0o755))
	sides := []*diffSide{
		{fs: Default, dir: t.TempDir(), handles: map[string]File{}},
		{fs: mem, dir: "/db", handles: map[string]File{}},
	}
	names := []string{"a", "b", "c", "sub/d", "sub/e", "nodir/f"}
	for _, s := range sides {
		require.NoError(t, s.fs.MkdirAll(filepath.Join(s.dir, "sub"), 0o755))
	}
	for step := range 400 {
		x, y := names[rng.IntN(len(names))], names[rng.IntN(len(names))]
		op := rng.IntN(5)
		data := fmt.Sprintf("<%d>", step)
		var errs []error
		for _, s := range sides {
			errs = append(errs, s.apply(op, x, y, data))
		}
		desc := fmt.Sprintf("step %d: op %d on %s, %s", step, op, x, y)
		require.Equal(t, errors.Is(errs[0], os.ErrNotExist), errors.Is(errs[1], os.ErrNotExist), "%s: errors %v vs %v", desc, errs[0], errs[1])
		require.Equal(t, errs[0] == nil, errs[1] == nil, "%s: errors %v vs %v", desc, errs[0], errs[1])
		osFiles := relative(contents(t, sides[0].fs, sides[0].dir), sides[0].dir)
		memFiles := relative(contents(t, sides[1].fs, sides[1].dir), sides[1].dir)
		require.Equal(t, osFiles, memFiles, desc)
	}
	for _, s := range sides {
		for _, f := range s.handles {
			require.NoError(t, f.Close())
		}
	}
}

func (s *diffSide) apply(op int, x, y, data string) error {
	px, py := filepath.Join(s.dir, x), filepath.Join(s.dir, y)
	switch op {
	case 0: // create
		s.closeHandle(x)
		f, err := s.fs.Create(px)
		if err == nil {
			s.handles[x] = f
		}
		return err
	case 1: // write and sync through the open handle
		if f, ok := s.handles[x]; ok {
			if _, err := f.Write([]byte(data)); err != nil {
				return err
			}
			return f.Sync()
		}
		return nil
	case 2: // rename
		if x == y {
			return nil // rename onto itself: a no-op on POSIX, skipped here
		}
		err := s.fs.Rename(px, py)
		if err == nil {
			s.closeHandle(y)
			if f, ok := s.handles[x]; ok {
				s.handles[y] = f
				delete(s.handles, x)
			}
		}
		return err
	case 3: // remove
		err := s.fs.Remove(px)
		if err == nil {
			s.closeHandle(x)
		}
		return err
	default: // list
		_, err := s.fs.List(filepath.Dir(px))
		return err
	}
}

func (s *diffSide) closeHandle(name string) {
	if f, ok := s.handles[name]; ok {
		f.Close()
		delete(s.handles, name)
	}
}

// relative strips dir from the keys of files, so two roots compare equal.
func relative(files map[string]string, dir string) map[string]string {
	out := map[string]string{}
	for k, v := range files {
		r, _ := filepath.Rel(dir, k)
		out[r] = v
	}
	return out
}
