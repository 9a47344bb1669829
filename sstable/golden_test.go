package sstable

import (
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsmkv/lsmkv/internal/keys"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.sst")

// goldenEntries is the fixed input of testdata/golden.sst: 100 user keys,
// each with a value and an older tombstone.
func goldenEntries() []kv {
	var out []kv
	for i := 0; i < 100; i++ {
		ukey := fmt.Sprintf("key%03d", i)
		value := strings.Repeat(fmt.Sprintf("value-%d;", i), 1+i%5)
		out = append(out,
			kv{keys.Make([]byte(ukey), keys.SeqNum(2*i+2), keys.KindSet), []byte(value)},
			kv{keys.Make([]byte(ukey), keys.SeqNum(2*i+1), keys.KindDelete), nil})
	}
	return out
}

// TestGolden guards the format: the writer must reproduce the checked-in
// file byte for byte, and the reader must read it. After an intended format
// change, run `go test ./sstable -run TestGolden -update` and review the diff.
func TestGolden(t *testing.T) {
	path := filepath.Join("testdata", "golden.sst")
	entries := goldenEntries()
	f, _ := buildTable(t, entries, WriterOptions{BlockSize: 512, Compression: SnappyCompression, BloomBitsPerKey: 10})
	if *update {
		if err := os.WriteFile(path, f.data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(f.data, want) {
		t.Fatalf("writer output (%d bytes) differs from %s (%d bytes): the format changed", len(f.data), path, len(want))
	}
	r := openTable(t, &memFile{data: want}, ReaderOptions{})
	checkIterAll(t, r, entries)
	if p := r.Properties(); p.NumEntries != 200 || p.NumDeletions != 100 || p.Compression != SnappyCompression {
		t.Fatalf("golden properties %v", p)
	}
}

// workedExample is the table written out byte by byte in
// docs/format-sstable.md.
func workedExample(t testing.TB) []byte {
	f, _ := buildTable(t, []kv{
		{keys.Make([]byte("apple"), 2, keys.KindSet), []byte("red")},
		{keys.Make([]byte("banana"), 1, keys.KindDelete), nil},
	}, WriterOptions{})
	return f.data
}

// TestWorkedExampleInDoc checks that the hex dump in the format doc is what
// the writer produces.
func TestWorkedExampleInDoc(t *testing.T) {
	got := workedExample(t)
	doc, err := os.ReadFile(filepath.Join("..", "docs", "format-sstable.md"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := parseDocHex(string(doc))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("docs/format-sstable.md worked example is stale; the writer produces:\n%s", hexDump(got))
	}
}

// parseDocHex extracts the dump between the worked-example markers: lines of
// "offset: hex bytes".
func parseDocHex(doc string) ([]byte, error) {
	const begin, end = "<!-- worked-example-begin -->", "<!-- worked-example-end -->"
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		return nil, fmt.Errorf("worked example markers not found")
	}
	var out []byte
	for _, line := range strings.Split(doc[i+len(begin):j], "\n") {
		_, hexPart, ok := strings.Cut(line, ": ")
		if !ok || strings.HasPrefix(line, "```") {
			continue
		}
		b, err := hex.DecodeString(strings.ReplaceAll(strings.TrimSpace(hexPart), " ", ""))
		if err != nil {
			return nil, fmt.Errorf("line %q: %v", line, err)
		}
		out = append(out, b...)
	}
	return out, nil
}

func hexDump(b []byte) string {
	var sb strings.Builder
	for off := 0; off < len(b); off += 16 {
		row := b[off:min(off+16, len(b))]
		fmt.Fprintf(&sb, "%04x: % x\n", off, row)
	}
	return sb.String()
}
