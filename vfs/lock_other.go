//go:build !unix

package vfs

import "os"

// On platforms without flock, Default.Lock excludes only other Lock calls
// in this process (through heldLocks), not other processes.
func lockFile(*os.File) error   { return nil }
func unlockFile(*os.File) error { return nil }
