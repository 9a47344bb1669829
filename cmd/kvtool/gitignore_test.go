package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuiltBinariesIgnored checks the repository's .gitignore against the
// way binaries get built: go build ./cmd/NAME writes NAME into the current
// directory, the repository root or cmd/NAME or anywhere else. Such a file
// must be ignored everywhere, while the source directory cmd/NAME and its
// files must not be; and no such binary may be tracked (one was: issue 9).
// It needs git and a work tree, and skips without them.
func TestBuiltBinariesIgnored(t *testing.T) {
	const root = "../.."
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git not found")
	}
	if out, err := exec.Command(git, "-C", root, "rev-parse", "--is-inside-work-tree").Output(); err != nil ||
		strings.TrimSpace(string(out)) != "true" {
		t.Skip("not in a git work tree")
	}
	names := []string{"kvstress", "raftkv"} // commands to come, named in .gitignore
	entries, err := os.ReadDir(filepath.Join(root, "cmd"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	ignored := func(path string) bool {
		err := exec.Command(git, "-C", root, "check-ignore", "-q", "--no-index", path).Run()
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.ExitCode() == 1 {
			return false
		}
		if err != nil {
			t.Fatalf("git check-ignore %s: %v", path, err)
		}
		return true
	}
	for _, name := range names {
		for _, bin := range []string{name, "cmd/" + name + "/" + name, "bench/" + name} {
			if !ignored(bin) {
				t.Errorf("a binary built at %s would not be ignored", bin)
			}
		}
		// A trailing slash asks about a directory, whether or not it exists.
		for _, src := range []string{"cmd/" + name + "/", "cmd/" + name + "/main.go", "docs/" + name + ".md"} {
			if ignored(src) {
				t.Errorf("%s is ignored, but it is source", src)
			}
		}
		out, err := exec.Command(git, "-C", root, "ls-files", "--", name, "cmd/"+name+"/"+name).Output()
		if err != nil {
			t.Fatalf("git ls-files: %v", err)
		}
		if len(out) > 0 {
			t.Errorf("built binaries are tracked:\n%s", out)
		}
	}
}
