package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestUsage checks that help lists every command and succeeds when asked
// for, and that no command at all is a usage error (exit 2, the listing on
// stderr).
func TestUsage(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		r := mustRun(t, exitOK, args...)
		for _, c := range commands {
			requireContains(t, r.stdout, "kvtool "+c.name)
		}
	}
	r := mustRun(t, exitUsage)
	if r.stdout != "" {
		t.Errorf("bare kvtool wrote to stdout:\n%s", r.stdout)
	}
	requireContains(t, r.stderr, "Usage:", "kvtool check")
}

// TestUsageListsEveryFlag asks each command for its flags with -h (the
// flag package prints every flag the command defines) and checks that the
// command's line in "kvtool help" shows each of them.
func TestUsageListsEveryFlag(t *testing.T) {
	help := mustRun(t, exitOK, "help").stdout
	lines := make(map[string]string) // command name -> its synopsis line
	for _, l := range strings.Split(help, "\n") {
		for _, c := range commands {
			if strings.HasPrefix(l, "  kvtool "+c.name+" ") || l == "  kvtool "+c.name {
				lines[c.name] = l
			}
		}
	}
	for _, c := range commands {
		if c.setup == nil {
			continue
		}
		line, ok := lines[c.name]
		if !ok {
			t.Errorf("help lacks a line for %q:\n%s", c.name, help)
			continue
		}
		r := mustRun(t, exitOK, append(strings.Fields(c.name), "-h")...)
		for _, l := range strings.Split(r.stderr, "\n") {
			flagName, ok := strings.CutPrefix(l, "  -")
			if !ok {
				continue
			}
			flagName, _, _ = strings.Cut(flagName, " ")
			if !strings.Contains(line, "[-"+flagName) {
				t.Errorf("kvtool %s accepts -%s, but help does not list it:\n%s", c.name, flagName, line)
			}
		}
		for _, p := range c.pos {
			requireContains(t, line, " "+p)
		}
	}
}

// TestBadUsage checks that every malformed command line exits 2 with a
// message saying what is wrong, and touches nothing.
func TestBadUsage(t *testing.T) {
	cases := []struct {
		args []string
		msg  string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"wal"}, `unknown command "wal"`},
		{[]string{"sst", "explode", "x"}, `unknown command "sst explode x"`},
		{[]string{"wal", "dump"}, "want 1 argument(s) (FILE), got 0"},
		{[]string{"sst", "dump", "a", "b"}, "want 1 argument(s) (FILE), got 2"},
		{[]string{"get", "dir"}, "want 2 argument(s) (DIR KEY), got 1"},
		{[]string{"check", "-nosuchflag", "dir"}, "flag provided but not defined: -nosuchflag"},
		{[]string{"scan", "-limit", "many", "dir"}, `invalid value "many" for flag -limit`},
	}
	for _, c := range cases {
		r := mustRun(t, exitUsage, c.args...)
		requireContains(t, r.stderr, c.msg)
	}
}

func TestMissingFiles(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"wal", "dump", dir + "/000001.log"},
		{"wal", "dump", dir + "/nonexist"}, // existence is checked before the name
		{"wal", "dump", "-lognum", "7", dir + "/nonexist"},
		{"sst", "dump", dir + "/000001.sst"},
		{"manifest", "dump", dir + "/MANIFEST-000001"},
		{"check", dir + "/nodb"},
		{"scan", dir + "/nodb"},
	} {
		r := mustRun(t, exitFailure, args...)
		requireContains(t, r.stderr, "no such file")
	}
	notawal := filepath.Join(dir, "notawal")
	if err := os.WriteFile(notawal, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r := mustRun(t, exitFailure, "wal", "dump", notawal)
	requireContains(t, r.stderr, "not named like a WAL", "-lognum")
}

func TestParseInterleaved(t *testing.T) {
	cases := []struct {
		args  []string
		pos   []string
		limit int
		rev   bool
	}{
		{[]string{"dir"}, []string{"dir"}, 0, false},
		{[]string{"-limit", "3", "dir"}, []string{"dir"}, 3, false},
		{[]string{"dir", "-limit", "3"}, []string{"dir"}, 3, false},
		{[]string{"a", "-reverse", "b", "-limit=2"}, []string{"a", "b"}, 2, true},
		{[]string{"dir", "--", "-reverse"}, []string{"dir", "-reverse"}, 0, false},
		{[]string{"--", "-a", "-b"}, []string{"-a", "-b"}, 0, false},
		{nil, nil, 0, false},
	}
	for _, c := range cases {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		limit := fs.Int("limit", 0, "")
		rev := fs.Bool("reverse", false, "")
		pos, err := parseInterleaved(fs, c.args)
		if err != nil {
			t.Errorf("%q: %v", c.args, err)
			continue
		}
		if !slices.Equal(pos, c.pos) || *limit != c.limit || *rev != c.rev {
			t.Errorf("%q: pos %q limit %d reverse %v; want %q %d %v", c.args, pos, *limit, *rev, c.pos, c.limit, c.rev)
		}
	}
}

func TestFmtBytes(t *testing.T) {
	long := strings.Repeat("a", 40)
	cases := []struct {
		in   []byte
		full bool
		want string
	}{
		{nil, false, `""`},
		{[]byte("key000"), false, `"key000"`},
		{[]byte(`a"b\c`), false, `"a\"b\\c"`},
		{[]byte{0, 1, 0xff}, false, "0x0001ff"},
		{[]byte("tab\there"), false, "0x7461620968657265"},
		{[]byte("é"), false, "0xc3a9"}, // printable ASCII only: no ambiguity about encodings
		{[]byte(long), false, `"` + long[:32] + `"...(40 bytes)`},
		{[]byte(long), true, `"` + long + `"`},
	}
	for _, c := range cases {
		if got := fmtBytes(c.in, c.full); got != c.want {
			t.Errorf("fmtBytes(%q, %v) = %s, want %s", c.in, c.full, got, c.want)
		}
	}
	if got := fmtIKey([]byte{1, 2}, false); got != "invalid(0x0102)" {
		t.Errorf("fmtIKey of a short key = %s", got)
	}
}
