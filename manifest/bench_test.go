package manifest

import (
	"fmt"
	"testing"

	"github.com/lsmkv/lsmkv/vfs"
)

// benchEdit is a compaction-sized edit: 4 tables out, 4 in.
func benchEdit() *VersionEdit {
	e := &VersionEdit{HasLogNum: true, LogNum: 9, HasNextFileNum: true, NextFileNum: 5000, HasLastSeq: true, LastSeq: 123456}
	for i := range 4 {
		e.Deleted = append(e.Deleted, DeletedFile{Level: 1, Num: uint64(100 + i)})
		lo, hi := fmt.Sprintf("user%08d", i*1000), fmt.Sprintf("user%08d", i*1000+999)
		e.Added = append(e.Added, add(2, meta(uint64(200+i), lo, hi, 1000, 2000)))
	}
	return e
}

func BenchmarkEncodeEdit(b *testing.B) {
	e := benchEdit()
	buf := e.Encode(nil)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = e.Encode(buf[:0])
	}
}

func BenchmarkDecodeEdit(b *testing.B) {
	buf := benchEdit().Encode(nil)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	var e VersionEdit
	for b.Loop() {
		if err := e.Decode(buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApply applies a one-table flush to a version with 1000 tables
// in L1: the cost is dominated by the touched level's rebuild and the
// invariant check.
func BenchmarkApply(b *testing.B) {
	e := &VersionEdit{}
	for i := range 1000 {
		k := fmt.Sprintf("k%06d", i)
		e.Added = append(e.Added, add(1, meta(uint64(i+1), k, k+"z", 1, 1)))
	}
	v, err := (&Version{}).Apply(e)
	if err != nil {
		b.Fatal(err)
	}
	flush := &VersionEdit{Added: []NewFile{add(0, meta(5000, "a", "z", 9, 9))}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Apply(flush); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLogAndApply measures one flush edit logged and synced to an
// in-memory FS (so it measures CPU, not fsync).
func BenchmarkLogAndApply(b *testing.B) {
	vs, err := Create(Options{FS: vfs.NewMem(), Dir: testDir})
	if err != nil {
		b.Fatal(err)
	}
	var prev uint64 // the table the previous iteration added
	b.ReportAllocs()
	for b.Loop() {
		num := vs.NewFileNum()
		e := &VersionEdit{Added: []NewFile{add(0, meta(num, "a", "z", 1, 1))}}
		if prev != 0 {
			e.Deleted = []DeletedFile{{0, prev}}
		}
		prev = num
		if err := vs.LogAndApply(e); err != nil {
			b.Fatal(err)
		}
	}
	vs.Close()
}
