package lsmkv

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/manifest"
	"github.com/lsmkv/lsmkv/vfs"
)

// The disk-fault matrix (docs/faults.md): for every file operation × every
// activity of the engine × every error kind, one run injects exactly one
// fault aimed at that activity and checks that
//
//  1. the fault fired (the injector's count), exactly once;
//  2. the caller hears of it: the failing public call returns an error
//     wrapping the errno, not ErrCorruption, and the next write fails with
//     it too (sticky). The exception is a failed List or Remove of
//     obsolete files (the sweep, a rotation's removal of the old
//     manifest), which is only logged: the call succeeds, writes go on;
//  3. a reopen without faults succeeds and holds every acknowledged write,
//     and of the failed writes some whole batches or none;
//  4. after that reopen and a Close, the directory holds exactly CURRENT,
//     LOCK, the manifest CURRENT names, the tables it lists and WALs it
//     still needs: no .tmp file and no unreferenced table.
//
// A cell that no fault can reach (the write path renames nothing) is n/a
// with its reason. go test -run TestDiskFaultMatrix -v . prints the tables.

// matrixSeed seeds every run's workload (with the run's name), so the
// matrix is deterministic; it is logged with each failure.
const matrixSeed = 15

type activity int

const (
	actWAL activity = iota
	actFlush
	actCompact
	actRotate
	actDelete
	actOpen
	numActivities
)

var activityNames = [numActivities]string{
	"WAL append", "flush", "compaction", "manifest rotation", "obsolete deletion", "open/recovery",
}

// activityIDs name the activities in subtest names.
var activityIDs = [numActivities]string{"wal", "flush", "compaction", "rotation", "deletion", "open"}

var matrixOps = []vfs.Op{
	vfs.OpCreate, vfs.OpWrite, vfs.OpSync, vfs.OpRename, vfs.OpRemove, vfs.OpSyncDir, vfs.OpRead,
	vfs.OpOpen, vfs.OpList, vfs.OpStat,
}

// faultKind is the error a fault returns.
type faultKind struct {
	name  string
	errno syscall.Errno
	short bool // a Write that writes half its bytes, then fails
}

var faultKinds = []faultKind{{"EIO", syscall.EIO, false}, {"ENOSPC", syscall.ENOSPC, false}, {"short", syscall.ENOSPC, true}}

func (k faultKind) err() error {
	if k.short {
		return vfs.ShortWrite(k.errno)
	}
	return k.errno
}

// trigger is what a run does once the fault is armed.
type trigger int

const (
	byWrites        trigger = iota // synced writes until one fails
	byFlush                        // DB.Flush
	byCompact                      // DB.Compact of everything
	byAutoCompact                  // a Flush that starts a compaction, then writes
	byReopen                       // Close, then Open
	byReopenWithTmp                // the same, with a .tmp left by a crash
)

// target is the file a fault hits: the (skip+1)-th call, after arming, of
// the cell's op on a file whose base name matches pattern.
type target struct {
	pattern string
	skip    int64
	trigger trigger
}

func (tg target) String() string {
	s := tg.pattern
	if tg.pattern == "db" {
		s = "dir"
	}
	var notes []string
	if tg.trigger == byAutoCompact {
		notes = append(notes, "auto")
	}
	if tg.skip > 0 {
		notes = append(notes, fmt.Sprintf("call %d", tg.skip+1))
	}
	if len(notes) > 0 {
		s += " (" + strings.Join(notes, ", ") + ")"
	}
	return s
}

// on returns targets for trigger tr; "pattern#k" skips k matching calls.
func on(tr trigger, patterns ...string) []target {
	var out []target
	for _, p := range patterns {
		tg := target{pattern: p, trigger: tr}
		if base, k, ok := strings.Cut(p, "#"); ok {
			tg.pattern, tg.skip = base, int64(k[0]-'0')
		}
		out = append(out, tg)
	}
	return out
}

// matrixCell is one op × activity: the targets it runs, or why it cannot.
type matrixCell struct {
	op      vfs.Op
	act     activity
	targets []target
	na      string
}

const (
	naRename   = "renames nothing: tables and WALs are written under their final names; only CURRENT is renamed, by a manifest rotation"
	naViaSweep = "removes files only through obsolete-file deletion (that column)"
	naSweep    = "obsolete-file deletion only lists the directory and removes files"
	naNoRead   = "the write path reads no file"
	naCreates  = "creates the files it needs; it opens none"
	naListed   = "lists the directory only through obsolete-file deletion (that column)"
	naNoStat   = "stats no file; Open alone does"
)

