package vfs

import (
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// memNode is a file's inode: its bytes and how many of them are durable.
//
// Invariants: 0 <= syncedLen <= len(data). data only grows (MemFS writes
// append and Create makes a new inode), except by Truncate, which cuts the
// durable bytes too, so the durable bytes are always the prefix
// data[:syncedLen]. (A truncation is modelled as durable at once: the
// engine truncates only a log's torn end, which no reader wants back.)
type memNode struct {
	mu        sync.RWMutex
	data      []byte
	syncedLen int
	modTime   time.Time
}

func (n *memNode) stat(base string) memFileInfo {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return memFileInfo{name: base, size: int64(len(n.data)), modTime: n.modTime}
}

// memFile is an open handle on a memNode.
type memFile struct {
	fs       *MemFS
	node     *memNode
	name     string
	writable bool
	pos      int64 // offset of the next Read; Read is not concurrency-safe
	closed   atomic.Bool
}

var _ File = (*memFile)(nil)

func (f *memFile) check(op string) error {
	if f.closed.Load() {
		return memErr(op, f.name, os.ErrClosed)
	}
	return nil
}

// Read reads from the handle's own offset, which Write does not move.
func (f *memFile) Read(p []byte) (int, error) {
	if err := f.check("read"); err != nil {
		return 0, err
	}
	n, err := f.readAt(p, f.pos)
	f.pos += int64(n)
	if err == io.EOF && n > 0 {
		err = nil // io.Reader may report EOF on the next call instead
	}
	return n, err
}

// ReadAt is safe to call concurrently with other ReadAt calls and with a
// Write on another handle or the same one.
func (f *memFile) ReadAt(p []byte, off int64) (int, error) {
	if err := f.check("read"); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, memErr("read", f.name, os.ErrInvalid)
	}
	return f.readAt(p, off)
}

func (f *memFile) readAt(p []byte, off int64) (int, error) {
	f.node.mu.RLock()
	defer f.node.mu.RUnlock()
	if off >= int64(len(f.node.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.node.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Write appends p to the file (see the MemFS comment on O_APPEND).
func (f *memFile) Write(p []byte) (int, error) {
	if err := f.check("write"); err != nil {
		return 0, err
	}
	if !f.writable {
		return 0, memErr("write", f.name, errReadOnly)
	}
	f.node.mu.Lock()
	defer f.node.mu.Unlock()
	f.node.data = append(f.node.data, p...)
	f.node.modTime = time.Now()
	return len(p), nil
}

// Truncate cuts the file to size bytes (it cannot grow it). Durable bytes
// past the cut are gone too: the model keeps the durable bytes a prefix.
func (f *memFile) Truncate(size int64) error {
	if err := f.check("truncate"); err != nil {
		return err
	}
	if !f.writable {
		return memErr("truncate", f.name, errReadOnly)
	}
	f.node.mu.Lock()
	defer f.node.mu.Unlock()
	if size < 0 || size > int64(len(f.node.data)) {
		return memErr("truncate", f.name, os.ErrInvalid)
	}
	f.node.data = f.node.data[:size]
	f.node.syncedLen = min(f.node.syncedLen, int(size))
	return nil
}

// Sync makes every byte written so far durable. As with fsync, it works on
// read-only handles too: durability belongs to the inode.
func (f *memFile) Sync() error {
	if err := f.check("sync"); err != nil {
		return err
	}
	f.fs.syncMu.RLock()
	defer f.fs.syncMu.RUnlock()
	f.node.mu.Lock()
	defer f.node.mu.Unlock()
	f.node.syncedLen = len(f.node.data)
	return nil
}

func (f *memFile) Stat() (os.FileInfo, error) {
	if err := f.check("stat"); err != nil {
		return nil, err
	}
	return f.node.stat(baseName(f.name)), nil
}

// Close closes the handle; a second Close reports os.ErrClosed.
func (f *memFile) Close() error {
	if f.closed.Swap(true) {
		return memErr("close", f.name, os.ErrClosed)
	}
	return nil
}

// memFileInfo is the os.FileInfo of a MemFS file or directory.
type memFileInfo struct {
	name    string
	size    int64
	dir     bool
	modTime time.Time
}

func (fi memFileInfo) Name() string       { return fi.name }
func (fi memFileInfo) Size() int64        { return fi.size }
func (fi memFileInfo) ModTime() time.Time { return fi.modTime }
func (fi memFileInfo) IsDir() bool        { return fi.dir }
func (fi memFileInfo) Sys() any           { return nil }

func (fi memFileInfo) Mode() os.FileMode {
	if fi.dir {
		return os.ModeDir | 0o755
	}
	return 0o644
}
