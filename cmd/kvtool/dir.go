package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/lsmkv/lsmkv"
	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/manifest"
	"github.com/lsmkv/lsmkv/vfs"
)

// dirFlags holds the flag every DIR command shares.
type dirFlags struct {
	readOnly bool
}

func (d *dirFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&d.readOnly, "readonly", false,
		"read without the directory's LOCK, even while a DB has it open (and may change files mid-read)")
}

// lockDir keeps live DBs from changing dir while kvtool reads it, and
// returns what to Close when done. It creates and changes no file in dir:
// inspecting a directory must not alter it. With readOnly it takes nothing,
// returning a no-op closer.
//
// A DB holds a flock on its LOCK file for as long as it is open; Open
// creates LOCK when it is missing, and nothing in lsmkv removes it. So:
//
//   - LOCK exists: kvtool takes the same flock on it (lockExisting, which
//     opens it without creating anything). While a DB holds it, the error
//     wraps lsmkv.ErrLocked.
//   - LOCK is missing: no DB has the directory open. Taking a lock would
//     mean creating LOCK, so kvtool takes none and instead watches: Close
//     fails if LOCK appeared meanwhile, that is, if a DB opened the
//     directory during the read and may have changed it.
func lockDir(dir string, readOnly bool) (io.Closer, error) {
	fi, err := vfs.Default.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("lsmkv/kvtool: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("lsmkv/kvtool: %s is not a directory", dir)
	}
	if readOnly {
		return nopCloser{}, nil
	}
	path := filename.Path(dir, filename.Lock, 0)
	l, err := lockExisting(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return lockWatch{dir: dir, path: path}, nil
	case errors.Is(err, vfs.ErrLockHeld):
		return nil, fmt.Errorf("lsmkv/kvtool: %s: cannot take the LOCK (is a DB using it?): %v; "+
			"pass -readonly to read without the lock: %w", dir, err, lsmkv.ErrLocked)
	case err != nil:
		return nil, fmt.Errorf("lsmkv/kvtool: %s: cannot take the LOCK: %w", dir, err)
	}
	return l, nil
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// lockWatch stands in for the lock of a directory without a LOCK file.
type lockWatch struct {
	dir, path string
}

// Close reports whether a DB opened the directory since lockDir.
func (w lockWatch) Close() error {
	if _, err := vfs.Default.Stat(w.path); err == nil {
		return fmt.Errorf("lsmkv/kvtool: %s: a DB opened the directory while kvtool read it (%s appeared), "+
			"so the output may mix states from before and after; run the command again", w.dir, w.path)
	}
	return nil
}

// withLockedDir runs fn while holding dir's lock (see lockDir). A failure
// to release it, or a DB that opened the directory during fn, turns a
// success into exitFailure: the output may not be trustworthy.
func withLockedDir(e *env, dir string, readOnly bool, fn func() int) int {
	l, err := lockDir(dir, readOnly)
	if err != nil {
		return e.fail(err)
	}
	status := fn()
	if err := l.Close(); err != nil {
		fmt.Fprintln(e.stderr, err)
		status = max(status, exitFailure)
	}
	return status
}

// currentManifest returns the path of the manifest that dir's CURRENT
// names, read by the engine's own manifest.ReadCurrent.
func currentManifest(dir string) (string, error) {
	num, err := manifest.ReadCurrent(vfs.Default, dir)
	if err != nil {
		return "", fmt.Errorf("lsmkv/kvtool: %w", err)
	}
	return filename.Path(dir, filename.Manifest, num), nil
}