var matrixCells = []matrixCell{
	{vfs.OpCreate, actWAL, on(byWrites, "*.log"), ""}, // the rotation a full memtable forces
	{vfs.OpWrite, actWAL, on(byWrites, "*.log"), ""},
	{vfs.OpSync, actWAL, on(byWrites, "*.log"), ""},
	{vfs.OpRename, actWAL, nil, naRename},
	{vfs.OpRemove, actWAL, nil, "the write path removes no file"},
	{vfs.OpSyncDir, actWAL, on(byWrites, "db"), ""}, // first synced write into a new WAL
	{vfs.OpRead, actWAL, nil, naNoRead},
	{vfs.OpOpen, actWAL, nil, naCreates},
	{vfs.OpList, actWAL, nil, "the write path lists nothing"},
	{vfs.OpStat, actWAL, nil, naNoStat},

	// Flush first rotates to a new WAL, then syncs and closes the old one.
	{vfs.OpCreate, actFlush, on(byFlush, "*.log", "*.sst"), ""},
	{vfs.OpWrite, actFlush, on(byFlush, "*.sst", "MANIFEST-*"), ""},
	{vfs.OpSync, actFlush, on(byFlush, "*.log", "*.sst", "MANIFEST-*"), ""},
	{vfs.OpRename, actFlush, nil, naRename},
	{vfs.OpRemove, actFlush, nil, naViaSweep},
	{vfs.OpSyncDir, actFlush, on(byFlush, "db"), ""},
	{vfs.OpRead, actFlush, nil, "a flush reads only its memtable"},
	{vfs.OpOpen, actFlush, nil, naCreates},
	{vfs.OpList, actFlush, nil, naListed},
	{vfs.OpStat, actFlush, nil, naNoStat},

	// Compact runs on its caller's goroutine; "auto" targets hit the
	// compaction goroutine, started by a Flush whose own calls "#1" skips.
	{vfs.OpCreate, actCompact, slices.Concat(on(byCompact, "*.sst"), on(byAutoCompact, "*.sst#1")), ""},
	{vfs.OpWrite, actCompact, slices.Concat(on(byCompact, "*.sst", "MANIFEST-*"), on(byAutoCompact, "MANIFEST-*#1")), ""},
	{vfs.OpSync, actCompact, slices.Concat(on(byCompact, "*.sst", "MANIFEST-*"), on(byAutoCompact, "*.sst#1", "MANIFEST-*#1")), ""},
	{vfs.OpRename, actCompact, nil, naRename},
	{vfs.OpRemove, actCompact, nil, naViaSweep},
	{vfs.OpSyncDir, actCompact, slices.Concat(on(byCompact, "db"), on(byAutoCompact, "db#1")), ""},
	{vfs.OpRead, actCompact, slices.Concat(on(byCompact, "*.sst"), on(byAutoCompact, "*.sst")), ""},
	{vfs.OpOpen, actCompact, slices.Concat(on(byCompact, "*.sst"), on(byAutoCompact, "*.sst")), ""}, // the table cache opens an input
	{vfs.OpList, actCompact, nil, naListed},
	{vfs.OpStat, actCompact, nil, naNoStat},

	// Options has no manifest size limit, so rotations happen at Open
	// (manifest.Load always starts a new manifest).
	{vfs.OpCreate, actRotate, on(byReopen, "MANIFEST-*", "*.tmp"), ""},
	{vfs.OpWrite, actRotate, on(byReopen, "MANIFEST-*", "*.tmp"), ""},
	{vfs.OpSync, actRotate, on(byReopen, "MANIFEST-*", "*.tmp"), ""},
	{vfs.OpRename, actRotate, on(byReopen, "CURRENT"), ""},
	{vfs.OpRemove, actRotate, on(byReopen, "MANIFEST-*"), ""}, // the old manifest
	{vfs.OpSyncDir, actRotate, on(byReopen, "db"), ""},
	{vfs.OpRead, actRotate, nil, "a rotation writes the version held in memory; reading the old manifest is open/recovery"},
	{vfs.OpOpen, actRotate, nil, naCreates},
	{vfs.OpList, actRotate, nil, "a rotation lists nothing (Open lists the directory once, for all of recovery)"},
	{vfs.OpStat, actRotate, nil, "a rotation stats nothing; Open's checks of CURRENT and the old manifest are open/recovery"},

	{vfs.OpCreate, actDelete, nil, naSweep},
	{vfs.OpWrite, actDelete, nil, naSweep},
	{vfs.OpSync, actDelete, nil, naSweep},
	{vfs.OpRename, actDelete, nil, naSweep},
	{vfs.OpRemove, actDelete, slices.Concat(on(byFlush, "*.log"), on(byCompact, "*.sst"), on(byReopenWithTmp, "*.tmp")), ""},
	{vfs.OpSyncDir, actDelete, nil, naSweep},
	{vfs.OpRead, actDelete, nil, naSweep},
	{vfs.OpOpen, actDelete, nil, naSweep},
	{vfs.OpList, actDelete, slices.Concat(on(byFlush, "db"), on(byReopen, "db#1")), ""},
	{vfs.OpStat, actDelete, nil, naSweep},

	// Calls of the rotation come first at Open; "#1" and "#2" skip them.
	{vfs.OpCreate, actOpen, on(byReopen, "*.sst", "*.log"), ""},
	{vfs.OpWrite, actOpen, on(byReopen, "*.sst", "MANIFEST-*#1"), ""},
	{vfs.OpSync, actOpen, on(byReopen, "*.sst", "MANIFEST-*#1"), ""},
	{vfs.OpRename, actOpen, nil, "the only rename at Open is CURRENT's, in manifest rotation"},
	{vfs.OpRemove, actOpen, nil, naViaSweep + ", which covers a .tmp left at Open"},
	{vfs.OpSyncDir, actOpen, on(byReopen, "db#1", "db#2"), ""},
	{vfs.OpRead, actOpen, on(byReopen, "CURRENT", "MANIFEST-*", "MANIFEST-*#1", "*.log", "*.log#1"), ""},
	{vfs.OpOpen, actOpen, on(byReopen, "CURRENT", "MANIFEST-*", "*.log"), ""},
	{vfs.OpList, actOpen, on(byReopen, "db"), ""}, // the one listing recovery works from
	// The directory's Stat is advisory (Open goes on and its Lock fails
	// on a broken directory), so it is not a target.
	{vfs.OpStat, actOpen, slices.Concat(on(byReopen, "CURRENT", "MANIFEST-*", "*.log#1"),
		on(byReopen, "*.sst", "*.log")), ""},
}

