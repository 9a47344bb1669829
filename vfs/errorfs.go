package vfs

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Op names an FS or File operation, for fault injection.
type Op int

// The operations WithErrors reports to its Injector. Read covers Read and
// ReadAt; Stat covers FS.Stat and File.Stat; Close covers File.Close.
const (
	OpCreate Op = iota
	OpOpen
	OpRead
	OpWrite
	OpSync
	OpRemove
	OpRename
	OpList
	OpMkdir
	OpStat
	OpLock
	OpSyncDir
	OpClose
	OpLink
	numOps
)

var opNames = [numOps]string{
	"create", "open", "read", "write", "sync", "remove", "rename",
	"list", "mkdir", "stat", "lock", "syncdir", "close", "link",
}

func (op Op) String() string {
	if op < 0 || op >= numOps {
		return fmt.Sprintf("Op(%d)", int(op))
	}
	return opNames[op]
}

// Injector decides whether an operation fails. MaybeError is called before
// the operation runs; a non-nil result is returned (wrapped) instead of
// running it. path is the name the operation was given; for Rename it is
// the new name, the one whose meaning changes; for File methods it is the
// name the file was opened with.
//
// Implementations must be safe for concurrent use.
type Injector interface {
	MaybeError(op Op, path string) error
}

// InjectorFunc adapts a function to the Injector interface.
type InjectorFunc func(op Op, path string) error

// MaybeError calls f(op, path).
func (f InjectorFunc) MaybeError(op Op, path string) error { return f(op, path) }

// WithErrors returns an FS that consults inj before every FS and File
// operation on fs. An injected error is wrapped so errors.Is(err, injected)
// holds (pass syscall.ENOSPC or syscall.EIO to simulate a full or failing
// disk).
//
// The failure model is the simplest honest one: a failed operation has no
// effect at all. A failing Write writes nothing, a failing Sync makes
// nothing durable. Two exceptions: a Write failed with an error made by
// ShortWrite first writes part of its bytes, and a failing Close still
// closes the underlying file, so that tests do not leak handles.
func WithErrors(fs FS, inj Injector) FS {
	return &errorFS{fs: fs, inj: inj}
}

type errorFS struct {
	fs  FS
	inj Injector
}

var _ FS = (*errorFS)(nil)

// injectErr asks inj about (op, path) and wraps any error it returns.
func injectErr(inj Injector, op Op, path string) error {
	if err := inj.MaybeError(op, path); err != nil {
		return fmt.Errorf("lsmkv/vfs: injected %s %s: %w", op, path, err)
	}
	return nil
}

func (e *errorFS) Create(name string) (File, error) {
	if err := injectErr(e.inj, OpCreate, name); err != nil {
		return nil, err
	}
	f, err := e.fs.Create(name)
	if err != nil {
		return nil, err
	}
	return &errorFile{f: f, name: name, inj: e.inj}, nil
}

func (e *errorFS) Open(name string) (File, error) {
	if err := injectErr(e.inj, OpOpen, name); err != nil {
		return nil, err
	}
	f, err := e.fs.Open(name)
	if err != nil {
		return nil, err
	}
	return &errorFile{f: f, name: name, inj: e.inj}, nil
}

func (e *errorFS) Remove(name string) error {
	if err := injectErr(e.inj, OpRemove, name); err != nil {
		return err
	}
	return e.fs.Remove(name)
}

func (e *errorFS) Rename(oldname, newname string) error {
	if err := injectErr(e.inj, OpRename, newname); err != nil {
		return err
	}
	return e.fs.Rename(oldname, newname)
}

var _ Linker = (*errorFS)(nil)

// Link links through the wrapped FS, or fails with errors.ErrUnsupported
// if it cannot link (callers then copy). path is newname, as for Rename.
func (e *errorFS) Link(oldname, newname string) error {
	l, ok := e.fs.(Linker)
	if !ok {
		return fmt.Errorf("lsmkv/vfs: link %s: %w", newname, errors.ErrUnsupported)
	}
	if err := injectErr(e.inj, OpLink, newname); err != nil {
		return err
	}
	return l.Link(oldname, newname)
}

func (e *errorFS) List(dir string) ([]string, error) {
	if err := injectErr(e.inj, OpList, dir); err != nil {
		return nil, err
	}
	return e.fs.List(dir)
}

func (e *errorFS) MkdirAll(dir string, perm os.FileMode) error {
	if err := injectErr(e.inj, OpMkdir, dir); err != nil {
		return err
	}
	return e.fs.MkdirAll(dir, perm)
}

func (e *errorFS) Stat(name string) (os.FileInfo, error) {
	if err := injectErr(e.inj, OpStat, name); err != nil {
		return nil, err
	}
	return e.fs.Stat(name)
}

func (e *errorFS) Lock(name string) (io.Closer, error) {
	if err := injectErr(e.inj, OpLock, name); err != nil {
		return nil, err
	}
	return e.fs.Lock(name)
}

func (e *errorFS) SyncDir(dir string) error {
	if err := injectErr(e.inj, OpSyncDir, dir); err != nil {
		return err
	}
	return e.fs.SyncDir(dir)
}

// errorFile consults the injector before each File operation.
type errorFile struct {
	f    File
	name string
	inj  Injector
}

var _ File = (*errorFile)(nil)

func (e *errorFile) Read(p []byte) (int, error) {
	if err := injectErr(e.inj, OpRead, e.name); err != nil {
		return 0, err
	}
	return e.f.Read(p)
}

func (e *errorFile) ReadAt(p []byte, off int64) (int, error) {
	if err := injectErr(e.inj, OpRead, e.name); err != nil {
		return 0, err
	}
	return e.f.ReadAt(p, off)
}

func (e *errorFile) Write(p []byte) (int, error) {
	err := injectErr(e.inj, OpWrite, e.name)
	if err == nil {
		return e.f.Write(p)
	}
	var short *shortWriteError
	if !errors.As(err, &short) {
		return 0, err
	}
	n, werr := e.f.Write(p[:len(p)/2])
	if werr != nil {
		return n, werr
	}
	return n, fmt.Errorf("%w (wrote %d of %d bytes)", err, n, len(p))
}

func (e *errorFile) Sync() error {
	if err := injectErr(e.inj, OpSync, e.name); err != nil {
		return err
	}
	return e.f.Sync()
}

// Truncate truncates through the wrapped file if it can (its failures
// count as OpWrite); otherwise it reports errors.ErrUnsupported.
func (e *errorFile) Truncate(size int64) error {
	t, ok := e.f.(interface{ Truncate(int64) error })
	if !ok {
		return fmt.Errorf("lsmkv/vfs: truncate %s: %w", e.name, errors.ErrUnsupported)
	}
	if err := injectErr(e.inj, OpWrite, e.name); err != nil {
		return err
	}
	return t.Truncate(size)
}

func (e *errorFile) Stat() (os.FileInfo, error) {
	if err := injectErr(e.inj, OpStat, e.name); err != nil {
		return nil, err
	}
	return e.f.Stat()
}

func (e *errorFile) Close() error {
	injected := injectErr(e.inj, OpClose, e.name)
	err := e.f.Close()
	if injected != nil {
		return injected
	}
	return err
}
