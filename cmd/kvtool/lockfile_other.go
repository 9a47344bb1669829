//go:build !unix

package main

import (
	"io"

	"github.com/lsmkv/lsmkv/vfs"
)

// lockExisting takes path (a DB's LOCK file) the way the DB does, but only
// if it exists: a missing LOCK is an error wrapping os.ErrNotExist. Without
// flock there is no way to lock a file opened read-only, so this calls
// vfs.Default.Lock, which would create LOCK if it vanished between the
// Stat and the Lock; nothing in lsmkv deletes LOCK, so only an outside
// remover could race with it.
func lockExisting(path string) (io.Closer, error) {
	if _, err := vfs.Default.Stat(path); err != nil {
		return nil, err
	}
	return vfs.Default.Lock(path)
}
