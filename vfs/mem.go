package vfs

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// MemFS is an in-memory FS that can simulate power loss (see CrashClone).
//
// Model: the namespace is a tree of directories. Each directory keeps two
// maps from name to entry: the live view, which every operation reads and
// changes, and the durable view, which SyncDir sets to a copy of the live
// view. Each file is an inode (memNode) whose bytes up to its last Sync are
// durable. Entries point at inodes, so a renamed file keeps its data.
//
// Simplifications, chosen to keep the model small and honest:
//   - Create always makes a new inode (it does not truncate the old one in
//     place), so until SyncDir the durable name still reaches the old data.
//   - Files from Create behave as if opened with O_APPEND: Write always
//     appends, and Read has its own offset. Files from Open are read-only.
//   - MkdirAll's directories are durable at once, without a SyncDir of the
//     parent; the engine creates its directory once, before any data.
//   - Rename renames files only, never directories.
//   - "/a" and "a" name the same file: there is no working directory.
//
// Concurrency: safe for concurrent use. One mutex guards the namespace;
// each inode has its own RWMutex so readers never wait for the namespace.
type MemFS struct {
	mu    sync.Mutex // guards every memDir's maps and locks
	root  *memDir
	locks map[string]bool // cleaned paths held by Lock
	// syncMu makes CrashClone one instant: every file Sync holds it shared
	// and CrashClone exclusively, so a clone never shows a later sync of
	// one file without an earlier sync of another (say a manifest edit
	// synced after the table it names, copied before the table's sync).
	syncMu sync.RWMutex
}

var _ FS = (*MemFS)(nil)

// memDir is a directory. Invariant: every directory reachable through some
// durable view is itself a live or formerly-live directory of this MemFS.
type memDir struct {
	live    map[string]memEntry
	durable map[string]memEntry
}

// memEntry is a directory entry: exactly one of file and dir is non-nil.
type memEntry struct {
	file *memNode
	dir  *memDir
}

func newMemDir() *memDir {
	return &memDir{live: map[string]memEntry{}, durable: map[string]memEntry{}}
}

// NewMem returns an empty in-memory file system whose root directory exists.
func NewMem() *MemFS {
	return &MemFS{root: newMemDir(), locks: map[string]bool{}}
}

// memErr builds the error for a failed operation, wrapping an os sentinel so
// callers can use errors.Is(err, os.ErrNotExist) as with the real OS.
func memErr(op, path string, err error) error {
	return fmt.Errorf("lsmkv/vfs: %w", &os.PathError{Op: op, Path: path, Err: err})
}

var (
	errIsDir    = errors.New("is a directory")
	errNotDir   = errors.New("not a directory")
	errNotEmpty = errors.New("directory not empty")
	errReadOnly = fmt.Errorf("file opened read-only: %w", os.ErrPermission)
)

// split cleans name and returns its components; the root has none.
func split(name string) ([]string, error) {
	c := strings.TrimPrefix(filepath.Clean(name), "/")
	if c == "." || c == "" {
		return nil, nil
	}
	parts := strings.Split(c, "/")
	if parts[0] == ".." {
		return nil, os.ErrInvalid // no working directory to climb out of
	}
	return parts, nil
}

// walkDir returns the directory named by parts. REQUIRES: fs.mu held.
func (fs *MemFS) walkDir(parts []string) (*memDir, error) {
	d := fs.root
	for _, p := range parts {
		e, ok := d.live[p]
		switch {
		case !ok:
			return nil, os.ErrNotExist
		case e.dir == nil:
			return nil, errNotDir
		}
		d = e.dir
	}
	return d, nil
}

// parent returns the directory holding name and name's base. The root
// itself has no parent and is reported as invalid. REQUIRES: fs.mu held.
func (fs *MemFS) parent(name string) (*memDir, string, error) {
	parts, err := split(name)
	if err != nil {
		return nil, "", err
	}
	if len(parts) == 0 {
		return nil, "", os.ErrInvalid
	}
	d, err := fs.walkDir(parts[:len(parts)-1])
	return d, parts[len(parts)-1], err
}

// lookup returns the live entry for name. REQUIRES: fs.mu held.
func (fs *MemFS) lookup(name string) (memEntry, error) {
	parts, err := split(name)
	if err != nil {
		return memEntry{}, err
	}
	if len(parts) == 0 {
		return memEntry{dir: fs.root}, nil
	}
	d, err := fs.walkDir(parts[:len(parts)-1])
	if err != nil {
		return memEntry{}, err
	}
	e, ok := d.live[parts[len(parts)-1]]
	if !ok {
		return memEntry{}, os.ErrNotExist
	}
	return e, nil
}

// Create makes a new, empty file at name; its directory must exist.
func (fs *MemFS) Create(name string) (File, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	n, err := fs.create(name)
	if err != nil {
		return nil, memErr("create", name, err)
	}
	return &memFile{fs: fs, node: n, name: name, writable: true}, nil
}

// create binds name to a fresh inode. REQUIRES: fs.mu held.
func (fs *MemFS) create(name string) (*memNode, error) {
	d, base, err := fs.parent(name)
	if err != nil {
		return nil, err
	}
	if e, ok := d.live[base]; ok && e.dir != nil {
		return nil, errIsDir
	}
	n := &memNode{}
	d.live[base] = memEntry{file: n}
	return n, nil
}

// Open opens the file name read-only.
func (fs *MemFS) Open(name string) (File, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	e, err := fs.lookup(name)
	if err == nil && e.dir != nil {
		err = errIsDir
	}
	if err != nil {
		return nil, memErr("open", name, err)
	}
	return &memFile{fs: fs, node: e.file, name: name}, nil
}

