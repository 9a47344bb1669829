package manifest

import (
	"errors"
	"fmt"
	"github.com/stretchr/testify/require"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsmkv/lsmkv/internal/corruption"
	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/vfs"
)

const testDir = "db"

func createSet(t *testing.T, fs vfs.FS) *VersionSet {
	t.Helper()
	vs, err := Create(Options{FS: fs, Dir: testDir})
	require.NoError(t, err)
	return vs
}

func loadSet(t *testing.T, fs vfs.FS, readOnly bool) *VersionSet {
	t.Helper()
	vs, err := Load(Options{FS: fs, Dir: testDir, ReadOnly: readOnly})
	require.NoError(t, err)
	return vs
}

// flush simulates a memtable flush: n writes get sequence numbers, then one
// new L0 table holding them is logged.
func flush(t *testing.T, vs *VersionSet, lo, hi string, n int) uint64 {
	t.Helper()
	first := vs.LastSeq() + 1
	vs.SetLastSeq(vs.LastSeq() + keys.SeqNum(n))
	num := vs.NewFileNum()
	m := meta(num, lo, hi, first, vs.LastSeq())
	require.NoError(t, vs.LogAndApply(&VersionEdit{Added: []NewFile{add(0, m)}}))
	return num
}

// state is what a reopen must reproduce.
type state struct {
	version     string
	logNum      uint64
	lastSeq     keys.SeqNum
	nextFileNum uint64
}

func stateOf(vs *VersionSet) state {
	v := vs.Current()
	defer v.Unref()
	return state{v.String(), vs.LogNum(), vs.LastSeq(), vs.NextFileNum()}
}

func currentName(t *testing.T, fs vfs.FS) string {
	t.Helper()
	return strings.TrimSuffix(string(readAll(t, fs, filepath.Join(testDir, "CURRENT"))), "\n")
}

func manifests(t *testing.T, fs vfs.FS) []string {
	t.Helper()
	names, err := fs.List(testDir)
	require.NoError(t, err)
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, "MANIFEST-") {
			out = append(out, n)
		}
	}
	return out
}

func TestCreate(t *testing.T) {
	fs := vfs.NewMem()
	vs := createSet(t, fs)
	require.Equal(t, uint64(1), vs.ManifestNum())
	require.Equal(t, uint64(2), vs.NextFileNum())
	require.Equal(t, "MANIFEST-000001", currentName(t, fs))
	require.Equal(t, []string{"MANIFEST-000001"}, manifests(t, fs))
	require.Equal(t, "(empty)\n", stateOf(vs).version)
	require.NoError(t, vs.Close())

	_, err := Create(Options{FS: fs, Dir: testDir})
	require.Error(t, err, "Create over an existing DB")
	require.Contains(t, err.Error(), "refusing")
	_, err = Create(Options{FS: fs, Dir: "other", ReadOnly: true})
	require.Error(t, err)
	_, err = Create(Options{Dir: "other"})
	require.Error(t, err)
}

func TestCreateLogAndApplyLoad(t *testing.T) {
	fs := vfs.NewMem()
	vs := createSet(t, fs)
	a := flush(t, vs, "a", "f", 10)
	b := flush(t, vs, "d", "k", 5)
	walNum := vs.NewFileNum()
	c := vs.NewFileNum()
	require.NoError(t, vs.LogAndApply(&VersionEdit{
		HasLogNum: true, LogNum: walNum,
		Deleted: []DeletedFile{{0, a}, {0, b}},
		Added:   []NewFile{add(1, meta(c, "a", "k", 1, 15))},
	}))
	flush(t, vs, "x", "z", 1)
	vs.SetLastSeq(100) // writes not yet flushed: recorded only with the next edit
	require.NoError(t, vs.LogAndApply(&VersionEdit{}))
	want := stateOf(vs)
	require.Equal(t, walNum, want.logNum)
	require.Equal(t, keys.SeqNum(100), want.lastSeq)
	require.NoError(t, vs.Close())
	require.Error(t, vs.LogAndApply(&VersionEdit{}), "LogAndApply after Close")

	// A read-only Load reproduces the state and changes nothing.
	before := fs.String()
	ro := loadSet(t, fs, true)
	require.Equal(t, want, stateOf(ro))
	require.Error(t, ro.LogAndApply(&VersionEdit{}))
	require.NoError(t, ro.Close())
	require.Equal(t, before, fs.String())

	// A read-write Load reproduces it too, then moves to a new manifest.
	rw := loadSet(t, fs, false)
	got := stateOf(rw)
	require.Equal(t, want.version, got.version)
	require.Equal(t, want.logNum, got.logNum)
	require.Equal(t, want.lastSeq, got.lastSeq)
	require.Equal(t, want.nextFileNum, rw.ManifestNum(), "the new manifest takes the next number")
	require.Equal(t, want.nextFileNum+1, got.nextFileNum)
	require.Equal(t, []string{filename.Make(filename.Manifest, rw.ManifestNum())}, manifests(t, fs))
	require.Equal(t, manifests(t, fs)[0], currentName(t, fs))
	flush(t, rw, "q", "r", 1)
	want = stateOf(rw)
	require.NoError(t, rw.Close())
	require.Equal(t, want, stateOf(loadSet(t, fs, true)))
}

