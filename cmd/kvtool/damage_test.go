package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	cases := []struct {
		name    string
		file    string
		damage  func([]byte) []byte // nil: remove the file
		problem []string            // substrings of the one problem line
	}{
		// 000028.sst's second data block starts at offset 259.
		{"table data block", fixtureL6Table, flipByte(300),
			[]string{"000028.sst at offset 259", "checksum"}},
		{"table footer", fixtureL6Table, func(b []byte) []byte { b[len(b)-1] ^= 1; return b },
			[]string{"000028.sst at offset"}},
		{"table missing", fixtureL6Table, nil,
			[]string{"000028.sst", "missing"}},
		{"table size", fixtureL6Table, func(b []byte) []byte { return append(b, 0) },
			[]string{"000028.sst", "size 1105 differs from the manifest's 1104"}},
		// Record 1 of the WAL starts at offset 41.
		{"wal record", fixtureWAL, flipByte(50),
			[]string{"000031.log at offset 41", "checksum mismatch"}},
		{"wal missing", fixtureWAL, nil,
			[]string{"000031.log", "missing"}},
		{"manifest record", fixtureManifest, flipByte(200),
			[]string{"MANIFEST-000001 at offset"}},
		{"garbage CURRENT", "CURRENT", func([]byte) []byte { return []byte("garbage\n") },
			[]string{"CURRENT at offset 0", `"garbage\n"`}},
		{"CURRENT without newline", "CURRENT", func([]byte) []byte { return []byte("MANIFEST-000001") },
			[]string{"CURRENT at offset 0"}},
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
			var problems []string
			for _, l := range strings.Split(r.stdout, "\n") {
				if strings.HasPrefix(l, "problem: ") {
					problems = append(problems, l)
				}
			}
			if len(problems) != 1 {
				t.Fatalf("want 1 problem line, got %d:\n%s", len(problems), r.stdout)
			}
			requireContains(t, problems[0], c.problem...)
			requireLines(t, r.stdout, "1 problem(s) found")
		})
	}
}

// TestCheckGoodTablesStillReported checks that one damaged table does not
// stop check from verifying the others.
func TestCheckGoodTablesStillReported(t *testing.T) {
	dir := copyFixture(t)
	damage(t, filepath.Join(dir, fixtureL6Table), flipByte(300))
	r := mustRun(t, exitFailure, "check", dir)
	requireLines(t, r.stdout,
		"table 000027 (L6): 84 entries, 1273 bytes ok",
		"table 000029 (L6): 71 entries, 1094 bytes ok",
		"wal 000031: 4 records, 4 entries ok")
}

// TestWALDumpTornTail truncates the WAL in the middle of its third record:
// the dump shows the two whole records, then the torn tail, and succeeds
// (a crash leaves exactly this). check accepts it too: it is the newest WAL.
func TestWALDumpTornTail(t *testing.T) {
	dir := copyFixture(t)
	path := filepath.Join(dir, fixtureWAL)
	damage(t, path, func(b []byte) []byte { return b[:100] }) // record 2 spans [82, 119)
	r := mustRun(t, exitOK, "wal", "dump", path)
	requireLines(t, r.stdout,
		`#453 SET "key400" = "wal-only"`,
		"end @82: torn tail, 18 bytes dropped (an unfinished final write; recovery ignores it)")
	if strings.Contains(r.stdout, "record 2") {
		t.Errorf("the torn record was shown:\n%s", r.stdout)
	}
	r = mustRun(t, exitOK, "check", dir)
	requireContains(t, r.stdout, "wal 000031: 2 records, 2 entries ok, torn tail dropped")
}

// TestWALDumpDamaged flips a byte inside the second record: the dump shows
// the first record, then fails naming the file and the damaged offset.
func TestWALDumpDamaged(t *testing.T) {
	dir := copyFixture(t)
	path := filepath.Join(dir, fixtureWAL)
	damage(t, path, flipByte(50))
	r := mustRun(t, exitFailure, "wal", "dump", path)
	requireLines(t, r.stdout, `#452 SET "key000" = "wal-only"`, "end @41: damaged")
	requireContains(t, r.stderr, "000031.log at offset 41")
}

// TestSSTDumpDamaged shows the entries before a damaged block, then the
// error with the block's offset.
func TestSSTDumpDamaged(t *testing.T) {
	dir := copyFixture(t)
	path := filepath.Join(dir, fixtureL6Table)
	damage(t, path, flipByte(300))
	r := mustRun(t, exitFailure, "sst", "dump", path)
	requireContains(t, r.stdout, `"key084"#85,SET = "v1-key084"`)
	requireContains(t, r.stderr, "000028.sst at offset 259")
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
