package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// encodeBatch is the batch encoding, written out independently of the
// decoder under test (and of the root package, whose encoder is unexported).
func encodeBatch(seq uint64, count uint32, entries ...batchEntry) []byte {
	b := binary.LittleEndian.AppendUint64(nil, seq)
	b = binary.LittleEndian.AppendUint32(b, count)
	for _, e := range entries {
		b = append(b, byte(e.Kind))
		b = binary.AppendUvarint(b, uint64(len(e.Key)))
		b = append(b, e.Key...)
		if e.Kind == keys.KindSet || e.Kind == keys.KindRangeDelete { // a value, or a range's end
			b = binary.AppendUvarint(b, uint64(len(e.Value)))
			b = append(b, e.Value...)
		}
	}
	return b
}

func set(k, v string) batchEntry { return batchEntry{keys.KindSet, []byte(k), []byte(v)} }
func delRange(start, end string) batchEntry {
	return batchEntry{keys.KindRangeDelete, []byte(start), []byte(end)}
}
func del(k string) batchEntry { return batchEntry{Kind: keys.KindDelete, Key: []byte(k)} }

func TestDecodeBatch(t *testing.T) {
	good := encodeBatch(7, 3, set("a", "1"), del("b"), set("", ""))
	cases := []struct {
		name    string
		in      []byte
		entries int    // entries decoded (also on error)
		err     string // "" for success
	}{
		{"good", good, 3, ""},
		{"empty batch", encodeBatch(1, 0), 0, ""},
		{"short header", good[:11], 0, "shorter than the 12-byte header"},
		{"count too high", encodeBatch(7, 4, set("a", "1")), 1, "entry 1 at payload offset 17: missing"},
		{"count too low", encodeBatch(7, 1, set("a", "1"), del("b")), 1, "3 trailing bytes"},
		{"unknown kind", append(encodeBatch(7, 1), 9, 1, 'a'), 0, "unknown kind 9"},
		{"key past end", append(encodeBatch(7, 1), 1, 5, 'a'), 0, "key length 5 runs past the end"},
		{"value past end", append(encodeBatch(7, 1), 1, 1, 'a', 2, 'x'), 0, "value length 2 runs past the end"},
		{"bad varint", append(encodeBatch(7, 1), 1, 0x80), 0, "bad key length"},
		{"truncated", good[:len(good)-1], 2, "entry 2"},
	}
	for _, c := range cases {
		b, err := decodeBatch(c.in)
		if len(b.Entries) != c.entries {
			t.Errorf("%s: decoded %d entries, want %d", c.name, len(b.Entries), c.entries)
		}
		if c.err == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if !errors.Is(err, errBatch) || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: error %v, want errBatch containing %q", c.name, err, c.err)
		}
	}
	b, _ := decodeBatch(good)
	if b.Seq != 7 || b.Count != 3 || !bytes.Equal(b.Entries[0].Value, []byte("1")) ||
		b.Entries[1].Kind != keys.KindDelete || b.Entries[1].Value != nil || string(b.Entries[1].Key) != "b" {
		t.Errorf("decoded %+v", b)
	}
}

// TestWALDumpMalformedBatch writes a WAL whose records verify but whose
// second payload is not a batch: the dump shows both records and exits 1
// with a corruption error naming the record's offset.
func TestWALDumpMalformedBatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "000005.log")
	writeWAL(t, path, 5, encodeBatch(1, 1, set("k", "v")), []byte("not a batch at all"))
	r := mustRun(t, exitFailure, "wal", "dump", path)
	requireLines(t, r.stdout, `#1 SET "k" = "v"`, "end @59: clean")
	requireContains(t, r.stdout, "batch damaged: malformed batch: sequence number 7017206770925072238 + count 543712116 overflows")
	requireContains(t, r.stderr, "000005.log at offset 29")
}

func BenchmarkDecodeBatch(b *testing.B) {
	var entries []batchEntry
	for i := range 100 {
		entries = append(entries, set(strings.Repeat("k", 16)+string(rune('a'+i%26)), strings.Repeat("v", 100)))
	}
	p := encodeBatch(1, uint32(len(entries)), entries...)
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeBatch(p); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWALDumpShowsRangeDeletion: a range deletion's entry prints as the
// half-open range it deletes.
func TestWALDumpShowsRangeDeletion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "000005.log")
	writeWAL(t, path, 5, encodeBatch(3, 2, delRange("a", "m"), set("b", "2")))
	r := mustRun(t, exitOK, "wal", "dump", path)
	requireLines(t, r.stdout, `#3 RANGEDEL ["a", "m")`, `#4 SET "b" = "2"`)
}
