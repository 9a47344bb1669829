//go:build ignore

// make-fixtures writes testdata/db, a small lsmkv database checked in as a
// fixture for cmd/kvtool and anyone who wants real files to look at:
//
//	go run testdata/make-fixtures.go
//
// The content is deterministic (no randomness, no clock): the same program
// and the same engine write byte-identical files. The history, in order:
//
//  1. keys key000..key199 (value "v1-<key>"), then Flush      -> L0 table
//  2. keys key100..key299 (value "v2-<key>"), then Flush      -> L0 table
//  3. Compact(nil, nil): everything merged into L6, split into several
//     tables by a small TargetFileSize
//  4. key300..key349 (value "v3-<key>") and a tombstone for key150, Flush
//     -> one L0 table over the L6 tables, holding the tombstone
//  5. three single-key writes and one delete (key000 = "wal-only",
//     key400 = "wal-only", key401, then delete key001) left in the WAL: Close
//     does not flush, so Open must replay them.
//
// The LOCK file Open creates is removed so that the directory holds only
// data files (kvtool's inspection commands do not create one). File numbers
// follow from the engine's behaviour, so a change there may renumber the
// files; cmd/kvtool's tests read the numbers from the fixture. After
// regenerating, rewrite kvtool's golden files and review their diff:
//
//	go test ./cmd/kvtool -update
package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/lsmkv/lsmkv"
)

const dir = "testdata/db"

func main() {
	if err := os.RemoveAll(dir); err != nil {
		log.Fatal(err)
	}
	db, err := lsmkv.Open(dir, &lsmkv.Options{
		BlockSize:      512,     // several data blocks per table
		TargetFileSize: 1 << 10, // several L6 tables after the compaction
		Compression:    lsmkv.SnappyCompression,
	})
	if err != nil {
		log.Fatal(err)
	}
	must(putRange(db, 0, 200, "v1"))
	must(db.Flush())
	must(putRange(db, 100, 300, "v2"))
	must(db.Flush())
	must(db.Compact(nil, nil))
	must(putRange(db, 300, 350, "v3"))
	must(db.Delete([]byte("key150")))
	must(db.Flush())
	// Left in the WAL: one record per write.
	must(db.Put([]byte("key000"), []byte("wal-only")))
	must(db.Put([]byte("key400"), []byte("wal-only")))
	must(db.Put([]byte("key401"), []byte{0x00, 0x01, 0xfe, 0xff})) // not printable: shown in hex
	must(db.Delete([]byte("key001")))
	must(db.Close())
	if err := os.Remove(filepath.Join(dir, "LOCK")); err != nil {
		log.Fatal(err)
	}
}

func putRange(db *lsmkv.DB, from, to int, prefix string) error {
	b := new(lsmkv.Batch)
	for i := from; i < to; i++ {
		k := fmt.Sprintf("key%03d", i)
		b.Put([]byte(k), []byte(prefix+"-"+k))
	}
	return db.Write(b, nil)
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
