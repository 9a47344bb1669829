package vfs

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrLockHeld is wrapped by FS.Lock when another holder has the lock, so
// callers can tell "in use" from an I/O error.
var ErrLockHeld = errors.New("lock already held")

// ErrSyncFailed marks the failure of a Sync or SyncDir (SyncFailed wraps
// errors with it). After a failed fsync the kernel may have dropped dirty
// pages, so what the file holds durably is unknown: the engine never
// retries past one, whatever its errno (a full disk included).
var ErrSyncFailed = errors.New("sync failed")

// SyncFailed returns err marked with ErrSyncFailed (nil for nil), keeping
// err's own chain: errors.Is works for both.
func SyncFailed(err error) error {
	if err == nil || errors.Is(err, ErrSyncFailed) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrSyncFailed, err)
}

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

// Linker is implemented by file systems that can hard-link a file, as
// Default and MemFS do. A checkpoint links tables where it can and copies
// them where it cannot.
type Linker interface {
	// Link makes newname a second name for the file oldname. newname must
	// not exist. Like any new directory entry, it is durable only after a
	// SyncDir of its directory.
	Link(oldname, newname string) error
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
	// Rename atomically renames oldname to newname, replacing newname. A
	// directory may be renamed too, to a name that does not exist.
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