// TestDiskFaultMatrix runs every cell of the matrix and prints the tables.
func TestDiskFaultMatrix(t *testing.T) {
	t.Logf("seed=%d (fixed: each run's workload is seeded with it and the run's name)", matrixSeed)
	base, state := matrixBase(t)
	results := map[string]string{} // cellKey(op, act, kind) -> ok, FAIL or bug
	for _, c := range matrixCells {
		for _, tg := range c.targets {
			for _, k := range faultKinds {
				if k.short && c.op != vfs.OpWrite {
					continue
				}
				name := fmt.Sprintf("%s/%s/%s/%s", c.op, activityIDs[c.act], tg, k.name)
				t.Run(name, func(t *testing.T) {
					defer func() { mergeResult(results, cellKey(c.op, c.act, k.name), t) }()
					r := &matrixRun{t: t, op: c.op, tg: tg, kind: k, base: base, fs: memFromState(t, state)}
					r.swallowed = c.op == vfs.OpRemove || c.act == actDelete
					r.rng = rand.New(rand.NewPCG(matrixSeed, fnv64(name)))
					r.run()
				})
			}
		}
	}
	t.Run("na-census", func(t *testing.T) { checkNotApplicable(t, state) })
	t.Log("\n" + renderMatrix(t, results))
}

// checkNotApplicable backs the n/a cells of the three activities a public
// call runs on its own (the others share Open): run without faults, the
// activity makes no call of the cell's op at all. Cells n/a because
// another column holds their calls are left out.
func checkNotApplicable(t *testing.T, state map[string]string) {
	for _, a := range []struct {
		act activity
		tr  trigger
	}{{actWAL, byWrites}, {actFlush, byFlush}, {actCompact, byCompact}} {
		seen := opsCalledBy(t, state, a.tr)
		for _, c := range matrixCells {
			if c.act == a.act && c.na != "" && !strings.Contains(c.na, "(that column)") {
				require.False(t, seen[c.op], "%s × %s is n/a (%s), yet the activity called %s",
					c.op, activityNames[c.act], c.na, c.op)
			}
		}
	}
}

