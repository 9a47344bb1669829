package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/lsmkv/lsmkv"
	"github.com/lsmkv/lsmkv/internal/corruption"
	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/vfs"
)

// dirFlags holds the flag every DIR command shares.
type dirFlags struct {
	readOnly bool
}

func (d *dirFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&d.readOnly, "readonly", false,
		"do not take the directory's LOCK (read even while a DB has it open); create nothing")
}

// lockDir takes dir's LOCK file, so that no DB writes (flushes, compacts,
// deletes files) while kvtool reads, and returns the lock to Close. With
// readOnly it takes nothing and creates nothing, returning a no-op closer.
//
// A held lock gives an error wrapping lsmkv.ErrLocked. Lock creates the
// LOCK file if it is missing, as Open does.
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
	l, err := vfs.Default.Lock(filename.Path(dir, filename.Lock, 0))
	if err != nil {
		return nil, fmt.Errorf("lsmkv/kvtool: %s: cannot take the LOCK (is a DB using it?): %v; "+
			"pass -readonly to read without the lock: %w", dir, err, lsmkv.ErrLocked)
	}
	return l, nil
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// withLockedDir runs fn while holding dir's lock (see lockDir).
func withLockedDir(e *env, dir string, readOnly bool, fn func() int) int {
	l, err := lockDir(dir, readOnly)
	if err != nil {
		return e.fail(err)
	}
	status := fn()
	if err := l.Close(); err != nil {
		fmt.Fprintf(e.stderr, "lsmkv/kvtool: releasing the lock of %s: %v\n", dir, err)
	}
	return status
}

// Format constants: CURRENT holds a manifest's name and one newline
// (docs/format-manifest.md).
const (
	currentSuffix  = "\n"
	maxCurrentSize = 64
)

// currentManifest returns the path of the manifest that dir's CURRENT
// names.
func currentManifest(dir string) (string, error) {
	path := filename.Path(dir, filename.Current, 0)
	data, err := readFile(path)
	if err != nil {
		return "", err
	}
	name, err := parseCurrent(path, data)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, name), nil
}

// parseCurrent returns the manifest name that CURRENT's contents data hold.
// Anything but one canonical MANIFEST-NNNNNN name and a newline is a
// corruption error naming CURRENT (path).
func parseCurrent(path string, data []byte) (string, error) {
	name, ok := strings.CutSuffix(string(data), currentSuffix)
	kind, num, parsed := filename.Parse(name)
	if len(data) > maxCurrentSize || !ok || !parsed || kind != filename.Manifest || filename.Make(kind, num) != name {
		return "", fmt.Errorf("lsmkv/kvtool: %w", corruption.Errorf(path, 0,
			"holds %s, not a MANIFEST-NNNNNN name and a newline", strconv.QuoteToASCII(string(data[:min(len(data), maxCurrentSize)]))))
	}
	return name, nil
}
