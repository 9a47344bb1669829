package lsmkv

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/vfs"
)

// Disk-fault tests: an injected ENOSPC or EIO on the n-th call of one
// operation, for many n, while a workload runs against a model. The
// failing call returns the error; a background failure stops later writes
// with it while reads keep working; and a reopen without faults, of the
// same files and of a power-loss clone, holds every acknowledged (resp.
// durable) write.

// faultBatch is one write of the workload, as the model sees it.
type faultBatch struct {
	keys   []string
	values []*string // nil: a deletion
	acked  bool
}

// faultModel records every write attempted, acknowledged or not.
type faultModel struct {
	batches []faultBatch
	// lastAcked and lastDurable are indexes into batches: every batch up to
	// lastAcked must survive a reopen of the same files, every acknowledged
	// batch up to lastDurable must survive a power loss.
	lastAcked, lastDurable int
}

// allowed returns the values key may have after a reopen that must keep
// every acknowledged batch up to d: the value of the last acknowledged batch
// up to d that wrote key, or that of any later batch, acknowledged or not.
// "" with ok false stands for absent.
func (m *faultModel) allowed(key string, d int) map[string]bool {
	last := -1
	for i := 0; i <= d && i < len(m.batches); i++ {
		if m.batches[i].acked && m.batches[i].writes(key) {
			last = i
		}
	}
	out := map[string]bool{}
	if last < 0 {
		out[absent] = true
	}
	for i := max(last, 0); i < len(m.batches); i++ {
		b := m.batches[i]
		if i == last || (i > last && b.writes(key)) {
			out[b.valueOf(key)] = true
		}
	}
	return out
}

const absent = "\x00<absent>"

func (b *faultBatch) writes(key string) bool {
	for _, k := range b.keys {
		if k == key {
			return true
		}
	}
	return false
}

// valueOf returns the value the batch leaves key with (its last write).
func (b *faultBatch) valueOf(key string) string {
	v := absent
	for i, k := range b.keys {
		if k == key {
			v = absent
			if b.values[i] != nil {
				v = *b.values[i]
			}
		}
	}
	return v
}

// check compares a DB's full contents with the model at durable index d.
func (m *faultModel) check(t *testing.T, db *DB, d int, what string) {
	t.Helper()
	got := scanAll(t, db)
	keys := map[string]bool{}
	for _, b := range m.batches {
		for _, k := range b.keys {
			keys[k] = true
		}
	}
	for k := range got {
		require.True(t, keys[k], "%s: unexpected key %q", what, k)
	}
	for k := range keys {
		v, ok := got[k]
		if !ok {
			v = absent
		}
		allowed := m.allowed(k, d)
		require.True(t, allowed[v], "%s: key %q = %q, want one of %q", what, k, v, mapKeys(allowed))
	}
}

func mapKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// faultRun is one workload run under one fault.
type faultRun struct {
	t      *testing.T
	rng    *rand.Rand
	model  *faultModel
	inj    *vfs.NthInjector
	injErr error // what inj returns
	db     *DB
	failed error // the first error a call returned
}

func (r *faultRun) write() error {
	var b Batch
	fb := faultBatch{}
	for i := r.rng.IntN(3); i >= 0; i-- {
		k := fmt.Sprintf("f%04d", r.rng.IntN(400))
		fb.keys = append(fb.keys, k)
		if r.rng.IntN(5) == 0 {
			b.Delete([]byte(k))
			fb.values = append(fb.values, nil)
			continue
		}
		v := fmt.Sprintf("%d-%s", len(r.model.batches), strings.Repeat("v", r.rng.IntN(120)))
		b.Put([]byte(k), []byte(v))
		fb.values = append(fb.values, &v)
	}
	sync := r.rng.IntN(8) == 0
	err := r.db.Write(&b, &WriteOptions{Sync: sync})
	fb.acked = err == nil
	r.model.batches = append(r.model.batches, fb)
	if err == nil {
		r.model.lastAcked = len(r.model.batches) - 1
		if sync {
			r.model.lastDurable = r.model.lastAcked
		}
	}
	return err
}

