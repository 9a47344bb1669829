package manifest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/lsmkv/lsmkv/internal/corruption"
	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/vfs"
)

// Format constants: CURRENT holds the name of the live manifest followed by
// one newline, e.g. "MANIFEST-000003\n", and nothing else. See
// docs/format-manifest.md.
const (
	currentSuffix  = "\n"
	maxCurrentSize = 64 // far above len("MANIFEST-") + 20 digits + "\n"
)

// currentPath returns the path of dir's CURRENT file.
func currentPath(dir string) string { return filepath.Join(dir, filename.Make(filename.Current, 0)) }

// ReadCurrent returns the number of the manifest that dir's CURRENT names.
// Every way CURRENT can be wrong — missing, malformed, naming a manifest
// that does not exist — is a corruption error naming CURRENT; other I/O
// errors are returned as they are. Load reads CURRENT with it, and so does
// kvtool.
func ReadCurrent(fs vfs.FS, dir string) (uint64, error) {
	path := currentPath(dir)
	f, err := fs.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, corruption.Errorf(path, -1, "missing (no DB here, or CURRENT was lost)")
	}
	if err != nil {
		return 0, fmt.Errorf("lsmkv/manifest: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxCurrentSize+1))
	f.Close()
	if err != nil {
		return 0, fmt.Errorf("lsmkv/manifest: reading %s: %w", path, err)
	}
	if len(data) > maxCurrentSize {
		return 0, corruption.Errorf(path, maxCurrentSize, "longer than %d bytes", maxCurrentSize)
	}
	name, ok := strings.CutSuffix(string(data), currentSuffix)
	if !ok {
		return 0, corruption.Errorf(path, int64(len(data)), "does not end with a newline")
	}
	kind, num, ok := filename.Parse(name)
	// Compare with the canonical spelling so "MANIFEST-3" is not silently
	// read as MANIFEST-000003, a different file.
	if !ok || kind != filename.Manifest || filename.Make(filename.Manifest, num) != name {
		return 0, corruption.Errorf(path, 0, "names %q, which is not a manifest", name)
	}
	_, err = fs.Stat(filepath.Join(dir, name))
	if errors.Is(err, os.ErrNotExist) {
		return 0, corruption.Errorf(path, 0, "names %s, which does not exist", name)
	}
	if err != nil {
		return 0, fmt.Errorf("lsmkv/manifest: %w", err)
	}
	return num, nil
}

// setCurrent atomically points dir's CURRENT at manifest num: it writes the
// new contents to a temporary file (named with the manifest's own number,
// so it cannot collide with another file), syncs it, renames it over
// CURRENT and syncs the directory. A crash at any point leaves CURRENT
// naming either the old manifest or the new one, never a torn mixture; a
// leftover .tmp file is garbage the DB removes at Open.
func setCurrent(fs vfs.FS, dir string, num uint64) (err error) {
	tmp := filename.Path(dir, filename.Temp, num)
	f, err := fs.Create(tmp)
	if err != nil {
		return fmt.Errorf("lsmkv/manifest: %w", err)
	}
	defer func() {
		if err != nil {
			fs.Remove(tmp) // best effort (gone already if the rename succeeded)
			err = fmt.Errorf("lsmkv/manifest: setting CURRENT: %w", err)
		}
	}()
	_, err = io.WriteString(f, filename.Make(filename.Manifest, num)+currentSuffix)
	if err == nil {
		err = vfs.SyncFailed(f.Sync())
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := fs.Rename(tmp, currentPath(dir)); err != nil {
		return err
	}
	// The rename is durable only once the directory is synced; until then a
	// crash may still show the old CURRENT, which is a consistent state.
	return fs.SyncDir(dir)
}