// Remove removes a file or an empty directory from the live view.
func (fs *MemFS) Remove(name string) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	d, base, err := fs.parent(name)
	if err == nil {
		e, ok := d.live[base]
		switch {
		case !ok:
			err = os.ErrNotExist
		case e.dir != nil && len(e.dir.live) > 0:
			err = errNotEmpty
		default:
			delete(d.live, base)
		}
	}
	if err != nil {
		return memErr("remove", name, err)
	}
	return nil
}

// Rename moves the file oldname to newname, replacing any file there.
func (fs *MemFS) Rename(oldname, newname string) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if err := fs.rename(oldname, newname); err != nil {
		return fmt.Errorf("lsmkv/vfs: %w", &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: err})
	}
	return nil
}

// rename does Rename's work. REQUIRES: fs.mu held.
func (fs *MemFS) rename(oldname, newname string) error {
	od, obase, err := fs.parent(oldname)
	if err != nil {
		return err
	}
	nd, nbase, err := fs.parent(newname)
	if err != nil {
		return err
	}
	e, ok := od.live[obase]
	if !ok {
		return os.ErrNotExist
	}
	t, exists := nd.live[nbase]
	switch {
	case e.dir != nil && exists:
		return os.ErrExist // a directory moves only to a free name
	case e.dir != nil && nd.within(e.dir):
		return os.ErrInvalid // into itself
	case exists && t.dir != nil:
		return errIsDir
	}
	delete(od.live, obase)
	nd.live[nbase] = e
	return nil
}

// within reports whether d is sub or lies below it.
func (d *memDir) within(sub *memDir) bool {
	if d == sub {
		return true
	}
	for _, e := range sub.live {
		if e.dir != nil && d.within(e.dir) {
			return true
		}
	}
	return false
}

var _ Linker = (*MemFS)(nil)

// Link makes newname a second entry for oldname's inode, as a hard link
// does: both names see the same bytes and the same synced length.
func (fs *MemFS) Link(oldname, newname string) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	err := fs.link(oldname, newname)
	if err != nil {
		return fmt.Errorf("lsmkv/vfs: %w", &os.LinkError{Op: "link", Old: oldname, New: newname, Err: err})
	}
	return nil
}

func (fs *MemFS) link(oldname, newname string) error {
	od, obase, err := fs.parent(oldname)
	if err != nil {
		return err
	}
	nd, nbase, err := fs.parent(newname)
	if err != nil {
		return err
	}
	e, ok := od.live[obase]
	switch {
	case !ok:
		return os.ErrNotExist
	case e.dir != nil:
		return errIsDir
	}
	if _, exists := nd.live[nbase]; exists {
		return os.ErrExist
	}
	nd.live[nbase] = e
	return nil
}

// List returns the sorted names in the live view of dir.
func (fs *MemFS) List(dir string) ([]string, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	e, err := fs.lookup(dir)
	if err == nil && e.dir == nil {
		err = errNotDir
	}
	if err != nil {
		return nil, memErr("list", dir, err)
	}
	return slices.Sorted(maps.Keys(e.dir.live)), nil
}

// MkdirAll creates dir and its missing parents. perm is ignored. The new
// directories are durable at once (see the MemFS comment).
func (fs *MemFS) MkdirAll(dir string, perm os.FileMode) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	parts, err := split(dir)
	if err != nil {
		return memErr("mkdir", dir, err)
	}
	d := fs.root
	for _, p := range parts {
		e, ok := d.live[p]
		if !ok {
			e = memEntry{dir: newMemDir()}
			d.live[p] = e
			d.durable[p] = e
		}
		if e.dir == nil {
			return memErr("mkdir", dir, errNotDir)
		}
		d = e.dir
	}
	return nil
}

// Stat returns metadata for the file or directory name.
func (fs *MemFS) Stat(name string) (os.FileInfo, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	e, err := fs.lookup(name)
	if err != nil {
		return nil, memErr("stat", name, err)
	}
	base := baseName(name)
	if e.dir != nil {
		return memFileInfo{name: base, dir: true}, nil
	}
	return e.file.stat(base), nil
}

// SyncDir makes dir's live entries durable: the durable view becomes a copy
// of the live view.
func (fs *MemFS) SyncDir(dir string) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	e, err := fs.lookup(dir)
	if err == nil && e.dir == nil {
		err = errNotDir
	}
	if err != nil {
		return memErr("syncdir", dir, err)
	}
	e.dir.durable = maps.Clone(e.dir.live)
	return nil
}

// Lock takes an in-process exclusive lock on name, creating the file if it
// does not exist. Close on the result releases it.
func (fs *MemFS) Lock(name string) (io.Closer, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	key := filepath.Clean("/" + name)
	if fs.locks[key] {
		return nil, memErr("lock", name, ErrLockHeld)
	}
	e, err := fs.lookup(name)
	if errors.Is(err, os.ErrNotExist) {
		_, err = fs.create(name)
	} else if err == nil && e.dir != nil {
		err = errIsDir
	}
	if err != nil {
		return nil, memErr("lock", name, err)
	}
	fs.locks[key] = true
	return &memLock{fs: fs, key: key}, nil
}

// memLock releases a MemFS lock. Close is idempotent.
type memLock struct {
	once sync.Once
	fs   *MemFS
	key  string
}

func (l *memLock) Close() error {
	l.once.Do(func() {
		l.fs.mu.Lock()
		delete(l.fs.locks, l.key)
		l.fs.mu.Unlock()
	})
	return nil
}