// steps runs the workload until a call fails or n steps are done.
func (r *faultRun) steps(n int) {
	for i := 0; i < n; i++ {
		var err error
		switch {
		case i%70 == 69:
			err = r.db.Flush()
			if err == nil {
				r.model.lastDurable = r.model.lastAcked
			}
		case i == n/2:
			err = r.db.Compact(nil, nil)
			if err == nil {
				r.model.lastDurable = r.model.lastAcked
			}
		default:
			err = r.write()
		}
		if err != nil {
			r.failed = err
			return
		}
	}
}

// afterFailure checks the state of a DB whose call just failed: the error
// is the injected one, later writes fail, reads of settled keys work.
func (r *faultRun) afterFailure() {
	t := r.t
	require.True(t, r.inj.Fired(), "a call failed but no fault was injected: %v", r.failed)
	require.ErrorIs(t, r.failed, r.injErr, "the failing call must return the injected error")
	r.inj.Disable()
	err := r.write()
	require.Error(t, err, "a write after a disk failure must fail")
	require.ErrorIs(t, err, r.injErr, "later writes fail with the background error")
	for i := 0; i < 20; i++ {
		k := fmt.Sprintf("f%04d", r.rng.IntN(400))
		allowed := r.model.allowed(k, r.model.lastAcked)
		got, err := r.db.Get([]byte(k))
		v := string(got)
		if errors.Is(err, ErrNotFound) {
			v, err = absent, nil
		}
		require.NoError(t, err, "reads keep working after a write failure")
		require.True(t, allowed[v], "Get(%s) = %q after failure, want one of %q", k, v, mapKeys(allowed))
	}
}

// faultBase is a closed DB with data in tables and in its WAL, shared by
// every run so that faults also hit recovery.
func faultBase(t *testing.T) (map[string]string, *faultModel) {
	fs := vfs.NewMem()
	db := openMem(t, fs, tinyOptions(nil))
	r := &faultRun{t: t, rng: rand.New(rand.NewPCG(1, 2)), model: &faultModel{}, db: db}
	r.steps(300)
	require.NoError(t, r.failed)
	require.NoError(t, db.Close())
	r.model.lastDurable = r.model.lastAcked // Close synced the WAL
	return fsState(t, fs, ""), r.model
}

func cloneModel(m *faultModel) *faultModel {
	c := *m
	c.batches = append([]faultBatch(nil), m.batches...)
	return &c
}

// runWithFault runs the workload with op's n-th call failing and checks
// recovery. It returns whether the fault fired.
func runWithFault(t *testing.T, base map[string]string, baseModel *faultModel, op vfs.Op, n int64, seed uint64, style CompactionStyle) bool {
	optsFor := func(fs vfs.FS) *Options {
		o := tinyOptions(fs)
		o.Compaction = style
		return o
	}
	fs := memFromState(t, base)
	errs := []error{syscall.ENOSPC, syscall.EIO}
	injErr := errs[n%2]
	inj := vfs.OnNth(op, n, injErr)
	r := &faultRun{t: t, rng: rand.New(rand.NewPCG(seed, uint64(n))), model: cloneModel(baseModel), inj: inj, injErr: injErr}
	var clone *vfs.MemFS
	db, err := Open("db", optsFor(vfs.WithErrors(fs, inj)))
	if err != nil {
		require.True(t, inj.Fired(), "Open failed with no fault: %v", err)
		require.ErrorIs(t, err, injErr, "Open must return the injected error")
		clone = fs.CrashClone()
	} else {
		r.db = db
		r.steps(150)
		if r.failed != nil {
			clone = fs.CrashClone()
			r.afterFailure()
		}
		db.Close() // may report the failure again
		if clone == nil {
			clone = fs.CrashClone()
		}
	}
	inj.Disable()
	for _, c := range []struct {
		name string
		fs   *vfs.MemFS
		d    int
	}{{"reopen", fs, r.model.lastAcked}, {"power-loss clone", clone, r.model.lastDurable}} {
		db, err := Open("db", optsFor(c.fs))
		require.NoError(t, err, "%s after %s fault #%d: Open", c.name, op, n)
		r.model.check(t, db, c.d, fmt.Sprintf("%s after %s fault #%d", c.name, op, n))
		require.NoError(t, db.Close())
	}
	return inj.Fired()
}

