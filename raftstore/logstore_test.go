package raftstore

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/raft"
	"github.com/lsmkv/lsmkv"
	"github.com/lsmkv/lsmkv/internal/testseed"
)

func TestEmptyStore(t *testing.T) {
	s := openStore(t, "", nil)
	checkBounds(t, s, 0, 0)
	var l raft.Log
	// raft compares with ==, so the error must not be wrapped.
	if err := s.GetLog(1, &l); err != raft.ErrLogNotFound {
		t.Fatalf("GetLog on an empty store = %v, want raft.ErrLogNotFound", err)
	}
	if err := s.DeleteRange(1, 10); err != nil {
		t.Fatalf("DeleteRange on an empty store: %v", err)
	}
	checkBounds(t, s, 0, 0)
}

// logOp is one step of a log-store scenario: store [lo, hi] or delete
// [lo, hi].
type logOp struct {
	del    bool
	lo, hi uint64
}

// TestLogOps runs scenarios of stores and deletes and checks, after every
// step and again after reopening, the bounds and every entry against a
// model.
func TestLogOps(t *testing.T) {
	tests := []struct {
		name        string
		ops         []logOp
		first, last uint64
	}{
		{"first and last index", []logOp{{lo: 1, hi: 10}}, 1, 10},
		{"index 0 alone", []logOp{{lo: 0, hi: 0}}, 0, 0},
		{"index 0 then more", []logOp{{lo: 0, hi: 0}, {lo: 1, hi: 3}}, 0, 3},
		{"delete index 0", []logOp{{lo: 0, hi: 3}, {del: true, lo: 0, hi: 0}}, 1, 3},
		{"delete head", []logOp{{lo: 1, hi: 10}, {del: true, lo: 1, hi: 4}}, 5, 10},
		{"delete head from below", []logOp{{lo: 5, hi: 10}, {del: true, lo: 0, hi: 6}}, 7, 10},
		{"delete tail", []logOp{{lo: 1, hi: 10}, {del: true, lo: 8, hi: 10}}, 1, 7},
		{"delete tail past the end", []logOp{{lo: 1, hi: 10}, {del: true, lo: 8, hi: math.MaxUint64}}, 1, 7},
		{"delete middle", []logOp{{lo: 1, hi: 10}, {del: true, lo: 4, hi: 6}}, 1, 10},
		{"delete all", []logOp{{lo: 1, hi: 10}, {del: true, lo: 1, hi: 10}}, 0, 0},
		{"delete all, wider", []logOp{{lo: 3, hi: 10}, {del: true, lo: 0, hi: math.MaxUint64}}, 0, 0},
		{"delete nothing: below", []logOp{{lo: 5, hi: 10}, {del: true, lo: 1, hi: 4}}, 5, 10},
		{"delete nothing: above", []logOp{{lo: 5, hi: 10}, {del: true, lo: 11, hi: 20}}, 5, 10},
		{"delete nothing: min > max", []logOp{{lo: 5, hi: 10}, {del: true, lo: 8, hi: 6}}, 5, 10},
		{"delete then append", []logOp{{lo: 1, hi: 10}, {del: true, lo: 1, hi: 10}, {lo: 11, hi: 12}}, 11, 12},
		{"head deleted over a gap", []logOp{{lo: 1, hi: 3}, {lo: 8, hi: 9}, {del: true, lo: 1, hi: 5}}, 8, 9},
		{"tail deleted over a gap", []logOp{{lo: 1, hi: 3}, {lo: 8, hi: 9}, {del: true, lo: 5, hi: 9}}, 1, 3},
		// Over pointDeleteLimit indexes: one range tombstone, not point deletes.
		{"delete head, range tombstone", []logOp{{lo: 1, hi: 100}, {del: true, lo: 0, hi: 60}}, 61, 100},
		{"delete tail, range tombstone", []logOp{{lo: 1, hi: 100}, {del: true, lo: 40, hi: math.MaxUint64}}, 1, 39},
		{"delete middle, range tombstone", []logOp{{lo: 1, hi: 100}, {del: true, lo: 20, hi: 80}}, 1, 100},
		{"delete all to max index, range tombstone", []logOp{{lo: math.MaxUint64 - 40, hi: math.MaxUint64},
			{del: true, lo: math.MaxUint64 - 40, hi: math.MaxUint64}}, 0, 0},
		{"delete head below max index, range tombstone", []logOp{{lo: math.MaxUint64 - 40, hi: math.MaxUint64},
			{del: true, lo: 0, hi: math.MaxUint64 - 1}}, math.MaxUint64, math.MaxUint64},
		{"max index", []logOp{{lo: math.MaxUint64 - 2, hi: math.MaxUint64}, {del: true, lo: math.MaxUint64 - 2, hi: math.MaxUint64 - 2}},
			math.MaxUint64 - 1, math.MaxUint64},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openStore(t, dir, nil)
			m := newLogModel()
			for _, op := range tc.ops {
				applyOp(t, s, m, op)
				m.check(t, s)
			}
			checkBounds(t, s, tc.first, tc.last)
			s.Close()
			s = openStore(t, dir, nil)
			checkBounds(t, s, tc.first, tc.last)
			m.check(t, s)
		})
	}
}