func TestLoadBadCurrent(t *testing.T) {
	tests := []struct {
		name     string
		contents *string // nil: CURRENT is missing
		want     string
	}{
		{"missing", nil, "missing"},
		{"empty", ptr(""), "newline"},
		{"no newline", ptr("MANIFEST-000001"), "newline"},
		{"garbage", ptr("hello\n"), "not a manifest"},
		{"other kind", ptr("000001.log\n"), "not a manifest"},
		{"non-canonical", ptr("MANIFEST-1\n"), "not a manifest"},
		{"two lines", ptr("MANIFEST-000001\n\n"), "not a manifest"},
		{"missing manifest", ptr("MANIFEST-000009\n"), "does not exist"},
		{"too long", ptr(strings.Repeat("x", 100) + "\n"), "longer than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := vfs.NewMem()
			require.NoError(t, createSet(t, fs).Close())
			cur := filepath.Join(testDir, "CURRENT")
			if tc.contents == nil {
				require.NoError(t, fs.Remove(cur))
			} else {
				writeFile(t, fs, cur, []byte(*tc.contents))
			}
			_, err := Load(Options{FS: fs, Dir: testDir})
			require.ErrorIs(t, err, corruption.ErrCorruption)
			require.Contains(t, err.Error(), cur)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}

func ptr(s string) *string { return &s }

func writeFile(t *testing.T, fs vfs.FS, name string, b []byte) {
	t.Helper()
	f, err := fs.Create(name)
	require.NoError(t, err)
	_, err = f.Write(b)
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	require.NoError(t, f.Close())
}

// recordOffsets returns the offset of every record in the live manifest.
func recordOffsets(t *testing.T, fs vfs.FS, path string) []int64 {
	t.Helper()
	var offs []int64
	require.NoError(t, readEditsErr(fs, path, func(off int64, _ *VersionEdit) error {
		offs = append(offs, off)
		return nil
	}))
	return offs
}

// threeEdits makes a DB whose manifest holds a snapshot and three edits and
// returns the manifest's path and the state after each record.
func threeEdits(t *testing.T) (*vfs.MemFS, string, []state) {
	fs := vfs.NewMem()
	vs := createSet(t, fs)
	states := []state{stateOf(vs)}
	for i := range 3 {
		flush(t, vs, fmt.Sprint(i), fmt.Sprint(i+5), 2)
		states = append(states, stateOf(vs))
	}
	require.NoError(t, vs.Close())
	return fs, filepath.Join(testDir, currentName(t, fs)), states
}

func TestLoadDamagedRecord(t *testing.T) {
	fs, path, _ := threeEdits(t)
	offs := recordOffsets(t, fs, path)
	require.Equal(t, 4, len(offs))
	data := readAll(t, fs, path)
	for _, rec := range []int{0, 1, 2} {
		bad := append([]byte(nil), data...)
		bad[offs[rec]+14] ^= 0x10 // a payload byte
		writeFile(t, fs, path, bad)
		_, err := Load(Options{FS: fs, Dir: testDir, ReadOnly: true})
		require.ErrorIs(t, err, corruption.ErrCorruption)
		require.Contains(t, err.Error(), path)
		require.Contains(t, err.Error(), fmt.Sprintf("offset %d", offs[rec]))
	}
}

func TestLoadBadEdit(t *testing.T) {
	// Checksums verify but the edits do not make sense.
	tests := []struct {
		name   string
		edits  []*VersionEdit
		want   string
		offset bool // whether the error names the bad record's offset
	}{
		{"undecodable", nil, "unknown tag", true},
		{"delete missing", []*VersionEdit{{Deleted: []DeletedFile{{1, 77}}}}, "not there", true},
		// Ordering is checked once, on the replayed result, so the error
		// names the manifest but no record.
		{"overlap", []*VersionEdit{{Added: []NewFile{add(1, meta(5, "a", "c", 1, 1)), add(1, meta(6, "b", "d", 1, 1))}}}, "overlaps", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := vfs.NewMem()
			require.NoError(t, createSet(t, fs).Close())
			path := filepath.Join(testDir, "MANIFEST-000001")
			f, err := fs.Create(path)
			require.NoError(t, err)
			w := newWALWriter(f, 1)
			require.NoError(t, w.Append(snapshotEdit(&Version{}, 0, 10, 0).Encode(nil)))
			if tc.edits == nil {
				require.NoError(t, w.Append([]byte{99}))
			}
			for _, e := range tc.edits {
				require.NoError(t, w.Append(e.Encode(nil)))
			}
			require.NoError(t, w.Close())
			offs := recordOffsetsRaw(t, fs, path)
			_, err = Load(Options{FS: fs, Dir: testDir})
			require.ErrorIs(t, err, corruption.ErrCorruption)
			require.Contains(t, err.Error(), tc.want)
			require.Contains(t, err.Error(), path)
			if tc.offset {
				require.Contains(t, err.Error(), fmt.Sprintf("%s at offset %d", path, offs[len(offs)-1]))
			}
		})
	}
}

func TestLoadIncompleteManifest(t *testing.T) {
	fs := vfs.NewMem()
	require.NoError(t, createSet(t, fs).Close())
	path := filepath.Join(testDir, "MANIFEST-000001")
	writeFile(t, fs, path, nil) // no records at all
	_, err := Load(Options{FS: fs, Dir: testDir})
	require.ErrorIs(t, err, corruption.ErrCorruption)
	require.Contains(t, err.Error(), "incomplete")
}

// TestLoadTornTail cuts the last record at every byte: Load must return the
// state before it, as that edit was never acknowledged.
func TestLoadTornTail(t *testing.T) {
	fs, path, states := threeEdits(t)
	offs := recordOffsets(t, fs, path)
	data := readAll(t, fs, path)
	last := offs[len(offs)-1]
	for cut := last + 1; cut < int64(len(data)); cut++ {
		writeFile(t, fs, path, data[:cut])
		vs, err := Load(Options{FS: fs, Dir: testDir, ReadOnly: true})
		require.NoError(t, err, "cut at %d", cut)
		got := stateOf(vs)
		require.Equal(t, states[2].version, got.version, "cut at %d", cut)
		require.Equal(t, states[2].lastSeq, got.lastSeq, "cut at %d", cut)
	}
	// Cutting exactly at a record boundary is a clean end.
	writeFile(t, fs, path, data[:last])
	require.Equal(t, states[2].version, stateOf(loadSet(t, fs, true)).version)
}

func TestReadEdits(t *testing.T) {
	fs, path, _ := threeEdits(t)
	var got []*VersionEdit
	require.NoError(t, readEditsErr(fs, path, func(_ int64, e *VersionEdit) error {
		got = append(got, e)
		return nil
	}))
	require.Equal(t, 4, len(got))
	require.True(t, got[0].HasNextFileNum && got[0].HasLogNum && got[0].HasLastSeq, "first record is a snapshot")
	for _, e := range got[1:] {
		require.Equal(t, 1, len(e.Added))
		require.True(t, e.HasNextFileNum && e.HasLogNum && e.HasLastSeq, "every record carries the counters")
	}
	stop := errors.New("stop")
	n := 0
	err := readEditsErr(fs, path, func(int64, *VersionEdit) error { n++; return stop })
	require.ErrorIs(t, err, stop)
	require.Equal(t, 1, n)
	require.Error(t, readEditsErr(fs, filepath.Join(testDir, "CURRENT"), nil))
}

// TestReadEditsExtent: the Extent names where the readable records end and
// whether a torn tail was dropped, so that kvtool and Open can say "the
// manifest was cut short" instead of blaming the files it no longer lists.
func TestReadEditsExtent(t *testing.T) {
	fs, path, _ := threeEdits(t)
	offs := recordOffsets(t, fs, path)
	data := readAll(t, fs, path)
	x, err := ReadEdits(fs, path, func(int64, *VersionEdit) error { return nil })
	require.NoError(t, err)
	require.Equal(t, Extent{Path: path, End: int64(len(data)), Size: int64(len(data))}, x)

	last := offs[len(offs)-1]
	writeFile(t, fs, path, data[:last+5])
	x, err = ReadEdits(fs, path, func(int64, *VersionEdit) error { return nil })
	require.NoError(t, err)
	require.Equal(t, Extent{Path: path, End: last, Size: last + 5, Torn: true}, x)
	require.Contains(t, x.String(), fmt.Sprintf("up to offset %d of its %d bytes", last, last+5))
	require.Contains(t, x.String(), "torn")

	bad := append([]byte(nil), data...)
	bad[offs[2]+14] ^= 0x10
	writeFile(t, fs, path, bad)
	x, err = ReadEdits(fs, path, func(int64, *VersionEdit) error { return nil })
	require.ErrorIs(t, err, corruption.ErrCorruption)
	require.Equal(t, offs[2], x.End, "the records before the damaged one are readable")
	require.True(t, strings.HasPrefix(err.Error(), "lsmkv/manifest: "), "error names the manifest layer: %v", err)
}

// TestLoadCheckNamesManifest: when Check rejects the replayed state (say a
// listed table is missing because the manifest lost its newer edits), Load
// says which manifest the state came from and where its records end, and
// changes nothing on disk.
func TestLoadCheckNamesManifest(t *testing.T) {
	fs, path, _ := threeEdits(t)
	offs := recordOffsets(t, fs, path)
	data := readAll(t, fs, path)
	writeFile(t, fs, path, data[:offs[2]+7]) // edits 2 and 3 lost
	missing := errors.New("table 000009.sst is missing")
	var sawLevels int
	_, err := Load(Options{FS: fs, Dir: testDir, Check: func(v *Version, logNum uint64) error {
		sawLevels = len(v.Levels)
		return missing
	}})
	require.ErrorIs(t, err, missing)
	require.Equal(t, NumLevels, sawLevels)
	require.Contains(t, err.Error(), fmt.Sprintf("%s holds readable records up to offset %d of its %d bytes", path, offs[2], offs[2]+7))
	require.Equal(t, data[:offs[2]+7], readAll(t, fs, path), "a failed Check leaves the manifest as it was")
	require.Equal(t, filepath.Base(path), currentName(t, fs))
}

// TestLoadIncompleteNamesOffset: "never set" errors say where the records
// that failed to set the counters end.
func TestLoadIncompleteNamesOffset(t *testing.T) {
	fs := vfs.NewMem()
	require.NoError(t, createSet(t, fs).Close())
	path := filepath.Join(testDir, "MANIFEST-000001")
	f, err := fs.Create(path)
	require.NoError(t, err)
	w := newWALWriter(f, 1)
	require.NoError(t, w.Append((&VersionEdit{HasLogNum: true, LogNum: 3}).Encode(nil)))
	require.NoError(t, w.Close())
	size := int64(len(readAll(t, fs, path)))
	_, err = Load(Options{FS: fs, Dir: testDir})
	require.ErrorIs(t, err, corruption.ErrCorruption)
	require.Contains(t, err.Error(), fmt.Sprintf("%s at offset %d: incomplete", path, size))
}