// faultNs picks which calls to fail: all of the first few, then a spread
// up to a little beyond the count seen in a fault-free run.
func faultNs(count int64, max int) []int64 {
	var ns []int64
	for n := int64(1); n <= count+1 && n <= 4; n++ {
		ns = append(ns, n)
	}
	for i := 1; len(ns) < max && count > 4; i++ {
		n := 4 + int64(i)*(count-3)/int64(max-4)
		if n > count+1 {
			break
		}
		if n > ns[len(ns)-1] {
			ns = append(ns, n)
		}
	}
	return ns
}

func TestDiskFaults(t *testing.T) {
	seed := testSeed(t)
	base, baseModel := faultBase(t)
	perOp := 6
	if testing.Short() {
		perOp = 3
	}
	cases := []struct {
		style CompactionStyle
		ops   []vfs.Op
		perOp int
	}{
		{LeveledCompaction, []vfs.Op{vfs.OpWrite, vfs.OpSync, vfs.OpCreate, vfs.OpRename, vfs.OpSyncDir}, perOp},
		{TieredCompaction, []vfs.Op{vfs.OpWrite, vfs.OpCreate}, perOp / 2},
	}
	for _, c := range cases {
		for _, op := range c.ops {
			t.Run(c.style.String()+"/"+op.String(), func(t *testing.T) {
				diskFaultsOn(t, base, baseModel, op, c.perOp, seed, c.style)
			})
		}
	}
}

// diskFaultsOn counts op's calls in a fault-free run, then fails a spread
// of them, one run each.
func diskFaultsOn(t *testing.T, base map[string]string, baseModel *faultModel, op vfs.Op, perOp int, seed uint64, style CompactionStyle) {
	count := vfs.OnNth(op, 0, nil) // counts; call number 0 never comes
	fs := memFromState(t, base)
	opts := tinyOptions(vfs.WithErrors(fs, count))
	opts.Compaction = style
	db, err := Open("db", opts)
	require.NoError(t, err)
	r := &faultRun{t: t, rng: rand.New(rand.NewPCG(seed, 0)), model: cloneModel(baseModel), db: db}
	r.steps(150)
	require.NoError(t, r.failed)
	require.NoError(t, db.Close())
	total := count.Calls()
	t.Logf("%d %s calls in a fault-free run", total, op)
	for _, n := range faultNs(total, perOp) {
		runWithFault(t, base, baseModel, op, n, seed, style)
		if t.Failed() {
			t.Logf("failed with %s fault #%d (seed %d)", op, n, seed)
			return
		}
	}
}

// TestDiskFaultWhileCreating fails each call of the very first Open of a
// new DB in turn: the failed Open returns the error, and the next Open of
// the same directory without faults must succeed.
func TestDiskFaultWhileCreating(t *testing.T) {
	for _, op := range []vfs.Op{vfs.OpMkdir, vfs.OpLock, vfs.OpCreate, vfs.OpWrite, vfs.OpSync, vfs.OpRename, vfs.OpSyncDir} {
		t.Run(op.String(), func(t *testing.T) {
			for n := int64(1); ; n++ {
				if !faultWhileCreating(t, op, n) {
					return
				}
			}
		})
	}
}