// TestLogOpsRandom runs random stores (with gaps and overwrites) and
// deletes against the model, through memtable flushes and compactions,
// and reopens now and then: the bounds Open computes must match the ones
// the writes maintained.
func TestLogOpsRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(testseed.Seed(t), 7))
	dir := t.TempDir()
	s := openStore(t, dir, &Options{DB: smallDB(), NoSync: true})
	m := newLogModel()
	for i := 0; i < 400; i++ {
		var op logOp
		switch r := rng.IntN(10); {
		case r < 6:
			op.lo = uint64(rng.IntN(500))
			op.hi = op.lo + uint64(rng.IntN(20))
		default:
			op = logOp{del: true, lo: uint64(rng.IntN(520)), hi: uint64(rng.IntN(520))}
		}
		applyOp(t, s, m, op)
		m.checkBounds(t, s)
		if rng.IntN(50) == 0 {
			m.check(t, s)
			s.Close()
			s = openStore(t, dir, &Options{DB: smallDB(), NoSync: true})
			m.checkBounds(t, s)
		}
	}
	m.check(t, s)
}

// logModel is the set of indexes a store should hold.
type logModel struct{ present map[uint64]bool }

func newLogModel() *logModel { return &logModel{present: map[uint64]bool{}} }

func applyOp(t *testing.T, s *Store, m *logModel, op logOp) {
	t.Helper()
	if op.del {
		if err := s.DeleteRange(op.lo, op.hi); err != nil {
			t.Fatalf("DeleteRange(%d, %d): %v", op.lo, op.hi, err)
		}
		for i := range m.present {
			if i >= op.lo && i <= op.hi {
				delete(m.present, i)
			}
		}
		return
	}
	if err := s.StoreLogs(testLogs(op.lo, op.hi)); err != nil {
		t.Fatalf("StoreLogs(%d-%d): %v", op.lo, op.hi, err)
	}
	for i := range indexes(op.lo, op.hi) {
		m.present[i] = true
	}
}

func (m *logModel) bounds() (first, last uint64) {
	if len(m.present) == 0 {
		return 0, 0
	}
	idx := slices.Sorted(func(yield func(uint64) bool) {
		for i := range m.present {
			if !yield(i) {
				return
			}
		}
	})
	return idx[0], idx[len(idx)-1]
}

func (m *logModel) checkBounds(t *testing.T, s *Store) {
	t.Helper()
	first, last := m.bounds()
	checkBounds(t, s, first, last)
}

// check checks the bounds and every index from 0 to just past the last
// (and the largest index, for scenarios that reach it).
func (m *logModel) check(t *testing.T, s *Store) {
	t.Helper()
	m.checkBounds(t, s)
	_, last := m.bounds()
	want := func(i uint64) bool { return m.present[i] }
	if last < 1000 {
		checkLogs(t, s, 0, last+2, want)
	} else {
		checkLogs(t, s, 0, 10, want)
		checkLogs(t, s, math.MaxUint64-5, math.MaxUint64, want)
	}
}

func TestGetSetLog(t *testing.T) {
	s := openStore(t, "", nil)
	for _, l := range []*raft.Log{testLog(1), testLog(2), testLog(3)} {
		if err := s.StoreLog(l); err != nil {
			t.Fatal(err)
		}
	}
	checkLogs(t, s, 0, 4, inRange(1, 3))
	// Overwriting an entry (raft does after a conflict) replaces it.
	repl := testLog(2)
	repl.Term, repl.Data = 99, []byte("replacement")
	if err := s.StoreLog(repl); err != nil {
		t.Fatal(err)
	}
	var got raft.Log
	if err := s.GetLog(2, &got); err != nil || !sameLog(&got, repl) {
		t.Fatalf("GetLog(2) after overwrite = %+v, %v; want %+v", got, err, *repl)
	}
	checkBounds(t, s, 1, 3)
}

// TestStoreLogsTooLarge: a call that does not fit one lsmkv batch is
// refused whole; no entry of it is stored.
func TestStoreLogsTooLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates a value over lsmkv.MaxValueSize")
	}
	s := openStore(t, "", nil)
	big := &raft.Log{Index: 11, Data: make([]byte, lsmkv.MaxValueSize)}
	err := s.StoreLogs([]*raft.Log{testLog(10), big, testLog(12)})
	if !errors.Is(err, lsmkv.ErrInvalidArgument) {
		t.Fatalf("StoreLogs with a %d-byte entry = %v, want an error wrapping lsmkv.ErrInvalidArgument", len(big.Data), err)
	}
	checkBounds(t, s, 0, 0)
	checkLogs(t, s, 9, 13, func(uint64) bool { return false })
	// The store still works after the refusal.
	if err := s.StoreLogs(testLogs(10, 12)); err != nil {
		t.Fatal(err)
	}
	checkLogs(t, s, 9, 13, inRange(10, 12))
}

