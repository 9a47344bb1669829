package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/lsmkv/lsmkv/internal/checksum"
	"github.com/lsmkv/lsmkv/vfs"
)

// maxRetainedBuf bounds the encoding buffer a Writer keeps between Appends:
// one huge commit group should not pin its size in memory for the life of
// the log.
const maxRetainedBuf = 1 << 20

// mappedWindow is the size of the file window a mapped Writer maps at a
// time (more for a record that does not fit): one mmap, one fallocate and
// one munmap per window instead of one write(2) per record.
const mappedWindow = 1 << 20

var (
	errClosed   = errors.New("lsmkv/wal: writer is closed")
	errFinished = errors.New("lsmkv/wal: log is finished")
)

// Writer appends records to one WAL file.
//
// Concurrency: a Writer is not safe for concurrent use; the DB calls it from
// one goroutine at a time (group commit concatenates the batches of many
// writers into one payload, then does one Append and at most one Sync).
//
// Invariants:
//   - once Append returns nil a process crash cannot lose the record (a
//     power loss still can, until Sync returns nil): the whole record has
//     been handed to the file in one Write call or, for a mapped Writer,
//     copied into the file's shared mapping;
//   - a mapped Writer keeps at least one allocated, zero byte after the
//     last record, and stores each record's checksum after the rest of it,
//     so that a crash in the middle of a copy leaves what the reader's
//     torn-tail rule expects (docs/format-wal.md, "Mapped logs");
//   - after any failed Write or Sync the Writer is poisoned: every later call
//     returns that error. A failed Write may have left a partial record in
//     the file, and records appended after it would sit behind damage, so
//     the caller must switch to a new log instead.
type Writer struct {
	f        vfs.File
	m        *mapping // nil: records are written with f.Write
	logNum   uint32   // low 32 bits of the log's file number, stored in headers
	buf      []byte   // reused encoding buffer (write path)
	size     int64    // bytes of records handed to f so far
	good     int64    // bytes of complete records: size, less a failed Append's part
	finished bool     // Finish was called: no more Appends
	// syncFailed: a Sync failed, so what the file holds durably is
	// unknown; Abandon refuses then.
	syncFailed bool
	err        error // sticky failure, or errClosed
}

// NewWriter returns a Writer that appends to f, which must be a newly
// created, empty file; logNum is its file number. Each Append is one
// f.Write.
func NewWriter(f vfs.File, logNum uint64) *Writer {
	return &Writer{f: f, logNum: uint32(logNum)}
}

// NewMappedWriter is NewWriter, except that when f is an operating-system
// file on Linux the Writer appends by copying records into a shared memory
// mapping of the file, which costs no system call per record. The file then
// has an allocated, zero-filled tail past the last record until Finish or
// Close cuts it off; readers treat that tail as the end of the log. Other
// files get NewWriter's behaviour.
func NewMappedWriter(f vfs.File, logNum uint64) *Writer {
	w := NewWriter(f, logNum)
	w.m = newMapping(f)
	return w
}

// Append writes one record holding payload (which may be empty) to the file.
// The record reaches the operating system before Append returns; it is
// durable only after a later Sync.
func (w *Writer) Append(payload []byte) error {
	if w.err != nil {
		return w.err
	}
	if w.finished {
		return errFinished
	}
	if len(payload) > MaxPayloadLen {
		// Nothing was written, so the Writer stays usable.
		return fmt.Errorf("lsmkv/wal: payload of %d bytes exceeds MaxPayloadLen (%d)",
			len(payload), MaxPayloadLen)
	}
	if w.m != nil {
		return w.appendMapped(payload)
	}
	w.buf = appendRecord(w.buf[:0], w.logNum, payload)
	n, err := w.f.Write(w.buf)
	w.size += int64(n)
	if err == nil && n < len(w.buf) {
		err = io.ErrShortWrite
	}
	if cap(w.buf) > maxRetainedBuf {
		w.buf = nil
	}
	if err != nil {
		w.err = fmt.Errorf("lsmkv/wal: append to log %d: %w", w.logNum, err)
		return w.err
	}
	w.good = w.size
	return nil
}

// appendMapped copies one record into the mapping, first moving the window
// if the record and the zero byte that must follow it do not fit.
func (w *Writer) appendMapped(payload []byte) error {
	n := HeaderLen + len(payload)
	if w.m.room(w.size) < int64(n)+1 {
		if err := w.m.advance(w.size, int64(n)+1); err != nil {
			w.err = fmt.Errorf("lsmkv/wal: append to log %d: %w", w.logNum, err)
			return w.err
		}
	}
	if err := putRecord(w.m.at(w.size, n), w.logNum, payload); err != nil {
		w.err = fmt.Errorf("lsmkv/wal: append to log %d: %w", w.logNum, err)
		return w.err
	}
	w.size += int64(n)
	w.good = w.size
	return nil
}

