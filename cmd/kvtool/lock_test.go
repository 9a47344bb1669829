package main

import (
	"errors"
	"strings"
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

// TestLockReleased checks that a command which took the lock releases it
// when done: the DB can be opened afterwards. The directory gets its LOCK
// from a first Open, since kvtool takes the lock only when LOCK exists.
func TestLockReleased(t *testing.T) {
	dir := copyFixture(t)
	openClose(t, dir)
	mustRun(t, exitOK, "check", dir)
	mustRun(t, exitOK, "scan", dir)
	openClose(t, dir)
}

// openClose opens the DB in dir (creating its LOCK) and closes it.
func openClose(t *testing.T, dir string) {
	t.Helper()
	db, err := lsmkv.Open(dir, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestLockDirSeesDBOpenedMeanwhile checks the one case where kvtool holds
// no lock without -readonly, a directory without LOCK: if a DB opens it
// while kvtool reads, releasing the "lock" reports it, and the command
// fails rather than vouch for output that may mix two states.
func TestLockDirSeesDBOpenedMeanwhile(t *testing.T) {
	dir := copyFixture(t)
	l, err := lockDir(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	openClose(t, dir)
	if err := l.Close(); err == nil || !strings.Contains(err.Error(), "a DB opened the directory while kvtool read it") {
		t.Fatalf("release after a DB opened the directory: %v, want an error saying so", err)
	}
	// With LOCK present, the next command takes the real lock and is happy.
	mustRun(t, exitOK, "check", dir)
}
