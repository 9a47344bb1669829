package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lsmkv/lsmkv/manifest"
	"github.com/lsmkv/lsmkv/wal"
)

// flipByte returns a damage function that flips one bit at off.
func flipByte(off int) func([]byte) []byte {
	return func(b []byte) []byte {
		b[off] ^= 0x40
		return b
	}
}

// TestCheckFindsDamage damages one file of a copy of the fixture in each
// case and checks that check exits 1 and names the file (and the offset,
// when the damage has one), while every other file still checks out.
func TestCheckFindsDamage(t *testing.T) {
	fx := loadFixture(t)
	table := tableName(fx.shadowed)
	// A bit flipped inside the table's second data block is reported at
	// the block's offset; one inside the WAL's second record, at the
	// record's.
	block := dataBlocks(t, filepath.Join(fixtureDir, table))[1]
	rec := fx.walRecs[1]
	cases := []struct {
		name    string
		file    string
		damage  func([]byte) []byte // nil: remove the file
		problem []string            // substrings of the one problem line
	}{
		{"table data block", table, flipByte(int(block.Offset + block.Length/2)),
			[]string{fmt.Sprintf("%s at offset %d", table, block.Offset), "checksum"}},
		{"table footer", table, func(b []byte) []byte { b[len(b)-1] ^= 1; return b },
			[]string{table + " at offset"}},
		{"table missing", table, nil,
			[]string{table, "missing", "(the state comes from", fx.manifest}},
		{"table size", table, func(b []byte) []byte { return append(b, 0) },
			[]string{table, fmt.Sprintf("size %d differs from the manifest's %d", fx.shadowed.Size+1, fx.shadowed.Size)}},
		{"wal record", fx.wal, flipByte(int(rec.off) + wal.HeaderLen + rec.len/2),
			[]string{fmt.Sprintf("%s at offset %d", fx.wal, rec.off), "checksum mismatch"}},
		{"wal missing", fx.wal, nil,
			[]string{fx.wal, "missing", "(the state comes from", fx.manifest}},
		{"manifest record", fx.manifest, flipByte(int(fx.edits[len(fx.edits)/2]) + wal.HeaderLen + 2),
			[]string{fx.manifest + " at offset"}},
		{"garbage CURRENT", "CURRENT", func([]byte) []byte { return []byte("garbage\n") },
			[]string{"CURRENT at offset 0", `"garbage", which is not a manifest`}},
		{"CURRENT without newline", "CURRENT", func([]byte) []byte { return []byte(fx.manifest) },
			[]string{"CURRENT at offset 15: does not end with a newline"}},
		{"CURRENT missing", "CURRENT", nil, []string{"CURRENT"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyFixture(t)
			path := filepath.Join(dir, c.file)
			if c.damage == nil {
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
			} else {
				damage(t, path, c.damage)
			}
			r := mustRun(t, exitFailure, "check", dir)
			problems := problemLines(r.stdout)
			if len(problems) != 1 {
				t.Fatalf("want 1 problem line, got %d:\n%s", len(problems), r.stdout)
			}
			requireContains(t, problems[0], c.problem...)
			requireLines(t, r.stdout, "1 problem(s) found")
		})
	}
}

// problemLines returns check's problem lines.
func problemLines(out string) []string {
	var problems []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "problem: ") {
			problems = append(problems, l)
		}
	}
	return problems
}

// TestCheckGoodTablesStillReported checks that one damaged table does not
// stop check from verifying the others.
func TestCheckGoodTablesStillReported(t *testing.T) {
	fx := loadFixture(t)
	dir := copyFixture(t)
	block := dataBlocks(t, filepath.Join(dir, tableName(fx.shadowed)))[1]
	damage(t, filepath.Join(dir, tableName(fx.shadowed)), flipByte(int(block.Offset+block.Length/2)))
	r := mustRun(t, exitFailure, "check", dir)
	var want []*regexp.Regexp
	for _, f := range append([]*manifest.FileMeta{fx.l0}, fx.l6...) {
		if f != fx.shadowed {
			want = append(want, regexp.MustCompile(fmt.Sprintf(`(?m)^table %06d \(L\d\): \d+ entries, %d bytes ok$`, f.Num, f.Size)))
		}
	}
	for _, re := range want {
		if !re.MatchString(r.stdout) {
			t.Errorf("output lacks a line matching %s:\n%s", re, r.stdout)
		}
	}
	requireLines(t, r.stdout, fmt.Sprintf("wal %06d: 4 records, 4 entries ok", fx.walNum))
}

