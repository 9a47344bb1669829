package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsmkv/lsmkv"
	"github.com/lsmkv/lsmkv/manifest"
	"github.com/lsmkv/lsmkv/vfs"
)

// makeRangeDelDB writes a small DB holding range tombstones in every place
// one can live, and returns its directory. Like testdata/make-fixtures.go
// it uses no randomness and no clock, so the same engine writes the same
// bytes and the golden files (testdata/golden/rangedel-*.txt) stay put.
//
// The engine compacts a table holding range tombstones early when older
// data lies below it, and rewrites it in place (dropping its tombstones)
// once nothing lies below and no snapshot can see what they deleted. Both
// run in the background, at moments no test controls. So the history
// leaves no such table over older data, and keeps snapshots open until
// Close: then no background compaction is ever due, and the tables stay
// as written. (Close releases the snapshots, and reports having done so.) The history, in order:
//
//  1. key000..key199 = "v1-<key>"; a snapshot (kept open, so the values
//     the next tombstone hides must be kept with it); DeleteRange [key020,
//     key180); key050, key100 and key150 = "v2-<key>"; Compact(nil, nil):
//     one flushed table, rewritten into several L6 tables
//     (TargetFileSize 1 KiB), each taking the part of the tombstone
//     between its cuts, so that a table ends at an exclusive sentinel where
//     the next one starts;
//  2. one batch: key300..key309 = "v3-<key>", DeleteRange [key303,
//     key306), Delete key301; a second snapshot (kept open, so that the
//     flush keeps both tombstones); DeleteRange [key305, key308); Flush: an
//     L0 table of points and tombstones, stored as three fragments, the
//     middle one with both sequence numbers;
//  3. DeleteRange [key400, key410), Flush: an L0 table holding only a
//     tombstone;
//  4. left in the WAL (Close does not flush): DeleteRange [key308,
//     key310), then key309 = "wal-only".
//
// The LOCK file is removed, as make-fixtures.go does.
func makeRangeDelDB(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "db")
	db, err := lsmkv.Open(dir, &lsmkv.Options{
		BlockSize:      512,
		TargetFileSize: 1 << 10,
		Compression:    lsmkv.SnappyCompression,
	})
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	putKeys := func(b *lsmkv.Batch, prefix string, nums ...int) {
		for _, i := range nums {
			k := fmt.Sprintf("key%03d", i)
			b.Put([]byte(k), []byte(prefix+"-"+k))
		}
	}
	var b lsmkv.Batch
	putKeys(&b, "v1", numRange(0, 200)...)
	must(db.Write(&b, nil))
	_ = db.NewSnapshot() // open until Close
	must(db.DeleteRange([]byte("key020"), []byte("key180")))
	b.Reset()
	putKeys(&b, "v2", 50, 100, 150)
	must(db.Write(&b, nil))
	must(db.Compact(nil, nil))

	b.Reset()
	putKeys(&b, "v3", numRange(300, 310)...)
	b.DeleteRange([]byte("key303"), []byte("key306"))
	b.Delete([]byte("key301"))
	must(db.Write(&b, nil))
	_ = db.NewSnapshot() // open until Close
	must(db.DeleteRange([]byte("key305"), []byte("key308")))
	must(db.Flush())

	must(db.DeleteRange([]byte("key400"), []byte("key410")))
	must(db.Flush())

	must(db.DeleteRange([]byte("key308"), []byte("key310")))
	must(db.Put([]byte("key309"), []byte("wal-only")))
	// Closing the snapshots first would let a background compaction in
	// before Close. Close releases them itself, and says so.
	if err := db.Close(); err == nil || !strings.Contains(err.Error(), "2 open snapshot(s)") {
		t.Fatalf("Close = %v, want it to report the 2 snapshots left open on purpose", err)
	}
	must(os.Remove(filepath.Join(dir, "LOCK")))
	return dir
}

func numRange(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

// rangeDelModel is the state makeRangeDelDB leaves: what get and scan must
// show.
func rangeDelModel() map[string]string {
	m := map[string]string{}
	for i := 0; i < 200; i++ {
		m[fmt.Sprintf("key%03d", i)] = fmt.Sprintf("v1-key%03d", i)
	}
	del := func(from, to int) {
		for i := from; i < to; i++ {
			delete(m, fmt.Sprintf("key%03d", i))
		}
	}
	del(20, 180)
	for _, i := range []int{50, 100, 150} {
		m[fmt.Sprintf("key%03d", i)] = fmt.Sprintf("v2-key%03d", i)
	}
	for i := 300; i < 310; i++ {
		m[fmt.Sprintf("key%03d", i)] = fmt.Sprintf("v3-key%03d", i)
	}
	del(301, 302)
	del(303, 310)
	m["key309"] = "wal-only"
	return m
}

// rangeDelTables are the tables of makeRangeDelDB's DB that the tests
// look at.
type rangeDelTables struct {
	mixed  *manifest.FileMeta // L0: points and the tombstones of step 2
	only   *manifest.FileMeta // L0: the tombstone [key400, key410) alone (step 3)
	l6     []*manifest.FileMeta
	joined [2]*manifest.FileMeta // two L6 neighbours, the first ending exclusively where the second starts
}

func loadRangeDelTables(t testing.TB, dir string) *rangeDelTables {
	t.Helper()
	vs, err := manifest.Load(manifest.Options{FS: vfs.Default, Dir: dir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer vs.Close()
	v := vs.Current()
	defer v.Unref()
	l0 := v.Levels[0]
	if len(l0) != 2 {
		t.Fatalf("want 2 L0 tables, got %d", len(l0))
	}
	rt := &rangeDelTables{only: l0[0], mixed: l0[1], l6: v.Levels[manifest.NumLevels-1]}
	for i := 1; i < len(rt.l6) && rt.joined[0] == nil; i++ {
		prev, f := rt.l6[i-1], rt.l6[i]
		if prev.LargestExclusive() && string(prev.LargestUserKey()) == string(f.SmallestUserKey()) {
			rt.joined = [2]*manifest.FileMeta{prev, f}
		}
	}
	if rt.only.NumRangeDels != 1 || rt.mixed.NumRangeDels != 4 || rt.joined[0] == nil {
		t.Fatalf("the DB does not have the shape makeRangeDelDB describes: L0 tables with %d and %d range tombstones (want 1 and 4), L6 neighbours joined at an exclusive end: %v",
			rt.only.NumRangeDels, rt.mixed.NumRangeDels, rt.joined[0] != nil)
	}
	return rt
}