// opsCalledBy runs trigger tr without faults (for byWrites, 20 synced
// writes, too few to fill the memtable and start a flush) and returns the
// ops it called.
func opsCalledBy(t *testing.T, state map[string]string, tr trigger) map[vfs.Op]bool {
	var mu sync.Mutex
	var armed bool
	seen := map[vfs.Op]bool{}
	rec := vfs.InjectorFunc(func(op vfs.Op, _ string) error {
		mu.Lock()
		defer mu.Unlock()
		seen[op] = seen[op] || armed
		return nil
	})
	setArmed := func(on bool) { mu.Lock(); armed = on; mu.Unlock() }
	r := &matrixRun{t: t, tg: target{trigger: tr}, fs: memFromState(t, state), rng: rand.New(rand.NewPCG(matrixSeed, 0))}
	db, err := Open("db", matrixOptions(vfs.WithErrors(r.fs, rec)))
	require.NoError(t, err)
	r.prework(db)
	setArmed(true)
	if tr == byWrites {
		for range 20 {
			require.NoError(t, r.write(db, true))
		}
	} else {
		require.NoError(t, r.fire(db))
	}
	setArmed(false)
	require.NoError(t, db.Close())
	return seen
}

func fnv64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

func cellKey(op vfs.Op, act activity, kind string) string {
	return fmt.Sprintf("%s|%d|%s", op, act, kind)
}

// mergeResult folds one run's outcome into its cell: FAIL beats bug
// beats ok.
func mergeResult(results map[string]string, key string, t *testing.T) {
	switch {
	case t.Failed():
		results[key] = "FAIL"
	case t.Skipped() && results[key] != "FAIL":
		results[key] = "bug"
	case results[key] == "":
		results[key] = "ok"
	}
}

// oneFault fails exactly one call once armed: the (skip+1)-th call of one
// op on files matching a pattern. A vfs.MatchInjector does the matching;
// its Injected count is the evidence that the fault fired.
type oneFault struct {
	mu   sync.Mutex
	m    *vfs.MatchInjector
	skip int64
	path string // the file the fault hit
}

func newOneFault(op vfs.Op, tg target, err error) *oneFault {
	f := &oneFault{m: vfs.OnMatch(tg.pattern, []vfs.Op{op}, err), skip: tg.skip}
	f.m.Disable()
	return f
}

// MaybeError implements vfs.Injector.
func (f *oneFault) MaybeError(op vfs.Op, path string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	err := f.m.MaybeError(op, path)
	if err == nil || f.m.Injected() <= f.skip {
		return nil
	}
	f.m.Disable()
	f.path = path
	return err
}

func (f *oneFault) arm()        { f.m.Enable() }
func (f *oneFault) fired() bool { return f.m.Injected() == f.skip+1 }

// matrixBase builds the closed DB every run starts from, with data at the
// bottom level, in L0 and in the WAL, including a deletion. It returns the
// DB's contents and its files. Every flush and compaction is explicit, so
// the files, their numbers included, are the same in every run.
func matrixBase(t *testing.T) (map[string]string, map[string]string) {
	fs := vfs.NewMem()
	opts := matrixOptions(fs)
	opts.MemtableSize = 1 << 20 // no rotation but the explicit ones
	db, err := Open("db", opts)
	require.NoError(t, err)
	writeKeys(t, db, 0, 600, "a")
	require.NoError(t, db.Flush())
	writeKeys(t, db, 200, 500, "b")
	require.NoError(t, db.Compact(nil, nil))
	writeKeys(t, db, 300, 400, "c")
	require.NoError(t, db.Flush())
	writeKeys(t, db, 380, 420, "d")
	require.NoError(t, db.Delete([]byte(keyN(5))))
	want := scanAll(t, db)
	require.NoError(t, db.Close())
	return want, fsState(t, fs, "")
}

