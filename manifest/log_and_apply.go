package manifest

import (
	"errors"
	"fmt"

	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/vfs"
)

// LogAndApply applies e to the current version, records e durably in the
// MANIFEST and only then installs the result as the current version.
//
// It first completes e so every record is self-sufficient: NextFileNum and
// LastSeq are set to the set's counters (raised first to any larger values
// e already carries) and LogNum, if e lacks it, to the current one. e is
// modified in place.
//
// An edit that does not apply (see Version.Apply), moves LogNum backwards,
// or names a file number never allocated, is rejected with nothing
// written. If writing or syncing the manifest fails, the new version is not
// installed, the error is returned, and the set refuses every later
// LogAndApply with it (a sticky error). The failed edit may nonetheless have
// reached disk, so after such a failure the caller must not delete the
// tables e added or the WALs e made obsolete: the DB stops deleting files
// and must be reopened.
//
// When the manifest has grown past Options.MaxManifestSize (and past twice
// its snapshot), the edit goes into a new manifest instead, as part of a
// full snapshot (see doc.go).
//
// REQUIRES: calls are serialised (the DB holds its mutex).
func (vs *VersionSet) LogAndApply(e *VersionEdit) error {
	if vs.err != nil {
		return vs.err
	}
	if err := vs.fillEdit(e); err != nil {
		return err
	}
	vs.mu.Lock()
	cur := vs.current
	vs.mu.Unlock()
	next, err := cur.Apply(e)
	if err != nil {
		return err
	}
	if vs.needSwitch() {
		err = vs.switchManifest(next, e.LogNum, e.LastSeq)
	} else {
		err = vs.appendEdit(e)
	}
	if err != nil {
		vs.err = fmt.Errorf("lsmkv/manifest: manifest write failed, version set is read-only until reopened: %w", err)
		return vs.err
	}
	vs.logNum.Store(e.LogNum)
	vs.install(next)
	return nil
}

// Recover makes a set that a failed manifest write left read-only take
// edits again: it writes a snapshot of the current version (which the
// failed edit never became) to a new manifest, points CURRENT at it and
// drops the old manifest, whatever its torn end holds. It refuses after a
// failed sync (vfs.ErrSyncFailed): the old manifest's durable contents are
// then unknown, and so is what CURRENT's readers would see. The engine
// calls it only for failures it deems retryable (a full disk). It is a
// no-op on a healthy set. REQUIRES: the caller serialises it with
// LogAndApply.
func (vs *VersionSet) Recover() error {
	if vs.err == nil {
		return nil
	}
	if errors.Is(vs.err, vfs.ErrSyncFailed) {
		return vs.err
	}
	vs.mu.Lock()
	cur := vs.current
	vs.mu.Unlock()
	if err := vs.switchManifest(cur, vs.LogNum(), vs.LastSeq()); err != nil {
		return err
	}
	vs.err = nil
	return nil
}

// fillEdit completes e's scalar fields and checks them against the set.
func (vs *VersionSet) fillEdit(e *VersionEdit) error {
	if e.HasNextFileNum && e.NextFileNum > 0 {
		vs.MarkFileNumUsed(e.NextFileNum - 1)
	}
	e.HasNextFileNum, e.NextFileNum = true, vs.nextFileNum.Load()
	if e.HasLastSeq {
		vs.SetLastSeq(e.LastSeq)
	}
	e.HasLastSeq, e.LastSeq = true, vs.LastSeq()
	if !e.HasLogNum {
		e.HasLogNum, e.LogNum = true, vs.LogNum()
	}
	if e.LogNum < vs.LogNum() {
		return fmt.Errorf("lsmkv/manifest: edit moves log number back from %d to %d", vs.LogNum(), e.LogNum)
	}
	if e.LogNum >= e.NextFileNum {
		return fmt.Errorf("lsmkv/manifest: edit log number %d was never allocated (next file number %d)", e.LogNum, e.NextFileNum)
	}
	for _, a := range e.Added {
		if a.Meta.Num >= e.NextFileNum {
			return fmt.Errorf("lsmkv/manifest: edit adds table %d, a number never allocated (next file number %d)", a.Meta.Num, e.NextFileNum)
		}
	}
	return nil
}

// appendEdit writes e as one record and syncs the manifest.
func (vs *VersionSet) appendEdit(e *VersionEdit) error {
	if err := vs.manifest.Append(e.Encode(nil)); err != nil {
		return err
	}
	return vs.manifest.Sync()
}

// Current returns the current version with a reference taken for the
// caller, who must Unref it when done.
func (vs *VersionSet) Current() *Version {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	vs.current.Ref()
	return vs.current
}

// NewFileNum allocates a file number. Safe for concurrent use.
//
// The number reaches the manifest only with the next edit's NextFileNum, so
// a crash may lose the fact that it was handed out. It is never reused
// anyway: Load starts above every number the manifest mentions and above
// every numbered file in the directory, and the DB may also report numbers
// it finds with MarkFileNumUsed.
func (vs *VersionSet) NewFileNum() uint64 { return vs.nextFileNum.Add(1) - 1 }

// MarkFileNumUsed makes sure NewFileNum never returns n or anything below.
// Safe for concurrent use.
func (vs *VersionSet) MarkFileNumUsed(n uint64) {
	for {
		cur := vs.nextFileNum.Load()
		if cur > n || vs.nextFileNum.CompareAndSwap(cur, n+1) {
			return
		}
	}
}

// NextFileNum returns the number NewFileNum would allocate next.
func (vs *VersionSet) NextFileNum() uint64 { return vs.nextFileNum.Load() }

// LogNum returns the number of the oldest WAL still needed: WALs below it
// are obsolete.
func (vs *VersionSet) LogNum() uint64 { return vs.logNum.Load() }

// ManifestNum returns the file number of the manifest in use.
func (vs *VersionSet) ManifestNum() uint64 { return vs.manifestNum.Load() }

// LastSeq returns the largest sequence number assigned so far.
func (vs *VersionSet) LastSeq() keys.SeqNum { return keys.SeqNum(vs.lastSeq.Load()) }

// SetLastSeq records that sequence numbers up to s have been assigned. It
// never moves LastSeq backwards. Safe for concurrent use.
func (vs *VersionSet) SetLastSeq(s keys.SeqNum) {
	for {
		cur := vs.lastSeq.Load()
		if uint64(s) <= cur || vs.lastSeq.CompareAndSwap(cur, uint64(s)) {
			return
		}
	}
}

// LiveFiles adds to into the number and size of every table in every live
// version: the current one and any older one a reader still references.
// The DB may delete a table only if it is absent from this set.
func (vs *VersionSet) LiveFiles(into map[uint64]uint64) {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	for v := range vs.live {
		for _, files := range v.Levels {
			for _, f := range files {
				into[f.Num] = f.Size
			}
		}
	}
}

// NumLiveVersions returns the number of versions with references.
func (vs *VersionSet) NumLiveVersions() int {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	return len(vs.live)
}

// Close closes the manifest file. Versions stay readable; later
// LogAndApply calls fail.
func (vs *VersionSet) Close() error {
	if vs.err == errClosed {
		return nil
	}
	vs.err = errClosed
	if vs.manifest == nil {
		return nil
	}
	err := vs.manifest.Close()
	vs.manifest = nil
	return err
}
