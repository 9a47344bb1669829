package vfs

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// Default is the operating system's file system.
//
// Files it returns are *os.File values. Lock takes a flock(2) on the named
// file (on Unix), so it excludes other processes; a process-wide set of held
// paths also makes a second Lock in this process fail, whatever the platform.
var Default FS = osFS{}

var _ FS = osFS{}

type osFS struct{}

// wrapOS prefixes an os error with the package name, keeping it unwrappable
// so errors.Is(err, os.ErrNotExist) still holds.
func wrapOS(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("lsmkv/vfs: %w", err)
}

func (osFS) Create(name string) (File, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, wrapOS(err)
	}
	return f, nil
}

func (osFS) Open(name string) (File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, wrapOS(err)
	}
	return f, nil
}

func (osFS) Remove(name string) error { return wrapOS(os.Remove(name)) }

func (osFS) Rename(oldname, newname string) error { return wrapOS(os.Rename(oldname, newname)) }

var _ Linker = osFS{}

func (osFS) Link(oldname, newname string) error { return wrapOS(os.Link(oldname, newname)) }

func (osFS) MkdirAll(dir string, perm os.FileMode) error { return wrapOS(os.MkdirAll(dir, perm)) }

func (osFS) Stat(name string) (os.FileInfo, error) {
	fi, err := os.Stat(name)
	return fi, wrapOS(err)
}

// List returns the sorted names in dir; os.ReadDir already sorts them.
func (osFS) List(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, wrapOS(err)
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names, nil
}

// SyncDir fsyncs the directory itself, which is what makes the creation,
// renaming and removal of its entries durable on POSIX systems.
func (osFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return wrapOS(err)
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return wrapOS(err)
	}
	return wrapOS(d.Close())
}

// heldLocks is the set of absolute paths locked through Default by this
// process. flock already excludes a second open file description, but the
// set makes the in-process rule explicit and holds on every platform.
var heldLocks struct {
	sync.Mutex
	paths map[string]bool
}

func (osFS) Lock(name string) (io.Closer, error) {
	abs, err := filepath.Abs(name)
	if err != nil {
		return nil, wrapOS(err)
	}
	heldLocks.Lock()
	defer heldLocks.Unlock()
	if heldLocks.paths[abs] {
		return nil, fmt.Errorf("lsmkv/vfs: lock %s: %w by this process", name, ErrLockHeld)
	}
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, wrapOS(err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("lsmkv/vfs: lock %s: %w by another process: %w", name, ErrLockHeld, err)
	}
	if heldLocks.paths == nil {
		heldLocks.paths = make(map[string]bool)
	}
	heldLocks.paths[abs] = true
	return &osLock{f: f, abs: abs}, nil
}

// osLock releases a Default lock. Close is idempotent.
type osLock struct {
	once sync.Once
	f    *os.File
	abs  string
}

func (l *osLock) Close() error {
	err := os.ErrClosed
	l.once.Do(func() {
		// Unlock before forgetting the path, so that a Lock that succeeds
		// after Close never races with our flock still being held.
		err = errors.Join(unlockFile(l.f), l.f.Close())
		heldLocks.Lock()
		delete(heldLocks.paths, l.abs)
		heldLocks.Unlock()
	})
	return wrapOS(err)
}
