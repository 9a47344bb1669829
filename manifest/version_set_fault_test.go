package manifest

import (
	"github.com/stretchr/testify/require"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"

	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/vfs"
)

func TestManifestRotation(t *testing.T) {
	fs := vfs.NewMem()
	vs, err := Create(Options{FS: fs, Dir: testDir, MaxManifestSize: 300})
	require.NoError(t, err)
	switches := 0
	prev := vs.ManifestNum()
	for i := range 40 {
		flush(t, vs, "a", "b", 1)
		if vs.ManifestNum() != prev {
			switches++
			prev = vs.ManifestNum()
			// The new manifest is one snapshot: it holds every table.
			var n int
			path := filepath.Join(testDir, filename.Make(filename.Manifest, prev))
			require.NoError(t, readEditsErr(fs, path, func(_ int64, e *VersionEdit) error {
				n++
				require.Equal(t, i+1, len(e.Added))
				return nil
			}))
			require.Equal(t, 1, n)
		}
		require.Equal(t, []string{filename.Make(filename.Manifest, vs.ManifestNum())}, manifests(t, fs))
		require.Equal(t, manifests(t, fs)[0], currentName(t, fs))
	}
	require.True(t, switches >= 3, "switched %d times", switches)
	want := stateOf(vs)
	require.NoError(t, vs.Close())
	require.Equal(t, want, stateOf(loadSet(t, fs, true)))
}

// TestCrashAfterEveryEdit takes a crash image (only synced bytes and synced
// directory entries survive) after every acknowledged LogAndApply, across
// manifest switches, and checks that Load sees exactly that state.
func TestCrashAfterEveryEdit(t *testing.T) {
	fs := vfs.NewMem()
	vs, err := Create(Options{FS: fs, Dir: testDir, MaxManifestSize: 250})
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(testSeed(t), 4))
	for i := range 30 {
		a, b := randKey(rng), randKey(rng)
		flush(t, vs, min(a, b), max(a, b), 1+rng.IntN(5))
		want := stateOf(vs)
		crashed := loadSet(t, fs.CrashClone(), true)
		got := stateOf(crashed)
		require.Equal(t, want.version, got.version, "edit %d", i)
		require.Equal(t, want.lastSeq, got.lastSeq, "edit %d", i)
		require.Equal(t, want.logNum, got.logNum, "edit %d", i)
		require.True(t, got.nextFileNum >= want.nextFileNum, "edit %d", i)
	}
	require.NoError(t, vs.Close())
}

func TestLiveVersions(t *testing.T) {
	vs := createSet(t, vfs.NewMem())
	a := flush(t, vs, "a", "c", 1)
	require.Equal(t, 1, vs.NumLiveVersions())
	pinned := vs.Current()
	b := vs.NewFileNum()
	require.NoError(t, vs.LogAndApply(&VersionEdit{
		Deleted: []DeletedFile{{0, a}}, Added: []NewFile{add(1, meta(b, "a", "c", 1, 1))}}))
	c := flush(t, vs, "x", "y", 1)

	live := map[uint64]uint64{}
	vs.LiveFiles(live)
	require.ElementsMatch(t, []uint64{a, b, c}, slices.Collect(maps.Keys(live)), "the pinned version keeps %d live", a)
	require.Equal(t, 2, vs.NumLiveVersions(), "current + pinned (intermediate version released)")

	pinned.Unref()
	live = map[uint64]uint64{}
	vs.LiveFiles(live)
	require.ElementsMatch(t, []uint64{b, c}, slices.Collect(maps.Keys(live)))
	require.Equal(t, 1, vs.NumLiveVersions())
	cur := vs.Current()
	require.Equal(t, int32(2), cur.Refs(), "the set's reference + ours")
	cur.Unref()
	require.NoError(t, vs.Close())
}

// TestFailedManifestWrite injects a failing Sync, Write or (during a
// manifest switch) Rename: the old version must stay current, the error
// must stick, and a crash image must show the old state.
func TestFailedManifestWrite(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		op      vfs.Op
		maxSize int64
	}{
		{"sync", "MANIFEST-*", vfs.OpSync, 0},
		{"write", "MANIFEST-*", vfs.OpWrite, 0},
		{"switch: rename CURRENT", "CURRENT", vfs.OpRename, 1},
		{"switch: create manifest", "MANIFEST-*", vfs.OpCreate, 1},
		{"switch: sync dir", "db", vfs.OpSyncDir, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := vfs.NewMem()
			inj := vfs.OnMatch(tc.pattern, []vfs.Op{tc.op}, syscall.EIO)
			inj.Disable()
			fs := vfs.WithErrors(mem, inj)
			vs, err := Create(Options{FS: fs, Dir: testDir, MaxManifestSize: tc.maxSize})
			require.NoError(t, err)
			flush(t, vs, "a", "b", 1)
			want := stateOf(vs)

			inj.Enable()
			num := vs.NewFileNum()
			err = vs.LogAndApply(&VersionEdit{Added: []NewFile{add(0, meta(num, "c", "d", 9, 9))}})
			require.ErrorIs(t, err, syscall.EIO)
			require.Equal(t, want.version, stateOf(vs).version, "the failed edit is not installed")
			require.Equal(t, 1, vs.NumLiveVersions())
			require.True(t, inj.Injected() > 0)

			inj.Disable()
			err2 := vs.LogAndApply(&VersionEdit{})
			require.ErrorIs(t, err2, syscall.EIO, "the error is sticky")
			require.Equal(t, want.version, stateOf(vs).version)
			require.NoError(t, vs.Close())

			// After a crash, the DB reopens at the acknowledged state.
			got := stateOf(loadSet(t, mem.CrashClone(), true))
			require.Equal(t, want.version, got.version)
		})
	}
}

