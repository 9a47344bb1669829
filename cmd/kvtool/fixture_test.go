package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/manifest"
	"github.com/lsmkv/lsmkv/sstable"
	"github.com/lsmkv/lsmkv/vfs"
	"github.com/lsmkv/lsmkv/wal"
)

// fixtureDir is the checked-in DB made by testdata/make-fixtures.go.
const fixtureDir = "../../testdata/db"

// fixtureFiles names the fixture's files and the offsets inside them that
// tests aim at, read from the fixture itself. Nothing here is hard-coded:
// regenerating the fixture (go run testdata/make-fixtures.go) may renumber
// its files or move its blocks when the engine changes, and that should
// only change the golden files, which go test -update rewrites. What the
// tests do hard-code is what make-fixtures.go's history guarantees: keys,
// values, sequence numbers, one L0 table over several L6 tables, four
// single-write records in the WAL.
type fixtureFiles struct {
	manifest string               // MANIFEST-NNNNNN, as CURRENT names it
	edits    []int64              // the offset of each of its records (one edit each)
	manSize  int64                // its length in bytes
	wal      string               // NNNNNN.log, the only WAL: the four writes after the last flush
	walNum   uint64               // its log number
	walSize  int64                // its length in bytes
	walRecs  []walRecord          // its records, in order
	l0       *manifest.FileMeta   // the only L0 table: key300..key349 and the tombstone for key150
	l6       []*manifest.FileMeta // the L6 tables, in key order
	shadowed *manifest.FileMeta   // the L6 table holding key150, which the tombstone hides
}

// walRecord is where one WAL record starts and how long its payload is.
type walRecord struct {
	off int64
	len int
}

// tableName is the file name of table f: NNNNNN.sst.
func tableName(f *manifest.FileMeta) string { return filename.Make(filename.Table, f.Num) }

// loadFixture reads the fixture's manifest and WAL and checks that they
// have the shape make-fixtures.go describes.
func loadFixture(t testing.TB) *fixtureFiles {
	t.Helper()
	current, err := os.ReadFile(filepath.Join(fixtureDir, "CURRENT"))
	if err != nil {
		t.Fatalf("reading the fixture (run go run testdata/make-fixtures.go from the repository root): %v", err)
	}
	vs, err := manifest.Load(manifest.Options{FS: vfs.Default, Dir: fixtureDir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer vs.Close()
	v := vs.Current()
	defer v.Unref()
	fx := &fixtureFiles{
		manifest: strings.TrimSuffix(string(current), "\n"),
		walNum:   vs.LogNum(),
		wal:      filename.Make(filename.Log, vs.LogNum()),
		l6:       v.Levels[manifest.NumLevels-1],
	}
	if len(v.Levels[0]) != 1 || len(fx.l6) < 2 {
		t.Fatalf("fixture: want one L0 table over several L6 tables, got %d and %d", len(v.Levels[0]), len(fx.l6))
	}
	fx.l0 = v.Levels[0][0]
	x, err := manifest.ReadEdits(vfs.Default, filepath.Join(fixtureDir, fx.manifest), func(off int64, _ *manifest.VersionEdit) error {
		fx.edits = append(fx.edits, off)
		return nil
	})
	if err != nil || x.Torn || x.End != x.Size {
		t.Fatalf("fixture: reading its manifest: %v (%s)", err, x)
	}
	fx.manSize = x.Size
	for _, f := range fx.l6 {
		if string(keys.UserKey(f.Smallest)) <= "key150" && "key150" <= string(keys.UserKey(f.Largest)) {
			fx.shadowed = f
		}
	}
	if fx.shadowed == nil {
		t.Fatal("fixture: no L6 table holds key150")
	}
	if logs, _ := filepath.Glob(filepath.Join(fixtureDir, "*.log")); len(logs) != 1 || filepath.Base(logs[0]) != fx.wal {
		t.Fatalf("fixture: want the manifest's WAL %s alone, found %v", fx.wal, logs)
	}
	data, err := os.ReadFile(filepath.Join(fixtureDir, fx.wal))
	if err != nil {
		t.Fatal(err)
	}
	fx.walSize = int64(len(data))
	walPayloads(t, data, fx.walNum, func(off int64, p []byte) {
		fx.walRecs = append(fx.walRecs, walRecord{off, len(p)})
	})
	if len(fx.walRecs) != 4 {
		t.Fatalf("fixture: want 4 WAL records, found %d", len(fx.walRecs))
	}
	return fx
}

// walPayloads returns the payloads of the WAL in data, calling fn (if not
// nil) with each record's offset.
func walPayloads(t testing.TB, data []byte, num uint64, fn func(off int64, p []byte)) [][]byte {
	t.Helper()
	r := wal.NewReader(bytes.NewReader(data), wal.ReaderOptions{LogNum: num})
	var out [][]byte
	for {
		p, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if fn != nil {
			fn(r.Offset(), p)
		}
		out = append(out, bytes.Clone(p))
	}
}

// dataBlocks returns the layout of the data blocks of the table at path.
func dataBlocks(t *testing.T, path string) []sstable.BlockInfo {
	t.Helper()
	r, err := openTable(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	blocks, err := r.Layout()
	if err != nil {
		t.Fatal(err)
	}
	blocks = slices.DeleteFunc(blocks, func(b sstable.BlockInfo) bool { return b.Kind != sstable.DataBlock })
	if len(blocks) < 2 {
		t.Fatalf("%s: want several data blocks (BlockSize 512), found %d", path, len(blocks))
	}
	return blocks
}

// copyFixture copies the fixture DB into a fresh temporary directory, so
// that tests which damage files or open the DB never touch the checked-in
// copy.
func copyFixture(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "db")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(fixtureDir)
	if err != nil {
		t.Fatalf("reading the fixture (run go run testdata/make-fixtures.go from the repository root): %v", err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(fixtureDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
