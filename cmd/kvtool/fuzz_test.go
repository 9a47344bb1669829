package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/lsmkv/lsmkv/wal"
)

// fixtureBatches returns the payloads of the fixture's WAL: valid batches
// to seed the fuzzers with.
func fixtureBatches(f *testing.F) [][]byte {
	fx := loadFixture(f)
	data, err := os.ReadFile(filepath.Join(fixtureDir, fx.wal))
	if err != nil {
		f.Fatal(err)
	}
	return walPayloads(f, data, fx.walNum, nil)
}

// FuzzDecodeBatch checks that decodeBatch never panics, and that what it
// accepts survives a re-encoding unchanged. (The bytes themselves may
// differ: a uvarint may be encoded with needless continuation bytes.)
func FuzzDecodeBatch(f *testing.F) {
	for _, p := range fixtureBatches(f) {
		f.Add(p)
	}
	f.Add(encodeBatch(7, 3, set("a", "1"), del("b"), set("", "")))
	f.Add(encodeBatch(9, 2, delRange("a", "m"), set("b", "2")))
	f.Fuzz(func(t *testing.T, p []byte) {
		b, err := decodeBatch(p)
		if err != nil {
			if !errors.Is(err, errBatch) {
				t.Fatalf("error %v does not wrap errBatch", err)
			}
			return
		}
		if len(b.Entries) != int(b.Count) {
			t.Fatalf("count %d but %d entries", b.Count, len(b.Entries))
		}
		re := encodeBatch(uint64(b.Seq), b.Count, b.Entries...)
		b2, err := decodeBatch(re)
		if err != nil || b2.Seq != b.Seq || len(b2.Entries) != len(b.Entries) {
			t.Fatalf("decoded %x as %+v; its re-encoding %x decodes as %+v, %v", p, b, re, b2, err)
		}
		for i, e := range b.Entries {
			e2 := b2.Entries[i]
			if e.Kind != e2.Kind || !bytes.Equal(e.Key, e2.Key) || !bytes.Equal(e.Value, e2.Value) {
				t.Fatalf("entry %d: %+v became %+v", i, e, e2)
			}
		}
	})
}

// FuzzWALDump feeds arbitrary bytes to the WAL dump: it must never panic,
// and a clean dump must decode every batch.
func FuzzWALDump(f *testing.F) {
	fx := loadFixture(f)
	data, err := os.ReadFile(filepath.Join(fixtureDir, fx.wal))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add(data[:fx.walRecs[2].off+wal.HeaderLen]) // a torn tail
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = dumpWAL(io.Discard, "fuzz.log", fx.walNum, data, false)
	})
}
