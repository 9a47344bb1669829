//go:build unix

package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/lsmkv/lsmkv/vfs"
)

// lockExisting takes the flock a DB holds on path (its LOCK file) without
// creating the file: it opens path read-only, so a missing LOCK is an error
// wrapping os.ErrNotExist and nothing appears in the directory. The flock
// conflicts with the one vfs.Default.Lock takes, in this process or
// another, so a held lock is an error wrapping vfs.ErrLockHeld.
//
// vfs.Default.Lock cannot be used: it opens with O_CREATE, as Open needs.
func lockExisting(path string) (io.Closer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w by another process: %w", path, vfs.ErrLockHeld, err)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// Closing the file releases the flock: no other descriptor shares it.
	return f, nil
}
