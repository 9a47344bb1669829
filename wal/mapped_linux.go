//go:build linux

package wal

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/lsmkv/lsmkv/vfs"
)

// newMapping returns a mapping for f, or nil if f is not an operating
// system file (a MemFS or fault-injecting file gets the write(2) path).
func newMapping(f vfs.File) *mapping {
	osf, ok := f.(*os.File)
	if !ok {
		return nil
	}
	return &mapping{fd: int(osf.Fd()), pageSize: int64(os.Getpagesize())}
}

// mapping is a window of a log file mapped into memory (MAP_SHARED), so
// that appending a record is a copy into the page cache rather than a
// write(2). Bytes copied into a shared mapping are the file's bytes at once:
// a process crash cannot lose them, exactly as for a completed write(2).
//
// The window's range of the file is allocated with fallocate before it is
// mapped. That both sets the file's size (mapping past end of file would
// fault) and reserves the blocks, so a full disk is an error here rather than
// a SIGBUS in the middle of a copy.
type mapping struct {
	fd       int
	pageSize int64
	data     []byte // the mapped window; nil when none
	start    int64  // file offset of data[0], a multiple of pageSize
	fileSize int64  // bytes allocated in the file: the end of the last window
}

// room returns the bytes available in the window from file offset off.
func (m *mapping) room(off int64) int64 {
	if m.data == nil {
		return 0
	}
	return m.start + int64(len(m.data)) - off
}

// at returns the n bytes of the window at file offset off.
// REQUIRES: m.room(off) >= n.
func (m *mapping) at(off int64, n int) []byte {
	i := off - m.start
	return m.data[i : i+int64(n) : i+int64(n)]
}

// advance replaces the window with one that starts at or before file offset
// off and holds at least need bytes from off.
func (m *mapping) advance(off int64, need int64) error {
	if err := m.unmap(); err != nil {
		return err
	}
	start := off - off%m.pageSize
	size := max(mappedWindow, roundUp(off-start+need, m.pageSize))
	if end := start + size; end > m.fileSize {
		if err := fallocate(m.fd, m.fileSize, end-m.fileSize); err != nil {
			return err
		}
		m.fileSize = end
	}
	data, err := syscall.Mmap(m.fd, start, int(size), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		return fmt.Errorf("mmap: %w", err)
	}
	m.data, m.start = data, start
	return nil
}

// fallocate extends the file to off+n bytes with allocated, zeroed blocks.
// File systems without fallocate get a plain ftruncate: the blocks are then
// allocated as pages are first written.
func fallocate(fd int, off, n int64) error {
	err := syscall.Fallocate(fd, 0, off, n)
	if errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.ENOSYS) {
		err = syscall.Ftruncate(fd, off+n)
	}
	if err != nil {
		return fmt.Errorf("allocate log space: %w", err)
	}
	return nil
}

// unmap drops the window. The bytes stay in the page cache, dirty, to be
// written back (or synced) like any other.
func (m *mapping) unmap() error {
	if m.data == nil {
		return nil
	}
	err := syscall.Munmap(m.data)
	m.data = nil
	if err != nil {
		return fmt.Errorf("munmap: %w", err)
	}
	return nil
}

// trim drops the window and cuts the file to size bytes, removing the
// allocated tail that no record reached.
func (m *mapping) trim(size int64) error {
	err := m.unmap()
	if m.fileSize > size {
		if terr := syscall.Ftruncate(m.fd, size); terr != nil && err == nil {
			err = fmt.Errorf("truncate log: %w", terr)
		}
		m.fileSize = size
	}
	return err
}

func roundUp(n, to int64) int64 { return (n + to - 1) / to * to }
