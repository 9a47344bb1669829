package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/lsmkv/lsmkv/internal/filename"
)

// fileState is what inspecting a directory must leave alone in each file.
type fileState struct {
	data    string
	mode    os.FileMode
	modTime time.Time
}

// dirState records every entry of dir, and the directory's own mode and
// modification time, which change when an entry is created or removed.
func dirState(t *testing.T, dir string) map[string]fileState {
	t.Helper()
	state := make(map[string]fileState)
	for _, name := range append(listDir(t, dir), ".") {
		path := filepath.Join(dir, name)
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		var data []byte
		if !fi.IsDir() {
			if data, err = os.ReadFile(path); err != nil {
				t.Fatal(err)
			}
		}
		state[name] = fileState{string(data), fi.Mode(), fi.ModTime()}
	}
	return state
}

// ageDir sets the modification times of dir and its files to a fixed
// moment in the past, so that any write during the test shows up as a
// newer time whatever the file system's timestamp granularity.
func ageDir(t *testing.T, dir string) {
	t.Helper()
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	for _, name := range append(listDir(t, dir), ".") {
		if err := os.Chtimes(filepath.Join(dir, name), old, old); err != nil {
			t.Fatal(err)
		}
	}
}

// TestInspectionLeavesDirUnchanged runs every inspection command, with and
// without -readonly, on a copy of the fixture and checks that no file was
// created, removed, rewritten or touched: not even a LOCK. It does so on
// the fixture as checked in (no LOCK file) and after a DB has opened and
// closed the directory (LOCK present, which kvtool then locks).
func TestInspectionLeavesDirUnchanged(t *testing.T) {
	for _, withLock := range []bool{false, true} {
		t.Run(fmt.Sprintf("LOCK=%v", withLock), func(t *testing.T) {
			dir := copyFixture(t)
			if withLock {
				openClose(t, dir)
			}
			ageDir(t, dir)
			before := dirState(t, dir)
			for _, args := range inspectionCommands(t, dir) {
				mustRun(t, exitOK, args...)
				if after := dirState(t, dir); !maps.Equal(before, after) {
					t.Fatalf("kvtool %v changed the directory:\n%s", args, diffStates(before, after))
				}
			}
		})
	}
}

// inspectionCommands returns every inspection command line for dir: each
// DIR command with and without -readonly, and each file command on every
// file of dir it applies to.
func inspectionCommands(t *testing.T, dir string) [][]string {
	t.Helper()
	svg := filepath.Join(t.TempDir(), "tree.svg") // outside dir
	var cmds [][]string
	for _, c := range []struct{ words, args []string }{
		{[]string{"manifest", "dump"}, []string{dir}},
		{[]string{"lsm", "-svg", svg}, []string{dir}},
		{[]string{"check"}, []string{dir}},
		{[]string{"get"}, []string{dir, "key000"}},
		{[]string{"scan"}, []string{dir}},
	} {
		cmds = append(cmds, slices.Concat(c.words, c.args), slices.Concat(c.words, []string{"-readonly"}, c.args))
	}
	for _, name := range listDir(t, dir) {
		path := filepath.Join(dir, name)
		kind, _, ok := filename.Parse(name)
		if !ok {
			continue
		}
		switch kind {
		case filename.Log:
			cmds = append(cmds, []string{"wal", "dump", path})
		case filename.Table:
			cmds = append(cmds, []string{"sst", "dump", path}, []string{"sst", "props", path}, []string{"sst", "blocks", path})
		case filename.Manifest:
			cmds = append(cmds, []string{"manifest", "dump", path})
		}
	}
	return cmds
}

// diffStates describes how two directory states differ.
func diffStates(before, after map[string]fileState) string {
	var s string
	for _, name := range slices.Sorted(maps.Keys(after)) {
		b, ok := before[name]
		switch a := after[name]; {
		case !ok:
			s += fmt.Sprintf("  %s: created\n", name)
		case a.data != b.data:
			s += fmt.Sprintf("  %s: contents changed\n", name)
		case a != b:
			s += fmt.Sprintf("  %s: mode or time changed: %v %v -> %v %v\n", name, b.mode, b.modTime, a.mode, a.modTime)
		}
	}
	for name := range before {
		if _, ok := after[name]; !ok {
			s += fmt.Sprintf("  %s: removed\n", name)
		}
	}
	return s
}
