package lsmkv

import (
	"errors"
	"fmt"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/internal/iterator"
	"github.com/lsmkv/lsmkv/internal/itertest"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/manifest"
)

// fakeTables stands in for a table cache: it serves Slice iterators as
// tables and counts opens and closes to check the level iterator's laziness.
type fakeTables struct {
	tables   map[uint64][]iterator.KV
	opens    int
	open     []*iterator.Slice // every iterator handed out, in order
	lastNum  uint64            // file number of the last table opened
	failNum  uint64            // opening this file number fails (0: none)
	closeErr error             // returned by every Close if set
}

var errOpen = errors.New("open failed")

func (ft *fakeTables) openTable(f *manifest.FileMeta) (iterator.Iterator, error) {
	if f.Num == ft.failNum {
		return nil, fmt.Errorf("table %d: %w", f.Num, errOpen)
	}
	ft.opens++
	ft.lastNum = f.Num
	s := iterator.NewSlice(ft.tables[f.Num])
	ft.open = append(ft.open, s)
	if ft.closeErr != nil {
		return &itertest.FailingIter{Iterator: s, FailAt: 1 << 30, CloseErr: ft.closeErr}, nil
	}
	return s, nil
}

// stillOpen counts the iterators handed out and not yet closed.
func (ft *fakeTables) stillOpen() int {
	n := 0
	for _, s := range ft.open {
		if !s.Closed() {
			n++
		}
	}
	return n
}

// splitIntoFiles cuts sorted kvs into nfiles non-empty runs (fewer if kvs
// is short) and returns their metadata, numbered from 1, and the tables.
// tableOf[i] is the file number holding kvs[i].
func splitIntoFiles(rng *rand.Rand, kvs []iterator.KV, nfiles int) (files []*manifest.FileMeta, ft *fakeTables, tableOf []uint64) {
	ft = &fakeTables{tables: map[uint64][]iterator.KV{}}
	for start := 0; start < len(kvs); {
		end := len(kvs)
		if len(files) < nfiles-1 {
			end = start + 1 + rng.Intn(2*len(kvs)/nfiles+1)
			end = min(end, len(kvs))
		}
		num := uint64(len(files) + 1)
		files = append(files, &manifest.FileMeta{Num: num, Smallest: kvs[start].Key, Largest: kvs[end-1].Key})
		ft.tables[num] = kvs[start:end]
		for range kvs[start:end] {
			tableOf = append(tableOf, num)
		}
		start = end
	}
	return files, ft, tableOf
}

func TestLevelIterMatchesModelAndIsLazy(t *testing.T) {
	rng := itertest.NewRand(t)
	for round := 0; round < 100; round++ {
		nkeys := 1 + rng.Intn(40)
		want := itertest.RandomEntries(rng, rng.Intn(200), nkeys)
		files, ft, tableOf := splitIntoFiles(rng, want, 1+rng.Intn(10))
		l := newLevelIter(files, ft.openTable)
		opensBefore := 0
		itertest.CheckOps(t, rng, l, want, 500, nkeys, func(op string) {
			if n := ft.opens - opensBefore; n > 1 {
				t.Fatalf("%s opened %d tables, want at most 1", op, n)
			}
			opensBefore = ft.opens
			if n := ft.stillOpen(); n > 1 {
				t.Fatalf("after %s: %d tables open, want at most 1", op, n)
			}
			if l.Valid() {
				i := indexOf(want, l.Key())
				if ft.lastNum != tableOf[i] {
					t.Fatalf("after %s: positioned in table %d, but table %d was opened last", op, tableOf[i], ft.lastNum)
				}
			}
		})
		require.NoError(t, l.Close())
		require.Equal(t, 0, ft.stillOpen(), "tables left open after Close")
	}
}

func indexOf(kvs []iterator.KV, k []byte) int {
	for i := range kvs {
		if keys.Compare(kvs[i].Key, k) == 0 {
			return i
		}
	}
	return -1
}