// matrixOptions keeps background work out of the way: no compaction starts
// by itself, and no block cache hides a compaction's reads.
func matrixOptions(fs vfs.FS) *Options {
	o := tinyOptions(fs)
	o.MemtableSize = 16 << 10
	o.L0CompactionTrigger, o.L0StopWritesTrigger = 8, 16
	o.BaseLevelSize = 1 << 30
	o.BlockCacheSize = -1
	return o
}

// matrixRun is one run: one op, one target, one error kind.
type matrixRun struct {
	t    *testing.T
	op   vfs.Op
	tg   target
	kind faultKind
	base map[string]string // the DB's contents before the run
	// swallowed: the engine only logs this failure (obsolete files it
	// cannot list or remove); the call succeeds.
	swallowed bool
	fs        *vfs.MemFS
	rng       *rand.Rand
	model     ackModel
}

// run sets the stage, fires the fault and checks the four rules.
func (r *matrixRun) run() {
	t := r.t
	inj := newOneFault(r.op, r.tg, r.kind.err())
	db, err := r.inject(inj)
	require.True(t, inj.fired(), "the fault never fired (%d matching calls; call %d was to fail)", inj.m.Injected(), r.tg.skip+1)
	t.Logf("%s %s failed; the call returned: %v", r.op, inj.path, err)
	r.checkReported(db, err)
	r.verifyReopen()
}

// inject opens the DB, does the prework, arms inj and runs the trigger.
// It returns the DB (nil if the trigger's Open failed) and the error of
// the call the fault hit.
func (r *matrixRun) inject(inj *oneFault) (*DB, error) {
	opts := matrixOptions(vfs.WithErrors(r.fs, inj))
	if r.tg.trigger == byAutoCompact {
		// The base, recovery and prework leave 3 tables in L0; the
		// trigger's Flush adds the fourth.
		opts.L0CompactionTrigger = 4
	}
	db, err := Open("db", opts)
	require.NoError(r.t, err)
	r.prework(db)
	if r.tg.trigger < byReopen {
		inj.arm()
		return db, r.fire(db)
	}
	require.NoError(r.t, db.Close())
	if r.tg.trigger == byReopenWithTmp {
		writeFile(r.t, r.fs, "db/000900.tmp", []byte("left by a crash"))
	}
	inj.arm()
	return Open("db", opts)
}

// checkReported checks rule 2 on err, the error of the call the fault hit,
// and closes db.
func (r *matrixRun) checkReported(db *DB, err error) {
	t := r.t
	if r.swallowed {
		require.NoError(t, err, "a failed sweep of obsolete files is only logged")
	} else {
		require.Error(t, err, "the call the fault hit must fail")
		r.requireInjected(err, "the failing call")
	}
	require.NotErrorIs(t, err, ErrCorruption, "an injected I/O error is not corruption")
	if db == nil {
		return
	}
	if err := r.write(db, false); r.swallowed {
		require.NoError(t, err, "writes go on after a failed sweep")
	} else {
		r.requireInjected(err, "the next write (sticky error)")
	}
	closeErr := db.Close()
	if r.swallowed {
		require.NoError(t, closeErr)
	}
}

func (r *matrixRun) requireInjected(err error, what string) {
	require.ErrorIs(r.t, err, r.kind.errno, "%s must wrap the injected %s", what, r.kind.name)
	if r.kind.short {
		require.Contains(r.t, err.Error(), "short write", what)
	}
}

// prework gives the run data in a flushed table and in the memtable and
// WAL, and leaves the WAL without a synced directory entry. Before a
// compaction the memtable is flushed too, so that the fault hits the
// compaction and not the flush Compact starts with.
func (r *matrixRun) prework(db *DB) {
	for range 30 {
		require.NoError(r.t, r.write(db, false))
	}
	require.NoError(r.t, db.Flush())
	for range 20 {
		require.NoError(r.t, r.write(db, false))
	}
	switch r.tg.trigger {
	case byCompact:
		require.NoError(r.t, db.Flush())
	case byAutoCompact:
		require.Equal(r.t, 3, db.Metrics().Levels[0].NumFiles, "L0 tables before the Flush that starts a compaction")
	}
}