// faultWhileCreating runs one case of TestDiskFaultWhileCreating and
// reports whether the fault fired.
func faultWhileCreating(t *testing.T, op vfs.Op, n int64) bool {
	fs := vfs.NewMem()
	inj := vfs.OnNth(op, n, syscall.EIO)
	db, err := Open("db", &Options{FS: vfs.WithErrors(fs, inj)})
	if err == nil {
		// The fault may hit Close instead (its WAL sync), or nothing at all.
		err = db.Close()
		if !inj.Fired() {
			require.NoError(t, err)
			return false
		}
	}
	require.ErrorIs(t, err, syscall.EIO, "%s fault #%d", op, n)
	require.NotErrorIs(t, err, ErrLocked, "%s fault #%d: an I/O error is not a lock held by another DB", op, n)
	db, err = Open("db", &Options{FS: fs})
	require.NoError(t, err, "Open after a failed first Open (%s fault #%d)\nfiles:\n%s", op, n, fs)
	require.NoError(t, db.Put([]byte("k"), []byte("v")))
	require.NoError(t, db.Close())
	return true
}

// TestFailedManifestSyncKeepsTable: a flush whose manifest sync fails may
// still have put its edit on disk (only the sync failed), so the table it
// added must not be deleted while the DB runs on, even when a closing
// iterator triggers a sweep of obsolete files.
func TestFailedManifestSyncKeepsTable(t *testing.T) {
	fs := vfs.NewMem()
	var armed atomic.Bool
	inj := vfs.InjectorFunc(func(op vfs.Op, path string) error {
		if armed.Load() && op == vfs.OpSync && strings.HasPrefix(filepath.Base(path), "MANIFEST") {
			return syscall.EIO
		}
		return nil
	})
	db, err := Open("db", corruptOpts(vfs.WithErrors(fs, inj)))
	require.NoError(t, err)
	writeKeys(t, db, 0, 100, "a")
	require.NoError(t, db.Flush())
	it, err := db.NewIterator(nil) // pins the version of this moment
	require.NoError(t, err)
	writeKeys(t, db, 100, 200, "b")
	require.NoError(t, db.Flush()) // the iterator's version is no longer current
	writeKeys(t, db, 200, 300, "c")
	armed.Store(true)
	require.ErrorIs(t, db.Flush(), syscall.EIO)
	armed.Store(false)
	require.NoError(t, it.Close()) // sweeps obsolete files
	db.Close()

	db, err = Open("db", corruptOpts(fs))
	require.NoError(t, err, "files:\n%s", fs)
	defer db.Close()
	got := scanAll(t, db)
	require.Len(t, got, 300)
	require.Equal(t, valueN("c", 250), got[keyN(250)])
}

// TestPowerLossAroundOpenAndClose: a new DB survives a power loss at once;
// Close makes every acknowledged write durable, and so does the recovery an
// Open runs, so a power loss right after either keeps all the data.
func TestPowerLossAroundOpenAndClose(t *testing.T) {
	fs := vfs.NewMem()
	db := openMem(t, fs, tinyOptions(nil))
	require.NoError(t, db.Put([]byte("first"), []byte("1")))
	got := scanAll(t, openClone(t, fs.CrashClone()))
	require.Contains(t, []map[string]string{{}, {"first": "1"}}, got, "power loss after creating the DB")
	writeKeys(t, db, 0, 300, "a")
	want := scanAll(t, db)
	require.NoError(t, db.Close())
	require.Equal(t, want, scanAll(t, openClone(t, fs.CrashClone())), "power loss after Close")

	db = openMem(t, fs, tinyOptions(nil)) // recovery rewrites the WAL into a table
	require.Equal(t, want, scanAll(t, openClone(t, fs.CrashClone())), "power loss after recovery")
	require.NoError(t, db.Close())
}

// openClone opens a power-loss clone and closes it at the end of the test.
func openClone(t *testing.T, fs *vfs.MemFS) *DB {
	t.Helper()
	db, err := Open("db", tinyOptions(fs))
	require.NoError(t, err, "open after power loss; files:\n%s", fs)
	t.Cleanup(func() { db.Close() })
	return db
}
