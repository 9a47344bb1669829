package main

import (
	"errors"
	"slices"
	"testing"

	"github.com/lsmkv/lsmkv"
)

// TestLockedDirRefused opens the DB (which holds its LOCK) and checks that
// every DIR command refuses, naming the lock and -readonly, while the
// -readonly variants read the directory anyway.
func TestLockedDirRefused(t *testing.T) {
	dir := copyFixture(t)
	db, err := lsmkv.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Open flushed the replayed WAL into an L0 table and started a new WAL;
	// this write lands in the new one.
	if err := db.Put([]byte("live"), []byte("writer")); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"check", dir},
		{"lsm", dir},
		{"manifest", "dump", dir},
		{"get", dir, "key000"},
		{"scan", dir},
	} {
		r := mustRun(t, exitFailure, args...)
		requireContains(t, r.stderr, "LOCK", "-readonly", lsmkv.ErrLocked.Error())
	}
	r := mustRun(t, exitOK, "scan", "-readonly", dir, "-start", "key399")
	requireLines(t, r.stdout, `"key400" = "wal-only"`, `"live" = "writer"`, "3 entries")
	r = mustRun(t, exitOK, "get", "-readonly", dir, "key000")
	requireLines(t, r.stdout, `"wal-only"`)
}

// TestLockErrorWrapsErrLocked checks the error value itself, which the
// output tests can only see as text.
func TestLockErrorWrapsErrLocked(t *testing.T) {
	dir := copyFixture(t)
	db, err := lsmkv.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := lockDir(dir, false); !errors.Is(err, lsmkv.ErrLocked) {
		t.Fatalf("lockDir on a DB's directory: %v, want an error wrapping lsmkv.ErrLocked", err)
	}
	l, err := lockDir(dir, true)
	if err != nil {
		t.Fatalf("lockDir with readOnly: %v", err)
	}
	l.Close()
}

// TestLockReleased checks that a command releases the lock when done: the
// DB can be opened afterwards.
func TestLockReleased(t *testing.T) {
	dir := copyFixture(t)
	mustRun(t, exitOK, "check", dir)
	mustRun(t, exitOK, "scan", dir)
	db, err := lsmkv.Open(dir, nil)
	if err != nil {
		t.Fatalf("Open after kvtool: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestReadOnlyCreatesNothing runs every DIR command with -readonly on a
// directory without a LOCK file and checks that no file appeared or
// changed name (file contents are compared by the golden test's rerun).
func TestReadOnlyCreatesNothing(t *testing.T) {
	dir := copyFixture(t)
	before := listDir(t, dir)
	for _, args := range [][]string{
		{"check", "-readonly", dir},
		{"lsm", "-readonly", dir},
		{"manifest", "dump", "-readonly", dir},
		{"get", "-readonly", dir, "key000"},
		{"scan", "-readonly", dir},
	} {
		mustRun(t, exitOK, args...)
	}
	if after := listDir(t, dir); !slices.Equal(before, after) {
		t.Fatalf("-readonly changed the directory: before %v, after %v", before, after)
	}
	// Without -readonly the only new file is the LOCK.
	mustRun(t, exitOK, "check", dir)
	if after := listDir(t, dir); !slices.Equal(after, slices.Sorted(slices.Values(append(before, "LOCK")))) {
		t.Fatalf("check changed the directory: before %v, after %v", before, after)
	}
}