// TestLevelIterOpensOnlyWhatItReads checks the laziness directly: a seek into
// the middle of a level opens one table, and reading it opens no other.
func TestLevelIterOpensOnlyWhatItReads(t *testing.T) {
	var kvs []iterator.KV
	for i := 0; i < 30; i++ {
		kvs = append(kvs, iterator.KV{Key: keys.Make(itertest.UserKey(i), 1, keys.KindSet)})
	}
	var files []*manifest.FileMeta
	ft := &fakeTables{tables: map[uint64][]iterator.KV{}}
	for f := 0; f < 10; f++ {
		run := kvs[3*f : 3*f+3]
		num := uint64(f + 1)
		files = append(files, &manifest.FileMeta{Num: num, Smallest: run[0].Key, Largest: run[2].Key})
		ft.tables[num] = run
	}
	tests := []struct {
		name      string
		op        func(l *levelIter) bool
		wantKey   int    // index into kvs of the entry expected
		wantTable uint64 // file number opened
	}{
		{"SeekGE in table 5", func(l *levelIter) bool { return l.SeekGE(kvs[13].Key) }, 13, 5},
		{"SeekGE between tables", func(l *levelIter) bool { return l.SeekGE(keys.Make([]byte("k011x"), 1, keys.KindSet)) }, 12, 5},
		{"SeekLT in table 5", func(l *levelIter) bool { return l.SeekLT(kvs[13].Key) }, 12, 5},
		{"SeekLT at table start", func(l *levelIter) bool { return l.SeekLT(kvs[12].Key) }, 11, 4},
		{"First", (*levelIter).First, 0, 1},
		{"Last", (*levelIter).Last, 29, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ft.opens, ft.open = 0, nil
			l := newLevelIter(files, ft.openTable)
			require.Equal(t, 0, ft.opens, "newLevelIter opens nothing")
			require.Equal(t, tt.wantKey >= 0, tt.op(l))
			require.Equal(t, string(kvs[tt.wantKey].Key), string(l.Key()))
			require.Equal(t, 1, ft.opens, "opens")
			require.Equal(t, tt.wantTable, ft.lastNum, "table opened")
			// Seeking again inside the open table reuses it.
			require.True(t, l.SeekGE(l.Key()))
			if tt.wantKey%3 != 0 { // not the table's first entry
				require.True(t, l.SeekLT(l.Key()))
			}
			require.Equal(t, 1, ft.opens, "opens after seeking within the table")
			require.NoError(t, l.Close())
			require.Equal(t, 0, ft.stillOpen())
		})
	}
}

func TestLevelIterEmpty(t *testing.T) {
	ft := &fakeTables{}
	l := newLevelIter(nil, ft.openTable)
	require.False(t, l.First())
	require.False(t, l.Last())
	require.False(t, l.SeekGE(itertest.IKey("a", 1, keys.KindSet)))
	require.False(t, l.SeekLT(itertest.IKey("a", 1, keys.KindSet)))
	require.False(t, l.Next())
	require.Equal(t, 0, ft.opens)
	require.NoError(t, l.Close())
}

// TestLevelIterOpenError walks a level forward and backward across a table that
// cannot be opened: the walk must stop there with the open error.
func TestLevelIterOpenError(t *testing.T) {
	rng := itertest.NewRand(t)
	for round := 0; round < 30; round++ {
		want := itertest.RandomEntries(rng, 20+rng.Intn(100), 30)
		files, ft, _ := splitIntoFiles(rng, want, 2+rng.Intn(6))
		ft.failNum = uint64(1 + rng.Intn(len(files)))
		for _, fwd := range []bool{true, false} {
			l := newLevelIter(files, ft.openTable)
			n := 0
			if fwd {
				for ok := l.First(); ok; ok = l.Next() {
					n++
				}
			} else {
				for ok := l.Last(); ok; ok = l.Prev() {
					n++
				}
			}
			require.ErrorIs(t, l.Error(), errOpen)
			require.False(t, l.First(), "an error is sticky")
			require.ErrorIs(t, l.Close(), errOpen)
			require.Equal(t, 0, ft.stillOpen())
			reached := 0 // entries in the tables before the failing one
			for _, f := range files {
				if fwd && f.Num < ft.failNum || !fwd && f.Num > ft.failNum {
					reached += len(ft.tables[f.Num])
				}
			}
			require.Equal(t, reached, n, "entries read before the failing table")
		}
	}
}

func TestLevelIterCloseError(t *testing.T) {
	rng := itertest.NewRand(t)
	want := itertest.RandomEntries(rng, 50, 30)
	files, ft, _ := splitIntoFiles(rng, want, 5)
	closeErr := errors.New("close failed")
	ft.closeErr = closeErr
	l := newLevelIter(files, ft.openTable)
	require.True(t, l.First())
	require.ErrorIs(t, l.Close(), closeErr)
	require.Equal(t, 0, ft.stillOpen())
}

// TestLevelIterTableError checks that an error inside a table stops the walk.
func TestLevelIterTableError(t *testing.T) {
	want := itertest.RandomEntries(rand.New(rand.NewSource(1)), 40, 30)
	files := []*manifest.FileMeta{
		{Num: 1, Smallest: want[0].Key, Largest: want[19].Key},
		{Num: 2, Smallest: want[20].Key, Largest: want[39].Key},
	}
	open := func(f *manifest.FileMeta) (iterator.Iterator, error) {
		s := iterator.NewSlice(want[20*(f.Num-1) : 20*f.Num])
		return &itertest.FailingIter{Iterator: s, FailAt: 10}, nil
	}
	l := newLevelIter(files, open)
	n := 0
	for ok := l.First(); ok; ok = l.Next() {
		n++
	}
	require.Equal(t, 9, n)
	require.ErrorIs(t, l.Error(), itertest.ErrInjected)
	require.ErrorIs(t, l.Close(), itertest.ErrInjected)
}
