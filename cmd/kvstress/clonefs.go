package main

import (
	"path/filepath"

	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/vfs"
)

// cloneFS is the MemFS a power-loss cycle runs on. Its crash clones are
// MemFS.CrashClone's, each one instant (the MemFS's sync lock keeps every
// Sync out while it copies). The wrapper exists for one test hook:
// dropWALSyncs makes Sync of a WAL succeed without syncing, the bug a
// power-loss check exists to catch, so the tests can show it is caught.
//
// Concurrency: safe for concurrent use, like MemFS.
type cloneFS struct {
	*vfs.MemFS
	dropWALSyncs bool
}

var _ vfs.FS = (*cloneFS)(nil)

func newCloneFS(mem *vfs.MemFS, dropWALSyncs bool) *cloneFS {
	return &cloneFS{MemFS: mem, dropWALSyncs: dropWALSyncs}
}

// crashClone is the state a power loss now would leave.
func (fs *cloneFS) crashClone() *vfs.MemFS { return fs.MemFS.CrashClone() }

func (fs *cloneFS) Create(name string) (vfs.File, error) {
	f, err := fs.MemFS.Create(name)
	return fs.wrap(f, name), err
}

func (fs *cloneFS) Open(name string) (vfs.File, error) {
	f, err := fs.MemFS.Open(name)
	return fs.wrap(f, name), err
}

func (fs *cloneFS) wrap(f vfs.File, name string) vfs.File {
	if f == nil || !fs.dropWALSyncs {
		return f
	}
	if kind, _, _ := filename.Parse(filepath.Base(name)); kind != filename.Log {
		return f
	}
	return lyingSyncFile{f}
}

// lyingSyncFile is a WAL whose Sync does nothing (test hook).
type lyingSyncFile struct{ vfs.File }

func (lyingSyncFile) Sync() error { return nil }