// TestWALDumpTornTail truncates the WAL in the middle of its third record:
// the dump shows the two whole records, then the torn tail, and succeeds
// (a crash leaves exactly this). check accepts it too: it is the newest WAL.
func TestWALDumpTornTail(t *testing.T) {
	fx := loadFixture(t)
	dir := copyFixture(t)
	path := filepath.Join(dir, fx.wal)
	rec := fx.walRecs[2]
	cut := rec.off + wal.HeaderLen + int64(rec.len)/2
	damage(t, path, func(b []byte) []byte { return b[:cut] })
	r := mustRun(t, exitOK, "wal", "dump", path)
	requireLines(t, r.stdout,
		`#453 SET "key400" = "wal-only"`,
		fmt.Sprintf("end @%d: torn tail, %d bytes dropped (an unfinished final write; recovery ignores it)", rec.off, cut-rec.off))
	if strings.Contains(r.stdout, "record 2") {
		t.Errorf("the torn record was shown:\n%s", r.stdout)
	}
	r = mustRun(t, exitOK, "check", dir)
	requireContains(t, r.stdout, fmt.Sprintf("wal %06d: 2 records, 2 entries ok, torn tail dropped", fx.walNum))
}

// TestWALDumpDamaged flips a byte inside the second record: the dump shows
// the first record, then fails naming the file and the damaged offset.
func TestWALDumpDamaged(t *testing.T) {
	fx := loadFixture(t)
	dir := copyFixture(t)
	path := filepath.Join(dir, fx.wal)
	rec := fx.walRecs[1]
	damage(t, path, flipByte(int(rec.off)+wal.HeaderLen+rec.len/2))
	r := mustRun(t, exitFailure, "wal", "dump", path)
	requireLines(t, r.stdout, `#452 SET "key000" = "wal-only"`, fmt.Sprintf("end @%d: damaged", rec.off))
	requireContains(t, r.stderr, fmt.Sprintf("%s at offset %d", fx.wal, rec.off))
}

// TestSSTDumpDamaged shows the entries before a damaged block, then the
// error with the block's offset.
func TestSSTDumpDamaged(t *testing.T) {
	fx := loadFixture(t)
	dir := copyFixture(t)
	path := filepath.Join(dir, tableName(fx.shadowed))
	block := dataBlocks(t, path)[1]
	damage(t, path, flipByte(int(block.Offset+block.Length/2)))
	r := mustRun(t, exitFailure, "sst", "dump", path)
	requireContains(t, r.stdout, fmtIKey(fx.shadowed.Smallest, true)+" = ")
	requireContains(t, r.stderr, fmt.Sprintf("%s at offset %d", tableName(fx.shadowed), block.Offset))
	mustRun(t, exitFailure, "sst", "blocks", path)
}

// TestCommandsRejectGarbageCURRENT checks that every DIR command reports a
// broken CURRENT as an error naming it.
func TestCommandsRejectGarbageCURRENT(t *testing.T) {
	dir := copyFixture(t)
	damage(t, filepath.Join(dir, "CURRENT"), func([]byte) []byte { return []byte("MANIFEST-7\n") })
	for _, args := range [][]string{
		{"manifest", "dump", dir},
		{"lsm", dir},
		{"get", dir, "key000"},
		{"scan", dir},
	} {
		r := mustRun(t, exitFailure, args...)
		requireContains(t, r.stderr, "CURRENT")
	}
}
