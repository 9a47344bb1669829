package wal

import (
	"errors"
	"fmt"
	"io"

	"github.com/lsmkv/lsmkv/vfs"
)

// maxRetainedBuf bounds the encoding buffer a Writer keeps between Appends:
// one huge commit group should not pin its size in memory for the life of
// the log.
const maxRetainedBuf = 1 << 20

var errClosed = errors.New("lsmkv/wal: writer is closed")

// Writer appends records to one WAL file.
//
// Concurrency: a Writer is not safe for concurrent use; the DB calls it from
// one goroutine at a time (group commit concatenates the batches of many
// writers into one payload, then does one Append and at most one Sync).
//
// Invariants:
//   - every Append hands the whole record to the file in one Write call, so
//     once Append returns nil a process crash cannot lose the record (a
//     power loss still can, until Sync returns nil);
//   - after any failed Write or Sync the Writer is poisoned: every later call
//     returns that error. A failed Write may have left a partial record in
//     the file, and records appended after it would sit behind damage, so
//     the caller must switch to a new log instead.
type Writer struct {
	f      vfs.File
	logNum uint32 // low 32 bits of the log's file number, stored in headers
	buf    []byte // reused encoding buffer
	size   int64  // bytes handed to f so far
	err    error  // sticky failure, or errClosed
}

// NewWriter returns a Writer that appends to f, which must be a newly
// created, empty file; logNum is its file number.
func NewWriter(f vfs.File, logNum uint64) *Writer {
	return &Writer{f: f, logNum: uint32(logNum)}
}

// Append writes one record holding payload (which may be empty) to the file.
// The record reaches the operating system before Append returns; it is
// durable only after a later Sync.
func (w *Writer) Append(payload []byte) error {
	if w.err != nil {
		return w.err
	}
	if len(payload) > MaxPayloadLen {
		// Nothing was written, so the Writer stays usable.
		return fmt.Errorf("lsmkv/wal: payload of %d bytes exceeds MaxPayloadLen (%d)",
			len(payload), MaxPayloadLen)
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
		w.err = fmt.Errorf("lsmkv/wal: sync log %d: %w", w.logNum, err)
		return w.err
	}
	return nil
}

// Size returns the number of bytes written to the file so far, including
// any partial record left by a failed Append.
func (w *Writer) Size() int64 { return w.size }

// Close closes the file without syncing it. Later calls return an error.
func (w *Writer) Close() error {
	if w.err == errClosed {
		return errClosed
	}
	w.err = errClosed
	w.buf = nil
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("lsmkv/wal: close log %d: %w", w.logNum, err)
	}
	return nil
}
