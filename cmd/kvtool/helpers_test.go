package main

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/lsmkv/lsmkv/vfs"
	"github.com/lsmkv/lsmkv/wal"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// result is what one run of kvtool produced.
type result struct {
	stdout, stderr string
	code           int
}

// kvtool runs the command line args and returns its output.
func kvtool(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return result{stdout.String(), stderr.String(), code}
}

// mustRun runs args and fails the test unless the exit status is want.
func mustRun(t *testing.T, want int, args ...string) result {
	t.Helper()
	r := kvtool(t, args...)
	if r.code != want {
		t.Fatalf("kvtool %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s",
			strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
	}
	return r
}

// requireLines fails unless every line in want appears in out as a whole
// line (after trimming spaces at both ends).
func requireLines(t *testing.T, out string, want ...string) {
	t.Helper()
	have := make(map[string]bool)
	for _, l := range strings.Split(out, "\n") {
		have[strings.TrimSpace(l)] = true
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("output lacks the line %q; output:\n%s", w, out)
		}
	}
}

// requireContains fails unless out contains every string in want.
func requireContains(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q; output:\n%s", w, out)
		}
	}
}

// damage rewrites the file at path with fn applied to its bytes.
func damage(t *testing.T, path string, fn func([]byte) []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, fn(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// listDir returns the names in dir, sorted.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// writeWAL writes a WAL numbered num at path holding one record per
// payload.
func writeWAL(t *testing.T, path string, num uint64, payloads ...[]byte) {
	t.Helper()
	f, err := vfs.Default.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := wal.NewWriter(f, num)
	for _, p := range payloads {
		if err := w.Append(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
