package lsmkv

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/vfs"
)

// collect runs one loop over seq and returns the pairs, copied.
func collect(seq func(func(k, v []byte) bool)) (ks, vs []string) {
	for k, v := range seq {
		ks, vs = append(ks, string(k)), append(vs, string(v))
	}
	return ks, vs
}

func TestScanMatchesModel(t *testing.T) {
	db := openMem(t, vfs.NewMem(), tinyOptions(nil))
	defer db.Close()
	writeKeys(t, db, 0, 1000, "a")
	require.NoError(t, db.Flush())
	writeKeys(t, db, 200, 300, "b") // in the memtable, over a table
	model := scanAll(t, db)
	sorted := slices.Sorted(maps.Keys(model))

	lo, hi := []byte(keyN(100)), []byte(keyN(250))
	cases := []struct {
		name   string
		opts   *IterOptions
		lo, hi int // the model's keys [lo, hi)
	}{
		{"all", nil, 0, len(sorted)},
		{"bounded", &IterOptions{LowerBound: lo, UpperBound: hi}, 100, 250},
		{"empty", &IterOptions{LowerBound: hi, UpperBound: hi}, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := db.Scan(tc.opts)
			want := sorted[tc.lo:tc.hi]
			ks, vs := collect(s.All())
			require.NoError(t, s.Err())
			require.Equal(t, len(want), len(ks))
			for i, k := range ks {
				require.Equal(t, want[i], k)
				require.Equal(t, model[k], vs[i])
			}
			back, _ := collect(s.Backward())
			require.NoError(t, s.Err())
			require.Equal(t, len(want), len(back))
			for i, k := range back {
				require.Equal(t, want[len(want)-1-i], k)
			}
		})
	}
}

func TestScanSnapshot(t *testing.T) {
	db := openMem(t, vfs.NewMem(), tinyOptions(nil))
	defer db.Close()
	writeKeys(t, db, 0, 100, "a")
	snap := db.NewSnapshot()
	defer snap.Close()
	writeKeys(t, db, 0, 200, "b")
	// opts.Snapshot is ignored in favour of the receiver.
	ks, vs := collect(snap.Scan(&IterOptions{Snapshot: nil}).All())
	require.Len(t, ks, 100)
	for i := range ks {
		require.Equal(t, valueN("a", i), vs[i])
	}
	ks, _ = collect(db.Scan(nil).All())
	require.Len(t, ks, 200, "a Scan of the DB sees the state when its loop starts")
}

// TestScanReleases: however a loop ends (the range runs out, break, a
// panic in the body), its iterator is closed, so Close reports no leak.
func TestScanReleases(t *testing.T) {
	db := openMem(t, vfs.NewMem(), tinyOptions(nil))
	writeKeys(t, db, 0, 300, "a")
	s := db.Scan(nil)
	n := 0
	for range s.All() {
		if n++; n == 10 {
			break
		}
	}
	require.NoError(t, s.Err())
	require.Zero(t, db.Metrics().Iterators, "break released the iterator")

	func() {
		defer func() { require.Equal(t, "boom", recover()) }()
		for range s.Backward() {
			panic("boom")
		}
	}()
	require.Zero(t, db.Metrics().Iterators, "a panic released the iterator")
	for range s.All() {
	}
	require.Zero(t, db.Metrics().Iterators)
	require.NoError(t, db.Close(), "no leaked iterator")
}

// TestScanErrors: a loop that cannot start (bad bounds, a closed DB)
// yields nothing and Err says why; a read of a damaged table ends the loop
// with a corruption error.
func TestScanErrors(t *testing.T) {
	db := openMem(t, vfs.NewMem(), tinyOptions(nil))
	writeKeys(t, db, 0, 10, "a")
	inverted := db.Scan(&IterOptions{LowerBound: []byte("b"), UpperBound: []byte("a")})
	ks, _ := collect(inverted.All())
	require.Empty(t, ks)
	require.ErrorIs(t, inverted.Err(), ErrInvalidArgument)

	s := db.Scan(nil)
	require.NoError(t, db.Close())
	ks, _ = collect(s.All())
	require.Empty(t, ks)
	require.ErrorIs(t, s.Err(), ErrClosed)

	fs := vfs.NewMem()
	buildMixedDB(t, fs)
	table := l0Table(t, fs)
	flipByte(t, fs, table, 40)
	db2, err := Open("db", corruptOpts(fs))
	require.NoError(t, err)
	defer db2.Close()
	bad := db2.Scan(nil)
	collect(bad.All())
	requireCorruption(t, bad.Err(), table)
	collect(bad.Backward())
	requireCorruption(t, bad.Err(), table)
}

// TestScanRetainedSlices pins what a caller who keeps the yielded slices
// gets: each slice's capacity is its length, so appending to one copies
// it and leaves the DB and later steps alone; its bytes stay readable
// (Go memory is never freed under it) but may change after its step.
func TestScanRetainedSlices(t *testing.T) {
	db := openMem(t, vfs.NewMem(), tinyOptions(nil))
	defer db.Close()
	writeKeys(t, db, 0, 500, "a")
	require.NoError(t, db.Flush())
	want := scanAll(t, db)
	var kept [][]byte
	for k, v := range db.Scan(nil).All() {
		require.Equal(t, len(k), cap(k))
		require.Equal(t, len(v), cap(v))
		k = append(k, "-appended"...)
		_ = append(v, "-appended"...)
		kept = append(kept, k)
	}
	require.Len(t, kept, len(want))
	require.Equal(t, want, scanAll(t, db), "appending to yielded slices changed the DB")
	for _, k := range kept {
		require.True(t, bytes.HasSuffix(k, []byte("-appended")))
	}
}

// BenchmarkScanLoop is BenchmarkScan through Scan.All: the difference in
// allocations per loop is what the range-over-func form costs.
func BenchmarkScanLoop(b *testing.B) {
	const n = 200_000
	db := filledDB(b, n)
	defer db.Close()
	b.ReportAllocs()
	b.SetBytes(n * 116)
	for i := 0; i < b.N; i++ {
		count := 0
		s := db.Scan(nil)
		for range s.All() {
			count++
		}
		if s.Err() != nil || count != n {
			b.Fatalf("scanned %d keys, want %d: %v", count, n, s.Err())
		}
	}
}

// BenchmarkShortScan is the per-loop cost where it shows: ten keys per
// loop, the explicit Iterator against Scan.All.
func BenchmarkShortScan(b *testing.B) {
	const n = 200_000
	db := filledDB(b, n)
	defer db.Close()
	var lo []byte
	for _, form := range []string{"iterator", "scan"} {
		b.Run(form, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				lo = benchKey(lo, uint64(i%(n-10)))
				opts := &IterOptions{LowerBound: lo}
				count := 0
				if form == "iterator" {
					it, err := db.NewIterator(opts)
					if err != nil {
						b.Fatal(err)
					}
					for ok := it.First(); ok && count < 10; ok = it.Next() {
						count++
					}
					if err := it.Close(); err != nil {
						b.Fatal(err)
					}
				} else {
					s := db.Scan(opts)
					for range s.All() {
						if count++; count == 10 {
							break
						}
					}
					if err := s.Err(); err != nil {
						b.Fatal(err)
					}
				}
				if count != 10 {
					b.Fatal(fmt.Sprint("got ", count))
				}
			}
		})
	}
}
