package lsmkv

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/manifest"
	"github.com/lsmkv/lsmkv/vfs"
)

// Checkpoint writes a consistent copy of the DB into dir, which must not
// exist, while reads and writes go on. The copy opens as an ordinary DB
// (read-write or ReadOnly) and holds every write acknowledged before
// Checkpoint was called, and perhaps some that came after it.
//
// What it holds: the tables of the current version, hard-linked where the
// file system can (vfs.Linker, same device) and copied otherwise; copies
// of the WALs whose writes are not in tables yet; and a manifest and
// CURRENT of its own that list exactly those tables. The copy is built in
// a temporary directory next to dir, synced, and renamed to dir only when
// complete: a failed or interrupted checkpoint leaves no dir, and cleans up
// the temporary directory where it can.
//
// Hard links share disk space with the DB: a table the DB later compacts
// away stays on disk for as long as a checkpoint links it. Delete
// checkpoints you no longer need. File deletion is paused while the
// checkpoint links its tables, so none can disappear under it.
func (db *DB) Checkpoint(dir string) (err error) {
	if dir == "" {
		return invalidf("Checkpoint with an empty directory path")
	}
	if _, err := db.fs.Stat(dir); err == nil {
		return invalidf("Checkpoint into %s: it already exists", dir)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("lsmkv: checkpoint: %w", err)
	}
	cp, err := db.startCheckpoint()
	if err != nil {
		return err
	}
	defer db.endCheckpoint(cp)

	tmp := fmt.Sprintf("%s.checkpoint-%d.tmp", filepath.Clean(dir), cp.manifestNum)
	if err := db.fs.MkdirAll(tmp, 0o755); err != nil {
		return fmt.Errorf("lsmkv: checkpoint: %w", err)
	}
	defer func() {
		if err != nil {
			removeDir(db.fs, tmp) // best effort: the error says what went wrong
		}
	}()
	if err := db.writeCheckpoint(cp, tmp); err != nil {
		return fmt.Errorf("lsmkv: checkpoint into %s: %w", dir, err)
	}
	if err := db.fs.Rename(tmp, dir); err != nil {
		return fmt.Errorf("lsmkv: checkpoint: %w", err)
	}
	if err := db.fs.SyncDir(filepath.Dir(filepath.Clean(dir))); err != nil {
		return fmt.Errorf("lsmkv: checkpoint: %w", err)
	}
	return nil
}

// checkpointState is what a checkpoint copies, taken under mu in one go.
type checkpointState struct {
	version     *manifest.Version // referenced until endCheckpoint
	logNum      uint64            // the oldest WAL the version still needs
	lastSeq     keys.SeqNum
	manifestNum uint64 // the checkpoint's manifest number, from the DB's counter
	logs        []uint64
}

// startCheckpoint pauses file deletion and takes the state to copy.
func (db *DB) startCheckpoint() (*checkpointState, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.state != stateOpen {
		return nil, ErrClosed
	}
	names, err := db.fs.List(db.dirname)
	if err != nil {
		return nil, fmt.Errorf("lsmkv: checkpoint: %w", err)
	}
	cp := &checkpointState{
		version:     db.vs.Current(),
		logNum:      db.vs.LogNum(),
		lastSeq:     db.vs.LastSeq(),
		manifestNum: db.vs.NewFileNum(),
	}
	// The WALs on disk from LogNum on: with deletions paused none of them
	// can go, and a WAL created after this listing holds only later writes.
	for _, name := range names {
		if kind, num, ok := filename.Parse(name); ok && kind == filename.Log && num >= cp.logNum {
			cp.logs = append(cp.logs, num)
		}
	}
	slices.Sort(cp.logs)
	db.deletionsPaused++
	return cp, nil
}

// endCheckpoint resumes file deletion and releases the version.
func (db *DB) endCheckpoint(cp *checkpointState) {
	db.mu.Lock()
	defer db.mu.Unlock()
	cp.version.Unref()
	db.deletionsPaused--
	if db.deletionsPaused == 0 && db.state == stateOpen {
		db.deleteObsoleteFiles() // what the pause held back
	}
}

// writeCheckpoint fills tmp: tables, WALs, then the manifest and CURRENT
// (which WriteSnapshot syncs with the directory).
func (db *DB) writeCheckpoint(cp *checkpointState, tmp string) error {
	linker, canLink := db.fs.(vfs.Linker)
	for _, files := range cp.version.Levels {
		for _, f := range files {
			name := filename.Make(filename.Table, f.Num)
			src, dst := filepath.Join(db.dirname, name), filepath.Join(tmp, name)
			if canLink {
				if err := linker.Link(src, dst); err == nil {
					continue
				} // another device, or no links here: copy instead
				canLink = false
			}
			if err := copyFile(db.fs, src, dst); err != nil {
				return err
			}
		}
	}
	// The newest WAL is copied while it is being written: the copy may
	// end in part of a record, or in a mapped log's zero tail, both of
	// which recovery reads as the end of the newest log. Older WALs were
	// finished before the next one was created.
	for _, num := range cp.logs {
		name := filename.Make(filename.Log, num)
		if err := copyFile(db.fs, filepath.Join(db.dirname, name), filepath.Join(tmp, name)); err != nil {
			return err
		}
	}
	return manifest.WriteSnapshot(db.fs, tmp, cp.manifestNum, cp.version, cp.logNum, cp.manifestNum+1, cp.lastSeq)
}

// copyFile copies src to dst, a new file, and syncs it.
func copyFile(fs vfs.FS, src, dst string) (err error) {
	in, err := fs.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := fs.Create(dst)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	if _, err := io.Copy(out, in); err != nil {
		return fmt.Errorf("copying %s: %w", src, err)
	}
	return out.Sync()
}

// removeDir removes dir and the files in it.
func removeDir(fs vfs.FS, dir string) {
	names, _ := fs.List(dir)
	for _, name := range names {
		fs.Remove(filepath.Join(dir, name))
	}
	fs.Remove(dir)
}
