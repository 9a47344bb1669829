package lsmkv

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The layers of the module, lowest first (docs/ARCHITECTURE.md, "Layers").
// A package may import only packages of a lower layer; the packages under
// internal/ are leaves that may also import each other. So internal/ never
// reaches a component, the components (wal, memtable, cache, sstable) never
// reach the manifest or compaction, and nothing below the root package
// knows about versions.
var layers = []struct {
	name     string
	packages []string // import paths relative to the module; "" is the root
}{
	{"leaf encodings", []string{"internal/*"}},
	{"file system", []string{"vfs"}},
	{"components", []string{"wal", "memtable", "cache"}},
	{"tables", []string{"sstable"}},
	{"versions", []string{"manifest"}},
	{"compaction policy", []string{"compaction"}},
	{"engine", []string{""}},
	{"engine tests", []string{"metamorphic"}},
	{"benchmark library", []string{"bench"}},
	{"benchmark adapter", []string{"bench/lsmkvengine"}},
	{"live view", []string{"liveview"}},
	{"commands", []string{"cmd/*"}},
}

const modulePath = "github.com/lsmkv/lsmkv"

// layerOf returns the index in layers of the package at rel, or -1.
func layerOf(rel string) int {
	for i, l := range layers {
		for _, p := range l.packages {
			if p == rel || (strings.HasSuffix(p, "/*") && strings.HasPrefix(rel, strings.TrimSuffix(p, "*"))) {
				return i
			}
		}
	}
	return -1
}

// TestLayering fails if a package imports one of its own layer (outside
// internal/) or a higher one, or if a package of the module belongs to no
// layer. It reads the non-test imports of every package with go/build.
func TestLayering(t *testing.T) {
	checked := 0
	err := filepath.WalkDir(".", func(dir string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if dir != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "docs") {
			return filepath.SkipDir
		}
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); dir != "." && err == nil {
			return filepath.SkipDir // a nested module (bench/peers, raftstore): its own dependencies
		}
		pkg, err := build.ImportDir(dir, 0)
		if _, ok := err.(*build.NoGoError); ok {
			return nil
		}
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(dir)
		if rel == "." {
			rel = ""
		}
		from := layerOf(rel)
		if from < 0 {
			t.Errorf("package %q belongs to no layer: add it to layers", rel)
			return nil
		}
		checked++
		for _, imp := range pkg.Imports {
			target, ok := strings.CutPrefix(imp, modulePath)
			if !ok {
				continue // the standard library or a third-party module
			}
			target = strings.TrimPrefix(target, "/")
			to := layerOf(target)
			sameLeafTier := from == 0 && to == 0
			if to < 0 || (to >= from && !sameLeafTier) {
				t.Errorf("%q (%s) imports %q (%s): imports must point to a lower layer",
					rel, layers[from].name, target, layerName(to))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 15 {
		t.Fatalf("checked only %d packages: is the walk broken?", checked)
	}
}

func layerName(i int) string {
	if i < 0 {
		return "no layer"
	}
	return layers[i].name
}
