package raftstore

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/hashicorp/raft"
	"github.com/lsmkv/lsmkv"
)

// TestKeyNotFound: Get and GetUint64 of an absent key fail the way raft
// checks them (NewRaft and HasExistingState compare err.Error() with
// "not found"), and with ErrKeyNotFound itself for errors.Is users.
func TestKeyNotFound(t *testing.T) {
	s := openStore(t, "", nil)
	if _, err := s.Get([]byte("CurrentTerm")); err == nil || err.Error() != "not found" || err != ErrKeyNotFound {
		t.Fatalf("Get of an absent key = %v, want exactly ErrKeyNotFound (text \"not found\")", err)
	}
	if _, err := s.GetUint64([]byte("LastVoteTerm")); err == nil || err.Error() != "not found" || err != ErrKeyNotFound {
		t.Fatalf("GetUint64 of an absent key = %v, want exactly ErrKeyNotFound", err)
	}
	// raft.HasExistingState is the caller that decides whether a node
	// restarts or bootstraps: on an empty store it must say "no", not fail.
	has, err := raft.HasExistingState(s, s, raft.NewInmemSnapshotStore())
	if err != nil || has {
		t.Fatalf("HasExistingState on an empty store = %v, %v; want false, nil", has, err)
	}
}

func TestSetGet(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, nil)
	want := map[string][]byte{
		"k":                {1, 2, 3},
		"":                 []byte("empty key"),
		"empty value":      {},
		"\x01\x00\x00\x00": []byte("looks like a log key"),
	}
	for k, v := range want {
		if err := s.Set([]byte(k), v); err != nil {
			t.Fatalf("Set(%q): %v", k, err)
		}
	}
	if err := s.Set([]byte("k"), []byte("overwritten")); err != nil {
		t.Fatal(err)
	}
	want["k"] = []byte("overwritten")
	check := func(s *Store) {
		t.Helper()
		for k, v := range want {
			got, err := s.Get([]byte(k))
			if err != nil || !bytes.Equal(got, v) {
				t.Fatalf("Get(%q) = %q, %v; want %q", k, got, err, v)
			}
		}
	}
	check(s)
	// Stable keys live in their own key space: they are not log entries.
	checkBounds(t, s, 0, 0)
	s.Close()
	s = openStore(t, dir, nil)
	check(s)
	checkBounds(t, s, 0, 0)
}

func TestSetGetUint64(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, nil)
	want := map[string]uint64{"CurrentTerm": 7, "LastVoteTerm": 0, "max": math.MaxUint64}
	for k, v := range want {
		if err := s.SetUint64([]byte(k), v); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetUint64([]byte("CurrentTerm"), 8); err != nil {
		t.Fatal(err)
	}
	want["CurrentTerm"] = 8
	for _, reopen := range []bool{false, true} {
		if reopen {
			s.Close()
			s = openStore(t, dir, nil)
		}
		for k, v := range want {
			if got, err := s.GetUint64([]byte(k)); err != nil || got != v {
				t.Fatalf("GetUint64(%q) (reopened: %v) = %d, %v; want %d", k, reopen, got, err, v)
			}
		}
	}
}

// TestGetUint64WrongLength: a value Set stored that is not 8 bytes long is
// reported as corruption naming the key, not decoded from a short slice.
func TestGetUint64WrongLength(t *testing.T) {
	s := openStore(t, "", nil)
	if err := s.Set([]byte("short"), []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	_, err := s.GetUint64([]byte("short"))
	if !errors.Is(err, lsmkv.ErrCorruption) || !strings.Contains(err.Error(), `"short"`) {
		t.Fatalf("GetUint64 of a 3-byte value = %v, want corruption naming the key", err)
	}
}

// TestKeySpacesApart: log entries and stable values never answer for each
// other. The bug this guards against: an LSM raft store whose FirstIndex
// scanned without bounds decoded a configuration key as a log index.
func TestKeySpacesApart(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, nil)
	// Stable keys that sort before, inside and after any log key bytes.
	for _, k := range []string{"\x00", "\x01\x00\x00\x00\x00\x00\x00\x00\x05", "\xff\xff"} {
		if err := s.SetUint64([]byte(k), 99); err != nil {
			t.Fatal(err)
		}
	}
	checkBounds(t, s, 0, 0)
	if err := s.StoreLogs(testLogs(3, 5)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRange(0, math.MaxUint64); err != nil {
		t.Fatal(err)
	}
	checkBounds(t, s, 0, 0)
	for _, k := range []string{"\x00", "\x01\x00\x00\x00\x00\x00\x00\x00\x05", "\xff\xff"} {
		if v, err := s.GetUint64([]byte(k)); err != nil || v != 99 {
			t.Fatalf("GetUint64(%q) after deleting the whole log = %d, %v; want 99", k, v, err)
		}
	}
	s.Close()
	s = openStore(t, dir, nil)
	checkBounds(t, s, 0, 0)
}

// TestOpenForeignDB: a directory holding some other program's lsmkv data is
// refused rather than read as a raft log.
func TestOpenForeignDB(t *testing.T) {
	dir := t.TempDir()
	db, err := lsmkv.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Put([]byte("user"), []byte("data")); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if s, err := Open(dir, nil); err == nil {
		s.Close()
		t.Fatal("Open of a DB without the format marker succeeded")
	}
}

// TestClosed: every method fails after Close, without a panic.
func TestClosed(t *testing.T) {
	s := openStore(t, "", nil)
	if err := s.StoreLogs(testLogs(1, 2)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	var l raft.Log
	for name, err := range map[string]error{
		"GetLog":      s.GetLog(1, &l),
		"StoreLogs":   s.StoreLogs(testLogs(3, 3)),
		"DeleteRange": s.DeleteRange(1, 1),
		// Calls that would write nothing still report the closed store.
		"StoreLogs(nil)":              s.StoreLogs(nil),
		"DeleteRange outside the log": s.DeleteRange(100, 200),
		"DeleteRange with from > to":  s.DeleteRange(2, 1),
		"Set":                         s.Set([]byte("k"), nil),
	} {
		if !errors.Is(err, lsmkv.ErrClosed) {
			t.Errorf("%s after Close = %v, want lsmkv.ErrClosed", name, err)
		}
	}
	if _, err := s.FirstIndex(); !errors.Is(err, lsmkv.ErrClosed) {
		t.Errorf("FirstIndex after Close = %v", err)
	}
	if _, err := s.Get([]byte("k")); !errors.Is(err, lsmkv.ErrClosed) {
		t.Errorf("Get after Close = %v", err)
	}
}
