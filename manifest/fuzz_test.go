package manifest

import (
	"path/filepath"
	"testing"

	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/vfs"
)

// FuzzLoad feeds arbitrary bytes as MANIFEST-000001 to a read-only Load:
// it must not panic, and whatever it accepts must be a valid version whose
// counters cover every file number in it.
func FuzzLoad(f *testing.F) {
	for _, n := range []int{0, 1, 3} {
		fs := vfs.NewMem()
		vs, err := Create(Options{FS: fs, Dir: testDir})
		if err != nil {
			f.Fatal(err)
		}
		for i := range n {
			num := vs.NewFileNum()
			e := &VersionEdit{Added: []NewFile{add(i%2, meta(num, "a", "b", 1, 1))}}
			if err := vs.LogAndApply(e); err != nil {
				f.Fatal(err)
			}
		}
		vs.Close()
		f.Add(readAllF(f, fs, filepath.Join(testDir, "MANIFEST-000001")))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fs := vfs.NewMem()
		if err := fs.MkdirAll(testDir, 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, fs, filepath.Join(testDir, "MANIFEST-000001"), data)
		writeFile(t, fs, filepath.Join(testDir, "CURRENT"), []byte("MANIFEST-000001\n"))
		vs, err := Load(Options{FS: fs, Dir: testDir, ReadOnly: true})
		if err != nil {
			return
		}
		v := vs.Current()
		defer v.Unref()
		if err := v.CheckInvariants(); err != nil {
			t.Fatalf("Load accepted an invalid version: %v", err)
		}
		for _, files := range v.Levels {
			for _, m := range files {
				if m.Num >= vs.NextFileNum() {
					t.Fatalf("table %d >= next file number %d", m.Num, vs.NextFileNum())
				}
			}
		}
	})
}

// FuzzReadCurrent feeds arbitrary bytes as CURRENT: ReadCurrent must not
// panic, and a name it accepts must be the canonical name of a manifest.
func FuzzReadCurrent(f *testing.F) {
	f.Add([]byte("MANIFEST-000001\n"))
	f.Add([]byte("MANIFEST-1\n"))
	f.Add([]byte("MANIFEST-000001"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fs := vfs.NewMem()
		if err := fs.MkdirAll(testDir, 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, fs, filepath.Join(testDir, "MANIFEST-000001"), nil)
		writeFile(t, fs, filepath.Join(testDir, "CURRENT"), data)
		num, err := ReadCurrent(fs, testDir)
		if err != nil {
			return
		}
		if want := filename.Make(filename.Manifest, num) + "\n"; string(data) != want {
			t.Fatalf("accepted %q, which is not %q", data, want)
		}
	})
}

func readAllF(f *testing.F, fs vfs.FS, name string) []byte {
	file, err := fs.Open(name)
	if err != nil {
		f.Fatal(err)
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil {
		f.Fatal(err)
	}
	b := make([]byte, st.Size())
	if _, err := file.ReadAt(b, 0); err != nil {
		f.Fatal(err)
	}
	return b
}
