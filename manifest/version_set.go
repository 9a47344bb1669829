package manifest

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"

	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/vfs"
	"github.com/lsmkv/lsmkv/wal"
)

// DefaultMaxManifestSize is the manifest size, in bytes, beyond which
// LogAndApply starts a new manifest holding a snapshot.
const DefaultMaxManifestSize = 4 << 20

// Options configures a VersionSet.
type Options struct {
	FS  vfs.FS // required
	Dir string // the DB directory
	// ReadOnly makes Load create, change and remove nothing; LogAndApply
	// then fails. Create rejects it.
	ReadOnly bool
	// Logger receives manifest switches and failures to remove old
	// manifests. Nil discards them.
	Logger *slog.Logger
	// MaxManifestSize is the size in bytes beyond which LogAndApply starts
	// a new manifest. Zero means DefaultMaxManifestSize.
	MaxManifestSize int64
	// Check, if set, vets the replayed state before Load changes anything
	// on disk (the DB checks that the tables and the WAL it names exist).
	// Load returns Check's error with the manifest's name and the offset
	// where its readable records end: a manifest cut short is the usual
	// reason a state names files that are missing, and the operator should
	// look there first, not at the files.
	Check func(v *Version, logNum uint64) error
	// DirNames are the names in Dir, listed by the caller just before
	// Load (the DB lists its directory once, under its lock); nil makes
	// Load list Dir itself.
	DirNames []string
}

var (
	errClosed   = errors.New("lsmkv/manifest: version set is closed")
	errReadOnly = errors.New("lsmkv/manifest: version set is read-only")
)

// VersionSet owns the sequence of versions, the MANIFEST that records it
// and the DB-wide counters stored there (next file number, last sequence
// number, live WAL number). See doc.go for the concurrency contract.
type VersionSet struct {
	fs              vfs.FS
	dir             string
	readOnly        bool
	logger          *slog.Logger
	maxManifestSize int64

	// Counters, atomic so that any goroutine may read them.
	nextFileNum atomic.Uint64
	lastSeq     atomic.Uint64
	logNum      atomic.Uint64
	manifestNum atomic.Uint64

	// Used only by Create, Load, LogAndApply and Close, which the caller
	// serialises.
	manifest *wal.Writer // nil when read-only or closed
	// snapshotSize is the size of the manifest's first record, the
	// snapshot; see needSwitch.
	snapshotSize int64
	err          error // sticky: errClosed, errReadOnly or a failed write

	mu      sync.Mutex // guards current and live
	current *Version
	live    map[*Version]struct{} // every version with refs > 0
}

func newVersionSet(opts Options) (*VersionSet, error) {
	if opts.FS == nil {
		return nil, errors.New("lsmkv/manifest: Options.FS is nil")
	}
	vs := &VersionSet{
		fs:              opts.FS,
		dir:             opts.Dir,
		readOnly:        opts.ReadOnly,
		logger:          opts.Logger,
		maxManifestSize: opts.MaxManifestSize,
		live:            make(map[*Version]struct{}),
	}
	if vs.logger == nil {
		vs.logger = slog.New(slog.DiscardHandler)
	}
	if vs.maxManifestSize <= 0 {
		vs.maxManifestSize = DefaultMaxManifestSize
	}
	if vs.readOnly {
		vs.err = errReadOnly
	}
	return vs, nil
}

// Create makes the version set of a new, empty DB in opts.Dir (created if
// missing): MANIFEST-000001 holding a snapshot (file number 1 is the
// manifest's; the next is 2), synced, then CURRENT naming it, written
// atomically. It refuses to run where a CURRENT already exists. Making the
// directory's own entry in its parent durable is the caller's job.
func Create(opts Options) (*VersionSet, error) {
	if opts.ReadOnly {
		return nil, errors.New("lsmkv/manifest: Create with ReadOnly set")
	}
	vs, err := newVersionSet(opts)
	if err != nil {
		return nil, err
	}
	if err := vs.fs.MkdirAll(vs.dir, 0o755); err != nil {
		return nil, fmt.Errorf("lsmkv/manifest: %w", err)
	}
	_, err = vs.fs.Stat(currentPath(vs.dir))
	if err == nil {
		return nil, fmt.Errorf("lsmkv/manifest: %s exists: refusing to overwrite a DB", currentPath(vs.dir))
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("lsmkv/manifest: %w", err)
	}
	vs.nextFileNum.Store(1)
	v := &Version{}
	if err := vs.switchManifest(v, 0, 0); err != nil {
		return nil, err
	}
	vs.install(v)
	return vs, nil
}