// TestConcurrentAppendTruncate does what raft does at once: one goroutine
// appends, another truncates the head, others read. Readers check that
// the bounds never move backwards and that the last entry is readable.
func TestConcurrentAppendTruncate(t *testing.T) {
	s := openStore(t, "", &Options{DB: smallDB(), NoSync: true})
	const total, batch, window = 3000, 16, 200
	var wg sync.WaitGroup
	done := make(chan struct{})
	errs := make(chan error, 8)
	fail := func(err error) {
		select {
		case errs <- err:
		default:
		}
	}
	wg.Add(1)
	go func() { // appender, then truncator of its own tail
		defer wg.Done()
		defer close(done)
		for next := uint64(1); next <= total; next += batch {
			if err := s.StoreLogs(testLogs(next, next+batch-1)); err != nil {
				fail(err)
				return
			}
		}
	}()
	wg.Add(1)
	go func() { // truncator
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			last, _ := s.LastIndex()
			if last > window {
				if err := s.DeleteRange(0, last-window); err != nil {
					fail(err)
					return
				}
			}
		}
	}()
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var prevFirst, prevLast uint64
			for {
				select {
				case <-done:
					return
				default:
				}
				first, _ := s.FirstIndex()
				last, _ := s.LastIndex()
				if first < prevFirst || last < prevLast {
					fail(errors.New("bounds moved backwards"))
					return
				}
				prevFirst, prevLast = first, last
				if last == 0 {
					continue
				}
				var l raft.Log
				err := s.GetLog(last, &l)
				if err == raft.ErrLogNotFound {
					// Allowed only if the truncator has deleted it since:
					// this goroutine was descheduled while the appender
					// added more than a window of entries.
					if nowFirst, _ := s.FirstIndex(); nowFirst > last {
						continue
					}
				}
				if err != nil || !sameLog(&l, testLog(last)) {
					nowFirst, _ := s.FirstIndex()
					fail(fmt.Errorf("GetLog(%d), the last index, = %+v, %v (first index then %d, now %d)",
						last, l, err, first, nowFirst))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	first, last := uint64(0), uint64(0)
	first, _ = s.FirstIndex()
	last, _ = s.LastIndex()
	if last != total+batch-1-(total-1)%batch && last < total {
		t.Fatalf("last = %d after appending through %d", last, total)
	}
	checkLogs(t, s, first-1, last+1, inRange(first, last))
	if err := s.loadBounds(); err != nil {
		t.Fatal(err)
	}
	checkBounds(t, s, first, last)
}

func TestCorruptLogEntry(t *testing.T) {
	good := appendLog(nil, testLog(5))
	tests := []struct {
		name  string
		value []byte
		want  string
	}{
		{"empty", []byte{}, "shorter than the header"},
		{"unknown version", append([]byte{9}, good[1:]...), "unknown encoding version 9"},
		{"unknown flag", append([]byte{1, 0, 0x80}, good[3:]...), "unknown flags"},
		{"truncated", good[:len(good)-2], "exceeds"},
		{"trailing byte", append(slices.Clone(good), 0), "trailing"},
		{"wrong index", appendLog(nil, testLog(6)), "holds index 6"},
		{"bad varint", []byte{1, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "bad varint"},
		{"nanoseconds out of range", []byte{1, 0, flagAppendedAt, 5, 1, 2, 0x80, 0x94, 0xeb, 0xdc, 0x03}, "out of range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t, "", nil)
			if err := s.db.Put(logKey(5), tc.value); err != nil {
				t.Fatal(err)
			}
			var l raft.Log
			err := s.GetLog(5, &l)
			if !errors.Is(err, lsmkv.ErrCorruption) || !strings.Contains(err.Error(), "log entry 5") ||
				!strings.Contains(err.Error(), tc.want) {
				t.Fatalf("GetLog of %x = %v, want corruption of entry 5 mentioning %q", tc.value, err, tc.want)
			}
		})
	}
}

// TestCorruptLogKey: a key of the wrong length in the log space (only
// damage or another writer puts one there) fails Open with corruption.
func TestCorruptLogKey(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, nil)
	if err := s.StoreLogs(testLogs(1, 3)); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Put([]byte{logPrefix, 1, 2}, []byte("x")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(dir, nil); !errors.Is(err, lsmkv.ErrCorruption) {
		t.Fatalf("Open with a malformed log key = %v, want lsmkv.ErrCorruption", err)
	}
}