func TestLogAndApplyRejectsBadEdits(t *testing.T) {
	vs := createSet(t, vfs.NewMem())
	wal := vs.NewFileNum()
	require.NoError(t, vs.LogAndApply(&VersionEdit{HasLogNum: true, LogNum: wal}))
	tests := []struct {
		name string
		e    VersionEdit
		want string
	}{
		{"log number backwards", VersionEdit{HasLogNum: true, LogNum: wal - 1}, "back"},
		{"log number never allocated", VersionEdit{HasLogNum: true, LogNum: 1000}, "never allocated"},
		{"table never allocated", VersionEdit{Added: []NewFile{add(0, meta(1000, "a", "b", 1, 1))}}, "never allocated"},
		{"delete missing", VersionEdit{Deleted: []DeletedFile{{0, 1}}}, "not there"},
	}
	for _, tc := range tests {
		err := vs.LogAndApply(&tc.e)
		require.Error(t, err, tc.name)
		require.Contains(t, err.Error(), tc.want, tc.name)
	}
	// Rejected edits wrote nothing and are not sticky.
	flush(t, vs, "a", "b", 1)
	require.Equal(t, wal, vs.LogNum())
	require.NoError(t, vs.Close())
}

func TestFileNumbers(t *testing.T) {
	fs := vfs.NewMem()
	vs := createSet(t, fs)
	require.Equal(t, uint64(2), vs.NewFileNum())
	vs.MarkFileNumUsed(10)
	require.Equal(t, uint64(11), vs.NewFileNum())
	vs.MarkFileNumUsed(5) // never moves back
	require.Equal(t, uint64(12), vs.NextFileNum())
	// A caller-supplied NextFileNum above the counter raises it.
	e := &VersionEdit{HasNextFileNum: true, NextFileNum: 40}
	require.NoError(t, vs.LogAndApply(e))
	require.Equal(t, uint64(40), e.NextFileNum)
	vs.SetLastSeq(9)
	vs.SetLastSeq(3) // never moves back
	require.Equal(t, uint64(9), uint64(vs.LastSeq()))

	var wg sync.WaitGroup
	got := make([][]uint64, 4)
	for g := range got {
		wg.Go(func() {
			for range 100 {
				got[g] = append(got[g], vs.NewFileNum())
			}
		})
	}
	wg.Wait()
	seen := map[uint64]bool{}
	for _, ns := range got {
		for _, n := range ns {
			require.False(t, seen[n], "number %d handed out twice", n)
			seen[n] = true
		}
	}
	require.NoError(t, vs.Close())

	// Numbers used by files the manifest never heard of are not reused.
	writeFile(t, fs, filepath.Join(testDir, "000900.sst"), nil)
	vs = loadSet(t, fs, false)
	require.Equal(t, uint64(901), vs.ManifestNum())
	require.Equal(t, uint64(902), vs.NewFileNum())
	require.NoError(t, vs.Close())
}

// TestConcurrentReaders runs readers that pin versions and collect live
// files while edits are applied; run with -race.
func TestConcurrentReaders(t *testing.T) {
	vs := createSet(t, vfs.NewMem())
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				v := vs.Current()
				live := map[uint64]uint64{}
				vs.LiveFiles(live)
				for _, f := range v.Levels[0] {
					if _, ok := live[f.Num]; !ok {
						t.Errorf("table %d of a pinned version is not live", f.Num)
					}
				}
				_ = vs.NumLiveVersions() + int(vs.NextFileNum()) + int(vs.LastSeq())
				v.Unref()
			}
		})
	}
	for range 100 {
		flush(t, vs, "a", "b", 1)
	}
	close(stop)
	wg.Wait()
	require.Equal(t, 1, vs.NumLiveVersions())
	require.NoError(t, vs.Close())
}

// TestManifestSwitchAmortized checks that a snapshot larger than the size
// limit is not rewritten at every edit: a switch waits until the manifest
// holds at least as many bytes of edits as of snapshot.
func TestManifestSwitchAmortized(t *testing.T) {
	fs := vfs.NewMem()
	vs, err := Create(Options{FS: fs, Dir: testDir, MaxManifestSize: 1})
	require.NoError(t, err)
	switches, prev := 0, vs.ManifestNum()
	for range 60 {
		flush(t, vs, "a", "b", 1)
		if vs.ManifestNum() != prev {
			switches, prev = switches+1, vs.ManifestNum()
		}
		require.True(t, vs.manifest.Size() < 3*vs.snapshotSize+200, "manifest size %d, snapshot %d", vs.manifest.Size(), vs.snapshotSize)
	}
	t.Logf("%d switches in 60 edits", switches)
	require.True(t, switches >= 3 && switches <= 15, "%d switches in 60 edits", switches)
	require.NoError(t, vs.Close())
}