// fire runs the trigger of a target at an open DB.
func (r *matrixRun) fire(db *DB) error {
	switch r.tg.trigger {
	case byWrites:
		for range 400 { // a memtable fills within about 150
			if err := r.write(db, true); err != nil {
				return err
			}
		}
		return nil
	case byFlush:
		return db.Flush()
	case byCompact:
		return db.Compact(nil, nil)
	case byAutoCompact:
		// The compaction may fail before Flush returns, and Flush reports
		// it; else a later write must.
		if err := db.Flush(); err != nil {
			r.t.Log("Flush reported the compaction's failure")
			return err
		}
		for i, deadline := 1, time.Now().Add(10*time.Second); time.Now().Before(deadline); i++ {
			if err := r.write(db, false); err != nil {
				r.t.Logf("write %d after the Flush reported the compaction's failure", i)
				return err
			}
			time.Sleep(time.Millisecond)
		}
		return nil
	}
	panic("unreachable")
}

// write writes a random batch and records it in the model.
func (r *matrixRun) write(db *DB, sync bool) error {
	var b Batch
	var mb modelBatch
	for range 1 + r.rng.IntN(3) {
		k := keyN(r.rng.IntN(700))
		if r.rng.IntN(6) == 0 {
			b.Delete([]byte(k))
			mb.ops = append(mb.ops, modelOp{key: k, del: true})
			continue
		}
		v := fmt.Sprintf("b%d-%s", len(r.model.batches), strings.Repeat("x", 10+r.rng.IntN(50)))
		b.Put([]byte(k), []byte(v))
		mb.ops = append(mb.ops, modelOp{key: k, value: v})
	}
	err := db.Write(&b, &WriteOptions{Sync: sync})
	mb.acked = err == nil
	r.model.batches = append(r.model.batches, mb)
	return err
}

// verifyReopen checks rules 3 and 4 on the files the run left.
func (r *matrixRun) verifyReopen() {
	t := r.t
	db, err := Open("db", matrixOptions(r.fs))
	require.NoError(t, err, "reopen without faults; files:\n%s", r.fs)
	r.model.check(t, r.base, scanAll(t, db))
	require.NoError(t, db.Close())
	requireOnlyLiveFiles(t, r.fs, "db")
}

// ackModel is every batch a run wrote, in order.
type ackModel struct{ batches []modelBatch }

type modelBatch struct {
	ops   []modelOp
	acked bool
}

type modelOp struct {
	key, value string
	del        bool
}

// check requires got to be base with every acknowledged batch applied and
// any subset of the failed ones, each whole or not at all.
func (m *ackModel) check(t *testing.T, base, got map[string]string) {
	t.Helper()
	failed := 0
	for _, b := range m.batches {
		if !b.acked {
			failed++
		}
	}
	require.LessOrEqual(t, failed, 4, "too many failed batches to enumerate")
	var want map[string]string
	for mask := 0; mask < 1<<failed; mask++ {
		want = maps.Clone(base)
		bit := 0
		for _, b := range m.batches {
			if !b.acked {
				bit++
				if mask&(1<<(bit-1)) == 0 {
					continue
				}
			}
			for _, op := range b.ops {
				if op.del {
					delete(want, op.key)
				} else {
					want[op.key] = op.value
				}
			}
		}
		if maps.Equal(want, got) {
			return
		}
	}
	// want now has every failed batch applied.
	var diffs []string
	for _, k := range slices.Sorted(maps.Keys(union(got, want))) {
		g, gok := got[k]
		w, wok := want[k]
		if g != w || gok != wok {
			diffs = append(diffs, fmt.Sprintf("%s: got %s, want %s", k, orAbsent(g, gok), orAbsent(w, wok)))
		}
	}
	require.Fail(t, "acknowledged writes lost or a failed batch applied in part",
		"%d failed batches; %d keys differ from the state with all of them applied, first: %s",
		failed, len(diffs), strings.Join(diffs[:min(len(diffs), 5)], "; "))
}

