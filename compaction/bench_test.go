package compaction

import (
	"fmt"
	"testing"

	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/manifest"
)

// BenchmarkIter measures the compaction iterator over 10,000 entries: 2,500
// user keys with 4 versions each, two snapshots, and elision everywhere.
func BenchmarkIter(b *testing.B) {
	in := &sliceIter{}
	var bytes int64
	for k := range 2500 {
		for v := range 4 {
			ikey := keys.Make(fmt.Appendf(nil, "key%06d", k), keys.SeqNum(10000-v*2000+k), keys.Kind(v%2))
			in.kvs = append(in.kvs, [2][]byte{ikey, make([]byte, 100)})
			bytes += int64(len(ikey) + 100)
		}
	}
	snaps := []keys.SeqNum{3000, 7000}
	elide := func([]byte) bool { return true }
	b.SetBytes(bytes)
	b.ReportAllocs()
	for b.Loop() {
		it := NewIter(in, snaps, elide)
		for ok := it.First(); ok; ok = it.Next() {
		}
		if it.Error() != nil {
			b.Fatal(it.Error())
		}
	}
}

// BenchmarkPickLeveled measures picking from a version with 1,000 tables
// per level whose L2 is over its target.
func BenchmarkPickLeveled(b *testing.B) {
	v := &manifest.Version{}
	num := uint64(1)
	for level := 1; level < manifest.NumLevels; level++ {
		for i := range 1000 {
			lo, hi := fmt.Sprintf("k%06d", 2*i*level), fmt.Sprintf("k%06d", 2*i*level+level)
			v.Levels[level] = append(v.Levels[level], fm(num, lo, hi, 1<<20, 1, 1))
			num++
		}
	}
	opts := Options{} // defaults: L1 (1000 MiB) is over its 64 MiB target
	p := NewPicker(opts)
	b.ReportAllocs()
	for b.Loop() {
		if p.Pick(v) == nil {
			b.Fatal("nothing picked")
		}
	}
}

// BenchmarkElideTombstone measures one pass of increasing keys over 6,000
// deeper tables, the pattern of a compaction into L1.
func BenchmarkElideTombstone(b *testing.B) {
	v := &manifest.Version{}
	num := uint64(1)
	for level := 2; level < manifest.NumLevels; level++ {
		for i := range 1000 {
			lo, hi := fmt.Sprintf("k%06d", 10*i+level), fmt.Sprintf("k%06d", 10*i+level+1)
			v.Levels[level] = append(v.Levels[level], fm(num, lo, hi, 1, 1, 1))
			num++
		}
	}
	var ukeys [][]byte
	for i := range 10000 {
		ukeys = append(ukeys, fmt.Appendf(nil, "k%06d", i))
	}
	opts := testOpts()
	b.ReportAllocs()
	for b.Loop() {
		c := newCompaction(v, &opts, 0, 1)
		for _, k := range ukeys {
			c.ElideTombstone(k)
		}
	}
}
