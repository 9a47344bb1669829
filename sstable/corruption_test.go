package sstable

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"testing"

	"github.com/lsmkv/lsmkv/internal/corruption"
	"github.com/lsmkv/lsmkv/internal/keys"
)

// smallTable is a table with several data blocks, some compressed.
func smallTable(t testing.TB) ([]byte, []kv) {
	rng := rand.New(rand.NewSource(1)) // fixed: the flip test is exhaustive
	var entries []kv
	for i := 0; i < 60; i++ {
		v := randomValue(rng, keys.KindSet)
		if len(v) > 100 {
			v = v[:100]
		}
		entries = append(entries, kv{ik(fmt.Sprintf("key%04d", i*3), keys.SeqNum(i+1)), v})
	}
	f, _ := buildTable(t, entries, WriterOptions{BlockSize: 128, Compression: SnappyCompression})
	return f.data, entries
}

// readDamaged opens and reads a damaged table. Every read must return either
// the model's data or a corruption error; it reports whether any damage was
// detected.
func readDamaged(t *testing.T, data []byte, entries []kv, what string) (detected bool) {
	t.Helper()
	isCorrupt := func(err error) {
		t.Helper()
		if !errors.Is(err, corruption.ErrCorruption) {
			t.Fatalf("%s: error %v does not wrap ErrCorruption", what, err)
		}
		var ce *corruption.Error
		if !errors.As(err, &ce) || ce.File != "bad.sst" {
			t.Fatalf("%s: error %v does not name the file", what, err)
		}
	}
	r, err := Open(&memFile{data: data}, int64(len(data)), ReaderOptions{Name: "bad.sst"})
	if err != nil {
		isCorrupt(err)
		return true
	}
	it := r.NewIter()
	i := 0
	for ok := it.First(); ok; ok = it.Next() {
		if i >= len(entries) || !bytes.Equal(it.Key(), entries[i].key) || !bytes.Equal(it.Value(), entries[i].value) {
			t.Fatalf("%s: entry %d is %s=%q: wrong data from a damaged table", what, i, keys.String(it.Key()), it.Value())
		}
		i++
	}
	if err := it.Error(); err != nil {
		isCorrupt(err)
		detected = true
	} else if i != len(entries) {
		t.Fatalf("%s: %d entries and no error, want %d", what, i, len(entries))
	}
	for _, e := range entries {
		v, _, _, found, err := r.Get(keys.UserKey(e.key), keys.MaxSeqNum)
		if err != nil {
			isCorrupt(err)
			detected = true
		} else if !found || !bytes.Equal(v, e.value) {
			t.Fatalf("%s: Get(%s) = %q, %v: wrong data from a damaged table", what, keys.String(e.key), v, found)
		}
	}
	return detected
}

// TestCorruptionBitFlips flips one bit in every byte of a table (every third
// under -race). Every byte
// is covered by a checksum, so every flip must be detected, and nothing may
// panic or return wrong data.
func TestCorruptionBitFlips(t *testing.T) {
	data, entries := smallTable(t)
	if readDamaged(t, data, entries, "undamaged") {
		t.Fatal("undamaged table reported corruption")
	}
	stride := 1
	if raceEnabled {
		stride = 3 // the race detector slows this ~10x; sample the bytes
	}
	for i := 0; i < len(data); i += stride {
		bad := bytes.Clone(data)
		bad[i] ^= 1 << (i % 8)
		if !readDamaged(t, bad, entries, fmt.Sprintf("flip at %d", i)) {
			t.Fatalf("flip at %d of %d went undetected", i, len(data))
		}
	}
}

// TestCorruptionRandomDamage overwrites random ranges with random bytes.
func TestCorruptionRandomDamage(t *testing.T) {
	rng := rand.New(rand.NewSource(testSeed(t)))
	data, entries := smallTable(t)
	for trial := 0; trial < 300; trial++ {
		bad := bytes.Clone(data)
		off := rng.Intn(len(bad))
		n := min(1+rng.Intn(32), len(bad)-off)
		rng.Read(bad[off : off+n])
		if bytes.Equal(bad, data) {
			continue
		}
		if !readDamaged(t, bad, entries, fmt.Sprintf("trial %d: %d random bytes at %d", trial, n, off)) {
			t.Fatalf("trial %d: damage at %d went undetected", trial, off)
		}
	}
}

// TestCorruptionTruncated opens every proper prefix of a table.
func TestCorruptionTruncated(t *testing.T) {
	data, entries := smallTable(t)
	for n := 0; n < len(data); n++ {
		if !readDamaged(t, data[:n], entries, fmt.Sprintf("truncated to %d", n)) {
			t.Fatalf("truncation to %d bytes went undetected", n)
		}
	}
}

// TestForeignFiles opens files that are not tables at all.
func TestForeignFiles(t *testing.T) {
	rng := rand.New(rand.NewSource(testSeed(t)))
	random := make([]byte, 5000)
	rng.Read(random)
	data, _ := smallTable(t)
	ft := data[len(data)-footerLen:]
	// A valid footer whose handles point past a shorter file.
	shifted := append(bytes.Repeat([]byte{0}, 10), ft...)
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"tiny", []byte("hello")},
		{"zeros", make([]byte, 4096)},
		{"random", random},
		{"footer only", bytes.Clone(ft)},
		{"footer after garbage", shifted},
		{"magic only", append(make([]byte, footerLen-8), "lsmkvsst"...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(&memFile{data: tc.data}, int64(len(tc.data)), ReaderOptions{Name: "foreign"})
			if !errors.Is(err, corruption.ErrCorruption) {
				t.Fatalf("Open = %v, want a corruption error", err)
			}
		})
	}
}

// errFile fails every ReadAt, like a disk error.
type errFile struct{ memFile }

var errDisk = errors.New("disk on fire")

func (f *errFile) ReadAt(p []byte, off int64) (int, error) { return 0, errDisk }

// TestReadErrorsSurface checks that I/O errors reach the caller unchanged
// and are not reported as corruption.
func TestReadErrorsSurface(t *testing.T) {
	data, entries := smallTable(t)
	f := &errFile{memFile{data: data}}
	if _, err := Open(f, int64(len(data)), ReaderOptions{}); !errors.Is(err, errDisk) || errors.Is(err, corruption.ErrCorruption) {
		t.Fatalf("Open = %v, want the disk error", err)
	}
	// Open on a good file, then make the file fail.
	mf := &memFile{data: data}
	r := openTable(t, mf, ReaderOptions{})
	r.f = f
	if _, _, _, _, err := r.Get(keys.UserKey(entries[0].key), keys.MaxSeqNum); !errors.Is(err, errDisk) {
		t.Fatalf("Get = %v, want the disk error", err)
	}
	it := r.NewIter()
	if it.First() || !errors.Is(it.Error(), errDisk) {
		t.Fatalf("First: valid=%v err=%v, want the disk error", it.Valid(), it.Error())
	}
	// A later positioning call retries.
	r.f = mf
	if !it.First() || !bytes.Equal(it.Key(), entries[0].key) {
		t.Fatalf("First after the disk recovered: valid=%v err=%v", it.Valid(), it.Error())
	}
}
