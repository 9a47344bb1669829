package vfs

import (
	"errors"
	"io"
	"os"
)

// ErrLockHeld is wrapped by FS.Lock when another holder has the lock, so
// callers can tell "in use" from an I/O error.
var ErrLockHeld = errors.New("lock already held")

// File is an open file.
type File interface {
	io.Reader
	io.ReaderAt
	io.Writer
	io.Closer
	// Sync makes the file's data durable (fsync/fdatasync). It does not make
	// the file's directory entry durable: that needs FS.SyncDir.
	Sync() error
	// Stat returns the file's metadata; Size() is the current length.
	Stat() (os.FileInfo, error)
}

// FS is the set of file-system operations the engine needs, and no more.
// Names are slash-separated paths as used with package path/filepath.
type FS interface {
	// Create creates name for reading and writing, truncating it if it exists.
	Create(name string) (File, error)
	// Open opens name for reading.
	Open(name string) (File, error)
	// Remove removes the file name.
	Remove(name string) error
	// Rename atomically renames oldname to newname, replacing newname.
	Rename(oldname, newname string) error
	// List returns the names (not paths) of the entries in dir, sorted.
	List(dir string) ([]string, error)
	// MkdirAll creates dir and its missing parents.
	MkdirAll(dir string, perm os.FileMode) error
	// Stat returns metadata for name.
	Stat(name string) (os.FileInfo, error)
	// Lock takes an exclusive lock on name (creating it if needed) that
	// excludes other processes and other Lock calls in this process. It
	// fails at once, without waiting, if the lock is held. Close releases it.
	Lock(name string) (io.Closer, error)
	// SyncDir makes dir's entries (creates, renames, removes) durable.
	SyncDir(dir string) error
}