// putRecord encodes a record straight into dst, a slice of the mapping of
// exactly its length whose bytes are all zero. The checksum is stored last:
// a crash mid-copy then leaves a record that fails its checksum followed by
// zeros only, which the reader takes for a torn tail. A fault while copying
// (an I/O error on the mapped file) is returned as an error, not a crash.
func putRecord(dst []byte, logNum uint32, payload []byte) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("fault writing mapped log: %v", r)
		}
	}()
	binary.LittleEndian.PutUint64(dst[lengthOffset:], uint64(len(payload))|uint64(logNum)<<32)
	copy(dst[HeaderLen:], payload)
	binary.LittleEndian.PutUint32(dst[checksumOffset:], checksum.Sum(dst[lengthOffset:]))
	return nil
}

// Finish ends the log: later Appends fail, and a mapped Writer's unused
// tail is cut off so the file ends at its last record. Sync and Close still
// work. The DB finishes a log before it creates the next one, because
// recovery reads every log but the newest strictly (RecoveryModes), and a
// strict reader calls a zero tail damage.
func (w *Writer) Finish() error {
	if w.err != nil {
		return w.err
	}
	w.finished = true
	if w.m == nil {
		return nil
	}
	if err := w.m.trim(w.size); err != nil {
		w.err = fmt.Errorf("lsmkv/wal: finish log %d: %w", w.logNum, err)
		return w.err
	}
	return nil
}

// Sync makes every record appended so far durable.
func (w *Writer) Sync() error {
	if w.err != nil {
		return w.err
	}
	if err := w.f.Sync(); err != nil {
		// After a failed fsync the kernel may have dropped dirty pages, so
		// nothing about the file's durable contents can be assumed.
		w.syncFailed = true
		w.err = fmt.Errorf("lsmkv/wal: sync log %d: %w", w.logNum, vfs.SyncFailed(err))
		return w.err
	}
	return nil
}

// Failed reports whether an Append or Sync failed (and Abandon has not
// cleared it).
func (w *Writer) Failed() bool { return w.err != nil && w.err != errClosed }

// truncater is what a file offers to cut it back (*os.File and MemFS
// files have it).
type truncater interface{ Truncate(size int64) error }

// Abandon finishes a log whose Append failed, so that it reads clean as an
// older log once the next one exists: it cuts the file back to the end of
// its last complete record, removing what the failed Append left, and
// clears the failure. Sync and Close work afterwards; Append does not. It
// refuses (returning the original failure) when a Sync had failed, since
// the file's durable contents are then unknown, and it fails if the file
// cannot be cut. On a Writer that never failed it is Finish.
func (w *Writer) Abandon() error {
	if w.err == nil || w.err == errClosed {
		return w.Finish()
	}
	if w.syncFailed {
		return w.err
	}
	var err error
	switch t, ok := w.f.(truncater); {
	case w.m != nil:
		err = w.m.trim(w.good)
	case ok:
		err = t.Truncate(w.good)
	default:
		err = fmt.Errorf("the file cannot be truncated")
	}
	if err != nil {
		return fmt.Errorf("lsmkv/wal: abandon log %d after %v: %w", w.logNum, w.err, err)
	}
	w.size, w.err, w.finished = w.good, nil, true
	return nil
}

// Size returns the number of bytes of records written to the file so far,
// including any partial record left by a failed Append (write path); a
// mapped file's allocated tail is not counted.
func (w *Writer) Size() int64 { return w.size }

// Close closes the file without syncing it. A mapped Writer first cuts
// the file to its last complete record, as Finish does (even after a
// failure: what a failed copy left is then gone too). Later calls return an
// error.
func (w *Writer) Close() error {
	if w.err == errClosed {
		return errClosed
	}
	var ferr error
	if w.m != nil {
		if ferr = w.m.trim(w.size); ferr != nil {
			ferr = fmt.Errorf("lsmkv/wal: close log %d: %w", w.logNum, ferr)
		}
	}
	w.err = errClosed
	w.buf = nil
	if err := w.f.Close(); err != nil {
		return errors.Join(ferr, fmt.Errorf("lsmkv/wal: close log %d: %w", w.logNum, err))
	}
	return ferr
}