func union(a, b map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func orAbsent(v string, ok bool) string {
	if !ok {
		return "absent"
	}
	return fmt.Sprintf("%q", v)
}

// requireOnlyLiveFiles requires the directory of a closed DB to hold just
// what its manifest accounts for: CURRENT, LOCK, the manifest CURRENT
// names, the tables that manifest lists and the WALs it still needs.
func requireOnlyLiveFiles(t *testing.T, fs vfs.FS, dir string) {
	t.Helper()
	vs, err := manifest.Load(manifest.Options{FS: fs, Dir: dir, ReadOnly: true})
	require.NoError(t, err)
	v := vs.Current()
	live := map[uint64]bool{}
	for _, files := range v.Levels {
		for _, f := range files {
			live[f.Num] = true
		}
	}
	v.Unref()
	manifestNum, logNum := vs.ManifestNum(), vs.LogNum()
	require.NoError(t, vs.Close())
	names, err := fs.List(dir)
	require.NoError(t, err)
	for _, name := range names {
		switch kind, num, _ := filename.Parse(name); kind {
		case filename.Current, filename.Lock:
		case filename.Manifest:
			require.Equal(t, manifestNum, num, "%s: a manifest CURRENT does not name", name)
		case filename.Table:
			require.True(t, live[num], "%s: a table the manifest does not list", name)
			delete(live, num)
		case filename.Log:
			require.GreaterOrEqual(t, num, logNum, "%s: a WAL the manifest no longer needs", name)
		default:
			require.Fail(t, "file left behind", "%s: a temporary or unknown file", filepath.Join(dir, name))
		}
	}
	require.Empty(t, live, "tables the manifest lists but the directory lacks")
}

// renderMatrix returns the tables of docs/faults.md: the files each cell
// targets, then one table of results per error kind, then the reasons of
// the n/a cells.
func renderMatrix(t *testing.T, results map[string]string) string {
	cells := indexCells(t)
	var sb strings.Builder
	var notes []string
	cellText := func(c matrixCell, ok func() string) string {
		if c.na == "" {
			return ok()
		}
		if !slices.Contains(notes, c.na) {
			notes = append(notes, c.na)
		}
		return fmt.Sprintf("n/a [%d]", slices.Index(notes, c.na)+1)
	}
	writeTable(&sb, "Files each fault targets (call k: the k-th matching call after arming; dir: the DB directory):",
		matrixOps, cells, func(c matrixCell) string {
			return cellText(c, func() string {
				var s []string
				for _, tg := range c.targets {
					s = append(s, "`"+tg.String()+"`")
				}
				return strings.Join(s, ", ")
			})
		})
	for _, k := range faultKinds {
		title, ops := "Results with "+k.name+":", matrixOps
		if k.short {
			title, ops = "Results with short writes (half the bytes written, then ENOSPC; only a Write can be short):", []vfs.Op{vfs.OpWrite}
		}
		writeTable(&sb, title, ops, cells, func(c matrixCell) string {
			return cellText(c, func() string { return cmp.Or(results[cellKey(c.op, c.act, k.name)], "not run") })
		})
	}
	for i, n := range notes {
		fmt.Fprintf(&sb, "- [%d] %s.\n", i+1, n)
	}
	return sb.String()
}

// indexCells checks that matrixCells lists every op × activity once, with
// targets or a reason, and indexes it by [op, activity].
func indexCells(t *testing.T) map[[2]int]matrixCell {
	cells := map[[2]int]matrixCell{}
	for _, c := range matrixCells {
		key := [2]int{int(c.op), int(c.act)}
		_, dup := cells[key]
		require.False(t, dup, "cell %s × %s listed twice", c.op, activityNames[c.act])
		require.True(t, c.na != "" || len(c.targets) > 0, "cell %s × %s: no target and no reason", c.op, activityNames[c.act])
		cells[key] = c
	}
	for _, op := range matrixOps {
		for act := range numActivities {
			_, ok := cells[[2]int{int(op), int(act)}]
			require.True(t, ok, "cell %s × %s is neither exercised nor n/a", op, activityNames[act])
		}
	}
	require.Len(t, cells, len(matrixOps)*int(numActivities), "a cell's op is not a row")
	return cells
}

// writeTable writes one Markdown table: rows ops, columns activities.
func writeTable(sb *strings.Builder, title string, ops []vfs.Op, cells map[[2]int]matrixCell, cell func(matrixCell) string) {
	fmt.Fprintf(sb, "%s\n\n| op \\ activity |", title)
	for _, name := range activityNames {
		fmt.Fprintf(sb, " %s |", name)
	}
	sb.WriteString("\n|---|" + strings.Repeat("---|", int(numActivities)) + "\n")
	for _, op := range ops {
		fmt.Fprintf(sb, "| %s |", op)
		for act := range numActivities {
			fmt.Fprintf(sb, " %s |", cell(cells[[2]int{int(op), int(act)}]))
		}
		sb.WriteString("\n")
	}
	sb.WriteString("\n")
}
