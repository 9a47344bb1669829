//go:build unix

package vfs

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive flock without blocking: a held lock returns
// EWOULDBLOCK at once rather than waiting.
func lockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

func unlockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}