// Load opens the version set of an existing DB: it reads CURRENT, replays
// the manifest it names and, unless opts.ReadOnly, moves to a new manifest
// holding one snapshot record (so the manifest does not grow across
// restarts) and removes the old one.
//
// Before allocating the new manifest's number, Load marks every numbered
// file in the directory as used, so no number that reached disk (say a
// table or WAL written after the last edit recorded NextFileNum) is reused.
func Load(opts Options) (*VersionSet, error) {
	vs, err := newVersionSet(opts)
	if err != nil {
		return nil, err
	}
	num, err := ReadCurrent(vs.fs, vs.dir)
	if err != nil {
		return nil, err
	}
	r, err := replay(vs.fs, vs.dir, num)
	if err != nil {
		return nil, err
	}
	if opts.Check != nil {
		if err := opts.Check(r.v, r.logNum); err != nil {
			return nil, fmt.Errorf("%w (the state comes from %s)", err, r.extent)
		}
	}
	vs.manifestNum.Store(num)
	vs.logNum.Store(r.logNum)
	vs.lastSeq.Store(uint64(r.lastSeq))
	vs.nextFileNum.Store(r.nextFileNum)
	vs.MarkFileNumUsed(num)
	for _, files := range r.v.Levels {
		for _, f := range files {
			vs.MarkFileNumUsed(f.Num)
		}
	}
	if !vs.readOnly {
		if err := vs.markDirFilesUsed(opts.DirNames); err != nil {
			return nil, err
		}
		if err := vs.switchManifest(r.v, r.logNum, r.lastSeq); err != nil {
			return nil, err
		}
	}
	vs.install(r.v)
	return vs, nil
}

// markDirFilesUsed calls MarkFileNumUsed for every numbered file in the
// directory, including files no manifest mentions. names is the
// directory's listing, or nil to list it here.
func (vs *VersionSet) markDirFilesUsed(names []string) error {
	if names == nil {
		var err error
		if names, err = vs.fs.List(vs.dir); err != nil {
			return fmt.Errorf("lsmkv/manifest: %w", err)
		}
	}
	for _, name := range names {
		if kind, num, ok := filename.Parse(name); ok && kind != filename.Current && kind != filename.Lock {
			vs.MarkFileNumUsed(num)
		}
	}
	return nil
}

// switchManifest writes a new manifest holding a snapshot of v with the
// given counters, points CURRENT at it, and then closes and removes the
// manifest the set was appending to, if any. On failure the set keeps its
// old manifest (the caller makes the error sticky).
func (vs *VersionSet) switchManifest(v *Version, logNum uint64, lastSeq keys.SeqNum) error {
	num := vs.NewFileNum()
	snap := snapshotEdit(v, logNum, vs.nextFileNum.Load(), lastSeq)
	w, err := createManifest(vs.fs, vs.dir, num, snap)
	if err != nil {
		return err
	}
	if err := setCurrent(vs.fs, vs.dir, num); err != nil {
		// CURRENT may name either manifest after a crash now; both are
		// complete, so keep the new file and let the DB's cleanup decide.
		w.Close()
		return err
	}
	oldNum, oldW := vs.manifestNum.Load(), vs.manifest
	vs.manifest, vs.snapshotSize = w, w.Size()
	vs.manifestNum.Store(num)
	vs.logger.Info("lsmkv/manifest: switched manifest", "manifest", filename.Make(filename.Manifest, num))
	if oldW != nil {
		oldW.Close() // everything in it was synced; a close error loses nothing
	}
	if oldNum != 0 {
		old := filename.Path(vs.dir, filename.Manifest, oldNum)
		if err := vs.fs.Remove(old); err != nil {
			vs.logger.Warn("lsmkv/manifest: cannot remove old manifest", "file", old, "err", err)
		}
	}
	return nil
}

// needSwitch reports whether the next edit should start a new manifest:
// when the live one exceeds the size limit and also holds at least as many
// bytes of edits as of snapshot. The second condition keeps a DB whose
// snapshot alone exceeds the limit from rewriting it at every edit: the
// O(tables) cost of a snapshot is paid at most once per snapshot-sized run
// of edits.
func (vs *VersionSet) needSwitch() bool {
	size := vs.manifest.Size()
	return size >= vs.maxManifestSize && size >= 2*vs.snapshotSize
}

// install makes v the current version. The set owns one reference to the
// current version; the previous one loses it and leaves the live list once
// readers pinning it are done.
func (vs *VersionSet) install(v *Version) {
	v.onZero = vs.release
	v.Ref()
	vs.mu.Lock()
	old := vs.current
	vs.current = v
	vs.live[v] = struct{}{}
	vs.mu.Unlock()
	if old != nil {
		old.Unref() // outside mu: release takes it
	}
}

// release is every set-made version's onZero hook.
func (vs *VersionSet) release(v *Version) {
	vs.mu.Lock()
	delete(vs.live, v)
	vs.mu.Unlock()
}
