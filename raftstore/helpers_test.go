package raftstore

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"github.com/lsmkv/lsmkv"
)

// smallDB makes memtable flushes and compactions happen every few hundred
// entries, so tests cross table boundaries without writing megabytes.
func smallDB() *lsmkv.Options {
	return &lsmkv.Options{
		MemtableSize:        16 << 10,
		BlockSize:           512,
		TargetFileSize:      16 << 10,
		BaseLevelSize:       64 << 10,
		L0CompactionTrigger: 2,
		L0StopWritesTrigger: 8,
		LevelSizeMultiplier: 4,
	}
}

// openStore opens a store in a fresh directory (or dir, if given) and
// closes it when the test ends.
func openStore(t testing.TB, dir string, opts *Options) *Store {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// testLog returns a log entry whose every field depends on index, so a
// mixed-up entry is told apart.
func testLog(index uint64) *raft.Log {
	l := &raft.Log{
		Index: index,
		Term:  index/7 + 1,
		Type:  raft.LogType(index % 6),
		Data:  []byte(fmt.Sprintf("data-%d", index)),
	}
	if index%3 == 0 {
		l.Extensions = []byte(fmt.Sprintf("ext-%d", index))
	}
	if index%2 == 0 {
		l.AppendedAt = time.Unix(1700000000+int64(index), int64(index%1e9))
	}
	return l
}

// testLogs returns the entries lo through hi, inclusive.
func testLogs(lo, hi uint64) []*raft.Log {
	var logs []*raft.Log
	for i := range indexes(lo, hi) {
		logs = append(logs, testLog(i))
	}
	return logs
}

// indexes yields lo through hi inclusive, hi = math.MaxUint64 included:
// a plain "i <= hi; i++" loop never ends there, because i wraps to 0.
func indexes(lo, hi uint64) func(yield func(uint64) bool) {
	return func(yield func(uint64) bool) {
		if lo > hi {
			return
		}
		for i := lo; yield(i) && i != hi; i++ {
		}
	}
}

// sameLog compares every field; times by instant, since the location and
// monotonic reading are not stored.
func sameLog(a, b *raft.Log) bool {
	return a.Index == b.Index && a.Term == b.Term && a.Type == b.Type &&
		bytes.Equal(a.Data, b.Data) && (a.Data == nil) == (b.Data == nil) &&
		bytes.Equal(a.Extensions, b.Extensions) && (a.Extensions == nil) == (b.Extensions == nil) &&
		a.AppendedAt.Equal(b.AppendedAt)
}

// checkBounds checks FirstIndex and LastIndex.
func checkBounds(t *testing.T, s *Store, first, last uint64) {
	t.Helper()
	f, err := s.FirstIndex()
	if err != nil {
		t.Fatalf("FirstIndex: %v", err)
	}
	l, err := s.LastIndex()
	if err != nil {
		t.Fatalf("LastIndex: %v", err)
	}
	if f != first || l != last {
		t.Fatalf("bounds = [%d, %d], want [%d, %d]", f, l, first, last)
	}
}

// checkLogs checks that exactly the entries in want are present among
// indexes [lo, hi].
func checkLogs(t *testing.T, s *Store, lo, hi uint64, want func(uint64) bool) {
	t.Helper()
	for i := range indexes(lo, hi) {
		var got raft.Log
		err := s.GetLog(i, &got)
		switch {
		case want(i) && err != nil:
			t.Fatalf("GetLog(%d): %v", i, err)
		case want(i) && !sameLog(&got, testLog(i)):
			t.Fatalf("GetLog(%d) = %+v, want %+v", i, got, *testLog(i))
		case !want(i) && err != raft.ErrLogNotFound:
			t.Fatalf("GetLog(%d) = %v, want raft.ErrLogNotFound", i, err)
		}
	}
}

func inRange(lo, hi uint64) func(uint64) bool {
	return func(i uint64) bool { return i >= lo && i <= hi }
}
