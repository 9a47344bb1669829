package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/manifest"
	"github.com/lsmkv/lsmkv/vfs"
	"github.com/lsmkv/lsmkv/wal"
)

// TestManifestDumpEnd checks the line that says how the manifest's records
// end: nothing after a clean end, a torn-tail line (exit 0, as Open drops
// the record too) when the file stops inside its last record, and a damage
// line (exit 1) when a record in the middle fails its checksum.
func TestManifestDumpEnd(t *testing.T) {
	fx := loadFixture(t)
	n := len(fx.edits)
	last, mid := fx.edits[n-1], fx.edits[n/2]
	torn := last + wal.HeaderLen + 3
	cases := []struct {
		name   string
		damage func([]byte) []byte
		code   int
		lines  []string // whole lines of stdout
		stderr string
	}{
		{"clean", func(b []byte) []byte { return b }, exitOK,
			[]string{fmt.Sprintf("%d edits", n)}, ""},
		{"torn final record", func(b []byte) []byte { return b[:torn] }, exitOK,
			[]string{fmt.Sprintf("%d edits", n-1), fmt.Sprintf(
				"stopped at offset %d of %d bytes: the last %d bytes are a torn final record, dropped as Open drops it",
				last, torn, torn-last)}, ""},
		{"damaged record", flipByte(int(mid) + wal.HeaderLen + 2), exitFailure,
			[]string{fmt.Sprintf("%d edits, then stopped at offset %d of %d bytes by damage", n/2, mid, fx.manSize)},
			fmt.Sprintf("%s at offset %d", fx.manifest, mid)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyFixture(t)
			path := filepath.Join(dir, fx.manifest)
			damage(t, path, c.damage)
			for _, arg := range []string{path, dir} {
				r := mustRun(t, c.code, "manifest", "dump", arg)
				requireLines(t, r.stdout, c.lines...)
				if c.name == "clean" && strings.Contains(r.stdout, "stopped") {
					t.Errorf("a clean manifest's dump says it stopped:\n%s", r.stdout)
				}
				if c.stderr == "" && r.stderr != "" {
					t.Errorf("stderr: %s", r.stderr)
				}
				requireContains(t, r.stderr, c.stderr)
			}
		})
	}
}

// TestCheckTruncatedManifest cuts the manifest short so that it replays to
// an old state, right after the first flush: that state lists a table and
// names a WAL which later edits deleted. check must blame them as missing
// and, in the same problem line, say where the manifest's readable records
// end, since the manifest, not the files, is what was lost. The cut lands
// inside a record (a torn tail) or exactly between two.
func TestCheckTruncatedManifest(t *testing.T) {
	fx := loadFixture(t)
	for _, torn := range []bool{true, false} {
		t.Run(fmt.Sprintf("torn=%v", torn), func(t *testing.T) {
			dir := copyFixture(t)
			path := filepath.Join(dir, fx.manifest)
			tables, logNum, next := stateAfterFirstFlush(t, path)
			end := fx.edits[next] // the readable records end where edit next starts
			cut := end
			if torn {
				cut += wal.HeaderLen + 1
			}
			damage(t, path, func(b []byte) []byte { return b[:cut] })
			extent := fmt.Sprintf("(the state comes from %s holds readable records up to offset %d of its %d bytes", path, end, cut)

			r := mustRun(t, exitFailure, "check", dir)
			problems := problemLines(r.stdout)
			want := []string{filename.Make(filename.Log, logNum) + ": the manifest names this WAL as current but it is missing"}
			for _, num := range tables {
				want = append(want, filename.Make(filename.Table, num)+": listed at L0 by the manifest but missing")
			}
			if len(problems) != len(want) {
				t.Fatalf("want %d problems, got %d:\n%s", len(want), len(problems), r.stdout)
			}
			for _, w := range want {
				requireContains(t, r.stdout, w)
			}
			// The tables the lost edits added are not obsolete.
			if strings.Contains(r.stdout, "the next Open removes it") {
				t.Errorf("check calls the tables of lost edits obsolete:\n%s", r.stdout)
			}
			for _, p := range problems {
				requireContains(t, p, extent)
				if got := strings.Contains(p, "dropped as a torn final record"); got != torn {
					t.Errorf("problem mentions a torn record: %v, want %v:\n%s", got, torn, p)
				}
			}
		})
	}
}

// stateAfterFirstFlush replays the manifest at path up to its first edit
// that adds a table, and returns the tables added so far, the WAL number
// then current, and the index of the next edit.
func stateAfterFirstFlush(t *testing.T, path string) (tables []uint64, logNum uint64, next int) {
	t.Helper()
	i := 0
	_, err := manifest.ReadEdits(vfs.Default, path, func(_ int64, e *manifest.VersionEdit) error {
		if tables != nil {
			return nil
		}
		i++
		if e.HasLogNum {
			logNum = e.LogNum
		}
		for _, a := range e.Added {
			tables = append(tables, a.Meta.Num)
		}
		return nil
	})
	if err != nil || tables == nil {
		t.Fatalf("no edit of %s adds a table (%v)", path, err)
	}
	gone := []string{filename.Path(filepath.Dir(path), filename.Log, logNum)}
	for _, num := range tables {
		gone = append(gone, filename.Path(filepath.Dir(path), filename.Table, num))
	}
	for _, p := range gone {
		if _, err := os.Stat(p); err == nil {
			t.Fatalf("fixture: %s, current after the first flush, still exists", p)
		}
	}
	return tables, logNum, i
}

// TestCheckNotesUnlistedTable checks that a table the manifest does not
// list, beside an intact manifest, is a note about an obsolete file, not a
// problem.
func TestCheckNotesUnlistedTable(t *testing.T) {
	fx := loadFixture(t)
	dir := copyFixture(t)
	data, err := os.ReadFile(filepath.Join(dir, tableName(fx.l0)))
	if err != nil {
		t.Fatal(err)
	}
	extra := filename.Make(filename.Table, 999999)
	if err := os.WriteFile(filepath.Join(dir, extra), data, 0o644); err != nil {
		t.Fatal(err)
	}
	r := mustRun(t, exitOK, "check", dir)
	requireLines(t, r.stdout, "note: "+extra+" is not in the manifest (obsolete; the next Open removes it)")
}
