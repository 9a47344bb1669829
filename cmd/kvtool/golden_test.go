package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGolden runs every read command on a copy of the fixture and compares
// its output with testdata/golden/<name>.txt. Run with -update to rewrite
// the files after an intended change, and review the diff. The copy's
// temporary path is replaced by "DB" so the files do not depend on it.
func TestGolden(t *testing.T) {
	fx := loadFixture(t)
	dir := copyFixture(t)
	file := func(name string) string { return filepath.Join(dir, name) }
	cases := []struct {
		name string
		args []string
	}{
		{"wal-dump", []string{"wal", "dump", file(fx.wal)}},
		{"sst-dump", []string{"sst", "dump", file(tableName(fx.l0))}},
		{"sst-props", []string{"sst", "props", file(tableName(fx.l0))}},
		{"sst-blocks", []string{"sst", "blocks", file(tableName(fx.shadowed))}},
		{"manifest-dump", []string{"manifest", "dump", dir}},
		{"lsm", []string{"lsm", dir}},
		{"check", []string{"check", dir}},
		{"get", []string{"get", dir, "key401"}},
		{"scan", []string{"scan", dir, "-start", "key148", "-end", "key153"}},
		{"scan-reverse", []string{"scan", "-reverse", "-limit", "3", dir}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkGolden(t, dir, c.name, c.args...) })
	}
}

// checkGolden runs args, which must succeed, and compares the output, with
// dir replaced by "DB", with testdata/golden/<name>.txt (or rewrites that
// file under -update).
func checkGolden(t *testing.T, dir, name string, args ...string) {
	t.Helper()
	r := mustRun(t, exitOK, args...)
	got := strings.ReplaceAll(r.stdout, dir, "DB")
	path := filepath.Join("testdata", "golden", name+".txt")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("kvtool %s: output differs from %s (go test -update rewrites it)\ngot:\n%s\nwant:\n%s",
			strings.Join(args, " "), path, got, want)
	}
}

// TestFixtureContent checks facts about the fixture that its generator
// guarantees, independently of the golden files: if -update blessed wrong
// output, these still fail.
func TestFixtureContent(t *testing.T) {
	fx := loadFixture(t)
	dir := copyFixture(t)
	file := func(name string) string { return filepath.Join(dir, name) }

	r := mustRun(t, exitOK, "wal", "dump", file(fx.wal))
	requireLines(t, r.stdout,
		`#452 SET "key000" = "wal-only"`,
		`#454 SET "key401" = 0x0001feff`,
		`#455 DEL "key001"`,
		fmt.Sprintf("end @%d: clean", fx.walSize))

	r = mustRun(t, exitOK, "sst", "dump", file(tableName(fx.l0)))
	requireLines(t, r.stdout, `"key150"#451,DEL`, `"key300"#401,SET = "v3-key300"`, "51 entries")

	r = mustRun(t, exitOK, "lsm", dir)
	requireContains(t, r.stdout, fmt.Sprintf("L6     %d ", len(fx.l6)), fmt.Sprintf("L0     %06d ", fx.l0.Num))

	r = mustRun(t, exitOK, "scan", dir, "-start", "key149", "-end", "key152")
	// key150 is deleted by the L0 tombstone; key149 and key151 were last
	// written by the second batch.
	if want := "\"key149\" = \"v2-key149\"\n\"key151\" = \"v2-key151\"\n2 entries\n"; r.stdout != want {
		t.Errorf("scan: got\n%s\nwant\n%s", r.stdout, want)
	}
	r = mustRun(t, exitOK, "get", dir, "key000")
	if r.stdout != "\"wal-only\"\n" {
		t.Errorf("get key000 = %q, want the WAL's value", r.stdout)
	}
	r = mustRun(t, exitOK, "get", "-hex", dir, "6b6579343031") // "key401"
	if r.stdout != "0x0001feff\n" {
		t.Errorf("get -hex key401 = %q, want its binary value in hex", r.stdout)
	}
	r = mustRun(t, exitFailure, "get", dir, "key001") // deleted in the WAL
	requireContains(t, r.stderr, "not found")
}
