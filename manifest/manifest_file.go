package manifest

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/lsmkv/lsmkv/internal/corruption"
	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/vfs"
	"github.com/lsmkv/lsmkv/wal"
)

// Extent says how much of a manifest file a read could use: where its last
// whole, verified record ends, how long the file is, and whether the bytes
// after End were dropped as a torn final record. An operator reading "table
// X is missing" needs this to see that the manifest was cut short.
type Extent struct {
	Path string
	End  int64 // offset just past the last record read
	Size int64 // the file's size when it was read
	Torn bool  // bytes in [End, Size) were dropped as a torn tail
}

func (x Extent) String() string {
	s := fmt.Sprintf("%s holds readable records up to offset %d of its %d bytes", x.Path, x.End, x.Size)
	if x.Torn {
		s += fmt.Sprintf("; the %d bytes after them were dropped as a torn final record", x.Size-x.End)
	}
	return s
}

// ReadEdits calls fn with every edit in the MANIFEST file at path, in order,
// with the byte offset of the record that holds it; it stops at the first
// error fn returns. path's base name must be a manifest name
// (MANIFEST-NNNNNN): the number is checked against every record header.
// It is what Load replays, exported for kvtool. The Extent says where the
// readable records ended, including when an error stopped the read.
func ReadEdits(fs vfs.FS, path string, fn func(offset int64, e *VersionEdit) error) (Extent, error) {
	kind, num, ok := filename.Parse(filepath.Base(path))
	if !ok || kind != filename.Manifest {
		return Extent{Path: path}, fmt.Errorf("lsmkv/manifest: %s is not a manifest file name", path)
	}
	return readEdits(fs, path, num, fn)
}

func readEdits(fs vfs.FS, path string, num uint64, fn func(offset int64, e *VersionEdit) error) (Extent, error) {
	x := Extent{Path: path}
	f, err := fs.Open(path)
	if err != nil {
		return x, fmt.Errorf("lsmkv/manifest: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil {
		x.Size = fi.Size()
	}
	r := wal.NewReader(f, wal.ReaderOptions{
		Name:   path,
		LogNum: num,
		// A torn final record is an edit whose append or sync never
		// finished, so LogAndApply never reported it durable and never
		// installed it: dropping it restores the last acknowledged state.
		// Damage anywhere else is still corruption.
		Mode: wal.TolerateTornTail,
	})
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			x.Torn = r.TornTail()
			return x, nil
		}
		if err != nil {
			return x, manifestReadError(path, err)
		}
		var e VersionEdit
		if err := e.Decode(rec); err != nil {
			return x, corruption.Errorf(path, r.Offset(), "%w", err)
		}
		if err := fn(r.Offset(), &e); err != nil {
			return x, err
		}
		x.End = r.Offset() + wal.HeaderLen + int64(len(rec))
	}
}

// manifestReadError re-labels an error from the record reader: the damage
// is in a manifest, so say so rather than "lsmkv/wal".
func manifestReadError(path string, err error) error {
	var ce *corruption.Error
	if errors.As(err, &ce) {
		return fmt.Errorf("lsmkv/manifest: %w", ce)
	}
	return fmt.Errorf("lsmkv/manifest: reading %s: %w", path, err)
}

// recovered is the state replayed from a manifest.
type recovered struct {
	v           *Version
	logNum      uint64
	nextFileNum uint64
	lastSeq     keys.SeqNum
	extent      Extent
}

// replay rebuilds the state recorded in manifest num in dir. Every edit
// must apply cleanly, and the log must set each scalar field at least once
// (the first record of every manifest is a full snapshot that does).
func replay(fs vfs.FS, dir string, num uint64) (*recovered, error) {
	path := filename.Path(dir, filename.Manifest, num)
	b := newBuilder(&Version{})
	var r recovered
	var hasLog, hasNext, hasSeq bool
	x, err := readEdits(fs, path, num, func(off int64, e *VersionEdit) error {
		if err := b.apply(e); err != nil {
			return corruption.Errorf(path, off, "%w", err)
		}
		if e.HasLogNum {
			hasLog, r.logNum = true, e.LogNum
		}
		if e.HasNextFileNum {
			hasNext, r.nextFileNum = true, e.NextFileNum
		}
		if e.HasLastSeq {
			hasSeq, r.lastSeq = true, e.LastSeq
		}
		return nil
	})
	r.extent = x
	if err != nil {
		return nil, err
	}
	if !hasLog || !hasNext || !hasSeq {
		return nil, corruption.Errorf(path, x.End,
			"incomplete: log number, next file number or last sequence number never set by the records before this offset (%s)", x)
	}
	if r.v, err = b.finish(); err != nil {
		return nil, corruption.Errorf(path, x.End, "version replayed from the records before this offset is invalid: %w", err)
	}
	return &r, nil
}

// snapshotEdit returns an edit that, applied to an empty version, rebuilds
// v with the given scalar fields: the first record of every manifest, so a
// manifest never depends on an older one.
func snapshotEdit(v *Version, logNum, nextFileNum uint64, lastSeq keys.SeqNum) *VersionEdit {
	e := &VersionEdit{
		HasLogNum: true, LogNum: logNum,
		HasNextFileNum: true, NextFileNum: nextFileNum,
		HasLastSeq: true, LastSeq: lastSeq,
	}
	for level, files := range v.Levels {
		for _, f := range files {
			e.Added = append(e.Added, NewFile{Level: level, Meta: *f})
		}
	}
	return e
}

// WriteSnapshot makes dir a manifest of its own: manifest num holding one
// snapshot of v with the given counters, and a CURRENT naming it, both
// synced, the directory too. It is how a checkpoint (DB.Checkpoint) gets
// a manifest that lists exactly its tables. REQUIRES: nextFileNum > num
// and every file number v or the WALs use.
func WriteSnapshot(fs vfs.FS, dir string, num uint64, v *Version, logNum, nextFileNum uint64, lastSeq keys.SeqNum) error {
	w, err := createManifest(fs, dir, num, snapshotEdit(v, logNum, nextFileNum, lastSeq))
	if err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return setCurrent(fs, dir, num)
}

// createManifest creates manifest num in dir holding one record, snap, and
// syncs it. On failure it removes the file (best effort).
func createManifest(fs vfs.FS, dir string, num uint64, snap *VersionEdit) (*wal.Writer, error) {
	path := filename.Path(dir, filename.Manifest, num)
	f, err := fs.Create(path)
	if err != nil {
		return nil, fmt.Errorf("lsmkv/manifest: %w", err)
	}
	w := wal.NewWriter(f, num)
	err = w.Append(snap.Encode(nil))
	if err == nil {
		err = w.Sync()
	}
	if err != nil {
		w.Close()
		fs.Remove(path)
		return nil, fmt.Errorf("lsmkv/manifest: writing %s: %w", path, err)
	}
	return w, nil
}
